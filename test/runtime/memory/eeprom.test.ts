// The persistent memory image: allocator, commit buffer, write counting and tearing.
import { describe, expect, it } from 'vitest';
import { Eeprom, MemoryFull, PowerLoss } from '../../../runtime/memory/eeprom.ts';

describe('allocator', () => {
  it('allocates zeroed, aligned, non-overlapping blocks and reuses freed ones', () => {
    const m = new Eeprom({ size: 4096, journalSize: 256 });
    const free0 = m.free;
    const a = m.allocate(10);
    const b = m.allocate(3);
    expect(a % 4).toBe(0);
    expect(b % 4).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 10);
    m.bytes.fill(0xaa, a, a + 10);
    m.release(a);
    const c = m.allocate(8);
    expect(c).toBe(a); // first fit
    expect(Array.from(m.bytes.subarray(c, c + 8))).toEqual(new Array(8).fill(0));
    m.release(b);
    m.release(c);
    m.coalesce();
    expect(m.free).toBe(free0);
  });

  it('says how much is free and refuses what does not fit', () => {
    const m = new Eeprom({ size: 2048, journalSize: 256 });
    const free = m.free;
    expect(m.largestFree).toBe(free);
    expect(() => m.allocate(free + 1)).toThrow(MemoryFull);
    const all = m.allocate(free);
    expect(m.free).toBe(0);
    expect(() => m.allocate(1)).toThrow(/no free block of 1 bytes \(0 bytes free in all\)/);
    m.release(all);
    expect(m.free).toBe(free);
  });

  it('refuses a double free', () => {
    const m = new Eeprom({ size: 2048, journalSize: 256 });
    const a = m.allocate(4);
    m.release(a);
    expect(() => m.release(a)).toThrow(/double free/);
  });
});

describe('commit buffer', () => {
  it('commit keeps the writes, abort restores the old values (newest first)', () => {
    const m = new Eeprom({ size: 4096, journalSize: 256 });
    const a = m.allocate(8);
    m.write16(a, 1111);
    m.begin();
    m.write16(a, 2222);
    m.write16(a, 3333);
    m.write8(a + 4, 7);
    m.abort();
    expect(m.read16(a)).toBe(1111);
    expect(m.bytes[a + 4]).toBe(0);
    m.begin();
    m.write16(a, 4444);
    m.commit();
    expect(m.read16(a)).toBe(4444);
    expect(m.inTransaction).toBe(false);
  });

  it('runs out of commit buffer with MemoryFull(journal)', () => {
    const m = new Eeprom({ size: 4096, journalSize: 64 });
    const a = m.allocate(100);
    m.begin();
    const fits = Math.floor(m.journalCapacity / Eeprom.entrySize(2));
    for (let i = 0; i < fits; i++) m.write16(a + 2 * i, i);
    expect(() => m.write16(a + 2 * fits, 1)).toThrow(MemoryFull);
    m.abort();
    for (let i = 0; i <= fits; i++) expect(m.read16(a + 2 * i)).toBe(0);
  });

  it('counts every persistent write, journal entries included', () => {
    const m = new Eeprom({ size: 4096, journalSize: 256 });
    const a = m.allocate(8);
    m.writes = 0;
    m.write8(a, 1); // 1
    m.begin(); // 2 (used count, state)
    m.write8(a, 2); // 2 (entry, data)
    m.commit(); // 1 (state)
    expect(m.writes).toBe(6);
  });
});

describe('tearing', () => {
  /** A transaction of three writes over values 1, 2, 3; returns the image after recovery. */
  function transactionTornAt(tearAt: number): { values: number[]; torn: boolean } {
    const m = new Eeprom({ size: 4096, journalSize: 256 });
    const a = m.allocate(6);
    m.write16(a, 1);
    m.write16(a + 2, 2);
    m.write16(a + 4, 3);
    m.writes = 0;
    m.tearAt = tearAt;
    let torn = false;
    try {
      m.begin();
      m.write16(a, 10);
      m.write16(a + 2, 20);
      m.write16(a + 4, 30);
      m.commit();
    } catch (e) {
      if (!(e instanceof PowerLoss)) throw e;
      torn = true;
    }
    // power-up: a new card on the same bytes
    const after = new Eeprom(m.buffer.slice(0));
    after.recover();
    return { values: [after.read16(a), after.read16(a + 2), after.read16(a + 4)], torn };
  }

  it('every write index of a transaction recovers to the state before or after it', () => {
    let index = 0;
    for (;;) {
      const { values, torn } = transactionTornAt(index);
      if (!torn) {
        expect(values).toEqual([10, 20, 30]);
        break;
      }
      expect([[1, 2, 3], [10, 20, 30]]).toContainEqual(values);
      index++;
    }
    expect(index).toBe(9); // begin 2 + 3 × (entry + data) + commit 1
  });

  it('a torn write outside a transaction leaves the writes before it', () => {
    const m = new Eeprom({ size: 4096, journalSize: 256 });
    const a = m.allocate(4);
    m.writes = 0;
    m.tearAt = 1;
    m.write8(a, 5);
    expect(() => m.write8(a + 1, 6)).toThrow(PowerLoss);
    expect([m.bytes[a], m.bytes[a + 1]]).toEqual([5, 0]);
  });

  it('refuses an image that is not one', () => {
    expect(() => new Eeprom(new ArrayBuffer(4096))).toThrow(/bad magic/);
  });
});
