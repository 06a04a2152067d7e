// type_descriptor (JCVM 6.9 signature_pool, 6.14 type_descriptor_info): a nibble count, then
// the types packed two per byte, high nibble first, padded with a 0 nibble when the count is
// odd. A method's descriptor lists the parameter types then the return type; a field's has one
// type. Reference types (6, E) are followed by their class_ref in four nibbles.

import type { ByteReader } from '../../bytes.ts';
import { type DecodeContext, classRefFrom, formatClassRef } from './common.ts';

const PRIMITIVE: Record<number, string> = { 0x1: 'V', 0x2: 'Z', 0x3: 'B', 0x4: 'S', 0x5: 'I' };
const ARRAY: Record<number, string> = { 0xa: '[Z', 0xb: '[B', 0xc: '[S', 0xd: '[I' };

export interface TypeDescriptor {
  /** Offset of the descriptor within the area that indexes it. */
  offset: number;
  /** One string per type: 'S', '[B', 'L0.10;' (package token.class token), 'L@0002;' (Class component offset). */
  types: string[];
}

/** Reads one type_descriptor; `offset` is the value other structures use to point at it. */
export function readTypeDescriptor(r: ByteReader, ctx: DecodeContext, offset: number): TypeDescriptor {
  const at = r.offset;
  const nibble_count = r.u1('type_descriptor nibble_count');
  if (nibble_count === 0) r.fail('type_descriptor with nibble_count 0', at);
  const packed = r.bytesView((nibble_count + 1) >> 1, 'type_descriptor type');
  const nibble = (i: number): number => (i & 1 ? packed[i >> 1]! & 0xf : packed[i >> 1]! >> 4);
  if (nibble_count & 1 && nibble(nibble_count) !== 0) r.fail('type_descriptor padding nibble is not 0', at);
  const types: string[] = [];
  let i = 0;
  while (i < nibble_count) {
    const n = nibble(i++);
    if (n === 0x6 || n === 0xe) {
      if (i + 4 > nibble_count) r.fail('type_descriptor ends inside a class reference', at);
      const v = (nibble(i) << 12) | (nibble(i + 1) << 8) | (nibble(i + 2) << 4) | nibble(i + 3);
      i += 4;
      const ref = classRefFrom(v, r.component, at, 'type_descriptor class reference', { ctx });
      types.push(`${n === 0xe ? '[' : ''}L${formatClassRef(ref)};`);
    } else {
      const t = PRIMITIVE[n] ?? ARRAY[n];
      if (t === undefined) r.fail(`type_descriptor has undefined type nibble 0x${n.toString(16)}`, at);
      types.push(t);
    }
  }
  // Only a method's return type may be void, so 'V' can only come last.
  if (types.slice(0, -1).includes('V')) r.fail('type_descriptor has void before its last type', at);
  return { offset, types };
}

/** "(params)return" for a method, the single type for a field. */
export function formatTypes(types: readonly string[], method: boolean): string {
  if (!method) return types.join('');
  return `(${types.slice(0, -1).join('')})${types[types.length - 1] ?? ''}`;
}

/** Whether a descriptor can only be a method's: more than one type, or void. */
export function mustBeMethod(types: readonly string[]): boolean {
  return types.length !== 1 || types[0] === 'V';
}
