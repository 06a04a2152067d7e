// The Answer-to-Reset (ISO/IEC 7816-3 clause 8): built from the card's configuration and
// parsed back. Layout (8.2): TS, T0, interface bytes TA1 TB1 TC1 TD1 TA2 ... in groups
// announced by the Y nibble of T0 and of each TDi, the historical bytes (K of them, K in T0's
// low nibble, at most 15), and TCK when any TDi names a protocol other than T=0 (8.2.5).

import type { Protocol } from './link.ts';

/** The protocols a card offers: ISO 7816-3 8.2.3 wants them in ascending order, so T=0 first. */
export type ProtocolOffer = 'T=0' | 'T=1' | 'T=0,T=1';

export type EdcKind = 'LRC' | 'CRC';

export interface AtrConfig {
  /** Offered protocols in ATR order; the first is the one in force after the ATR (no PPS). */
  protocols: Protocol[];
  /** Clock rate conversion factor Fi and baud rate adjustment factor Di (TA1; 372 and 1 when absent). */
  fi: number;
  di: number;
  /** T=0 waiting time integer WI (TC2; 10 when absent). */
  wi: number;
  /** T=1 IFSC (first TA for T=1; 32 when absent), 1..254. */
  ifsc: number;
  /** T=1 block and character waiting time integers (first TB for T=1; BWI 4, CWI 13 when absent). */
  bwi: number;
  cwi: number;
  /** T=1 error detection code (first TC for T=1, bit 1: 0 LRC, 1 CRC). */
  edc: EdcKind;
  /** Historical bytes (at most 15). */
  historical: Uint8Array;
}

/** What ISO 7816-3 assumes when an interface byte is absent. */
export const ISO_DEFAULTS = { fi: 372, di: 1, wi: 10, ifsc: 32, bwi: 4, cwi: 13, edc: 'LRC' as EdcKind };

/** jcvm's card: T=1, IFSC 254, BWI 4, CWI 5, LRC, historical bytes "jcvm". */
export const DEFAULT_ATR_CONFIG: Readonly<AtrConfig> = Object.freeze({
  protocols: ['T=1'] as Protocol[],
  fi: 372,
  di: 1,
  wi: 10,
  ifsc: 254,
  bwi: 4,
  cwi: 5,
  edc: 'LRC' as EdcKind,
  historical: Uint8Array.of(0x6a, 0x63, 0x76, 0x6d),
});

/** The protocols of an offer, in ATR order. */
export function offeredProtocols(offer: ProtocolOffer): Protocol[] {
  switch (offer) {
    case 'T=0':
      return ['T=0'];
    case 'T=1':
      return ['T=1'];
    case 'T=0,T=1':
      return ['T=0', 'T=1'];
    default:
      throw new RangeError(`protocol must be T=0, T=1 or T=0,T=1, not '${String(offer)}'`);
  }
}

/** ISO 7816-3 table 7: Fi by its code FI (0 = RFU). */
const FI_TABLE = [372, 372, 558, 744, 1116, 1488, 1860, 0, 0, 512, 768, 1024, 1536, 2048, 0, 0];
/** ISO 7816-3 table 8: Di by its code DI (0 = RFU). */
const DI_TABLE = [0, 1, 2, 4, 8, 16, 32, 64, 12, 20, 0, 0, 0, 0, 0, 0];

export class AtrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AtrError';
  }
}

const protocolNumber = (p: Protocol): number => (p === 'T=0' ? 0 : 1);

/** Checks a configuration (RangeError naming the field). */
export function checkAtrConfig(c: AtrConfig): void {
  const p = c.protocols.map(protocolNumber);
  if (!p.length || p.some((t, i) => i > 0 && t <= p[i - 1]!)) throw new RangeError(`protocols must be T=0, T=1 or T=0,T=1 (ascending, ISO 7816-3 8.2.3), not ${c.protocols.join(',')}`);
  if (FI_TABLE.indexOf(c.fi) < 0) throw new RangeError(`Fi ${c.fi} is not in ISO 7816-3 table 7`);
  if (DI_TABLE.indexOf(c.di) < 1) throw new RangeError(`Di ${c.di} is not in ISO 7816-3 table 8`);
  if (!Number.isInteger(c.wi) || c.wi < 1 || c.wi > 255) throw new RangeError(`WI must be 1..255, not ${c.wi}`);
  if (!Number.isInteger(c.ifsc) || c.ifsc < 1 || c.ifsc > 254) throw new RangeError(`IFSC must be 1..254, not ${c.ifsc}`);
  if (!Number.isInteger(c.bwi) || c.bwi < 0 || c.bwi > 9) throw new RangeError(`BWI must be 0..9, not ${c.bwi}`);
  if (!Number.isInteger(c.cwi) || c.cwi < 0 || c.cwi > 15) throw new RangeError(`CWI must be 0..15, not ${c.cwi}`);
  if (c.edc !== 'LRC' && c.edc !== 'CRC') throw new RangeError(`EDC must be LRC or CRC, not ${String(c.edc)}`);
  if (c.historical.length > 15) throw new RangeError(`an ATR has at most 15 historical bytes, not ${c.historical.length}`);
}

/** One group of interface bytes (TAi TBi TCi TDi); undefined when absent. */
interface Group {
  ta?: number;
  tb?: number;
  tc?: number;
  /** Protocol announced by TDi when there is a TDi. */
  t?: number;
}

/** The ATR of a configuration: every interface byte that differs from ISO's default, and no other. */
export function buildAtr(c: AtrConfig): Uint8Array {
  checkAtrConfig(c);
  const groups: Group[] = [{}];
  if (c.fi !== 372 || c.di !== 1) groups[0]!.ta = (FI_TABLE.indexOf(c.fi) << 4) | DI_TABLE.indexOf(c.di);
  const offersT0 = c.protocols.includes('T=0'), offersT1 = c.protocols.includes('T=1');
  // TD1 names the first protocol; group 2 holds TC2 (WI) when T=0 is offered; the first TDi
  // (i >= 2) naming T=1 opens the group of T=1's own bytes (8.2.3, 11.4).
  const t1 = { ta: c.ifsc !== ISO_DEFAULTS.ifsc ? c.ifsc : undefined, tb: c.bwi !== ISO_DEFAULTS.bwi || c.cwi !== ISO_DEFAULTS.cwi ? (c.bwi << 4) | c.cwi : undefined, tc: c.edc === 'CRC' ? 0x01 : undefined };
  const t1Bytes = t1.ta !== undefined || t1.tb !== undefined || t1.tc !== undefined;
  const wi = offersT0 && c.wi !== ISO_DEFAULTS.wi ? c.wi : undefined;
  if (offersT1 || wi !== undefined) {
    groups[0]!.t = protocolNumber(c.protocols[0]!);
    const g2: Group = {};
    if (wi !== undefined) g2.tc = wi;
    groups.push(g2);
    if (offersT1 && (t1Bytes || offersT0)) {
      g2.t = 1;
      groups.push({ ...(t1.ta !== undefined && { ta: t1.ta }), ...(t1.tb !== undefined && { tb: t1.tb }), ...(t1.tc !== undefined && { tc: t1.tc }) });
    }
  }
  const out: number[] = [0x3b];
  const y = (g: Group | undefined): number => (g ? (g.ta !== undefined ? 0x1 : 0) | (g.tb !== undefined ? 0x2 : 0) | (g.tc !== undefined ? 0x4 : 0) | (g.t !== undefined ? 0x8 : 0) : 0);
  out.push((y(groups[0]) << 4) | c.historical.length);
  groups.forEach((g, i) => {
    for (const b of [g.ta, g.tb, g.tc]) if (b !== undefined) out.push(b);
    if (g.t !== undefined) out.push((y(groups[i + 1]) << 4) | g.t);
  });
  out.push(...c.historical);
  if (offersT1) out.push(out.slice(1).reduce((a, b) => a ^ b, 0)); // TCK: T0 .. TCK XOR to zero
  if (out.length > 33) throw new RangeError(`the ATR would have ${out.length} bytes; ISO 7816-3 8.2.1 allows 33`);
  return Uint8Array.from(out);
}

export interface ParsedAtr extends AtrConfig {
  /** TS: 3B direct convention, 3F inverse. */
  convention: 'direct' | 'inverse';
  /** The interface byte groups as found (group i holds TAi TBi TCi and TDi's protocol). */
  groups: Group[];
  /** TCK when present, and whether T0..TCK XOR to zero. */
  tck: number | null;
  tckValid: boolean;
}

/** Reads an ATR (AtrError on a malformed one; a wrong TCK is reported, not thrown). */
export function parseAtr(atr: Uint8Array): ParsedAtr {
  let i = 0;
  const next = (what: string): number => {
    if (i >= atr.length) throw new AtrError(`the ATR ends before ${what} (${atr.length} bytes)`);
    return atr[i++]!;
  };
  const ts = next('TS');
  if (ts !== 0x3b && ts !== 0x3f) throw new AtrError(`TS is ${ts.toString(16)}: neither 3B (direct) nor 3F (inverse convention)`);
  const t0 = next('T0');
  const k = t0 & 0x0f;
  const groups: Group[] = [];
  let y = t0 >> 4;
  for (let n = 1; ; n++) {
    const g: Group = {};
    if (y & 0x1) g.ta = next(`TA${n}`);
    if (y & 0x2) g.tb = next(`TB${n}`);
    if (y & 0x4) g.tc = next(`TC${n}`);
    groups.push(g);
    if (!(y & 0x8)) break;
    const td = next(`TD${n}`);
    g.t = td & 0x0f;
    y = td >> 4;
  }
  const historical = atr.slice(i, i + k);
  if (historical.length < k) throw new AtrError(`T0 announces ${k} historical bytes; the ATR holds ${historical.length}`);
  i += k;
  const named = groups.filter((g) => g.t !== undefined).map((g) => g.t!);
  const tckPresent = named.some((t) => t !== 0);
  const tck = tckPresent ? next('TCK') : null;
  if (i !== atr.length) throw new AtrError(`${atr.length - i} byte(s) after the ${tckPresent ? 'TCK' : 'historical bytes'}`);
  const tckValid = !tckPresent || atr.subarray(1).reduce((a, b) => a ^ b, 0) === 0;

  const ta1 = groups[0]!.ta;
  const fi = ta1 === undefined ? ISO_DEFAULTS.fi : FI_TABLE[ta1 >> 4]!;
  const di = ta1 === undefined ? ISO_DEFAULTS.di : DI_TABLE[ta1 & 0x0f]!;
  if (!fi || !di) throw new AtrError(`TA1 ${ta1!.toString(16)} holds a reserved Fi or Di code`);
  const protocols: Protocol[] = [];
  for (const t of named.length ? named : [0]) {
    if (t !== 0 && t !== 1) continue; // T=15 (global bytes) and others: not a transmission protocol here
    const p: Protocol = t === 0 ? 'T=0' : 'T=1';
    if (!protocols.includes(p)) protocols.push(p);
  }
  // TC2 is T=0's WI when TD1 names T=0; T=1's bytes follow the first TDi (i >= 2) naming T=1.
  const wi = groups[0]!.t === 0 && groups[1]?.tc !== undefined ? groups[1].tc : ISO_DEFAULTS.wi;
  const t1Index = groups.findIndex((g, n) => n >= 1 && g.t === 1);
  const t1 = t1Index >= 0 ? groups[t1Index + 1] : undefined;
  return {
    convention: ts === 0x3b ? 'direct' : 'inverse',
    groups,
    tck,
    tckValid,
    protocols,
    fi,
    di,
    wi,
    ifsc: t1?.ta ?? ISO_DEFAULTS.ifsc,
    bwi: t1?.tb !== undefined ? t1.tb >> 4 : ISO_DEFAULTS.bwi,
    cwi: t1?.tb !== undefined ? t1.tb & 0x0f : ISO_DEFAULTS.cwi,
    edc: t1?.tc !== undefined && (t1.tc & 0x01) !== 0 ? 'CRC' : 'LRC',
    historical,
  };
}
