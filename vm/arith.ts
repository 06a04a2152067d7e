// Java Card arithmetic (JCVM spec 7.5): shorts are 16-bit two's complement and wrap, ints
// are 32-bit; division truncates toward zero; shift counts are masked. Kept in one small
// module because this is where interpreters most often go wrong.

/** Wrap to a signed 16-bit value. */
export function s16(x: number): number {
  return (x << 16) >> 16;
}

/** Wrap to a signed 8-bit value. */
export function s8(x: number): number {
  return (x << 24) >> 24;
}

export function sdiv(a: number, b: number): number {
  // -32768 / -1 overflows to -32768, as Java's (short) cast of the int quotient does.
  return s16((a / b) | 0);
}

export function srem(a: number, b: number): number {
  return s16(a % b);
}

/** Shift counts for shorts use the low 5 bits, after the operand is promoted to int (sshl/sshr/sushr). */
export function sshl(a: number, n: number): number {
  return s16(a << (n & 31));
}

export function sshr(a: number, n: number): number {
  return s16(a >> (n & 31));
}

/** sushr: the short is sign-extended to 32 bits first, so 0x8000 >>> 4 is 0xF800. */
export function sushr(a: number, n: number): number {
  return s16(a >>> (n & 31));
}

export function idiv(a: number, b: number): number {
  // |0 truncates toward zero and maps MIN_VALUE / -1 (2^31) back to MIN_VALUE.
  return (a / b) | 0;
}

export function irem(a: number, b: number): number {
  return (a % b) | 0;
}

export function imul(a: number, b: number): number {
  return Math.imul(a, b);
}

/** icmp: -1, 0 or 1. */
export function icmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
