// Operand stack manipulation (JCVM 7.5): pop, pop2, dup, dup2, dup_x (the top m words copied
// and inserted n words down; n = 0 puts the copy on top), swap_x (the top m words swapped with
// the n words beneath them). Each row pushes a sentinel and some words, runs the instruction,
// then drains the whole stack into a short[] (bottom first) that the check compares: a wrong
// word count moves the sentinel.

import { expect } from 'vitest';
import { table, type Check, type Row, type Table } from '../harness.ts';


const SENTINEL = 0x5a5a;
const [a, b, c, d, e, f, g, h] = [0x1111, -2, 0x7fff, -32768, 5, 0x0123, -1, 0x4444];

/** A row: push `words` (bottom first) above the sentinel, run `op`, expect `after` above the sentinel. */
function stackRow(description: string, words: number[], op: string, after: number[]): Row {
  const n = after.length + 1;
  const lines = [`sspush ${n}; newarray 12; astore_0;`, `sspush ${SENTINEL};`, ...words.map((w) => `sspush ${w};`), op];
  for (let i = n - 1; i >= 0; i--) lines.push(`sstore_1; aload_0; sspush ${i}; sload_1; sastore;`);
  lines.push('aload_0; areturn;');
  const check: Check = (handle, loaded) => {
    const arr = loaded.heap.get(handle);
    expect(arr && Array.from(arr.data)).toEqual([SENTINEL, ...after]);
  };
  return [description, lines.join(' '), [], check];
}

const OPTS = { returns: 'A', stack: 16, locals: 2 } as const;

export const tables: Table[] = [
  table('pop / pop2 / dup / dup2', OPTS, [
    stackRow('pop', [a, b, c], 'pop;', [a, b]),
    stackRow('pop of the only word', [a], 'pop;', []),
    stackRow('pop2', [a, b, c], 'pop2;', [a]),
    stackRow('pop2 of an int', [a, b, c], 'pop2;', [a]),
    stackRow('dup', [a, b, c], 'dup;', [a, b, c, c]),
    stackRow('dup of -32768', [d], 'dup;', [d, d]),
    stackRow('dup2', [a, b, c], 'dup2;', [a, b, c, b, c]),
    stackRow('dup2 of negative words', [d, g], 'dup2;', [d, g, d, g]),
  ]),
  table('dup_x', OPTS, [
    stackRow('dup_x 0x10 (m 1, on top) = dup', [a, b, c], 'dup_x 0x10;', [a, b, c, c]),
    stackRow('dup_x 0x11 (m 1, n 1) = dup', [a, b, c], 'dup_x 0x11;', [a, b, c, c]),
    stackRow('dup_x 0x12 (m 1, n 2) = Java dup_x1', [a, b, c], 'dup_x 0x12;', [a, c, b, c]),
    stackRow('dup_x 0x13 (m 1, n 3) = Java dup_x2', [a, b, c, d], 'dup_x 0x13;', [a, d, b, c, d]),
    stackRow('dup_x 0x15 (m 1, n 5)', [a, b, c, d, e, f], 'dup_x 0x15;', [a, f, b, c, d, e, f]),
    stackRow('dup_x 0x20 (m 2, on top) = dup2', [a, b, c], 'dup_x 0x20;', [a, b, c, b, c]),
    stackRow('dup_x 0x22 (m 2, n 2) = dup2', [a, b, c], 'dup_x 0x22;', [a, b, c, b, c]),
    stackRow('dup_x 0x23 (m 2, n 3) = Java dup2_x1', [a, b, c, d], 'dup_x 0x23;', [a, c, d, b, c, d]),
    stackRow('dup_x 0x24 (m 2, n 4) = Java dup2_x2', [a, b, c, d, e], 'dup_x 0x24;', [a, d, e, b, c, d, e]),
    stackRow('dup_x 0x26 (m 2, n 6)', [a, b, c, d, e, f, g], 'dup_x 0x26;', [a, f, g, b, c, d, e, f, g]),
    stackRow('dup_x 0x30 (m 3, on top)', [a, b, c, d], 'dup_x 0x30;', [a, b, c, d, b, c, d]),
    stackRow('dup_x 0x34 (m 3, n 4)', [a, b, c, d, e], 'dup_x 0x34;', [a, c, d, e, b, c, d, e]),
    stackRow('dup_x 0x37 (m 3, n 7)', [a, b, c, d, e, f, g, h], 'dup_x 0x37;', [a, f, g, h, b, c, d, e, f, g, h]),
    stackRow('dup_x 0x40 (m 4, on top)', [a, b, c, d, e], 'dup_x 0x40;', [a, b, c, d, e, b, c, d, e]),
    stackRow('dup_x 0x44 (m 4, n 4)', [a, b, c, d], 'dup_x 0x44;', [a, b, c, d, a, b, c, d]),
    stackRow('dup_x 0x46 (m 4, n 6)', [a, b, c, d, e, f], 'dup_x 0x46;', [c, d, e, f, a, b, c, d, e, f]),
    stackRow('dup_x 0x48 (m 4, n 8)', [a, b, c, d, e, f, g, h], 'dup_x 0x48;', [e, f, g, h, a, b, c, d, e, f, g, h]),
  ]),
  table('swap_x', OPTS, [
    stackRow('swap_x 0x11 = swap', [a, b, c], 'swap_x 0x11;', [a, c, b]),
    stackRow('swap_x 0x12 (one word under two)', [a, b, c, d], 'swap_x 0x12;', [a, d, b, c]),
    stackRow('swap_x 0x21 (two words under one)', [a, b, c, d], 'swap_x 0x21;', [a, c, d, b]),
    stackRow('swap_x 0x22 (two words under two)', [a, b, c, d, e], 'swap_x 0x22;', [a, d, e, b, c]),
    stackRow('swap_x 0x22 of all the words above the sentinel', [a, b, c, d], 'swap_x 0x22;', [c, d, a, b]),
  ]),
  table('int words through the stack ops', { returns: 'I', stack: 8, locals: 0 }, [
    ['dup2 an int and add', 'iipush 0x12345678; dup2; iadd; ireturn;', [], 0x2468acf0],
    ['pop2 an int', 'iipush 7; iipush 0x12345678; pop2; ireturn;', [], 7],
    ['swap_x 0x22 two ints and subtract', 'iipush 100; iipush 0x10000; swap_x 0x22; isub; ireturn;', [], 0x10000 - 100],
    ['dup_x 0x24 an int under an int', 'iipush 5; iipush 0x30000; dup_x 0x24; pop2; pop2; ireturn;', [], 0x30000],
    ['swap_x 0x12 a short over an int', 'iipush 0x00010002; sconst_3; swap_x 0x12; pop; pop; s2i; ireturn;', [], 3],
  ]),
];
