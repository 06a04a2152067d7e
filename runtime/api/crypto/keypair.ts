// javacard.security.KeyPair: the two key objects, and genKeyPair for RSA (plain and CRT),
// EC over F(p), DSA and DH; keys without domain parameters get the default ones of their
// length (a named curve, a precomputed DSA set, a MODP group). Key generation draws from the card's random source; without a
// seed, RSA primes come from node:crypto (fast), with a seed from our own prime search so
// that a seeded card generates the same keys every run.

import { generateKeyPairSync, getDiffieHellman } from 'node:crypto';
import type { Vm } from '../../../vm/interpreter.ts';
import type { NativeTable } from '../registry.ts';
import { CE, KP, SEC, T } from './consts.ts';
import type { CryptoContext } from './context.ts';
import { DSA_DEFAULTS } from './dsa-params.ts';
import { curveOf, defaultCurve, domainBytes, EcError, encodePoint, publicFor, type DomainBytes } from './ec.ts';
import { F, type Keys, type KeyState } from './keys.ts';
import { generateRsa, type RsaKeyParts } from './rsa.ts';
import { fromBig, modPow, toBig } from './util.ts';

export class KeyPairState {
  constructor(
    readonly pub: number,
    readonly priv: number,
  ) {}
}

/** KeyPair.ALG_* -> public and private key types. */
const PAIRS: Record<number, [pub: number, priv: number] | undefined> = {
  [KP.RSA]: [T.RSA_PUBLIC, T.RSA_PRIVATE],
  [KP.RSA_CRT]: [T.RSA_PUBLIC, T.RSA_CRT_PRIVATE],
  [KP.DSA]: [T.DSA_PUBLIC, T.DSA_PRIVATE],
  [KP.EC_FP]: [T.EC_FP_PUBLIC, T.EC_FP_PRIVATE],
  [KP.DH]: [T.DH_PUBLIC, T.DH_PRIVATE],
};

/** DH key length -> the MODP group genKeyPair uses when no key has P and G (RFC 2409, RFC 3526). */
const DH_GROUPS: Record<number, string | undefined> = { 768: 'modp1', 1024: 'modp2', 1536: 'modp5', 2048: 'modp14', 3072: 'modp15', 4096: 'modp16' };

/** Public family -> the private families it pairs with. */
const MATCH: Record<number, number[]> = {
  [F.RSA_PUB]: [F.RSA_PRIV, F.RSA_CRT],
  [F.EC_PUB]: [F.EC_PRIV],
  [F.DSA_PUB]: [F.DSA_PRIV],
  [F.DH_PUB]: [F.DH_PRIV],
};

export function keyPairNatives(ctx: CryptoContext, keys: Keys): NativeTable {
  const KPC = `${SEC}/KeyPair`;
  const heap = ctx.rt.heap;
  const self = (vm: Vm, b: number): KeyPairState => {
    const n = vm.deref(vm.stack[b]!).native;
    if (!(n instanceof KeyPairState)) ctx.fail(CE.ILLEGAL_USE);
    return n;
  };
  const stateOf = (h: number): KeyState => heap.get(h)!.native as KeyState;

  const rsaParts = (bits: number, e: bigint): RsaKeyParts => {
    if (ctx.random.deterministic || e > BigInt(Number.MAX_SAFE_INTEGER)) {
      return generateRsa(bits, e, (n) => ctx.random.bytes(n), (m) => ctx.random.scalar(m));
    }
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: Number(e) });
    const j = privateKey.export({ format: 'jwk' });
    const big = (s: string | undefined): bigint => toBig(new Uint8Array(Buffer.from(s!, 'base64url')));
    return { n: big(j.n), e: big(j.e), d: big(j.d), p: big(j.p), q: big(j.q), dp: big(j.dp), dq: big(j.dq), qi: big(j.qi) };
  };

  /** Domain parameters of either key, else the default curve of the key length. */
  const ecDomain = (pub: KeyState, priv: KeyState): DomainBytes => {
    const complete = (k: KeyState): boolean => [0, 1, 2, 3, 4].every((i) => keys.has(k, i)) && keyHasK(k);
    const keyHasK = (k: KeyState): boolean => {
      try {
        keys.ecK(k);
        return true;
      } catch {
        return false;
      }
    };
    if (complete(pub)) return keys.ecDomain(pub);
    if (complete(priv)) return keys.ecDomain(priv);
    const nc = defaultCurve(pub.size);
    if (!nc) ctx.fail(CE.ILLEGAL_VALUE);
    return domainBytes(nc);
  };

  const generate = (vm: Vm, b: number): void => {
    const s = self(vm, b);
    const pub = stateOf(s.pub), priv = stateOf(s.priv);
    switch (pub.family) {
      case F.RSA_PUB: {
        const e = keys.has(pub, 1) ? toBig(keys.get(pub, 1)) : 65537n;
        if (e < 3n || (e & 1n) === 0n) ctx.fail(CE.ILLEGAL_VALUE);
        const r = rsaParts(pub.size, e);
        const len = pub.size / 8;
        keys.set(pub, 0, fromBig(r.n, len));
        keys.set(pub, 1, fromBig(r.e));
        if (priv.family === F.RSA_PRIV) {
          keys.set(priv, 0, fromBig(r.n, len));
          keys.set(priv, 1, fromBig(r.d, len));
        } else {
          const half = Math.ceil(len / 2);
          [r.p, r.q, r.dp, r.dq, r.qi].forEach((v, i) => keys.set(priv, i, fromBig(v, half)));
        }
        return;
      }
      case F.EC_PUB: {
        const d = ecDomain(pub, priv);
        let c;
        try {
          c = curveOf(d);
        } catch (e) {
          if (e instanceof EcError) ctx.fail(CE.ILLEGAL_VALUE);
          throw e;
        }
        const sk = ctx.random.scalar(c.n);
        const w = encodePoint(c, publicFor(c, sk));
        for (const k of [pub, priv]) {
          [d.field, d.a, d.b, d.g, d.r].forEach((v, i) => keys.set(k, i, v));
          keys.setEcK(k, d.k);
        }
        keys.set(pub, 5, w);
        keys.set(priv, 5, fromBig(sk, Math.ceil(c.n.toString(2).length / 8)));
        return;
      }
      case F.DSA_PUB:
      case F.DH_PUB: {
        const src = [0, 2].every((i) => keys.has(pub, i)) ? pub : [0, 2].every((i) => keys.has(priv, i)) ? priv : null;
        let p: bigint, q: bigint | null, g: bigint;
        if (src) {
          p = toBig(keys.get(src, 0));
          g = toBig(keys.get(src, 2));
          q = keys.has(src, 1) ? toBig(keys.get(src, 1)) : null;
        } else if (pub.family === F.DSA_PUB && DSA_DEFAULTS[pub.size]) {
          // the default precomputed set of the key length (dsa-params.ts)
          const d = DSA_DEFAULTS[pub.size]!;
          [p, q, g] = [d.p, d.q, d.g].map((x) => BigInt(`0x${x}`)) as [bigint, bigint, bigint];
        } else if (pub.family === F.DH_PUB && DH_GROUPS[pub.size]) {
          // RFC 2409 / RFC 3526 MODP groups: safe primes, q = (p - 1) / 2
          const group = getDiffieHellman(DH_GROUPS[pub.size]!);
          p = toBig(new Uint8Array(group.getPrime()));
          g = toBig(new Uint8Array(group.getGenerator()));
          q = (p - 1n) / 2n;
        } else {
          return ctx.fail(CE.ILLEGAL_VALUE);
        }
        if (pub.family === F.DSA_PUB && q === null) ctx.fail(CE.ILLEGAL_VALUE);
        const x = ctx.random.scalar(q ?? p - 1n);
        const y = modPow(g, x, p);
        for (const k of [pub, priv]) {
          keys.set(k, 0, fromBig(p));
          if (q !== null) keys.set(k, 1, fromBig(q));
          keys.set(k, 2, fromBig(g));
        }
        keys.set(pub, 3, fromBig(y));
        keys.set(priv, 3, fromBig(x));
        return;
      }
      default:
        ctx.fail(CE.ILLEGAL_VALUE);
    }
  };

  return {
    [`${KPC}.<init>(BS)V`]: (vm, b) => {
      const alg = vm.stack[b + 1]!, bits = vm.stack[b + 2]!;
      const types = PAIRS[alg];
      if (!types) ctx.fail(CE.NO_SUCH_ALGORITHM);
      const pub = keys.buildByType(vm, types[0], bits);
      const priv = keys.buildByType(vm, types[1], bits);
      vm.deref(vm.stack[b]!).native = new KeyPairState(pub, priv);
    },
    [`${KPC}.<init>(L${SEC}/PublicKey;L${SEC}/PrivateKey;)V`]: (vm, b) => {
      const pubH = vm.stack[b + 1]!, privH = vm.stack[b + 2]!;
      const pub = keys.state(vm, pubH), priv = keys.state(vm, privH);
      if (!(MATCH[pub.family] ?? []).includes(priv.family) || pub.size !== priv.size) ctx.fail(CE.ILLEGAL_VALUE);
      vm.deref(vm.stack[b]!).native = new KeyPairState(pubH, privH);
    },
    [`${KPC}.genKeyPair()V`]: generate,
    [`${KPC}.genKeyPair(L${SEC}/AlgorithmParameterSpec;)V`]: (vm, b) => {
      if (vm.stack[b + 1]) ctx.fail(CE.ILLEGAL_VALUE);
      generate(vm, b);
    },
    [`${KPC}.getPublic()L${SEC}/PublicKey;`]: (vm, b) => self(vm, b).pub,
    [`${KPC}.getPrivate()L${SEC}/PrivateKey;`]: (vm, b) => self(vm, b).priv,
  };
}
