// Short arithmetic (JCVM 7.5): sadd ssub smul sdiv srem sneg wrap at 16 bits; sdiv/srem
// truncate toward zero and throw ArithmeticException on a zero divisor; sshl/sshr/sushr use the
// low five bits of the count after promoting the short to 32 bits (so shifts by 16..31 are
// not all zero, and sushr of a negative short shifts in ones from the sign extension before
// the result is truncated: 0x8000 >>> 4 = 0xF800, >>> 16 = 0xFFFF, >>> 17 = 0x7FFF); sand sor
// sxor; s2b.

import { ARITHMETIC, table, type Row, type Table } from '../harness.ts';

const BIN = { returns: 'S', params: 'SS', stack: 2, locals: 0 } as const;
const UN = { returns: 'S', params: 'S', stack: 1, locals: 0 } as const;

/** Rows of a binary operation: [a, b, expected]. */
function binary(op: string, cases: [number, number, number | typeof ARITHMETIC][]): Row[] {
  return cases.map(([a, b, r]) => [`${a} ${op} ${b}`, `sload_0; sload_1; ${op}; sreturn;`, [a, b], r]);
}

export const tables: Table[] = [
  table('sadd', BIN, binary('sadd', [
    [1, 2, 3],
    [32767, 1, -32768],
    [-32768, -1, 32767],
    [-32768, -32768, 0],
    [32767, 32767, -2],
    [-1, 1, 0],
    [0x1234, 0x4321, 0x5555],
  ])),
  table('ssub', BIN, binary('ssub', [
    [5, 7, -2],
    [-32768, 1, 32767],
    [32767, -1, -32768],
    [0, -32768, -32768],
    [-1, -1, 0],
  ])),
  table('smul', BIN, binary('smul', [
    [6, 7, 42],
    [-6, 7, -42],
    [-6, -7, 42],
    [256, 256, 0],
    [32767, 2, -2],
    [-32768, -1, -32768],
    [-32768, 2, 0],
    [181, 181, 32761],
    [182, 182, -32412],
    [0x1234, 0x10, 0x2340],
  ])),
  table('sdiv', BIN, binary('sdiv', [
    [42, 6, 7],
    [7, 2, 3],
    [-7, 2, -3],
    [7, -2, -3],
    [-7, -2, 3],
    [-1, 2, 0],
    [1, -2, 0],
    [-32768, -1, -32768],
    [-32768, 1, -32768],
    [32767, -1, -32767],
    [-32768, 32767, -1],
    [-32768, -32768, 1],
    [0, -5, 0],
    [5, 0, ARITHMETIC],
    [0, 0, ARITHMETIC],
    [-32768, 0, ARITHMETIC],
  ])),
  table('srem', BIN, binary('srem', [
    [7, 2, 1],
    [-7, 2, -1],
    [7, -2, 1],
    [-7, -2, -1],
    [-32768, -1, 0],
    [-32768, 32767, -1],
    [32767, -32768, 32767],
    [6, 3, 0],
    [-6, 3, 0],
    [5, 0, ARITHMETIC],
    [-1, 0, ARITHMETIC],
  ])),
  table('sneg', UN, [
    ['sneg 5', 'sload_0; sneg; sreturn;', [5], -5],
    ['sneg -5', 'sload_0; sneg; sreturn;', [-5], 5],
    ['sneg 0', 'sload_0; sneg; sreturn;', [0], 0],
    ['sneg 32767', 'sload_0; sneg; sreturn;', [32767], -32767],
    ['sneg -32768 wraps to itself', 'sload_0; sneg; sreturn;', [-32768], -32768],
  ]),
  table('sshl', BIN, binary('sshl', [
    [1, 0, 1],
    [1, 1, 2],
    [1, 15, -32768],
    [1, 16, 0],
    [1, 17, 0],
    [1, 31, 0],
    [1, 32, 1],
    [1, 33, 2],
    [0x00ff, 8, -256],
    [0x1234, 4, 0x2340],
    [-1, 15, -32768],
    [-1, 16, 0],
    [3, -1, 0], // count & 31 = 31
    [0x00ff, -28, 0x0ff0], // count & 31 = 4
    [1, -32768, 1], // count & 31 = 0
  ])),
  table('sshr', BIN, binary('sshr', [
    [0x4000, 0, 0x4000],
    [0x4000, 14, 1],
    [0x4000, 15, 0],
    [0x4000, 16, 0],
    [-32768, 1, -16384],
    [-32768, 15, -1],
    [-32768, 16, -1],
    [-32768, 17, -1],
    [-32768, 31, -1],
    [-32768, 32, -32768],
    [32767, 32, 32767],
    [-7, 1, -4], // rounds toward minus infinity
    [16, -28, 1], // count & 31 = 4
    [-16, -1, -1], // count & 31 = 31
  ])),
  table('sushr', BIN, binary('sushr', [
    [0x4000, 0, 0x4000],
    [0x4000, 14, 1],
    [0x7fff, 15, 0],
    [0x7fff, 16, 0],
    [-32768, 4, -2048], // 0x8000 >>> 4 = 0xF800: the sign extension is shifted in
    [-32768, 15, -1], // 0xFFFF8000 >>> 15 = 0x1FFFF, truncated 0xFFFF
    [-32768, 16, -1], // 0x0000FFFF
    [-32768, 17, 0x7fff], // 0x00007FFF
    [-32768, 31, 1],
    [-32768, 32, -32768], // count & 31 = 0
    [-1, 1, -1], // 0x7FFFFFFF truncated
    [-1, 16, -1],
    [-1, 17, 0x7fff],
    [-1, 31, 1],
    [-16, 2, -4],
    [-16, -1, 1], // count & 31 = 31
    [0x1234, -28, 0x0123], // count & 31 = 4
  ])),
  table('sand / sor / sxor', BIN, [
    ...binary('sand', [[0x0ff0, 0x00ff, 0x00f0], [-1, 0x1234, 0x1234], [-32768, 0x7fff, 0], [-1, -32768, -32768]]),
    ...binary('sor', [[0x0f00, 0x00f0, 0x0ff0], [-32768, 0x7fff, -1], [0, 0, 0], [0x1200, 0x0034, 0x1234]]),
    ...binary('sxor', [[0x0ff0, 0x00ff, 0x0f0f], [-1, 0x1234, ~0x1234], [-32768, -1, 0x7fff], [0x5555, 0x5555, 0]]),
  ]),
  table('s2b', UN, [
    ['s2b 0x007F', 'sload_0; s2b; sreturn;', [0x7f], 127],
    ['s2b 0x0080', 'sload_0; s2b; sreturn;', [0x80], -128],
    ['s2b 0x00FF', 'sload_0; s2b; sreturn;', [0xff], -1],
    ['s2b 0x0100', 'sload_0; s2b; sreturn;', [0x100], 0],
    ['s2b 0x7F80', 'sload_0; s2b; sreturn;', [0x7f80], -128],
    ['s2b 0x017F', 'sload_0; s2b; sreturn;', [0x17f], 127],
    ['s2b -32768', 'sload_0; s2b; sreturn;', [-32768], 0],
    ['s2b -1', 'sload_0; s2b; sreturn;', [-1], -1],
  ]),
  table('expressions', { returns: 'S', params: 'SSS', stack: 3, locals: 0 }, [
    ['(a + b) * c', 'sload_0; sload_1; sadd; sload_2; smul; sreturn;', [3, 4, 5], 35],
    ['a - b / c', 'sload_0; sload_1; sload_2; sdiv; ssub; sreturn;', [10, -9, 2], 14],
    ['a % b % c', 'sload_0; sload_1; srem; sload_2; srem; sreturn;', [-100, 30, 7], -3],
    ['ArithmeticException deep in an expression', 'sload_0; sload_1; sload_2; sdiv; sadd; sreturn;', [1, 1, 0], ARITHMETIC],
  ]),
];
