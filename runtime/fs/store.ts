// Where the file system lives: one persistent byte array owned by the JCRE context, marked by
// its native record so that it is found again when a card image is opened. Every write goes
// through Jcre.persistentWrite (counted, journalled when atomic, tearable).

import { BlockKind } from '../memory/eeprom.ts';
import { HeapExhausted } from '../../vm/heap.ts';
import { Kind, type HeapObject } from '../../vm/types.ts';
import { JCRE_CONTEXT, type Jcre } from '../jcre.ts';
import { decodeFiles, type FileHeader } from './layout.ts';

/** The native record that marks the file system's array (kept in the card image's directory). */
export const FS_RECORD = 'ISO/IEC 7816-4 file system';

interface FsMark {
  fileSystem: string;
}

export class FsStore {
  private constructor(
    readonly rt: Jcre,
    readonly handle: number,
    /** The file table (fixed after personalisation, so decoded once). */
    readonly files: FileHeader[],
  ) {}

  /** The card's file system, or null when it has none. */
  static find(rt: Jcre): FsStore | null {
    const objects = rt.heap.objects;
    for (let h = 1; h < objects.length; h++) {
      const o = objects[h];
      if (!o || o.kind !== Kind.ByteArray || o.owner !== JCRE_CONTEXT || (o.native as FsMark | null)?.fileSystem !== FS_RECORD) continue;
      try {
        return new FsStore(rt, h, decodeFiles(o.data));
      } catch {
        return null;
      }
    }
    return null;
  }

  /**
   * Write `bytes` (runtime/fs/layout.ts) into a new JCRE-owned persistent array. The array is
   * marked as the file system only once every byte is written: a power loss before leaves an
   * unmarked array that object deletion reclaims, never half a file system.
   */
  static create(rt: Jcre, bytes: Uint8Array): FsStore {
    if (FsStore.find(rt)) throw new Error('the card already has a file system');
    const files = decodeFiles(bytes);
    let h: number;
    try {
      h = rt.heap.newArray(Kind.ByteArray, bytes.length, JCRE_CONTEXT);
    } catch (e) {
      if (e instanceof HeapExhausted) throw new Error(`the file system (${bytes.length} bytes) does not fit in persistent memory`);
      throw e;
    }
    const o = rt.heap.get(h)!;
    rt.memory.eeprom.setBlockKind(o.offset, BlockKind.File); // the file region of the memory map
    rt.persistentWrite(o, 0, bytes.length, false, () => (o.data as Int8Array).set(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length)));
    o.native = { fileSystem: FS_RECORD } satisfies FsMark;
    return new FsStore(rt, h, files);
  }

  /** The array, or undefined if it has gone (never, while it is a root of object deletion). */
  get object(): HeapObject | undefined {
    return this.rt.heap.get(this.handle);
  }

  private get data(): Int8Array {
    return this.object!.data as Int8Array;
  }

  byte(offset: number): number {
    return this.data[offset]! & 0xff;
  }

  /** A copy of `length` bytes at `offset`. */
  read(offset: number, length: number): Uint8Array {
    const d = this.data;
    return new Uint8Array(d.buffer, d.byteOffset + offset, length).slice();
  }

  /** The array's elements, for reading in place (constant-time comparison). */
  view(): Int8Array {
    return this.data;
  }

  /** Write bytes at `offset`: all or nothing when `atomic` (journalled), else one counted write. */
  write(offset: number, bytes: Uint8Array, atomic: boolean): void {
    const o = this.object!;
    const d = o.data as Int8Array;
    this.rt.persistentWrite(o, offset, bytes.length, atomic, () => d.set(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length), offset));
  }

  writeByte(offset: number, value: number): void {
    const o = this.object!;
    this.rt.persistentWrite(o, offset, 1, false, () => (o.data[offset] = (value << 24) >> 24));
  }
}
