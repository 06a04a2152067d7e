// Local variables (JCVM 7.5): aload/sload/iload and their _<n> forms, astore/sstore/istore and
// theirs, the index forms up to local 255 (the "wide" locals of a 255-cell frame), and
// sinc/sinc_w/iinc/iinc_w, which wrap at 16 and 32 bits.

import { table, type Table } from '../harness.ts';

const S = { returns: 'S', stack: 4, locals: 4 } as const;
const I = { returns: 'I', stack: 4, locals: 6 } as const;

export const tables: Table[] = [
  table('short loads of parameters', { returns: 'S', params: 'SSSS', stack: 1, locals: 0 }, [
    ['sload_0', 'sload_0; sreturn;', [11, 22, 33, 44], 11],
    ['sload_1', 'sload_1; sreturn;', [11, 22, 33, 44], 22],
    ['sload_2', 'sload_2; sreturn;', [11, 22, 33, 44], 33],
    ['sload_3', 'sload_3; sreturn;', [11, 22, 33, 44], 44],
    ['sload 3', 'sload 3; sreturn;', [11, 22, 33, -32768], -32768],
    ['sload_0 of -1', 'sload_0; sreturn;', [-1, 0, 0, 0], -1],
  ]),
  table('short stores', S, [
    ['sstore_0 / sload_0', 'sspush 1000; sstore_0; sload_0; sreturn;', [], 1000],
    ['sstore_1 / sload_1', 'sspush -1000; sstore_1; sload_1; sreturn;', [], -1000],
    ['sstore_2 / sload_2', 'sspush 32767; sstore_2; sload_2; sreturn;', [], 32767],
    ['sstore_3 / sload_3', 'sspush -32768; sstore_3; sload_3; sreturn;', [], -32768],
    ['sstore 2 / sload 2', 'bspush 77; sstore 2; sload 2; sreturn;', [], 77],
    ['stores do not disturb neighbours', 'sconst_1; sstore_0; sconst_2; sstore_1; sconst_3; sstore_2; sconst_4; sstore_3; sload_0; sload_3; sadd; sload_1; sadd; sload_2; sadd; sreturn;', [], 10],
    ['a store overwrites a parameter', 'bspush 9; sstore_0; sload_0; sreturn;', [], 9],
  ]),
  table('locals beyond index 3 and up to 255', { returns: 'S', stack: 2, locals: 255 }, [
    ['sstore 4 / sload 4', 'sspush 0x4444; sstore 4; sload 4; sreturn;', [], 0x4444],
    ['sstore 200 / sload 200', 'sspush 0x2002; sstore 200; sload 200; sreturn;', [], 0x2002],
    ['sstore 254 / sload 254 (the last cell)', 'sspush -2; sstore 254; sload 254; sreturn;', [], -2],
    ['sinc 254 by 1', 'sconst_m1; sstore 254; sinc 254 1; sload 254; sreturn;', [], 0],
    ['sinc_w 200 by 1000', 'sconst_0; sstore 200; sinc_w 200 1000; sload 200; sreturn;', [], 1000],
  ]),
  table('int locals beyond index 3 and up to 255', { returns: 'I', stack: 2, locals: 255 }, [
    ['istore 253 / iload 253 (cells 253, 254)', 'iipush 0x12345678; istore 253; iload 253; ireturn;', [], 0x12345678],
    ['istore 100 / iload 100', 'iipush -2; istore 100; iload 100; ireturn;', [], -2],
    ['iinc 253', 'iipush 0x0000FFFF; istore 253; iinc 253 1; iload 253; ireturn;', [], 0x10000],
    ['iinc_w 253', 'iipush 0x7FFFFFFF; istore 253; iinc_w 253 1; iload 253; ireturn;', [], -0x80000000],
  ]),
  table('reference locals', { returns: 'S', stack: 2, locals: 6 }, [
    ['astore_0 / aload_0', 'sconst_1; newarray 11; astore_0; aload_0; arraylength; sreturn;', [], 1],
    ['astore_1 / aload_1', 'sconst_2; newarray 11; astore_1; aload_1; arraylength; sreturn;', [], 2],
    ['astore_2 / aload_2', 'sconst_3; newarray 11; astore_2; aload_2; arraylength; sreturn;', [], 3],
    ['astore_3 / aload_3', 'sconst_4; newarray 11; astore_3; aload_3; arraylength; sreturn;', [], 4],
    ['astore 5 / aload 5', 'sconst_5; newarray 11; astore 5; aload 5; arraylength; sreturn;', [], 5],
    ['astore of null / aload', 'sconst_5; newarray 11; astore 4; aconst_null; astore 4; aload 4; ifnull L1; sconst_0; sreturn; L1: sconst_1; sreturn;', [], 1],
  ]),
  table('reference parameters', { returns: 'A', params: 'Ljava/lang/Object;Ljava/lang/Object;', stack: 1, locals: 0 }, [
    ['aload_0 returns the first argument', 'aload_0; areturn;', [0x1234, 0x0555], 0x1234],
    ['aload_1 returns the second argument', 'aload_1; areturn;', [0x1234, 0x0555], 0x0555],
    ['aload 1 returns the second argument', 'aload 1; areturn;', [0x1234, 0x0555], 0x0555],
  ]),
  table('int loads of parameters', { returns: 'I', params: 'II', stack: 2, locals: 0 }, [
    ['iload_0', 'iload_0; ireturn;', [0x12345678, -1], 0x12345678],
    ['iload_2 (second int: cells 2, 3)', 'iload_2; ireturn;', [0x12345678, -0x80000000], -0x80000000],
    ['iload 2', 'iload 2; ireturn;', [1, 0x0001ffff], 0x0001ffff],
    ['iload_1 straddles the two ints (low word of the first, high word of the second)', 'iload_1; ireturn;', [0x11112222, 0x33334444], 0x22223333],
  ]),
  table('int stores', I, [
    ['istore_0 / iload_0', 'iipush 0x7FFFFFFF; istore_0; iload_0; ireturn;', [], 0x7fffffff],
    ['istore_1 / iload_1', 'iipush -2147483648; istore_1; iload_1; ireturn;', [], -0x80000000],
    ['istore_2 / iload_2', 'iipush 0x00010000; istore_2; iload_2; ireturn;', [], 0x10000],
    ['istore_3 / iload_3', 'iipush 0xCAFEBABE; istore_3; iload_3; ireturn;', [], 0xcafebabe | 0],
    ['istore 4 / iload 4', 'iipush 0x0000FFFF; istore 4; iload 4; ireturn;', [], 0xffff],
    ['istore_1 overlaps istore_0 (cells 1, 2)', 'iipush 0x11112222; istore_0; iipush 0x33334444; istore_1; iload_0; ireturn;', [], 0x11113333],
    ['an int local read as two shorts', 'iipush 0x7FFF8000; istore_0; sload_0; sload_1; sadd; s2i; ireturn;', [], -1],
  ]),
  table('sinc / sinc_w', S, [
    ['sinc by 1', 'sconst_5; sstore_0; sinc 0 1; sload_0; sreturn;', [], 6],
    ['sinc by -1', 'sconst_0; sstore_1; sinc 1 -1; sload_1; sreturn;', [], -1],
    ['sinc by 127', 'sconst_0; sstore_2; sinc 2 127; sload_2; sreturn;', [], 127],
    ['sinc by -128', 'sconst_0; sstore_3; sinc 3 -128; sload_3; sreturn;', [], -128],
    ['sinc 32767 + 1 wraps', 'sspush 32767; sstore_0; sinc 0 1; sload_0; sreturn;', [], -32768],
    ['sinc -32768 - 1 wraps', 'sspush -32768; sstore_0; sinc 0 -1; sload_0; sreturn;', [], 32767],
    ['sinc -32768 - 128 wraps', 'sspush -32768; sstore_0; sinc 0 -128; sload_0; sreturn;', [], 32640],
    ['sinc touches only its local', 'sconst_1; sstore_0; sconst_2; sstore_1; sinc 0 10; sload_1; sreturn;', [], 2],
    ['sinc_w by 1000', 'sconst_0; sstore_0; sinc_w 0 1000; sload_0; sreturn;', [], 1000],
    ['sinc_w by -32768', 'sconst_0; sstore_0; sinc_w 0 -32768; sload_0; sreturn;', [], -32768],
    ['sinc_w by 32767', 'sconst_1; sstore_0; sinc_w 0 32767; sload_0; sreturn;', [], -32768],
    ['sinc_w by -1 (0xFFFF)', 'sconst_0; sstore_0; sinc_w 0 -1; sload_0; sreturn;', [], -1],
    ['sinc_w by 0x100', 'bspush 0x10; sstore_3; sinc_w 3 256; sload_3; sreturn;', [], 0x110],
    ['sinc_w -32768 + -32768 wraps to 0', 'sspush -32768; sstore_0; sinc_w 0 -32768; sload_0; sreturn;', [], 0],
  ]),
  table('iinc / iinc_w', I, [
    ['iinc by 1', 'iconst_5; istore_0; iinc 0 1; iload_0; ireturn;', [], 6],
    ['iinc by -128', 'iconst_0; istore_0; iinc 0 -128; iload_0; ireturn;', [], -128],
    ['iinc carries into the high word', 'iipush 0x0000FFFF; istore_0; iinc 0 1; iload_0; ireturn;', [], 0x10000],
    ['iinc borrows from the high word', 'iipush 0x00010000; istore_0; iinc 0 -1; iload_0; ireturn;', [], 0xffff],
    ['iinc 0x7FFFFFFF + 1 wraps', 'iipush 0x7FFFFFFF; istore_0; iinc 0 1; iload_0; ireturn;', [], -0x80000000],
    ['iinc -1 + 1 = 0', 'iconst_m1; istore_2; iinc 2 1; iload_2; ireturn;', [], 0],
    ['iinc 32767 + 1 does not wrap at 16 bits', 'sipush 32767; istore_0; iinc 0 1; iload_0; ireturn;', [], 32768],
    ['iinc_w by -32768', 'iconst_0; istore_0; iinc_w 0 -32768; iload_0; ireturn;', [], -32768],
    ['iinc_w by 32767', 'iconst_1; istore_0; iinc_w 0 32767; iload_0; ireturn;', [], 32768],
    ['iinc_w by -1 sign-extends the constant', 'iipush 0x00010000; istore_0; iinc_w 0 -1; iload_0; ireturn;', [], 0xffff],
    ['iinc_w -2147483648 - 1 wraps', 'iipush -2147483648; istore_0; iinc_w 0 -1; iload_0; ireturn;', [], 0x7fffffff],
    ['iinc_w touches only its local', 'iconst_1; istore_0; iconst_2; istore_2; iinc_w 2 1000; iload_0; ireturn;', [], 1],
  ]),
];
