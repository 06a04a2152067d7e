// Objects are 16-bit handles into a handle table, as on a card: handle 0 is null, and
// references are stored as handles in fields, arrays, static images and the operand stack.

import { VmCrash } from './errors.ts';
import { HeapObject, Kind, Transience, type VmClass } from './types.ts';

/** Handles are kept positive in a signed 16-bit word. */
export const MAX_HANDLE = 0x7fff;

/**
 * Out of handles or memory: the VM turns it into SystemException with `reason`
 * (NO_RESOURCE = 5 for persistent memory and handles, NO_TRANSIENT_SPACE = 2 for RAM).
 */
export class HeapExhausted extends Error {
  constructor(
    what: string,
    readonly reason = 5,
  ) {
    super(`out of memory: ${what}`);
  }
}

/**
 * Where object data lives. The card's storage places persistent objects in its EEPROM image
 * and transient arrays in its RAM image (runtime/memory); the default keeps each in its own
 * ArrayBuffer.
 */
export interface Storage {
  /** `bytes` zeroed bytes, 4-byte aligned, for an object of the given transience. Throws HeapExhausted. */
  allocate(bytes: number, transience: Transience): { buffer: ArrayBuffer; offset: number };
  release(obj: HeapObject): void;
}

/**
 * Called before every store into persistent object data or a static field image, with the
 * store's byte offset in the storage buffer and its length: one call per bytecode store.
 * It counts the write, journals it inside a transaction, and may lose power there (tearing).
 */
export interface WriteBarrier {
  beforeWrite(byteOffset: number, length: number): void;
}

export class JsStorage implements Storage {
  allocate(bytes: number): { buffer: ArrayBuffer; offset: number } {
    return { buffer: new ArrayBuffer(bytes), offset: 0 };
  }
  release(): void {}
}

const BYTES_PER_ELEMENT: Record<number, number> = {
  [Kind.Instance]: 2,
  [Kind.BooleanArray]: 1,
  [Kind.ByteArray]: 1,
  [Kind.ShortArray]: 2,
  [Kind.IntArray]: 4,
  [Kind.RefArray]: 2,
};

export class Heap {
  /** Indexed by handle; slot 0 stays empty (null). */
  readonly objects: (HeapObject | undefined)[] = [undefined];
  private free: number[] = [];
  /** Bumped whenever a handle is taken or freed (the card image's quick change check). */
  mutations = 0;
  /** Handles taken since the heap was made (objects allocated; jcvm --stats). */
  allocations = 0;
  /** While a transaction is open: the handles allocated since it began (JCRE 7.6.3). */
  allocationLog: number[] | null = null;
  /**
   * Bytes of object data each owner (context) holds, as the memory report counts them (block
   * headers aside): persistent at 2 × owner, transient (RAM contents) at 2 × owner + 1. Kept
   * only while limits are set (recounted when they are): without limits, allocating and
   * releasing cost one null check more.
   */
  private use: Float64Array<ArrayBuffer> = new Float64Array(64);
  /** Limits in the same layout (Infinity: none), or null while no owner has one. */
  private limits: Float64Array<ArrayBuffer> | null = null;

  constructor(readonly storage: Storage = new JsStorage()) {}

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
    this.mutations++;
    this.allocations++;
    this.allocationLog?.push(handle);
    return handle;
  }

  release(handle: number): void {
    const o = this.objects[handle];
    if (handle > 0 && o) {
      if (this.limits !== null) this.use[2 * o.owner + (o.transience === Transience.Persistent ? 0 : 1)]! -= o.data.byteLength;
      this.storage.release(o);
      this.objects[handle] = undefined;
      this.free.push(handle);
      this.mutations++;
    }
  }

  newInstance(cls: VmClass, owner: number): number {
    return this.make(Kind.Instance, cls, cls.instanceCells, owner, Transience.Persistent);
  }

  newArray(kind: Kind, length: number, owner: number, elemClass: VmClass | null = null, transience = Transience.Persistent): number {
    return this.make(kind, elemClass, length, owner, transience);
  }

  private make(kind: Kind, cls: VmClass | null, length: number, owner: number, transience: Transience): number {
    if (this.free.length === 0 && this.objects.length > MAX_HANDLE) throw new HeapExhausted('no free object handle');
    const bpe = BYTES_PER_ELEMENT[kind];
    if (bpe === undefined || !Number.isInteger(length) || length < 0) throw new VmCrash(`no object of kind ${kind} and length ${length}`);
    const bytes = length * bpe;
    if (this.limits !== null) this.charge(owner, transience, bytes);
    const { buffer, offset } = this.storage.allocate(bytes, transience);
    const handle = this.add(new HeapObject(kind, cls, Heap.view(kind, buffer, offset, length), owner, transience));
    if (this.limits !== null) this.use[2 * owner + (transience === Transience.Persistent ? 0 : 1)]! += bytes;
    return handle;
  }

  /** Refuses `bytes` more for `owner` over its limit (GP memory quotas), as when the memory is full. */
  private charge(owner: number, transience: Transience, bytes: number): void {
    const slot = 2 * owner + (transience === Transience.Persistent ? 0 : 1);
    if (slot >= this.use.length) this.use = grown(this.use, slot, 0);
    const limit = this.limits![slot] ?? Infinity;
    if (this.use[slot]! + bytes > limit) {
      const what = transience === Transience.Persistent ? 'persistent' : 'transient';
      throw new HeapExhausted(`the memory quota of context ${owner} (${limit} bytes ${what}, ${this.use[slot]} used)`, transience === Transience.Persistent ? 5 : 2);
    }
  }

  /** Bytes of object data `owner` holds in persistent memory, or in RAM (`transient`); counted from the objects when no limit is set. */
  used(owner: number, transient = false): number {
    if (this.limits !== null) return this.use[2 * owner + (transient ? 1 : 0)] ?? 0;
    let n = 0;
    for (const o of this.objects) if (o && o.owner === owner && (o.transience !== Transience.Persistent) === transient) n += o.data.byteLength;
    return n;
  }

  /**
   * Sets the limits of object data per owner (GP memory quotas): `persistent` and `transient`
   * bytes, undefined for none. Replaces every limit set before; an empty map clears them.
   */
  setLimits(limits: ReadonlyMap<number, { persistent?: number; transient?: number }>): void {
    if (limits.size === 0) {
      this.limits = null;
      return;
    }
    if (this.limits === null) this.recount();
    let l = new Float64Array(0);
    for (const [owner, q] of limits) {
      if (2 * owner + 1 >= l.length) l = grown(l, 2 * owner + 1, Infinity);
      l[2 * owner] = q.persistent ?? Infinity;
      l[2 * owner + 1] = q.transient ?? Infinity;
    }
    if (l.length > this.use.length) this.use = grown(this.use, l.length - 1, 0); // every limited slot has a counter
    this.limits = l;
  }

  /** The typed view an object of `kind` uses over its `length` elements at `offset` of `buffer`. */
  static view(kind: Kind, buffer: ArrayBuffer, offset: number, length: number): Int8Array | Int16Array | Int32Array | Uint16Array {
    switch (kind) {
      case Kind.BooleanArray:
      case Kind.ByteArray: return new Int8Array(buffer, offset, length);
      case Kind.Instance:
      case Kind.ShortArray: return new Int16Array(buffer, offset, length);
      case Kind.IntArray: return new Int32Array(buffer, offset, length);
      case Kind.RefArray: return new Uint16Array(buffer, offset, length);
      default: throw new VmCrash(`no object of kind ${kind}`);
    }
  }

  /** The free handles below the top, in the order they will be reused (for the card image). */
  get freeHandles(): readonly number[] {
    return this.free;
  }

  /**
   * Replace the whole handle table (a card image being opened): `objects[h]` for every
   * handle, `free` the reusable handles below the top in reuse order.
   */
  restore(objects: (HeapObject | undefined)[], free: number[]): void {
    if (objects[0] !== undefined) throw new VmCrash('handle 0 is null and holds no object');
    this.objects.length = 0;
    for (const o of objects) this.objects.push(o);
    this.free = free.slice();
    this.allocationLog = null;
    this.mutations++;
    if (this.limits !== null) this.recount();
  }

  /** The per-owner counters from the objects. */
  private recount(): void {
    this.use.fill(0);
    for (const o of this.objects) {
      if (!o) continue;
      const slot = 2 * o.owner + (o.transience === Transience.Persistent ? 0 : 1);
      if (slot >= this.use.length) this.use = grown(this.use, slot, 0);
      this.use[slot]! += o.data.byteLength;
    }
  }

  /** Every handle of an object matching `pred`. */
  *handles(pred: (o: HeapObject) => boolean): Iterable<number> {
    for (let h = 1; h < this.objects.length; h++) {
      const o = this.objects[h];
      if (o && pred(o)) yield h;
    }
  }
}

/** `a` copied into a longer array that has index `at`, new entries `fill`. */
function grown(a: Float64Array<ArrayBuffer>, at: number, fill: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(2 * a.length, (at + 2) & ~1, 64)).fill(fill);
  b.set(a);
  return b;
}
