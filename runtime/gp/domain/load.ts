// LOAD (GPCS 11.6): the blocks of the Load File that INSTALL [for load] announced (install.ts),
// in sequence, on the channel it came on; at the last block the DAPs (dap.ts, C.3), then the
// association with its security domain, then the JCRE's package. The Load File format is
// ../load.ts's.

import { LinkError } from '../../../loader/link.ts';
import { dapsPass } from '../dap.ts';
import { swBytes } from '../sm.ts';
import { ReceiptData } from '../tokens.ts';
import { GpSw, ok, type Response } from './common.ts';
import type { DomainContext } from './context.ts';

export function load(ctx: DomainContext, p1: number, p2: number, data: Uint8Array): Response {
  const pending = ctx.session.pendingLoad;
  if (!pending) return swBytes(GpSw.CONDITIONS);
  if ((p1 & 0x7f) !== 0 || p2 !== (pending.next & 0xff)) {
    ctx.session.pendingLoad = null;
    return swBytes(GpSw.WRONG_P1P2);
  }
  pending.add(data);
  if ((p1 & 0x80) === 0) return ok();
  ctx.session.pendingLoad = null;
  const done = pending.finish();
  if ('error' in done) return swBytes(GpSw.WRONG_DATA);
  const target = ctx.session.loadTarget;
  if (!dapsPass(ctx.registry, done.daps, target, pending.hash)) return swBytes(GpSw.WRONG_DATA);
  // The association first (as INSTALL's entry): pruned at the next reset if a tear keeps the load file off the card.
  const elf = done.cap.header.package.AID;
  if (target) {
    ctx.registry.associate(elf, target);
    if (!ctx.registry.trySave()) {
      ctx.registry.associate(elf, null);
      return swBytes(GpSw.NOT_ENOUGH_MEMORY);
    }
  }
  try {
    ctx.rt.loadPackage(done.cap);
  } catch (e) {
    if (!(e instanceof LinkError)) throw e;
    if (target) {
      ctx.registry.associate(elf, null);
      ctx.registry.save();
    }
    return swBytes(/does not fit/.test(e.message) ? GpSw.NOT_ENOUGH_MEMORY : GpSw.WRONG_DATA);
  }
  return ctx.confirm(ctx.session.loadDelegated, () => ReceiptData.load(elf, target ?? ctx.config.aid));
}
