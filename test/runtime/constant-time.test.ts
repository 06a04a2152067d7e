// secretEquals (issue 8, item 7): right answers, and the same reads whatever the position of
// the first difference (counted through a proxy, not timed).

import { describe, expect, it } from 'vitest';
import { secretEquals } from '../../runtime/constant-time.ts';

/** An array whose element reads are counted. */
function counted(values: number[]): { array: ArrayLike<number>; reads: () => number } {
  let n = 0;
  const array = new Proxy(values, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) n++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { array, reads: () => n };
}

const PIN = [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0, 0];

describe('secretEquals', () => {
  it('equal values of equal length are equal; any other pair is not', () => {
    expect(secretEquals(PIN, 0, 6, [0x31, 0x32, 0x33, 0x34, 0x35, 0x36], 0, 6, 8)).toBe(true);
    expect(secretEquals(PIN, 0, 6, [0x31, 0x32, 0x33, 0x34, 0x35], 0, 5, 8)).toBe(false); // a prefix
    expect(secretEquals(PIN, 0, 6, [0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0], 0, 7, 8)).toBe(false); // a trailing 00
    expect(secretEquals(PIN, 0, 6, [0x31, 0x32, 0x33, 0x34, 0x35, 0x37], 0, 6, 8)).toBe(false);
    expect(secretEquals(PIN, 0, 0, [], 0, 0, 8)).toBe(true);
  });

  it('bytes after the stored length (a longer earlier value) do not count', () => {
    expect(secretEquals([1, 2, 9, 9], 0, 2, [1, 2], 0, 2, 4)).toBe(true);
  });

  it('signed (Int8Array) and unsigned bytes compare by their 8 bits', () => {
    expect(secretEquals(Int8Array.of(-1, -128), 0, 2, Uint8Array.of(0xff, 0x80), 0, 2, 2)).toBe(true);
  });

  it('reads every byte of both slots, whether the values differ at the first byte, the last, or not at all', () => {
    const reads: number[] = [];
    for (const given of [
      [0x00, 0x32, 0x33, 0x34, 0x35, 0x36],
      [0x31, 0x32, 0x33, 0x34, 0x35, 0x00],
      [0x31, 0x32, 0x33, 0x34, 0x35, 0x36],
      [0x31],
    ]) {
      const s = counted(PIN.slice());
      const g = counted(given);
      secretEquals(s.array, 0, 6, g.array, 0, given.length, 8);
      reads.push(s.reads(), g.reads());
    }
    expect(reads).toEqual([8, 8, 8, 8, 8, 8, 8, 8]);
  });
});
