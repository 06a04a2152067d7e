// vm/arith.ts on its own: the wrap, division, remainder and shift helpers, by table (the spec's
// edge cases) and against a BigInt model of the JCVM 7.5 rules over a grid of edge values
// (shorts promoted to 32 bits, the result truncated; division truncating toward zero).

import { describe, expect, it } from 'vitest';
import { icmp, idiv, imul, irem, s16, s8, sdiv, srem, sshl, sshr, sushr } from '../../vm/arith.ts';

const MIN = -0x80000000;
const MAX = 0x7fffffff;

type Fn = (a: number, b: number) => number;

const rows: [string, Fn, number, number, number][] = [
  ['sdiv', sdiv, 7, 2, 3],
  ['sdiv', sdiv, -7, 2, -3],
  ['sdiv', sdiv, 7, -2, -3],
  ['sdiv', sdiv, -7, -2, 3],
  ['sdiv', sdiv, -32768, -1, -32768],
  ['sdiv', sdiv, -32768, 1, -32768],
  ['sdiv', sdiv, 32767, -1, -32767],
  ['sdiv', sdiv, -1, 32767, 0],
  ['srem', srem, 7, 2, 1],
  ['srem', srem, -7, 2, -1],
  ['srem', srem, 7, -2, 1],
  ['srem', srem, -7, -2, -1],
  ['srem', srem, -32768, -1, 0],
  ['srem', srem, -32768, 32767, -1],
  ['srem', srem, -6, 3, 0],
  ['sshl', sshl, 1, 15, -32768],
  ['sshl', sshl, 1, 16, 0],
  ['sshl', sshl, 1, 31, 0],
  ['sshl', sshl, 1, 32, 1],
  ['sshl', sshl, 0xff, -28, 0xff0],
  ['sshr', sshr, -32768, 15, -1],
  ['sshr', sshr, -32768, 16, -1],
  ['sshr', sshr, 0x4000, 16, 0],
  ['sshr', sshr, -32768, 32, -32768],
  ['sshr', sshr, -7, 1, -4],
  ['sushr', sushr, -32768, 4, -2048],
  ['sushr', sushr, -32768, 16, -1],
  ['sushr', sushr, -32768, 17, 0x7fff],
  ['sushr', sushr, -32768, 31, 1],
  ['sushr', sushr, -32768, 32, -32768],
  ['sushr', sushr, 0x7fff, 16, 0],
  ['sushr', sushr, -16, -1, 1],
  ['idiv', idiv, MIN, -1, MIN],
  ['idiv', idiv, MIN, MAX, -1],
  ['idiv', idiv, MAX, MIN, 0],
  ['idiv', idiv, -7, 2, -3],
  ['idiv', idiv, 7, -2, -3],
  ['irem', irem, MIN, -1, 0],
  ['irem', irem, MAX, MIN, MAX],
  ['irem', irem, -7, 2, -1],
  ['irem', irem, 7, -2, 1],
  ['imul', imul, MAX, 2, -2],
  ['imul', imul, 0x10000, 0x10000, 0],
  ['imul', imul, MIN, -1, MIN],
  ['imul', imul, 0xffff, 0xffff, -131071],
  ['imul', imul, 0x12345678, 0x9abcdef, 0xe242d208 | 0],
  ['icmp', icmp, MIN, MAX, -1],
  ['icmp', icmp, MAX, MIN, 1],
  ['icmp', icmp, -1, -1, 0],
  ['icmp', icmp, -1, 0, -1],
];

describe('vm/arith.ts by table', () => {
  it.each(rows.map(([name, fn, a, b, r]) => [`${name}(${a}, ${b}) = ${r}`, fn, a, b, r] as const))('%s', (_d, fn, a, b, r) => {
    expect(fn(a, b)).toBe(r);
  });

  it.each([
    [0x7fff, 32767],
    [0x8000, -32768],
    [0xffff, -1],
    [0x10000, 0],
    [0x18000, -32768],
    [-32769, 32767],
    [MIN, 0],
    [MAX, -1],
  ])('s16(%i) = %i', (x, r) => expect(s16(x)).toBe(r));

  it.each([
    [0x7f, 127],
    [0x80, -128],
    [0xff, -1],
    [0x100, 0],
    [0x17f, 127],
    [-129, 127],
    [-32768, 0],
  ])('s8(%i) = %i', (x, r) => expect(s8(x)).toBe(r));

  it('remainders of exact divisions are +0, never -0', () => {
    expect(Object.is(srem(-32768, -1), 0)).toBe(true);
    expect(Object.is(srem(-6, 3), 0)).toBe(true);
    expect(Object.is(irem(MIN, -1), 0)).toBe(true);
    expect(Object.is(irem(-6, 3), 0)).toBe(true);
    expect(Object.is(sdiv(0, -5), 0)).toBe(true);
    expect(Object.is(idiv(0, -5), 0)).toBe(true);
  });
});

// --- BigInt model ------------------------------------------------------------------------

const b16 = (x: bigint): number => Number(BigInt.asIntN(16, x));
const b32 = (x: bigint): number => Number(BigInt.asIntN(32, x));
const count = (n: number): bigint => BigInt(n & 31);

const SHORTS = [0, 1, -1, 2, -2, 3, 7, -7, 15, 16, 17, 31, 32, 33, 127, -128, 255, 0x100, 0x1234, 0x4000, 0x7fff, -32767, -32768];
const INTS = [0, 1, -1, 2, -2, 7, -7, 31, 32, 0xffff, 0x10000, -0x10000, 0x7fff, 0x8000, 46341, 0x12345678, MAX, MIN, MIN + 1];

const models: [string, Fn, (a: bigint, b: bigint, ai: number, bi: number) => number, number[]][] = [
  ['sdiv', sdiv, (a, b) => b16(a / b), SHORTS],
  ['srem', srem, (a, b) => b16(a % b), SHORTS],
  ['sshl', sshl, (a, _b, _ai, bi) => b16(a << count(bi)), SHORTS],
  ['sshr', sshr, (a, _b, _ai, bi) => b16(a >> count(bi)), SHORTS],
  ['sushr', sushr, (a, _b, _ai, bi) => b16(BigInt.asUintN(32, a) >> count(bi)), SHORTS],
  ['idiv', idiv, (a, b) => b32(a / b), INTS],
  ['irem', irem, (a, b) => b32(a % b), INTS],
  ['imul', imul, (a, b) => b32(a * b), INTS],
  ['icmp', icmp, (a, b) => (a < b ? -1 : a > b ? 1 : 0), INTS],
];

describe('vm/arith.ts against a BigInt model', () => {
  it.each(models.map(([name, fn, model, values]) => [name, fn, model, values] as const))('%s over a grid of edge values', (_name, fn, model, values) => {
    const wrong: string[] = [];
    for (const a of values) {
      for (const b of values) {
        const divides = _name.endsWith('div') || _name.endsWith('rem');
        if (divides && b === 0) continue;
        const want = model(BigInt(a), BigInt(b), a, b);
        const got = fn(a, b);
        if (!Object.is(got, want)) wrong.push(`(${a}, ${b}): ${got}, expected ${want}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
