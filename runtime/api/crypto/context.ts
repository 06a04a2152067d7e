// What every crypto native shares on one card: the JCRE, the card's random source, and the
// reset generation that ends engine state (a Cipher or Signature in progress lives in RAM on a
// card and is lost at reset; persistent configuration lives in the objects' native records).

import { SysEx, VmCrash } from '../../../vm/errors.ts';
import { HeapExhausted } from '../../../vm/heap.ts';
import type { Vm } from '../../../vm/interpreter.ts';
import { Kind, type HeapObject } from '../../../vm/types.ts';
import type { Jcre } from '../../jcre.ts';
import { CardRandom } from './rng.ts';
import { cryptoThrow } from './util.ts';

export class CryptoContext {
  readonly random: CardRandom;
  /** Bumped at every card reset: engine states of an older generation are dropped. */
  generation = 0;

  constructor(readonly rt: Jcre, seed?: string) {
    this.random = new CardRandom(seed);
    rt.onReset.push(() => {
      this.generation++;
    });
  }

  fail(reason: number): never {
    return cryptoThrow(this.rt, reason);
  }

  /** The native record of `this` (stack[base]) when it is of `type`. */
  self<T>(vm: Vm, base: number, type: abstract new (...args: never[]) => T): T {
    const n = vm.deref(vm.stack[base]!).native;
    if (!(n instanceof type)) throw new VmCrash(`crypto native called on an object without its record (${vm.deref(vm.stack[base]!).cls?.name})`);
    return n;
  }

  /**
   * Store an IV in the algorithm object's IV array (made, or grown, on first need: at least
   * 16 bytes), zero-padded, as one write of card memory. Returns the array's handle.
   */
  storeIv(vm: Vm, ivHandle: number, iv: Uint8Array, owner: number): number {
    let h = ivHandle;
    if (!h || this.rt.heap.get(h)!.data.length < iv.length) h = this.newArray(vm, Kind.ByteArray, Math.max(16, iv.length), owner);
    const a = this.rt.heap.get(h)!;
    this.rt.persistentWrite(a, 0, a.data.length, true, () => {
      a.data.fill(0);
      a.data.set(new Int8Array(iv.buffer, iv.byteOffset, iv.length));
    });
    return h;
  }

  /** A persistent array owned by `owner` (SystemException NO_RESOURCE when memory is full). */
  newArray(vm: Vm, kind: Kind, length: number, owner: number): number {
    try {
      return this.rt.heap.newArray(kind, length, owner);
    } catch (e) {
      if (e instanceof HeapExhausted) vm.throwSys(SysEx.System, 5 /* NO_RESOURCE */);
      throw e;
    }
  }
}

/**
 * RAM state of an algorithm object in progress, keyed by the object: created at init, dropped
 * at reset (generation) and at the end of an operation.
 */
export class Engines<E> {
  private readonly map = new WeakMap<HeapObject, { gen: number; e: E }>();
  constructor(private readonly ctx: CryptoContext) {}

  get(o: HeapObject): E | undefined {
    const x = this.map.get(o);
    if (!x || x.gen !== this.ctx.generation) return undefined;
    return x.e;
  }

  set(o: HeapObject, e: E): E {
    this.map.set(o, { gen: this.ctx.generation, e });
    return e;
  }

  drop(o: HeapObject): void {
    this.map.delete(o);
  }
}
