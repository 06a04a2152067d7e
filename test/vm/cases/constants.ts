// Constants (JCVM 7.5): aconst_null, sconst_<n>, bspush, sspush, iconst_<n>, bipush, sipush,
// iipush, and nop. The short pushes must sign-extend their operand to 16 bits, the int pushes
// to 32 bits (a negative bipush/sipush fills the high word with ones).

import { table, type Table } from '../harness.ts';

const S = { returns: 'S', stack: 2, locals: 0 } as const;
const I = { returns: 'I', stack: 2, locals: 0 } as const;

export const tables: Table[] = [
  table('short constants', S, [
    ['sconst_m1', 'sconst_m1; sreturn;', [], -1],
    ['sconst_0', 'sconst_0; sreturn;', [], 0],
    ['sconst_1', 'sconst_1; sreturn;', [], 1],
    ['sconst_2', 'sconst_2; sreturn;', [], 2],
    ['sconst_3', 'sconst_3; sreturn;', [], 3],
    ['sconst_4', 'sconst_4; sreturn;', [], 4],
    ['sconst_5', 'sconst_5; sreturn;', [], 5],
    ['bspush 0', 'bspush 0; sreturn;', [], 0],
    ['bspush 127', 'bspush 127; sreturn;', [], 127],
    ['bspush -128 sign-extends', 'bspush -128; sreturn;', [], -128],
    ['bspush -1 sign-extends', 'bspush -1; sreturn;', [], -1],
    ['sspush 32767', 'sspush 32767; sreturn;', [], 32767],
    ['sspush -32768', 'sspush -32768; sreturn;', [], -32768],
    ['sspush -1', 'sspush -1; sreturn;', [], -1],
    ['sspush 0x1234 (both bytes, high first)', 'sspush 0x1234; sreturn;', [], 0x1234],
    ['sspush 0x00FF', 'sspush 255; sreturn;', [], 255],
    ['sspush 0x7F80', 'sspush 0x7F80; sreturn;', [], 0x7f80],
    ['nop changes nothing', 'sconst_3; nop; nop; sreturn;', [], 3],
  ]),
  table('null', { returns: 'A', stack: 1, locals: 0 }, [
    ['aconst_null returns handle 0', 'aconst_null; areturn;', [], 0],
  ]),
  table('int constants', I, [
    ['iconst_m1', 'iconst_m1; ireturn;', [], -1],
    ['iconst_0', 'iconst_0; ireturn;', [], 0],
    ['iconst_1', 'iconst_1; ireturn;', [], 1],
    ['iconst_2', 'iconst_2; ireturn;', [], 2],
    ['iconst_3', 'iconst_3; ireturn;', [], 3],
    ['iconst_4', 'iconst_4; ireturn;', [], 4],
    ['iconst_5', 'iconst_5; ireturn;', [], 5],
    ['bipush 127', 'bipush 127; ireturn;', [], 127],
    ['bipush -128 fills the high word', 'bipush -128; ireturn;', [], -128],
    ['bipush -1', 'bipush -1; ireturn;', [], -1],
    ['sipush 32767', 'sipush 32767; ireturn;', [], 32767],
    ['sipush -32768 fills the high word', 'sipush -32768; ireturn;', [], -32768],
    ['sipush -1', 'sipush -1; ireturn;', [], -1],
    ['sipush 0x0080 is not sign-extended from the low byte', 'sipush 128; ireturn;', [], 128],
    ['iipush 0x12345678', 'iipush 0x12345678; ireturn;', [], 0x12345678],
    ['iipush 2147483647', 'iipush 2147483647; ireturn;', [], 0x7fffffff],
    ['iipush -2147483648', 'iipush -2147483648; ireturn;', [], -0x80000000],
    ['iipush 0xFFFF0000', 'iipush 0xFFFF0000; ireturn;', [], -65536],
    ['iipush 0x0000FFFF', 'iipush 65535; ireturn;', [], 65535],
    ['iipush 0x00008000', 'iipush 32768; ireturn;', [], 32768],
    ['iipush -1', 'iipush -1; ireturn;', [], -1],
  ]),
];
