// Helpers shared by the native implementations of the API.

import { SysEx } from '../../vm/errors.ts';
import type { Vm } from '../../vm/interpreter.ts';
import type { HeapObject } from '../../vm/types.ts';

export const FW = 'javacard/framework';

/** The array behind a reference argument, or NullPointerException. */
export function array(vm: Vm, handle: number): HeapObject {
  return vm.deref(handle);
}

/** Throws ArrayIndexOutOfBoundsException unless [off, off+len) lies within `o`. */
export function checkRange(vm: Vm, o: HeapObject, off: number, len: number): void {
  if (off < 0 || len < 0 || off + len > o.data.length) vm.throwSys(SysEx.ArrayIndexOutOfBounds);
}

export function bytesOf(vm: Vm, handle: number, off: number, len: number): Uint8Array {
  const o = array(vm, handle);
  checkRange(vm, o, off, len);
  return new Uint8Array(o.data.buffer, o.data.byteOffset + off, len).slice();
}
