// Helpers shared by the crypto natives: argument bytes, results written into Java Card
// arrays, CryptoException, and big-endian byte strings as BigInt.

import { SysEx } from '../../../vm/errors.ts';
import type { Vm } from '../../../vm/interpreter.ts';
import type { HeapObject } from '../../../vm/types.ts';
import type { Jcre } from '../../jcre.ts';
import { checkRange } from '../common.ts';
import { CRYPTO_EX } from './consts.ts';

/** Throws the JCRE-owned CryptoException with `reason`. */
export function cryptoThrow(rt: Jcre, reason: number): never {
  return rt.throwException(CRYPTO_EX, reason);
}

/** A byte array argument (NullPointerException when null). */
export function byteArray(vm: Vm, handle: number): HeapObject {
  return vm.deref(handle);
}

/** A copy of bytes [off, off+len) of a byte array argument (NPE / AIOOBE as the framework does). */
export function readBytes(vm: Vm, handle: number, off: number, len: number): Uint8Array {
  const o = vm.deref(handle);
  checkRange(vm, o, off, len);
  return new Uint8Array(o.data.buffer, o.data.byteOffset + off, len).slice();
}

/** Checks that [off, off+len) lies within the output array (NPE / AIOOBE) before anything is computed. */
export function checkOut(vm: Vm, handle: number, off: number, len: number): HeapObject {
  const o = vm.deref(handle);
  checkRange(vm, o, off, len);
  return o;
}

/** Writes `bytes` at `off` of a byte array argument (NPE / AIOOBE); returns bytes.length. */
export function writeBytes(vm: Vm, handle: number, off: number, bytes: Uint8Array): number {
  const o = vm.deref(handle);
  checkRange(vm, o, off, bytes.length);
  // Output into a persistent array is a persistent write (counted, journalled in a transaction).
  if (o.transience === 0) {
    if (vm.barrier !== null && bytes.length) vm.barrier.beforeWrite(o.offset + off, bytes.length);
  } else if (vm.countTransient && bytes.length) vm.transientWrites++;
  o.data.set(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length), off);
  return bytes.length;
}

/** The bytes of a byte array object (a view, not a copy). */
export function viewOf(o: HeapObject): Uint8Array {
  return new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.length);
}

export { concat } from '../../../loader/bytes.ts';

export function toBig(bytes: Uint8Array): bigint {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex ? BigInt('0x' + hex) : 0n;
}

/** Big-endian bytes of `v`, left-padded with zeros to `len` (or minimal when len is 0). */
export function fromBig(v: bigint, len = 0): Uint8Array {
  let hex = v.toString(16);
  if (hex.length & 1) hex = '0' + hex;
  if (hex === '00') hex = '';
  const raw = Buffer.from(hex, 'hex');
  if (len === 0) return raw.length ? new Uint8Array(raw) : new Uint8Array(1);
  if (raw.length > len) throw new RangeError(`value of ${raw.length} bytes does not fit in ${len}`);
  const out = new Uint8Array(len);
  out.set(raw, len - raw.length);
  return out;
}

export function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  if (mod === 1n) return 0n;
  let r = 1n;
  let b = base % mod;
  if (b < 0n) b += mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % mod;
    e >>= 1n;
    if (e > 0n) b = (b * b) % mod;
  }
  return r;
}

/** Modular inverse (throws RangeError when there is none). */
export function modInv(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return ((s0 % m) + m) % m;
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** Strips leading zero bytes (keeps at least one byte). */
export function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

export { sameBytes } from '../../constant-time.ts';

export function xorInto(dst: Uint8Array, src: Uint8Array): void {
  for (let i = 0; i < dst.length; i++) dst[i] ^= src[i]!;
}

/** A NativeFn-style arg reader: word i of the frame at `base`. */
export function arg(vm: Vm, base: number, i: number): number {
  return vm.stack[base + i]!;
}

export { SysEx };
