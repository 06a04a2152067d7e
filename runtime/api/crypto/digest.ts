// javacard.security.MessageDigest (and MessageDigest.OneShot, 3.1) on node:crypto hashes.
// The persistent record is the algorithm; the hash in progress is engine (RAM) state.

import { createHash, type Hash } from 'node:crypto';
import type { Vm } from '../../../vm/interpreter.ts';
import type { NativeTable } from '../registry.ts';
import type { MethodNatives } from './classes.ts';
import { CE, DIGESTS, SEC } from './consts.ts';
import { Engines, type CryptoContext } from './context.ts';
import { checkOut, readBytes, writeBytes } from './util.ts';

export class DigestState {
  closed = 0;
  constructor(readonly alg: number) {}
}

export function digestNatives(ctx: CryptoContext): NativeTable {
  const engines = new Engines<Hash>(ctx);
  const self = (vm: Vm, b: number): DigestState => {
    const s = ctx.self(vm, b, DigestState);
    if (s.closed) ctx.fail(CE.ILLEGAL_USE);
    return s;
  };
  const hash = (vm: Vm, b: number): Hash => {
    const o = vm.deref(vm.stack[b]!);
    const s = self(vm, b);
    return engines.get(o) ?? engines.set(o, createHash(DIGESTS[s.alg]!.name));
  };
  const methods: MethodNatives = {
    'getAlgorithm()B': (vm, b) => self(vm, b).alg,
    'getLength()B': (vm, b) => DIGESTS[self(vm, b).alg]!.length,
    'reset()V': (vm, b) => {
      self(vm, b);
      engines.drop(vm.deref(vm.stack[b]!));
    },
    'update([BSS)V': (vm, b) => {
      const data = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      hash(vm, b).update(data);
    },
    'doFinal([BSS[BS)S': (vm, b) => {
      const s = self(vm, b);
      const data = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      checkOut(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, DIGESTS[s.alg]!.length);
      const digest = hash(vm, b).update(data).digest();
      engines.drop(vm.deref(vm.stack[b]!));
      return writeBytes(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, new Uint8Array(digest));
    },
    'doIntermediateMessageDigest([BS)S': (vm, b) => {
      const s = self(vm, b);
      checkOut(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, DIGESTS[s.alg]!.length);
      const digest = hash(vm, b).copy().digest();
      return writeBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, new Uint8Array(digest));
    },
  };
  const impl = ctx.rt.api.defineImplementation(`${SEC}/MessageDigest`, 'jcvm/security/MessageDigestImpl', methods);
  const make = (vm: Vm, alg: number, cls = impl): number => {
    if (!DIGESTS[alg]) ctx.fail(CE.NO_SUCH_ALGORITHM);
    const h = vm.newInstance(cls);
    ctx.rt.heap.get(h)!.native = new DigestState(alg);
    return h;
  };
  const MD = `${SEC}/MessageDigest`;
  const ONE = `${MD}$OneShot`;
  const t: NativeTable = {
    [`${MD}.getInstance(BZ)L${MD};`]: (vm, b) => make(vm, vm.stack[b]!),
    // Setting an intermediate hash state (InitializedMessageDigest.setInitialDigest) needs the
    // hash's internal state, which node:crypto does not expose.
    [`${MD}.getInitializedMessageDigestInstance(BZ)L${SEC}/InitializedMessageDigest;`]: () => ctx.fail(CE.NO_SUCH_ALGORITHM),
    [`${MD}.isIntermediateMessageDigestSupported(B)Z`]: (vm, b) => (DIGESTS[vm.stack[b]!] ? 1 : 0),
    [`${ONE}.open(B)L${ONE};`]: (vm, b) => make(vm, vm.stack[b]!, ctx.rt.api.cls(ONE)),
    [`${ONE}.close()V`]: (vm, b) => {
      const s = self(vm, b);
      engines.drop(vm.deref(vm.stack[b]!));
      s.closed = 1;
    },
  };
  for (const [k, fn] of Object.entries(methods)) t[`${ONE}.${k}`] = fn;
  return t;
}
