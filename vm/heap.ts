// Objects are 16-bit handles into a handle table, as on a card: handle 0 is null, and
// references are stored as handles in fields, arrays, static images and the operand stack.

import { HeapObject, Kind, Transience, type VmClass } from './types.ts';

/** Handles are kept positive in a signed 16-bit word. */
export const MAX_HANDLE = 0x7fff;

/** Out of handles or memory: the runtime turns it into SystemException.NO_RESOURCE. */
export class HeapExhausted extends Error {
  constructor(what: string) {
    super(`out of memory: ${what}`);
  }
}

export class Heap {
  /** Indexed by handle; slot 0 stays empty (null). */
  readonly objects: (HeapObject | undefined)[] = [undefined];
  private free: number[] = [];

  get(handle: number): HeapObject | undefined {
    return this.objects[handle];
  }

  /** Number of live objects. */
  get count(): number {
    return this.objects.length - 1 - this.free.length;
  }

  add(obj: HeapObject): number {
    const handle = this.free.length ? this.free.pop()! : this.objects.length;
    if (handle > MAX_HANDLE) throw new HeapExhausted('no free object handle');
    this.objects[handle] = obj;
    return handle;
  }

  release(handle: number): void {
    if (handle > 0 && this.objects[handle]) {
      this.objects[handle] = undefined;
      this.free.push(handle);
    }
  }

  newInstance(cls: VmClass, owner: number): number {
    return this.add(new HeapObject(Kind.Instance, cls, new Int16Array(cls.instanceCells), owner, Transience.Persistent));
  }

  newArray(kind: Kind, length: number, owner: number, elemClass: VmClass | null = null, transience = Transience.Persistent): number {
    let data: Int8Array | Int16Array | Int32Array | Uint16Array;
    switch (kind) {
      case Kind.BooleanArray:
      case Kind.ByteArray: data = new Int8Array(length); break;
      case Kind.ShortArray: data = new Int16Array(length); break;
      case Kind.IntArray: data = new Int32Array(length); break;
      default: data = new Uint16Array(length); break;
    }
    return this.add(new HeapObject(kind, elemClass, data, owner, transience));
  }

  /** Every handle of an object matching `pred`. */
  *handles(pred: (o: HeapObject) => boolean): Iterable<number> {
    for (let h = 1; h < this.objects.length; h++) {
      const o = this.objects[h];
      if (o && pred(o)) yield h;
    }
  }
}
