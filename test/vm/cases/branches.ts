// Control transfer (JCVM 7.5): the conditional branches against zero and null (ifeq ... ifnonnull),
// the two-operand comparisons (if_scmp<cond>, if_acmp<cond>), each in its s1-offset form and
// its s2-offset _w form, taken and not taken, forwards and backwards, and far (beyond a byte
// offset) for the _w forms; goto/goto_w; the four switches with default, negative and extreme
// keys; jsr/ret subroutines.

import { table, type Row, type Table } from '../harness.ts';

const MIN = -0x80000000;
const MAX = 0x7fffffff;

/** n nops: padding that pushes a branch target beyond a one-byte offset. */
const nops = (n: number): string => 'nop; '.repeat(n);

/** Three shapes of a test that returns 1 when the branch is taken and 0 when not. */
function shapes(op: string, loads: string): [string, string][] {
  const wide = op.endsWith('_w');
  const out: [string, string][] = [
    ['forward', `${loads} ${op} L1; sconst_0; sreturn; L1: sconst_1; sreturn;`],
    ['backward', `goto L2; L1: sconst_1; sreturn; L2: ${loads} ${op} L1; sconst_0; sreturn;`],
  ];
  if (wide) {
    out.push(['far forward', `${loads} ${op} L1; sconst_0; sreturn; ${nops(200)} L1: sconst_1; sreturn;`]);
    out.push(['far backward', `goto_w L2; L1: sconst_1; sreturn; ${nops(200)} L2: ${loads} ${op} L1; sconst_0; sreturn;`]);
  }
  return out;
}

function conditional(op: string, loads: string, values: number[][], taken: (...v: number[]) => boolean): Row[] {
  const rows: Row[] = [];
  for (const [shape, body] of shapes(op, loads)) {
    for (const v of values) rows.push([`${op} (${shape}) ${v.join(', ')}`, body, v, taken(...v) ? 1 : 0]);
  }
  return rows;
}

const SHORTS = [[0], [1], [-1], [32767], [-32768], [0x100]];
const PAIRS = [[1, 2], [2, 1], [5, 5], [-32768, 32767], [32767, -32768], [-1, 0], [0, -1], [-1, -1], [0x100, 0x001]];
const REFS = [[0], [0x0123]];
const REF_PAIRS = [[0, 0], [0x10, 0x10], [0x10, 0x11], [0, 0x10]];

const zero: [string, (v: number) => boolean][] = [
  ['ifeq', (v) => v === 0],
  ['ifne', (v) => v !== 0],
  ['iflt', (v) => v < 0],
  ['ifge', (v) => v >= 0],
  ['ifgt', (v) => v > 0],
  ['ifle', (v) => v <= 0],
];
const compare: [string, (a: number, b: number) => boolean][] = [
  ['if_scmpeq', (a, b) => a === b],
  ['if_scmpne', (a, b) => a !== b],
  ['if_scmplt', (a, b) => a < b],
  ['if_scmpge', (a, b) => a >= b],
  ['if_scmpgt', (a, b) => a > b],
  ['if_scmple', (a, b) => a <= b],
];

const S1 = { returns: 'S', params: 'S', stack: 2, locals: 0 } as const;
const S2 = { returns: 'S', params: 'SS', stack: 2, locals: 0 } as const;
const A1 = { returns: 'S', params: 'Ljava/lang/Object;', stack: 2, locals: 0 } as const;
const A2 = { returns: 'S', params: 'Ljava/lang/Object;Ljava/lang/Object;', stack: 2, locals: 0 } as const;

export const tables: Table[] = [
  ...zero.flatMap(([op, p]) => [
    table(op, S1, conditional(op, 'sload_0;', SHORTS, p)),
    table(`${op}_w`, S1, conditional(`${op}_w`, 'sload_0;', SHORTS, p)),
  ]),
  ...compare.flatMap(([op, p]) => [
    table(op, S2, conditional(op, 'sload_0; sload_1;', PAIRS, p)),
    table(`${op}_w`, S2, conditional(`${op}_w`, 'sload_0; sload_1;', PAIRS, p)),
  ]),
  ...(['', '_w'] as const).flatMap((w) => [
    table(`ifnull${w}`, A1, conditional(`ifnull${w}`, 'aload_0;', REFS, (v) => v === 0)),
    table(`ifnonnull${w}`, A1, conditional(`ifnonnull${w}`, 'aload_0;', REFS, (v) => v !== 0)),
    table(`if_acmpeq${w}`, A2, conditional(`if_acmpeq${w}`, 'aload_0; aload_1;', REF_PAIRS, (a, b) => a === b)),
    table(`if_acmpne${w}`, A2, conditional(`if_acmpne${w}`, 'aload_0; aload_1;', REF_PAIRS, (a, b) => a !== b)),
  ]),
  table('if_acmp on objects', { returns: 'S', stack: 3, locals: 2 }, [
    ['two arrays are different objects', 'sconst_1; newarray 11; sconst_1; newarray 11; if_acmpeq L1; sconst_0; sreturn; L1: sconst_1; sreturn;', [], 0],
    ['an array is itself', 'sconst_1; newarray 11; dup; if_acmpeq L1; sconst_0; sreturn; L1: sconst_1; sreturn;', [], 1],
    ['a new array is not null', 'sconst_0; newarray 12; ifnonnull L1; sconst_0; sreturn; L1: sconst_1; sreturn;', [], 1],
  ]),
  table('goto / goto_w and loops', { returns: 'S', params: 'S', stack: 2, locals: 2 }, [
    ['goto forward skips code', 'goto L1; sconst_2; sreturn; L1: sconst_3; sreturn;', [0], 3],
    ['goto backward', 'goto L2; L1: bspush 7; sreturn; L2: goto L1;', [0], 7],
    ['goto_w forward far', `goto_w L1; sconst_2; sreturn; ${nops(300)} L1: sconst_3; sreturn;`, [0], 3],
    ['goto_w backward far', `goto_w L2; L1: bspush 7; sreturn; ${nops(300)} L2: goto_w L1;`, [0], 7],
    ['goto_w near', 'goto_w L1; sconst_2; sreturn; L1: sconst_4; sreturn;', [0], 4],
    // sum = 0; i = 1; while (i <= n) { sum += i; i++; }
    ...[[10, 55], [0, 0], [1, 1], [255, 32640]].map(([n, sum]): Row => [
      `loop with a backward if_scmple: sum 1..${n}`,
      'sconst_0; sstore_1; sconst_1; sstore_2; goto L2; L1: sload_1; sload_2; sadd; sstore_1; sinc 2 1; L2: sload_2; sload_0; if_scmple L1; sload_1; sreturn;',
      [n!],
      sum!,
    ]),
    ['loop with a backward far if_scmplt_w: sum 1..100', `sconst_0; sstore_1; sconst_1; sstore_2; L1: sload_1; sload_2; sadd; sstore_1; sinc 2 1; ${nops(200)} sload_2; sload_0; if_scmple_w L1; sload_1; sreturn;`, [100], 5050],
  ]),
  table('stableswitch', { returns: 'S', params: 'S', stack: 1, locals: 0 }, [
    ...[[-3, 99], [-2, 10], [-1, 11], [0, 12], [1, 13], [2, 14], [3, 99], [-32768, 99], [32767, 99], [0x100, 99]].map(([k, r]): Row => [
      `key ${k} in -2..2`,
      'sload_0; stableswitch LD -2 2 La Lb Lc Ld Le; LD: bspush 99; sreturn; La: bspush 10; sreturn; Lb: bspush 11; sreturn; Lc: bspush 12; sreturn; Ld: bspush 13; sreturn; Le: bspush 14; sreturn;',
      [k!],
      r!,
    ]),
    ...[[32766, 1], [32767, 2], [-32768, 99], [0, 99]].map(([k, r]): Row => [
      `key ${k} in 32766..32767`,
      'sload_0; stableswitch LD 32766 32767 La Lb; LD: bspush 99; sreturn; La: sconst_1; sreturn; Lb: sconst_2; sreturn;',
      [k!],
      r!,
    ]),
    ...[[-32768, 1], [-32767, 99], [32767, 99]].map(([k, r]): Row => [
      `key ${k} in -32768..-32768`,
      'sload_0; stableswitch LD -32768 -32768 La; LD: bspush 99; sreturn; La: sconst_1; sreturn;',
      [k!],
      r!,
    ]),
    ...[[0, 5], [1, 6], [2, 99]].map(([k, r]): Row => [
      `key ${k}, targets backward and far`,
      `goto_w LS; La: sconst_5; sreturn; Lb: bspush 6; sreturn; ${nops(200)} LS: sload_0; stableswitch LD 0 1 La Lb; ${nops(200)} LD: bspush 99; sreturn;`,
      [k!],
      r!,
    ]),
  ]),
  table('slookupswitch', { returns: 'S', params: 'S', stack: 1, locals: 0 }, [
    ...[[-32768, 1], [-1, 2], [0, 3], [7, 4], [32767, 5], [1, 99], [-2, 99], [8, 99], [-32767, 99], [0x700, 99]].map(([k, r]): Row => [
      `key ${k}`,
      'sload_0; slookupswitch LD 5 -32768 La -1 Lb 0 Lc 7 Ld 32767 Le; LD: bspush 99; sreturn; La: sconst_1; sreturn; Lb: sconst_2; sreturn; Lc: sconst_3; sreturn; Ld: sconst_4; sreturn; Le: sconst_5; sreturn;',
      [k!],
      r!,
    ]),
    ['no pairs: always the default', 'sload_0; slookupswitch LD 0; LD: bspush 99; sreturn;', [0], 99],
    ...[[300, 1], [301, 99]].map(([k, r]): Row => [
      `key ${k}, targets backward and far`,
      `goto_w LS; La: sconst_1; sreturn; ${nops(200)} LS: sload_0; slookupswitch LD 1 300 La; ${nops(200)} LD: bspush 99; sreturn;`,
      [k!],
      r!,
    ]),
  ]),
  table('itableswitch', { returns: 'S', params: 'I', stack: 2, locals: 0 }, [
    ...[[-3, 99], [-2, 10], [-1, 11], [0, 12], [1, 13], [2, 14], [3, 99], [0x10000, 99], [-0x10000, 99], [0x10001, 99], [MIN, 99], [MAX, 99]].map(([k, r]): Row => [
      `key ${k} in -2..2`,
      'iload_0; itableswitch LD -2 2 La Lb Lc Ld Le; LD: bspush 99; sreturn; La: bspush 10; sreturn; Lb: bspush 11; sreturn; Lc: bspush 12; sreturn; Ld: bspush 13; sreturn; Le: bspush 14; sreturn;',
      [k!],
      r!,
    ]),
    ...[[0xffff, 1], [0x10000, 2], [0x10001, 3], [1, 99], [0, 99]].map(([k, r]): Row => [
      `key ${k} in 0xFFFF..0x10001`,
      'iload_0; itableswitch LD 65535 65537 La Lb Lc; LD: bspush 99; sreturn; La: sconst_1; sreturn; Lb: sconst_2; sreturn; Lc: sconst_3; sreturn;',
      [k!],
      r!,
    ]),
    ...[[MAX - 1, 1], [MAX, 2], [MIN, 99]].map(([k, r]): Row => [
      `key ${k} in MAX-1..MAX`,
      'iload_0; itableswitch LD 2147483646 2147483647 La Lb; LD: bspush 99; sreturn; La: sconst_1; sreturn; Lb: sconst_2; sreturn;',
      [k!],
      r!,
    ]),
  ]),
  table('ilookupswitch', { returns: 'S', params: 'I', stack: 2, locals: 0 }, [
    ...[[MIN, 1], [-1, 2], [0x10000, 3], [100000, 4], [MAX, 5], [0, 99], [1, 99], [-0x10000, 99], [0xffff, 99], [MIN + 1, 99]].map(([k, r]): Row => [
      `key ${k}`,
      'iload_0; ilookupswitch LD 5 -2147483648 La -1 Lb 65536 Lc 100000 Ld 2147483647 Le; LD: bspush 99; sreturn; La: sconst_1; sreturn; Lb: sconst_2; sreturn; Lc: sconst_3; sreturn; Ld: sconst_4; sreturn; Le: sconst_5; sreturn;',
      [k!],
      r!,
    ]),
    ['no pairs: always the default', 'iload_0; ilookupswitch LD 0; LD: bspush 99; sreturn;', [0], 99],
  ]),
  table('jsr / ret', { returns: 'S', params: 'S', stack: 2, locals: 3 }, [
    ['a subroutine called twice', 'sconst_0; sstore_1; jsr LS; jsr LS; sload_1; sreturn; LS: astore_2; sinc 1 1; ret 2;', [0], 2],
    ['the subroutine returns to the instruction after jsr', 'sconst_0; sstore_1; jsr LS; sload_1; bspush 10; smul; sstore_1; jsr LS; sload_1; sreturn; LS: astore_2; sinc 1 1; ret 2;', [0], 11],
    ['a subroutine before the caller (backward jsr)', 'goto L1; LS: astore_2; sinc 1 5; ret 2; L1: sconst_0; sstore_1; jsr LS; sload_1; sreturn;', [0], 5],
    ['a far subroutine', `sconst_0; sstore_1; jsr LS; sload_1; sreturn; ${nops(300)} LS: astore_2; sinc 1 9; ret 2;`, [0], 9],
    ['a subroutine that branches on an argument', 'sconst_0; sstore_1; jsr LS; sload_1; sreturn; LS: astore_2; sload_0; ifeq L1; sinc 1 1; ret 2; L1: sinc 1 -1; ret 2;', [0], -1],
    ['the return address stays in its local', 'sconst_0; sstore_1; jsr LS; sload_1; sreturn; LS: astore_2; sload_0; ifeq L1; sinc 1 1; ret 2; L1: sinc 1 -1; ret 2;', [4], 1],
  ]),
];
