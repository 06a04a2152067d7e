// DELETE (GPCS 11.2): an application, an executable load file (with its applications: P2 80) or
// a supplementary security domain, by the ISD or the domain it is associated with; on a token for
// a Delegated Management domain (C.4.1), answered with a receipt (C.5).

import { equalBytes } from '../../../loader/bytes.ts';
import { DeleteError } from '../../jcre.ts';
import { concat } from '../crypto.ts';
import { swBytes } from '../sm.ts';
import { readTlvs } from '../tlv.ts';
import { ReceiptData, tokenSignedData } from '../tokens.ts';
import { GpSw, type Response, validAid } from './common.ts';
import type { DomainContext } from './context.ts';

export function deleteCommand(ctx: DomainContext, p1: number, p2: number, data: Uint8Array): Response {
  if (p1 !== 0x00 || (p2 !== 0x00 && p2 !== 0x80)) return swBytes(GpSw.WRONG_P1P2);
  const tlvs = readTlvs(data);
  const aids = tlvs?.filter((t) => t.tag === 0x4f) ?? [];
  if (!tlvs || aids.length !== 1 || !validAid(aids[0]!.value)) return swBytes(GpSw.WRONG_DATA);
  const aid = aids[0]!.value;
  // 9E: the delete token, over the command data without it (GPCS C.4.1).
  const token = tlvs.find((t) => t.tag === 0x9e)?.value;
  const auth = ctx.authorize(token, () => {
    const kept: Uint8Array[] = [];
    tlvs.forEach((t, i) => t.tag !== 0x9e && kept.push(data.subarray(i === 0 ? 0 : tlvs[i - 1]!.end, t.end)));
    return tokenSignedData(p1, p2, concat(...kept));
  });
  if (typeof auth === 'number') return swBytes(auth);
  if (equalBytes(aid, ctx.aid) || equalBytes(aid, ctx.config.aid)) return swBytes(GpSw.CONDITIONS);
  if (ctx.registry.domain(aid)) {
    // A supplementary security domain (GPCS 11.2.2): by the ISD or the domain it is associated
    // with, once nothing — applications, load files, SSDs — is associated with it any more.
    // Nor while it is selected on some logical channel, as for an applet (JCRE 11.3.4.1).
    if (!ctx.owns(aid) || ctx.registry.hasAssociated(aid) || ctx.rt.isNativeActive(aid)) return swBytes(GpSw.CONDITIONS);
    ctx.registry.removeDomain(aid); // and its association
    ctx.registry.removeDataObjects(aid);
    ctx.registry.removeRoleKeys(aid);
    ctx.registry.save();
    return ctx.confirm(auth === 'delegated', () => ReceiptData.delete(aid));
  }
  const inst = ctx.rt.instanceByAid(aid);
  const pkg = ctx.rt.packages.find((p) => equalBytes(p.linked.pkg.aid, aid));
  const gone = inst ? [inst.aid] : pkg ? ctx.rt.applets.filter((a) => a.pkg === pkg).map((a) => a.aid) : [];
  // An SSD deletes only what is associated with it, instances of its load file included (GPCS 11.2.2).
  if ((inst || pkg) && (!ctx.owns(aid) || (p2 === 0x80 && !gone.every((a) => ctx.owns(a))))) return swBytes(GpSw.CONDITIONS);
  try {
    if (inst) ctx.rt.deleteApplet(aid);
    else if (pkg) ctx.rt.deletePackage(aid, p2 === 0x80);
    else return swBytes(GpSw.NOT_FOUND);
  } catch (e) {
    if (e instanceof DeleteError) return swBytes(e.reason === 'not-found' ? GpSw.NOT_FOUND : GpSw.CONDITIONS);
    throw e;
  }
  for (const a of gone) {
    ctx.registry.removeApp(a);
    ctx.registry.associate(a, null);
  }
  if (!inst) ctx.registry.associate(aid, null);
  ctx.registry.save();
  return ctx.confirm(auth === 'delegated', () => ReceiptData.delete(aid));
}
