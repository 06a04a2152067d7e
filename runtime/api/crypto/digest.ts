// javacard.security.MessageDigest (and MessageDigest.OneShot, 3.1) on node:crypto hashes.
// The persistent record is the algorithm; the hash in progress is engine (RAM) state.

import { createHash } from 'node:crypto';
import type { Vm } from '../../../vm/interpreter.ts';
import type { NativeTable } from '../registry.ts';
import type { MethodNatives } from './classes.ts';
import { CE, DIGESTS, SEC } from './consts.ts';
import { Engines, type CryptoContext } from './context.ts';
import { ResumableSha } from './sha.ts';
import { checkOut, cryptoThrow, readBytes, toBig, writeBytes } from './util.ts';

export class DigestState {
  closed = 0;
  constructor(
    readonly alg: number,
    /** An InitializedMessageDigest (hashes with a resumable engine). */
    readonly resumable = false,
  ) {}
}

/** What a hash in progress must do: node's Hash or a ResumableSha. */
export interface HashEngine {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
  copy(): HashEngine;
}

/**
 * A hash resumed from (stateBuf, off, len) after the message length in (lenBuf, off, len):
 * the chaining value and the whole blocks already hashed (API, setInitialDigest: the state
 * must be the algorithm's intermediate hash value size, and the length neither 0 nor a
 * partial block nor beyond the algorithm's maximum, else ILLEGAL_VALUE). A digest without a
 * resumable engine (SHA-3, SM3) is ILLEGAL_USE, as for a Signature without a digest.
 */
export function resumedHash(ctx: CryptoContext, vm: Vm, name: string, b: number): ResumableSha {
  if (!ResumableSha.supports(name)) cryptoThrow(ctx.rt, CE.ILLEGAL_USE);
  const sha = new ResumableSha(name);
  const state = readBytes(vm, vm.stack[b]!, vm.stack[b + 1]!, vm.stack[b + 2]!);
  const length = toBig(readBytes(vm, vm.stack[b + 3]!, vm.stack[b + 4]!, vm.stack[b + 5]!));
  if (state.length !== sha.stateLength || length === 0n || length % BigInt(sha.blockLength) !== 0n || length > sha.maxLength) {
    cryptoThrow(ctx.rt, CE.ILLEGAL_VALUE);
  }
  sha.setState(state, length);
  return sha;
}

/**
 * Feeds a hash in progress: ILLEGAL_USE when a resumed message would grow past the longest the
 * algorithm takes (API, MessageDigest.update / doFinal, Signature.update / sign).
 */
export function feedHash(ctx: CryptoContext, e: HashEngine, data: Uint8Array): void {
  if (e instanceof ResumableSha && e.length + BigInt(data.length) > e.maxLength) cryptoThrow(ctx.rt, CE.ILLEGAL_USE);
  e.update(data);
}

export function digestNatives(ctx: CryptoContext): NativeTable {
  const engines = new Engines<HashEngine>(ctx);
  const self = (vm: Vm, b: number): DigestState => {
    const s = ctx.self(vm, b, DigestState);
    if (s.closed) ctx.fail(CE.ILLEGAL_USE);
    return s;
  };
  const hash = (vm: Vm, b: number): HashEngine => {
    const o = vm.deref(vm.stack[b]!);
    const s = self(vm, b);
    const name = DIGESTS[s.alg]!.name;
    return engines.get(o) ?? engines.set(o, s.resumable && ResumableSha.supports(name) ? new ResumableSha(name) : createHash(name));
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
      feedHash(ctx, hash(vm, b), data);
    },
    'doFinal([BSS[BS)S': (vm, b) => {
      const s = self(vm, b);
      const data = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      checkOut(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, DIGESTS[s.alg]!.length);
      const e = hash(vm, b);
      feedHash(ctx, e, data);
      const digest = e.digest();
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
  const initialized: MethodNatives = {
    ...methods,
    'setInitialDigest([BSS[BSS)V': (vm, b) => {
      const s = self(vm, b);
      engines.set(vm.deref(vm.stack[b]!), resumedHash(ctx, vm, DIGESTS[s.alg]!.name, b + 1));
    },
  };
  const impl = ctx.rt.api.defineImplementation(`${SEC}/MessageDigest`, 'jcvm/security/MessageDigestImpl', methods);
  const initImpl = ctx.rt.api.defineImplementation(`${SEC}/InitializedMessageDigest`, 'jcvm/security/InitializedMessageDigestImpl', initialized);
  const make = (vm: Vm, alg: number, cls = impl, resumable = false): number => {
    if (!DIGESTS[alg]) ctx.fail(CE.NO_SUCH_ALGORITHM);
    if (resumable && !ResumableSha.supports(DIGESTS[alg]!.name)) ctx.fail(CE.NO_SUCH_ALGORITHM);
    const h = vm.newInstance(cls);
    ctx.rt.heap.get(h)!.native = new DigestState(alg, resumable);
    return h;
  };
  const MD = `${SEC}/MessageDigest`;
  const ONE = `${MD}$OneShot`;
  const IMD = `${SEC}/InitializedMessageDigest`;
  const IONE = `${IMD}$OneShot`;
  const t: NativeTable = {
    [`${MD}.getInstance(BZ)L${MD};`]: (vm, b) => make(vm, vm.stack[b]!),
    // Resumable from an intermediate state: MD5, RIPEMD-160, SHA-1, SHA-224/256/384/512 (sha.ts).
    [`${MD}.getInitializedMessageDigestInstance(BZ)L${IMD};`]: (vm, b) => make(vm, vm.stack[b]!, initImpl, true),
    [`${IONE}.open(B)L${IONE};`]: (vm, b) => make(vm, vm.stack[b]!, ctx.rt.api.cls(IONE), true),
    [`${IONE}.close()V`]: (vm, b) => {
      const s = self(vm, b);
      engines.drop(vm.deref(vm.stack[b]!));
      s.closed = 1;
    },
    [`${MD}.isIntermediateMessageDigestSupported(B)Z`]: (vm, b) => (DIGESTS[vm.stack[b]!] ? 1 : 0),
    [`${ONE}.open(B)L${ONE};`]: (vm, b) => make(vm, vm.stack[b]!, ctx.rt.api.cls(ONE)),
    [`${ONE}.close()V`]: (vm, b) => {
      const s = self(vm, b);
      engines.drop(vm.deref(vm.stack[b]!));
      s.closed = 1;
    },
  };
  for (const [k, fn] of Object.entries(methods)) t[`${ONE}.${k}`] = fn;
  for (const [k, fn] of Object.entries(initialized)) t[`${IONE}.${k}`] = fn;
  // API, MessageDigest.OneShot.update: "Always throws ... ILLEGAL_USE" (one doFinal only)
  t[`${ONE}.update([BSS)V`] = t[`${IONE}.update([BSS)V`] = () => ctx.fail(CE.ILLEGAL_USE);
  return t;
}
