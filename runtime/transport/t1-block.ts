// T=1 blocks (ISO/IEC 7816-3 11.3, 11.4): prologue NAD PCB LEN, information field INF
// (0..254 bytes), epilogue EDC (LRC: one byte; CRC: two bytes). The three kinds of block by
// their PCB: I-block (b8=0: N(S) b7, M b6), R-block (b8b7=10: N(R) b5, error b4..b1) and
// S-block (b8b7=11: response b6, type b5..b1).

import type { EdcKind } from './atr.ts';

/** LRC (11.4.4): the exclusive-or of every byte of the block before the EDC. */
export function lrc(bytes: Uint8Array): number {
  let x = 0;
  for (const b of bytes) x ^= b;
  return x;
}

/**
 * CRC (11.4.4, "as specified in ISO/IEC 13239"): the 16-bit FCS of ISO/IEC 13239 (formerly
 * ISO 3309) — generator x^16 + x^12 + x^5 + 1, bits taken least significant first, register
 * preset to FFFF, result complemented; sent low byte first. ("123456789" gives 906E.)
 */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return ~crc & 0xffff;
}

export const edcLength = (edc: EdcKind): number => (edc === 'LRC' ? 1 : 2);

function edcOf(edc: EdcKind, bytes: Uint8Array): number[] {
  if (edc === 'LRC') return [lrc(bytes)];
  const c = crc16(bytes);
  return [c & 0xff, c >> 8];
}

/** S-block types (PCB b5..b1, 11.3.2.3). */
export const enum SType {
  RESYNCH = 0,
  IFS = 1,
  ABORT = 2,
  WTX = 3,
  /** Response only: VPP error (not used by this card). */
  VPP_ERROR = 4,
}

const S_NAMES = ['RESYNCH', 'IFS', 'ABORT', 'WTX', 'VPP'];

/** R-block error codes (PCB b4..b1). */
export const enum RError {
  NONE = 0,
  EDC = 1,
  OTHER = 2,
}

export type Block =
  | { kind: 'I'; nad: number; ns: number; more: boolean; inf: Uint8Array }
  | { kind: 'R'; nad: number; nr: number; error: RError }
  | { kind: 'S'; nad: number; type: SType; response: boolean; inf: Uint8Array };

export const iBlock = (nad: number, ns: number, more: boolean, inf: Uint8Array): Block => ({ kind: 'I', nad, ns, more, inf });
export const rBlock = (nad: number, nr: number, error: RError = RError.NONE): Block => ({ kind: 'R', nad, nr, error });
export const sBlock = (nad: number, type: SType, response: boolean, inf: Uint8Array = new Uint8Array(0)): Block => ({ kind: 'S', nad, type, response, inf });

export function pcbOf(b: Block): number {
  switch (b.kind) {
    case 'I':
      return (b.ns << 6) | (b.more ? 0x20 : 0);
    case 'R':
      return 0x80 | (b.nr << 4) | b.error;
    case 'S':
      return 0xc0 | (b.response ? 0x20 : 0) | b.type;
  }
}

/** The block on the wire. */
export function encodeBlock(b: Block, edc: EdcKind): Uint8Array {
  const inf = b.kind === 'R' ? new Uint8Array(0) : b.inf;
  if (inf.length > 254) throw new RangeError(`a T=1 information field has at most 254 bytes, not ${inf.length}`);
  const body = Uint8Array.from([b.nad, pcbOf(b), inf.length, ...inf]);
  return Uint8Array.from([...body, ...edcOf(edc, body)]);
}

/** Why a received block is invalid (11.6.3.2): a wrong EDC, or another error (length, PCB). */
export interface BadBlock {
  kind: 'bad';
  error: RError.EDC | RError.OTHER;
  reason: string;
}

/**
 * Decodes a received block. `maxInf` is the receiver's information field size (IFSC at the
 * card, IFSD at the terminal): a longer INF is invalid, as are LEN = FF, a length that
 * disagrees with LEN, RFU PCB bits and S-blocks of the wrong length.
 */
export function decodeBlock(bytes: Uint8Array, edc: EdcKind, maxInf = 254): Block | BadBlock {
  const bad = (error: RError.EDC | RError.OTHER, reason: string): BadBlock => ({ kind: 'bad', error, reason });
  const n = edcLength(edc);
  if (bytes.length < 3 + n) return bad(RError.OTHER, `${bytes.length} bytes: shorter than a block`);
  const len = bytes[2]!;
  if (bytes.length !== 3 + len + n) return bad(RError.OTHER, `LEN ${len} but ${bytes.length - 3 - n} information bytes`);
  const body = bytes.subarray(0, 3 + len);
  const want = edcOf(edc, body);
  if (want.some((v, i) => bytes[3 + len + i] !== v)) return bad(RError.EDC, `${edc} mismatch`);
  if (len === 0xff) return bad(RError.OTHER, 'LEN FF is reserved');
  const nad = bytes[0]!, pcb = bytes[1]!;
  const inf = bytes.slice(3, 3 + len);
  if ((pcb & 0x80) === 0) {
    if (pcb & 0x1f) return bad(RError.OTHER, `I-block PCB ${pcb.toString(16)} has RFU bits set`);
    if (len > maxInf) return bad(RError.OTHER, `I-block of ${len} bytes exceeds the information field size ${maxInf}`);
    return iBlock(nad, (pcb >> 6) & 1, (pcb & 0x20) !== 0, inf);
  }
  if ((pcb & 0x40) === 0) {
    if (len !== 0 || pcb & 0x20 || (pcb & 0x0f) > 2) return bad(RError.OTHER, `R-block PCB ${pcb.toString(16)} LEN ${len} is not valid`);
    return rBlock(nad, (pcb >> 4) & 1, (pcb & 0x0f) as RError);
  }
  const type = pcb & 0x1f;
  const response = (pcb & 0x20) !== 0;
  const infLength = type === SType.IFS || type === SType.WTX ? 1 : 0;
  if (type > SType.VPP_ERROR || (type === SType.VPP_ERROR && !response) || len !== infLength) return bad(RError.OTHER, `S-block PCB ${pcb.toString(16)} LEN ${len} is not valid`);
  return sBlock(nad, type as SType, response, inf);
}

/** A short description for transcripts: I(0,M) 16 bytes, R(1) EDC error, S(IFS request 20). */
export function describeBlock(b: Block | BadBlock): string {
  switch (b.kind) {
    case 'I':
      return `I(${b.ns}${b.more ? ',M' : ''}) ${b.inf.length} byte${b.inf.length === 1 ? '' : 's'}`;
    case 'R':
      return `R(${b.nr})${b.error === RError.EDC ? ' EDC error' : b.error === RError.OTHER ? ' other error' : ''}`;
    case 'S':
      return `S(${S_NAMES[b.type]} ${b.response ? 'response' : 'request'}${b.inf.length ? ' ' + b.inf[0] : ''})`;
    case 'bad':
      return `invalid block (${b.reason})`;
  }
}
