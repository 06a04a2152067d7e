// BER-TLV as GlobalPlatform uses it (GPCS 11.1.4; ISO/IEC 8825-1): tags of one or two bytes,
// definite lengths of one to three bytes.

import { concat } from './crypto.ts';

/** The length field for `n` (GPCS 11.1.5: 00..7F, 81 xx, 82 xx xx). */
export function berLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  if (n < 0x10000) return Uint8Array.of(0x82, n >>> 8, n & 0xff);
  throw new RangeError(`a TLV value of ${n} bytes`);
}

/** Tag (one byte, or two for tags above FF) ‖ length ‖ the values concatenated. */
export function tlv(tag: number, ...values: ArrayLike<number>[]): Uint8Array {
  const value = concat(...values);
  const t = tag > 0xff ? [tag >>> 8, tag & 0xff] : [tag];
  return concat(t, berLength(value.length), value);
}

export interface Tlv {
  tag: number;
  value: Uint8Array;
  /** Offset just past the value. */
  end: number;
}

/**
 * The TLV at `at` in `b`, or null when it is malformed or runs past the end. Two-byte tags:
 * first byte with b5..b1 all set (ISO/IEC 8825-1).
 */
export function readTlv(b: Uint8Array, at: number): Tlv | null {
  if (at >= b.length) return null;
  let tag = b[at++]!;
  if ((tag & 0x1f) === 0x1f) {
    if (at >= b.length) return null;
    tag = (tag << 8) | b[at++]!;
  }
  if (at >= b.length) return null;
  let len = b[at++]!;
  if (len === 0x81 || len === 0x82) {
    const n = len - 0x80;
    if (at + n > b.length) return null;
    len = n === 1 ? b[at]! : (b[at]! << 8) | b[at + 1]!;
    at += n;
  } else if (len > 0x80) {
    return null;
  }
  if (at + len > b.length) return null;
  return { tag, value: b.subarray(at, at + len), end: at + len };
}

/** Every TLV of `b` in order, or null when any is malformed. */
export function readTlvs(b: Uint8Array): Tlv[] | null {
  const out: Tlv[] = [];
  for (let at = 0; at < b.length; ) {
    const t = readTlv(b, at);
    if (!t) return null;
    out.push(t);
    at = t.end;
  }
  return out;
}
