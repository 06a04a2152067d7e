// Int arithmetic (JCVM 7.5, packages with ACC_INT): iadd isub imul idiv irem ineg wrap at 32
// bits, idiv/irem truncate toward zero (MIN / -1 = MIN, MIN % -1 = 0) and throw
// ArithmeticException on zero; ishl/ishr/iushr take the count from the low five bits of an int;
// iand ior ixor; s2i sign-extends, i2s and i2b keep the low bits; icmp gives -1, 0 or 1.
// Every operand is an int argument (two words, high first), so carries and borrows between the
// words are exercised.

import { ARITHMETIC, table, type Row, type Table } from '../harness.ts';

const MIN = -0x80000000;
const MAX = 0x7fffffff;
const BIN = { returns: 'I', params: 'II', stack: 4, locals: 0 } as const;
const UN = { returns: 'I', params: 'I', stack: 2, locals: 0 } as const;

const hex = (v: number): string => (v < 0 ? '-0x' + (-v).toString(16) : '0x' + v.toString(16));

function binary(op: string, cases: [number, number, number | typeof ARITHMETIC][]): Row[] {
  return cases.map(([a, b, r]) => [`${hex(a)} ${op} ${hex(b)}`, `iload_0; iload_2; ${op}; ireturn;`, [a, b], r]);
}

export const tables: Table[] = [
  table('iadd', BIN, binary('iadd', [
    [1, 2, 3],
    [0xffff, 1, 0x10000], // carry from the low word
    [0x7fff, 0x7fff, 0xfffe],
    [MAX, 1, MIN],
    [MIN, -1, MAX],
    [-1, -1, -2],
    [0x12345678, 0x11111111, 0x23456789],
  ])),
  table('isub', BIN, binary('isub', [
    [5, 7, -2],
    [0x10000, 1, 0xffff], // borrow from the high word
    [MIN, 1, MAX],
    [MAX, -1, MIN],
    [0, MIN, MIN],
  ])),
  table('imul', BIN, binary('imul', [
    [6, 7, 42],
    [0x10000, 0x10000, 0],
    [0xffff, 0xffff, -131071], // 0xFFFE0001
    [MAX, 2, -2],
    [MIN, -1, MIN],
    [0x12345678, 0x10, 0x23456780],
    [-46341, 46341, -2147488281 | 0],
    [1000003, 49, 49000147],
  ])),
  table('idiv', BIN, binary('idiv', [
    [42, 6, 7],
    [-7, 2, -3],
    [7, -2, -3],
    [-7, -2, 3],
    [MIN, -1, MIN],
    [MIN, 1, MIN],
    [MIN, MAX, -1],
    [MAX, MIN, 0],
    [100000, 3, 33333],
    [-100000, 65536, -1],
    [1, 0, ARITHMETIC],
    [MIN, 0, ARITHMETIC],
    [0x10000, 0x10000, 1], // a divisor whose low word is zero is not zero
  ])),
  table('irem', BIN, binary('irem', [
    [7, 2, 1],
    [-7, 2, -1],
    [7, -2, 1],
    [-7, -2, -1],
    [MIN, -1, 0],
    [MIN, MAX, -1],
    [100000, 65536, 34464],
    [-100000, 65536, -34464],
    [5, 0, ARITHMETIC],
    [0x10000, 0x10000, 0],
  ])),
  table('ineg', UN, [
    ['ineg 5', 'iload_0; ineg; ireturn;', [5], -5],
    ['ineg -1', 'iload_0; ineg; ireturn;', [-1], 1],
    ['ineg 0', 'iload_0; ineg; ireturn;', [0], 0],
    ['ineg 0x10000', 'iload_0; ineg; ireturn;', [0x10000], -0x10000],
    ['ineg 0x8000', 'iload_0; ineg; ireturn;', [0x8000], -0x8000],
    ['ineg MAX', 'iload_0; ineg; ireturn;', [MAX], -MAX],
    ['ineg MIN wraps to itself', 'iload_0; ineg; ireturn;', [MIN], MIN],
  ]),
  table('ishl', BIN, binary('ishl', [
    [1, 0, 1],
    [1, 15, 0x8000],
    [1, 16, 0x10000],
    [1, 17, 0x20000],
    [1, 31, MIN],
    [1, 32, 1],
    [1, 33, 2],
    [0x12345678, 4, 0x23456780],
    [0xffff, 16, -0x10000],
    [1, -1, MIN], // count & 31 = 31
    [1, 0x10000 + 3, 8], // only the low five bits of the whole int count
  ])),
  table('ishr', BIN, binary('ishr', [
    [MIN, 1, -0x40000000],
    [MIN, 16, -0x8000],
    [MIN, 31, -1],
    [MIN, 32, MIN],
    [MAX, 16, 0x7fff],
    [0x12345678, 4, 0x01234567],
    [-7, 1, -4],
    [0x10000, 16, 1],
    [-16, -28, -1], // count & 31 = 4
  ])),
  table('iushr', BIN, binary('iushr', [
    [MIN, 1, 0x40000000],
    [MIN, 16, 0x8000],
    [MIN, 31, 1],
    [MIN, 32, MIN],
    [-1, 1, MAX],
    [-1, 16, 0xffff],
    [-1, 31, 1],
    [0x12345678, 8, 0x00123456],
    [-16, -28, 0x0fffffff], // count & 31 = 4
  ])),
  table('iand / ior / ixor', BIN, [
    ...binary('iand', [[0x0ff00ff0, 0x00ffff00, 0x00f00f00], [-1, 0x12345678, 0x12345678], [MIN, MAX, 0]]),
    ...binary('ior', [[0x0f000000, 0x000000f0, 0x0f0000f0], [MIN, MAX, -1], [0x12340000, 0x5678, 0x12345678]]),
    ...binary('ixor', [[0x0ff00ff0, 0x00ffff00, 0x0f0ff0f0], [-1, 0x12345678, ~0x12345678], [MIN, -1, MAX]]),
  ]),
  table('s2i', { returns: 'I', params: 'S', stack: 2, locals: 0 }, [
    ['s2i 1', 'sload_0; s2i; ireturn;', [1], 1],
    ['s2i -1 fills the high word', 'sload_0; s2i; ireturn;', [-1], -1],
    ['s2i 32767', 'sload_0; s2i; ireturn;', [32767], 32767],
    ['s2i -32768', 'sload_0; s2i; ireturn;', [-32768], -32768],
    ['s2i 0x00FF', 'sload_0; s2i; ireturn;', [0xff], 0xff],
  ]),
  table('i2s / i2b', { returns: 'S', params: 'I', stack: 2, locals: 0 }, [
    ['i2s 0x12345678', 'iload_0; i2s; sreturn;', [0x12345678], 0x5678],
    ['i2s 0x0000FFFF', 'iload_0; i2s; sreturn;', [0xffff], -1],
    ['i2s 0x00008000', 'iload_0; i2s; sreturn;', [0x8000], -32768],
    ['i2s 0xFFFF7FFF', 'iload_0; i2s; sreturn;', [-0x8001], 32767],
    ['i2s MIN', 'iload_0; i2s; sreturn;', [MIN], 0],
    ['i2b 0x12345678', 'iload_0; i2b; sreturn;', [0x12345678], 0x78],
    ['i2b 0x00000080', 'iload_0; i2b; sreturn;', [0x80], -128],
    ['i2b 0x7FFFFF7F', 'iload_0; i2b; sreturn;', [0x7fffff7f], 127],
    ['i2b -1', 'iload_0; i2b; sreturn;', [-1], -1],
    ['i2b 0x0100', 'iload_0; i2b; sreturn;', [0x100], 0],
  ]),
  table('icmp', { returns: 'S', params: 'II', stack: 4, locals: 0 }, [
    ['icmp 1 2', 'iload_0; iload_2; icmp; sreturn;', [1, 2], -1],
    ['icmp 2 1', 'iload_0; iload_2; icmp; sreturn;', [2, 1], 1],
    ['icmp 7 7', 'iload_0; iload_2; icmp; sreturn;', [7, 7], 0],
    ['icmp MIN MAX', 'iload_0; iload_2; icmp; sreturn;', [MIN, MAX], -1],
    ['icmp MAX MIN', 'iload_0; iload_2; icmp; sreturn;', [MAX, MIN], 1],
    ['icmp -1 0 (signed)', 'iload_0; iload_2; icmp; sreturn;', [-1, 0], -1],
    ['icmp 0x10000 0xFFFF (high words differ)', 'iload_0; iload_2; icmp; sreturn;', [0x10000, 0xffff], 1],
    ['icmp 0x18000 0x10001 (low words compared unsigned)', 'iload_0; iload_2; icmp; sreturn;', [0x18000, 0x10001], 1],
    ['icmp -65536 -65535', 'iload_0; iload_2; icmp; sreturn;', [-65536, -65535], -1],
  ]),
  table('int expressions', { returns: 'I', params: 'III', stack: 6, locals: 0 }, [
    ['(a * b) + c', 'iload_0; iload_2; imul; iload 4; iadd; ireturn;', [1000, 1000, 1], 1000001],
    ['a / b - c', 'iload_0; iload_2; idiv; iload 4; isub; ireturn;', [MIN, 2, 1], -0x40000001],
    ['mixed short and int', 'iload_0; sspush -1; s2i; iand; iload 4; i2s; s2i; ixor; ireturn;', [0x1234, 0, 0xffff], ~0x1234],
    ['ArithmeticException from irem deep in an expression', 'iload_0; iload_2; iload 4; irem; iadd; ireturn;', [1, 1, 0], ARITHMETIC],
  ]),
];
