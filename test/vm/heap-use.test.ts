// The heap's per-owner memory counters and limits (vm/heap.ts): what the GlobalPlatform memory
// quotas (runtime/gp/quota.ts) are enforced with.

import { describe, expect, it } from 'vitest';
import { Heap, HeapExhausted } from '../../vm/heap.ts';
import { Kind, Transience } from '../../vm/types.ts';

describe('Heap: bytes per owner', () => {
  it.each([
    ['no limits (counted from the objects)', false],
    ['limits set (kept counters)', true],
  ])('counts object data per owner, persistent and transient apart, and gives it back on release: %s', (_, limited) => {
    const heap = new Heap();
    if (limited) heap.setLimits(new Map([[9, { persistent: 1 }]]));
    const a = heap.newArray(Kind.ByteArray, 10, 3);
    const b = heap.newArray(Kind.ShortArray, 4, 3, null, Transience.ClearOnDeselect);
    heap.newArray(Kind.IntArray, 2, 4);
    expect([heap.used(3), heap.used(3, true), heap.used(4), heap.used(0)]).toEqual([10, 8, 8, 0]);
    heap.release(a);
    heap.release(b);
    expect([heap.used(3), heap.used(3, true), heap.used(4)]).toEqual([0, 0, 8]);
  });

  it('an owner far above the first counters is counted too', () => {
    const heap = new Heap();
    heap.newArray(Kind.ByteArray, 7, 500, null, Transience.ClearOnReset);
    expect(heap.used(500, true)).toBe(7);
  });

  it('a limit refuses the allocation that would pass it (NO_RESOURCE persistent, NO_TRANSIENT_SPACE transient); others are not limited', () => {
    const heap = new Heap();
    heap.setLimits(new Map([[2, { persistent: 16, transient: 4 }]]));
    heap.newArray(Kind.ByteArray, 16, 2);
    const e = (() => {
      try {
        heap.newArray(Kind.ByteArray, 1, 2);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(HeapExhausted);
    expect((e as HeapExhausted).reason).toBe(5);
    expect(() => heap.newArray(Kind.ByteArray, 5, 2, null, Transience.ClearOnReset)).toThrow(expect.objectContaining({ reason: 2 }));
    heap.newArray(Kind.ByteArray, 4, 2, null, Transience.ClearOnReset);
    heap.newArray(Kind.ByteArray, 1000, 1); // another owner
    heap.newArray(Kind.ByteArray, 1000, 70); // an owner past the limits array
    expect(heap.used(2)).toBe(16);
    // Cleared limits: no refusal.
    heap.setLimits(new Map());
    heap.newArray(Kind.ByteArray, 100, 2);
    expect(heap.used(2)).toBe(116);
  });

  it('restore() recounts from the objects it is given', () => {
    const heap = new Heap();
    const h = heap.newArray(Kind.ByteArray, 12, 5);
    const objects = [...heap.objects];
    const other = new Heap();
    other.setLimits(new Map([[5, { persistent: 20 }]]));
    other.newArray(Kind.ByteArray, 20, 5);
    other.restore(objects, []);
    expect(other.used(5)).toBe(12);
    other.newArray(Kind.ByteArray, 8, 5);
    expect(() => other.newArray(Kind.ByteArray, 1, 5)).toThrow(HeapExhausted);
    other.release(h);
    expect(other.used(5)).toBe(8);
  });

  it('limits set after objects were made count those objects (the counters are kept only while limits are set)', () => {
    const heap = new Heap();
    const a = heap.newArray(Kind.ByteArray, 30, 6);
    heap.setLimits(new Map([[6, { persistent: 40 }]]));
    expect(() => heap.newArray(Kind.ByteArray, 11, 6)).toThrow(HeapExhausted);
    heap.setLimits(new Map());
    heap.release(a); // not counted while no limit is set ...
    heap.newArray(Kind.ByteArray, 35, 6);
    heap.setLimits(new Map([[6, { persistent: 40 }]])); // ... recounted when one is set again
    expect(heap.used(6)).toBe(35);
    heap.newArray(Kind.ByteArray, 5, 6);
    expect(() => heap.newArray(Kind.ByteArray, 1, 6)).toThrow(HeapExhausted);
  });
});
