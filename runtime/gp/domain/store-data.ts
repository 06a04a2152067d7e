// STORE DATA (GPCS 11.11): data objects for the domain itself (42, 45, 66, CF: GET DATA answers
// them, get-data.ts), or, after INSTALL [for personalization] (install.ts), blocks for the
// application being personalized, passed to its org.globalplatform.Application.processData.

import { concat } from '../crypto.ts';
import { swBytes } from '../sm.ts';
import { readTlvs } from '../tlv.ts';
import { GpSw, ok, type Response } from './common.ts';
import type { DomainContext } from './context.ts';

/**
 * STORE DATA to this domain: P1 b8 last block, b7-b6 encryption (00 none, 11 encrypted with
 * the DEK, each block padded 80 00..; 01 application dependent: 6A80; 10 RFU: 6A86), b5-b4
 * structure (00 none and 10 BER-TLV are read as BER-TLV; 01 DGI and 11 RFU: 6A80); P2 the
 * block number, 00 first (another: 6A86). The blocks are joined and, at the last one, read as
 * data objects — 42 IIN, 45 CIN, 66 card data, CF KDD (10 bytes); another tag 6A80 — and
 * stored in one write. A refused block ends the sequence, nothing stored.
 */
export function storeData(ctx: DomainContext, p1: number, p2: number, data: Uint8Array, apdu: Uint8Array): Response {
  if (ctx.session.personalizing) return storeDataToApplication(ctx, ctx.session.personalizing, p1, p2, data, apdu);
  const r = storeBlock(ctx, p1, p2, data);
  if (r !== null) {
    ctx.session.storeNext = 0;
    ctx.session.storeBuffer = [];
    return swBytes(r);
  }
  return ok();
}

/**
 * STORE DATA after INSTALL [for personalization]: each block, as received (after the secure
 * channel's unwrapping; encrypted data stays encrypted for the application to decrypt), goes to
 * the application's processData in the APDU buffer. Block numbers follow as for the domain's own
 * STORE DATA (6A86); the application's status word (an ISOException's reason) is the answer.
 * The last block ends personalization.
 */
function storeDataToApplication(ctx: DomainContext, aid: Uint8Array, p1: number, p2: number, data: Uint8Array, apdu: Uint8Array): Response {
  if (p2 !== ctx.session.storeNext) {
    ctx.session.storeNext = 0;
    return swBytes(GpSw.WRONG_P1P2);
  }
  const last = (p1 & 0x80) !== 0;
  ctx.session.storeNext = last ? 0 : (p2 + 1) & 0xff;
  if (last) ctx.session.personalizing = null;
  const header = [apdu[0]! & ~0x0c, apdu[1]!, apdu[2]!, apdu[3]!, data.length & 0xff];
  const sw = ctx.rt.processData(aid, header, data);
  if (sw === null) return swBytes(GpSw.CONDITIONS);
  return swBytes(sw);
}

/** One STORE DATA block: null when taken, else the status word refusing it. */
function storeBlock(ctx: DomainContext, p1: number, p2: number, data: Uint8Array): number | null {
  const last = (p1 & 0x80) !== 0;
  const enc = (p1 >>> 5) & 0x03, structure = (p1 >>> 3) & 0x03;
  if (p2 !== ctx.session.storeNext || enc === 0x02) return GpSw.WRONG_P1P2;
  if (enc === 0x01 || structure === 0x01 || structure === 0x03) return GpSw.WRONG_DATA;
  let plain = data;
  if (enc === 0x03) {
    let decrypted: Uint8Array;
    try {
      decrypted = ctx.session.channel.decryptKey(data);
    } catch {
      return GpSw.WRONG_DATA;
    }
    const unpadded = stripPadding(decrypted);
    if (!unpadded) return GpSw.WRONG_DATA;
    plain = unpadded;
  }
  ctx.session.storeBuffer.push(plain.slice());
  ctx.session.storeNext = (p2 + 1) & 0xff;
  if (!last) return ctx.session.storeBuffer.reduce((n, b) => n + b.length, 0) > 0x400 ? GpSw.NOT_ENOUGH_MEMORY : null;
  const all = concat(...ctx.session.storeBuffer);
  ctx.session.storeNext = 0;
  ctx.session.storeBuffer = [];
  const tlvs = readTlvs(all);
  if (tlvs === null) return GpSw.WRONG_DATA;
  const objects: { tag: number; value: Uint8Array }[] = [];
  for (const t of tlvs) {
    if (![0x42, 0x45, 0x66, 0xcf].includes(t.tag) || t.value.length > 0xff || (t.tag === 0xcf && t.value.length !== 10)) return GpSw.WRONG_DATA;
    objects.push({ tag: t.tag, value: t.value });
  }
  const before = ctx.registry.state.dataObjects;
  ctx.registry.setDataObjects(ctx.isIsd ? null : ctx.aid, objects);
  if (!ctx.registry.trySave()) {
    ctx.registry.state.dataObjects = before;
    return GpSw.NOT_ENOUGH_MEMORY;
  }
  return null;
}

/** Encrypted STORE DATA carries its objects padded with 80 00.. (ISO/IEC 9797-1 method 2); null without the padding. */
function stripPadding(b: Uint8Array): Uint8Array | null {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0x00) end--;
  return end > 0 && b[end - 1] === 0x80 ? b.subarray(0, end - 1) : null;
}
