// The card's two memories behind the VM's heap: persistent objects and static field images
// in the EEPROM image, transient arrays in a RAM image (JCRE 5: CLEAR_ON_RESET and
// CLEAR_ON_DESELECT arrays keep their headers persistent and their contents in RAM).

import { HeapExhausted, type Storage, type WriteBarrier } from '../../vm/heap.ts';
import { Transience, type HeapObject } from '../../vm/types.ts';
import { BlockKind, Eeprom, MemoryFull } from './eeprom.ts';

export interface MemoryOptions {
  /** Persistent memory (EEPROM image) in bytes; default 256 KiB. */
  persistentSize?: number;
  /** Transient memory (RAM) in bytes; default 8 KiB. */
  transientSize?: number;
  /** Commit buffer (transaction journal) in bytes; default 4 KiB. */
  commitCapacity?: number;
  /** Count the wear of every persistent write, by 64-byte page (the EEPROM cost model of the memory report). Default off. */
  eepromWear?: boolean;
}

export class CardMemory implements Storage, WriteBarrier {
  readonly eeprom: Eeprom;
  /** RAM: the same block allocator over its own buffer; its writes are not counted. */
  readonly ram: Eeprom;
  /** Called when a journalled write does not fit in the commit buffer (TransactionException BUFFER_FULL). */
  set journalFull(fn: () => never) {
    this.eeprom.onJournalFull = fn;
  }

  /** A new card's memories from `options`, or the images of a saved card (their headers give the sizes). */
  constructor(options: MemoryOptions = {}, saved?: { eeprom: ArrayBuffer; ram: ArrayBuffer }) {
    if (saved) {
      this.eeprom = new Eeprom(saved.eeprom);
      this.ram = new Eeprom(saved.ram);
      this.eeprom.wearModel = options.eepromWear ?? false;
      return;
    }
    const size = options.persistentSize ?? 256 * 1024;
    // The commit buffer: 4 KiB, or an eighth of a small EEPROM.
    this.eeprom = new Eeprom({ size, journalSize: (options.commitCapacity ?? Math.min(4096, size >> 3)) + 8 });
    this.ram = new Eeprom({ size: (options.transientSize ?? 8 * 1024) + 128, journalSize: 56 });
    this.eeprom.wearModel = options.eepromWear ?? false;
  }

  allocate(bytes: number, transience: Transience): { buffer: ArrayBuffer; offset: number } {
    const persistent = transience === Transience.Persistent;
    const mem = persistent ? this.eeprom : this.ram;
    try {
      return { buffer: mem.buffer, offset: mem.allocate(bytes) };
    } catch (e) {
      if (e instanceof MemoryFull) throw new HeapExhausted(`${persistent ? 'persistent' : 'transient'} memory: ${e.message}`, persistent ? 5 : 2);
      throw e;
    }
  }

  release(obj: HeapObject): void {
    const mem = obj.data.buffer === this.eeprom.buffer ? this.eeprom : obj.data.buffer === this.ram.buffer ? this.ram : null;
    mem?.release(obj.data.byteOffset);
  }

  beforeWrite(byteOffset: number, length: number): void {
    const e = this.eeprom;
    // Fast path, outside transactions: count the write, tear if asked to. Kept small so that
    // the interpreter's and the JIT's store sites can inline it.
    if (!e.journalling) {
      const index = e.writes++;
      if (index === e.tearAt || e.powerLost) e.losePower(index);
      if (e.wearModel) e.wear(byteOffset, length); // natives' writes (crypto output) may cross a page
      return;
    }
    e.beforeWrite(byteOffset, length);
  }

  /** A zeroed block of persistent memory as bytes (a package's static field image, its code). */
  persistentBytes(length: number, kind: BlockKind = BlockKind.StaticImage): Uint8Array {
    try {
      const offset = this.eeprom.allocate(length, kind);
      return new Uint8Array(this.eeprom.buffer, offset, length);
    } catch (e) {
      if (e instanceof MemoryFull) throw new HeapExhausted(`persistent memory: ${e.message}`, 5);
      throw e;
    }
  }

  releaseBytes(bytes: Uint8Array): void {
    if (bytes.buffer === this.eeprom.buffer) this.eeprom.release(bytes.byteOffset);
  }
}
