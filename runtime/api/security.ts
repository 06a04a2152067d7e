// javacard.security natives (Java Card 3.1 API). For now MessageDigest, computed with
// node:crypto; the rest of the crypto API comes with its own issue.

import { createHash, type Hash } from 'node:crypto';
import type { Vm } from '../../vm/interpreter.ts';
import type { Jcre } from '../jcre.ts';
import { array, checkRange } from './common.ts';
import type { NativeTable } from './registry.ts';

const SEC = 'javacard/security';
const CRYPTO_EX = `${SEC}/CryptoException`;
const NO_SUCH_ALGORITHM = 3;

/** MessageDigest.ALG_* -> node:crypto name and digest length. */
const DIGESTS: Record<number, { name: string; length: number }> = {
  1: { name: 'sha1', length: 20 }, // ALG_SHA
  2: { name: 'md5', length: 16 }, // ALG_MD5
  3: { name: 'ripemd160', length: 20 }, // ALG_RIPEMD160
  4: { name: 'sha256', length: 32 }, // ALG_SHA_256
  5: { name: 'sha384', length: 48 }, // ALG_SHA_384
  6: { name: 'sha512', length: 64 }, // ALG_SHA_512
  7: { name: 'sha224', length: 28 }, // ALG_SHA_224
};

interface DigestState {
  alg: number;
  hash: Hash;
}

/** Called once the API registry exists: defines the concrete MessageDigest class. */
export function securityNatives(rt: Jcre): NativeTable {
  const state = (vm: Vm, b: number): DigestState => vm.deref(vm.stack[b]!).native as DigestState;
  const input = (vm: Vm, h: number, off: number, len: number): Uint8Array => {
    const a = array(vm, h);
    checkRange(vm, a, off, len);
    return new Uint8Array(a.data.buffer, a.data.byteOffset + off, len);
  };
  const impl = rt.api.defineImplementation(`${SEC}/MessageDigest`, 'jcvm/security/MessageDigestImpl', {
    'getAlgorithm()B': (vm, b) => state(vm, b).alg,
    'getLength()B': (vm, b) => DIGESTS[state(vm, b).alg]!.length,
    'reset()V': (vm, b) => {
      const s = state(vm, b);
      s.hash = createHash(DIGESTS[s.alg]!.name);
    },
    'update([BSS)V': (vm, b) => {
      state(vm, b).hash.update(input(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!));
    },
    'doFinal([BSS[BS)S': (vm, b) => {
      const s = state(vm, b);
      s.hash.update(input(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!));
      const digest = s.hash.digest();
      s.hash = createHash(DIGESTS[s.alg]!.name);
      const out = array(vm, vm.stack[b + 4]!), off = vm.stack[b + 5]!;
      checkRange(vm, out, off, digest.length);
      out.data.set(new Int8Array(digest.buffer, digest.byteOffset, digest.length), off);
      return digest.length;
    },
  });
  return {
    [`${SEC}/MessageDigest.getInstance(BZ)L${SEC}/MessageDigest;`]: (vm, b) => {
      const alg = vm.stack[b]!;
      const d = DIGESTS[alg];
      if (!d) rt.throwException(CRYPTO_EX, NO_SUCH_ALGORITHM);
      const h = vm.newInstance(impl);
      rt.heap.get(h)!.native = { alg, hash: createHash(d.name) } satisfies DigestState;
      return h;
    },
  };
}
