// GET STATUS (GPCS 11.4): the registry entries this domain sees — the ISD (P1 80), applications
// and SSDs (40), load files (20, with their modules 10) — in the legacy or the TLV format, in
// pages of whole entries; SET STATUS (GPCS 11.10): the card's life cycle (P1 80, the ISD's
// alone), locking and unlocking applications and SSDs (40), an SSD's PERSONALIZED state.

import { equalBytes } from '../../../loader/bytes.ts';
import { concat } from '../crypto.ts';
import { AppState, CardState, ISD_PRIVILEGES, LOADED, privilegeBytes, SD_PERSONALIZED } from '../registry.ts';
import { swBytes } from '../sm.ts';
import { readTlvs, tlv } from '../tlv.ts';
import { GpSw, ok, type Response, SD_LOAD_FILE, validAid } from './common.ts';
import type { DomainContext } from './context.ts';

// --- GET STATUS (GPCS 11.4) ----------------------------------------------------------------

/** Bytes of response data one GET STATUS answer carries at most (room left for an R-MAC and padding). */
const STATUS_CHUNK = 0xec;

export function getStatus(ctx: DomainContext, p1: number, p2: number, data: Uint8Array): Response {
  if (![0x80, 0x40, 0x20, 0x10].includes(p1) || (p2 & ~0x03) !== 0) return swBytes(GpSw.WRONG_P1P2);
  if ((p2 & 0x01) !== 0) {
    const rest = ctx.session.statusRest;
    if (!rest || rest.p1 !== p1) return swBytes(GpSw.CONDITIONS);
    return statusChunk(ctx, rest.p1, rest.entries);
  }
  const tlvs = readTlvs(data);
  const search = tlvs?.find((t) => t.tag === 0x4f);
  if (!tlvs || !search) return swBytes(GpSw.WRONG_DATA);
  const matches = (aid: Uint8Array): boolean => search.value.length <= aid.length && equalBytes(aid.subarray(0, search.value.length), search.value);
  const tlvFormat = (p2 & 0x02) !== 0;
  const entries: Uint8Array[] = [];
  // An SSD sees what is associated with it (GPCS 11.4.2): not the ISD, not other domains' content.
  if (p1 === 0x80) {
    if (ctx.isIsd && matches(ctx.aid)) entries.push(entry(ctx, tlvFormat, ctx.aid, ctx.registry.state.cardState, ISD_PRIVILEGES, null, null));
  } else if (p1 === 0x40) {
    for (const a of ctx.rt.applets) {
      if (!matches(a.aid) || !ctx.owns(a.aid)) continue;
      const e = ctx.registry.appState(a.aid);
      entries.push(entry(ctx, tlvFormat, a.aid, e.lifeCycle, e.privileges, { elf: a.pkg.linked.pkg.aid }, null));
    }
    for (const d of ctx.registry.state.domains) {
      if (!matches(d.aid) || !ctx.owns(d.aid)) continue;
      entries.push(entry(ctx, tlvFormat, d.aid, d.lifeCycle, d.privileges, { elf: SD_LOAD_FILE }, null));
    }
  } else {
    for (const p of ctx.rt.packages) {
      const aid = p.linked.pkg.aid;
      if (!matches(aid) || !ctx.owns(aid)) continue;
      const modules = p1 === 0x10 ? p.linked.applets.map((x) => x.aid) : null;
      entries.push(entry(ctx, tlvFormat, aid, LOADED, 0, { version: [p.linked.pkg.major, p.linked.pkg.minor] }, modules));
    }
  }
  if (entries.length === 0) return swBytes(GpSw.NOT_FOUND);
  return statusChunk(ctx, p1, entries);
}

/** As many whole entries as fit one answer; 6310 when more remain (GPCS 11.4.3). */
function statusChunk(ctx: DomainContext, p1: number, entries: Uint8Array[]): Response {
  const out: Uint8Array[] = [];
  let size = 0;
  let i = 0;
  while (i < entries.length && (out.length === 0 || size + entries[i]!.length <= STATUS_CHUNK)) {
    size += entries[i]!.length;
    out.push(entries[i++]!);
  }
  const rest = entries.slice(i);
  ctx.session.statusRest = rest.length ? { p1, entries: rest } : null;
  return concat(...out, rest.length ? [0x63, 0x10] : [0x90, 0x00]);
}

/**
 * One registry entry: the legacy format (Table 11-36, -37: AID length, AID, life cycle,
 * privileges byte 1, for P1 10 the modules) or the TLV one (Table 11-35: E3 { 4F AID, 9F70
 * life cycle, C5 privileges, C4 load file AID, CC associated security domain, CE version, 84 modules }).
 */
function entry(ctx: DomainContext, tlvFormat: boolean, aid: Uint8Array, lifeCycle: number, privileges: number, extra: { elf?: Uint8Array; version?: [number, number] } | null, modules: Uint8Array[] | null): Uint8Array {
  if (!tlvFormat) {
    const base = concat([aid.length], aid, [lifeCycle, (privileges >>> 16) & 0xff]);
    if (!modules) return base;
    return concat(base, [modules.length], ...modules.map((m) => concat([m.length], m)));
  }
  const isElf = extra?.version !== undefined;
  return tlv(
    0xe3,
    tlv(0x4f, aid),
    tlv(0x9f70, [lifeCycle]),
    isElf ? [] : tlv(0xc5, privilegeBytes(privileges)),
    extra?.elf ? tlv(0xc4, extra.elf) : [],
    tlv(0xcc, ctx.ownerOf(aid)),
    extra?.version ? tlv(0xce, extra.version) : [],
    ...(modules ?? []).map((m) => tlv(0x84, m)),
  );
}

// --- SET STATUS (GPCS 11.10) ---------------------------------------------------------------

export function setStatus(ctx: DomainContext, p1: number, p2: number, data: Uint8Array): Response {
  if (p1 === 0x80) {
    if (!ctx.isIsd) return swBytes(GpSw.CONDITIONS); // the card's life cycle is the ISD's
    if (data.length > 0 && !equalBytes(data, ctx.aid)) return swBytes(GpSw.NOT_FOUND);
    const from = ctx.registry.state.cardState;
    if (![CardState.INITIALIZED, CardState.SECURED, CardState.CARD_LOCKED, CardState.TERMINATED].includes(p2 as never)) return swBytes(GpSw.WRONG_DATA);
    if (!cardTransitionAllowed(from, p2)) return swBytes(GpSw.CONDITIONS);
    ctx.registry.state.cardState = p2;
    ctx.registry.save();
    return ok();
  }
  if (p1 === 0x40) {
    if (!validAid(data)) return swBytes(GpSw.WRONG_DATA);
    if (equalBytes(data, ctx.config.aid)) return swBytes(GpSw.CONDITIONS); // the ISD's state is the card's: P1 80
    const domain = ctx.registry.domain(data);
    if (domain) return setDomainStatus(ctx, domain, p2);
    const inst = ctx.rt.instanceByAid(data);
    if (!inst) return swBytes(GpSw.NOT_FOUND);
    if (!ctx.owns(inst.aid)) return swBytes(GpSw.CONDITIONS);
    const e = ctx.registry.appState(inst.aid);
    const locked = (e.lifeCycle & AppState.LOCKED) !== 0;
    // The ISD locks (b8 set) and unlocks (b8 clear); application specific states are the application's (GPCS 5.3.2).
    if ((p2 & 0x80) !== 0) {
      if (locked) return swBytes(GpSw.CONDITIONS);
      ctx.registry.setApp({ ...e, aid: inst.aid.slice(), lifeCycle: e.lifeCycle | AppState.LOCKED });
    } else {
      if (!locked) return swBytes(GpSw.CONDITIONS);
      ctx.registry.setApp({ ...e, aid: inst.aid.slice(), lifeCycle: e.lifeCycle & ~AppState.LOCKED });
    }
    ctx.registry.save();
    return ok();
  }
  return swBytes(GpSw.WRONG_P1P2);
}

/**
 * SET STATUS of a security domain (GPCS 5.3.2): the domain itself goes SELECTABLE →
 * PERSONALIZED (P2 0F); the ISD locks (b8 set) and unlocks it.
 */
function setDomainStatus(ctx: DomainContext, d: { lifeCycle: number }, p2: number): Response {
  const locked = (d.lifeCycle & AppState.LOCKED) !== 0;
  if (ctx.isIsd && (p2 & 0x80) !== 0) {
    if (locked) return swBytes(GpSw.CONDITIONS);
    d.lifeCycle |= AppState.LOCKED;
  } else if (ctx.isIsd && p2 === (d.lifeCycle & 0x7f) && locked) {
    d.lifeCycle &= ~AppState.LOCKED;
  } else if (!ctx.isIsd && p2 === SD_PERSONALIZED && d.lifeCycle === AppState.SELECTABLE && d === ctx.registry.domain(ctx.aid)) {
    d.lifeCycle = SD_PERSONALIZED;
  } else {
    return swBytes(GpSw.CONDITIONS);
  }
  ctx.registry.save();
  return ok();
}

/** GPCS 5.1.1, Figure 5-1: OP_READY → INITIALIZED → SECURED ↔ CARD_LOCKED; any state but TERMINATED → TERMINATED. */
export function cardTransitionAllowed(from: number, to: number): boolean {
  if (to === CardState.TERMINATED) return from !== CardState.TERMINATED;
  if (from === CardState.OP_READY) return to === CardState.INITIALIZED;
  if (from === CardState.INITIALIZED) return to === CardState.SECURED;
  if (from === CardState.SECURED) return to === CardState.CARD_LOCKED;
  if (from === CardState.CARD_LOCKED) return to === CardState.SECURED;
  return false;
}
