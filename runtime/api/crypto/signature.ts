// javacard.security.Signature and Signature.OneShot: HMAC, DES and AES CBC-MACs (ISO/IEC
// 9797-1 algorithms 1 and 3 with paddings M1/M2/PKCS#5), AES-CMAC (NIST SP 800-38B), RSA
// PKCS#1 v1.5 and PSS, ECDSA (DER as Java Card answers it, or plain r||s), DSA. The
// persistent record holds the algorithm, the key's handle, the mode and the MAC IV; the
// message in progress (a hash or the buffered bytes) is engine state, lost at reset.

import { createHash, createHmac, type Hmac } from 'node:crypto';
import type { Vm } from '../../../vm/interpreter.ts';
import type { HeapObject } from '../../../vm/types.ts';
import type { NativeTable } from '../registry.ts';
import { blockCrypt, blockLength, pad } from './blocks.ts';
import type { MethodNatives } from './classes.ts';
import { CE, DIGESTS, MD, MODE_SIGN, MODE_VERIFY, PAD, SA, SC, SEC } from './consts.ts';
import { Engines, type CryptoContext } from './context.ts';
import { feedHash, resumedHash, type HashEngine } from './digest.ts';
import { decodePoint, derMaxLength, derSignature, ecdsaSign, ecdsaVerify, EcError, parseDerSignature } from './ec.ts';
import { F, type Keys, type KeyState } from './keys.ts';
import { pkcs1Type1, pssEncode, pssVerify, rsaPrivateOp, rsaPublicOp, RsaError } from './rsa.ts';
import { bitLength, checkOut, concat, fromBig, modInv, modPow, readBytes, sameBytes, toBig, viewOf, writeBytes, xorInto } from './util.ts';

/** Signature.ALG_* -> message digest, signature cipher, padding. */
const ALGS: Record<number, [md: number, cipher: number, padding: number] | undefined> = {
  [SA.DES_MAC4_NOPAD]: [MD.NULL, SC.DES_MAC4, PAD.NOPAD],
  [SA.DES_MAC8_NOPAD]: [MD.NULL, SC.DES_MAC8, PAD.NOPAD],
  [SA.DES_MAC4_ISO9797_M1]: [MD.NULL, SC.DES_MAC4, PAD.ISO9797_M1],
  [SA.DES_MAC8_ISO9797_M1]: [MD.NULL, SC.DES_MAC8, PAD.ISO9797_M1],
  [SA.DES_MAC4_ISO9797_M2]: [MD.NULL, SC.DES_MAC4, PAD.ISO9797_M2],
  [SA.DES_MAC8_ISO9797_M2]: [MD.NULL, SC.DES_MAC8, PAD.ISO9797_M2],
  [SA.DES_MAC4_PKCS5]: [MD.NULL, SC.DES_MAC4, PAD.PKCS5],
  [SA.DES_MAC8_PKCS5]: [MD.NULL, SC.DES_MAC8, PAD.PKCS5],
  [SA.DES_MAC4_ISO9797_1_M2_ALG3]: [MD.NULL, SC.DES_MAC4, PAD.ISO9797_1_M2_ALG3],
  [SA.DES_MAC8_ISO9797_1_M2_ALG3]: [MD.NULL, SC.DES_MAC8, PAD.ISO9797_1_M2_ALG3],
  [SA.DES_MAC4_ISO9797_1_M1_ALG3]: [MD.NULL, SC.DES_MAC4, PAD.ISO9797_1_M1_ALG3],
  [SA.DES_MAC8_ISO9797_1_M1_ALG3]: [MD.NULL, SC.DES_MAC8, PAD.ISO9797_1_M1_ALG3],
  [SA.AES_MAC_128_NOPAD]: [MD.NULL, SC.AES_MAC128, PAD.NOPAD],
  [SA.AES_CMAC_128]: [MD.NULL, SC.AES_CMAC128, PAD.NULL],
  [SA.RSA_SHA_PKCS1]: [MD.SHA, SC.RSA, PAD.PKCS1],
  [SA.RSA_MD5_PKCS1]: [MD.MD5, SC.RSA, PAD.PKCS1],
  [SA.RSA_RIPEMD160_PKCS1]: [MD.RIPEMD160, SC.RSA, PAD.PKCS1],
  [SA.RSA_SHA_224_PKCS1]: [MD.SHA_224, SC.RSA, PAD.PKCS1],
  [SA.RSA_SHA_256_PKCS1]: [MD.SHA_256, SC.RSA, PAD.PKCS1],
  [SA.RSA_SHA_384_PKCS1]: [MD.SHA_384, SC.RSA, PAD.PKCS1],
  [SA.RSA_SHA_512_PKCS1]: [MD.SHA_512, SC.RSA, PAD.PKCS1],
  [SA.RSA_SHA_PKCS1_PSS]: [MD.SHA, SC.RSA, PAD.PKCS1_PSS],
  [SA.RSA_MD5_PKCS1_PSS]: [MD.MD5, SC.RSA, PAD.PKCS1_PSS],
  [SA.RSA_RIPEMD160_PKCS1_PSS]: [MD.RIPEMD160, SC.RSA, PAD.PKCS1_PSS],
  [SA.RSA_SHA_224_PKCS1_PSS]: [MD.SHA_224, SC.RSA, PAD.PKCS1_PSS],
  [SA.RSA_SHA_256_PKCS1_PSS]: [MD.SHA_256, SC.RSA, PAD.PKCS1_PSS],
  [SA.RSA_SHA_384_PKCS1_PSS]: [MD.SHA_384, SC.RSA, PAD.PKCS1_PSS],
  [SA.RSA_SHA_512_PKCS1_PSS]: [MD.SHA_512, SC.RSA, PAD.PKCS1_PSS],
  [SA.DSA_SHA]: [MD.SHA, SC.DSA, PAD.NULL],
  [SA.ECDSA_SHA]: [MD.SHA, SC.ECDSA, PAD.NULL],
  [SA.ECDSA_SHA_224]: [MD.SHA_224, SC.ECDSA, PAD.NULL],
  [SA.ECDSA_SHA_256]: [MD.SHA_256, SC.ECDSA, PAD.NULL],
  [SA.ECDSA_SHA_384]: [MD.SHA_384, SC.ECDSA, PAD.NULL],
  [SA.ECDSA_SHA_512]: [MD.SHA_512, SC.ECDSA, PAD.NULL],
  [SA.HMAC_SHA1]: [MD.SHA, SC.HMAC, PAD.NULL],
  [SA.HMAC_SHA_256]: [MD.SHA_256, SC.HMAC, PAD.NULL],
  [SA.HMAC_SHA_384]: [MD.SHA_384, SC.HMAC, PAD.NULL],
  [SA.HMAC_SHA_512]: [MD.SHA_512, SC.HMAC, PAD.NULL],
  [SA.HMAC_MD5]: [MD.MD5, SC.HMAC, PAD.NULL],
  [SA.HMAC_RIPEMD160]: [MD.RIPEMD160, SC.HMAC, PAD.NULL],
};

const MAC_PADS = [PAD.NOPAD, PAD.ISO9797_M1, PAD.ISO9797_M2, PAD.PKCS5];

function pairSupported(md: number, cipher: number, padding: number): boolean {
  const knownMd = DIGESTS[md] !== undefined;
  switch (cipher) {
    case SC.RSA:
      return knownMd && (padding === PAD.PKCS1 || padding === PAD.PKCS1_PSS);
    case SC.ECDSA:
    case SC.ECDSA_PLAIN:
    case SC.DSA:
      return (knownMd || md === MD.NULL) && padding === PAD.NULL;
    case SC.HMAC:
      return knownMd && padding === PAD.NULL;
    case SC.DES_MAC4:
    case SC.DES_MAC8:
      return md === MD.NULL && [...MAC_PADS, PAD.ISO9797_1_M1_ALG3, PAD.ISO9797_1_M2_ALG3].includes(padding as never);
    case SC.AES_MAC128:
      return md === MD.NULL && MAC_PADS.includes(padding as never);
    case SC.AES_CMAC128:
      return md === MD.NULL && (padding === PAD.NULL || padding === PAD.NOPAD);
    default:
      return false;
  }
}

export class SignatureState {
  key = 0;
  mode = 0;
  iv = 0;
  ivLen = 0;
  closed = 0;
  constructor(
    readonly alg: number,
    readonly md: number,
    readonly cipher: number,
    readonly padding: number,
  ) {}
}

interface SigEngine {
  hash: HashEngine | null;
  hmac: Hmac | null;
  /** Buffered message (MACs, and signatures with no message digest). */
  data: Uint8Array[];
}

const isMac = (c: number): boolean => c === SC.DES_MAC4 || c === SC.DES_MAC8 || c === SC.AES_MAC128 || c === SC.AES_CMAC128;
const isAsym = (c: number): boolean => c === SC.RSA || c === SC.ECDSA || c === SC.ECDSA_PLAIN || c === SC.DSA;

/** The key families a signature algorithm accepts, in sign and in verify mode. */
function familiesFor(cipher: number, mode: number): number[] {
  switch (cipher) {
    case SC.DES_MAC4:
    case SC.DES_MAC8:
      return [F.DES];
    case SC.AES_MAC128:
    case SC.AES_CMAC128:
      return [F.AES];
    case SC.HMAC:
      return [F.HMAC, F.GENERIC];
    case SC.RSA:
      return mode === MODE_SIGN ? [F.RSA_PRIV, F.RSA_CRT] : [F.RSA_PUB];
    case SC.DSA:
      return mode === MODE_SIGN ? [F.DSA_PRIV] : [F.DSA_PUB];
    default:
      return mode === MODE_SIGN ? [F.EC_PRIV] : [F.EC_PUB];
  }
}

/** AES-CMAC (NIST SP 800-38B, RFC 4493). */
export function aesCmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const enc = (b: Uint8Array): Uint8Array => blockCrypt(F.AES, key, 'ecb', true, null, b);
  const dbl = (b: Uint8Array): Uint8Array => {
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
    if (b[0]! & 0x80) out[15] ^= 0x87;
    return out;
  };
  const k1 = dbl(enc(new Uint8Array(16)));
  const k2 = dbl(k1);
  const n = Math.max(1, Math.ceil(msg.length / 16));
  const complete = msg.length > 0 && msg.length % 16 === 0;
  const last = new Uint8Array(16);
  last.set(msg.subarray((n - 1) * 16));
  if (complete) xorInto(last, k1);
  else {
    last[msg.length - (n - 1) * 16] = 0x80;
    xorInto(last, k2);
  }
  const blocks = concat(msg.subarray(0, (n - 1) * 16), last);
  const c = blockCrypt(F.AES, key, 'cbc', true, new Uint8Array(16), blocks);
  return c.subarray(c.length - 16);
}

export function signatureNatives(ctx: CryptoContext, keys: Keys): NativeTable {
  const engines = new Engines<SigEngine>(ctx);
  const heap = ctx.rt.heap;
  const self = (vm: Vm, b: number): SignatureState => {
    const s = ctx.self(vm, b, SignatureState);
    if (s.closed) ctx.fail(CE.ILLEGAL_USE);
    return s;
  };
  const keyOf = (s: SignatureState): { k: KeyState; obj: HeapObject } => {
    const obj = s.key ? heap.get(s.key) : undefined;
    if (!obj) ctx.fail(CE.INVALID_INIT);
    const k = obj.native as KeyState;
    keys.requireInit(k);
    return { k, obj };
  };
  const engine = (o: HeapObject, s: SignatureState): SigEngine => {
    const e = engines.get(o);
    if (e) return e;
    const { k } = keyOf(s);
    const name = DIGESTS[s.md]?.name;
    return engines.set(o, {
      hash: name && s.cipher !== SC.HMAC ? createHash(name) : null,
      hmac: s.cipher === SC.HMAC ? createHmac(name!, keys.secret(k)) : null,
      data: [],
    });
  };
  const feed = (e: SigEngine, data: Uint8Array): void => {
    if (e.hmac) e.hmac.update(data);
    else if (e.hash) feedHash(ctx, e.hash, data);
    else e.data.push(data);
  };
  /** The message digest (or, with no digest, the message itself). */
  const digestOf = (e: SigEngine): Uint8Array => (e.hash ? new Uint8Array(e.hash.digest()) : concat(...e.data));

  /** CBC-MAC (ISO/IEC 9797-1 MAC algorithm 1, or 3 for the ALG3 paddings) and CMAC. */
  const mac = (s: SignatureState, data: Uint8Array): Uint8Array => {
    const { k } = keyOf(s);
    const key = keys.secret(k);
    if (s.cipher === SC.AES_CMAC128) return aesCmac(key, data);
    const bs = blockLength(k.family);
    const padded = pad(s.padding, data, bs);
    if (!padded) ctx.fail(CE.ILLEGAL_USE);
    const iv = s.ivLen ? viewOf(heap.get(s.iv)!).slice(0, s.ivLen) : new Uint8Array(bs);
    let last: Uint8Array;
    if (s.padding === PAD.ISO9797_1_M1_ALG3 || s.padding === PAD.ISO9797_1_M2_ALG3) {
      if (key.length < 16) ctx.fail(CE.ILLEGAL_VALUE);
      const k1 = key.subarray(0, 8), k2 = key.subarray(8, 16);
      const c = blockCrypt(F.DES, k1, 'cbc', true, iv, padded);
      last = c.subarray(c.length - 8);
      last = blockCrypt(F.DES, k2, 'ecb', false, null, last);
      last = blockCrypt(F.DES, k1, 'ecb', true, null, last);
    } else {
      const c = blockCrypt(k.family, key, 'cbc', true, iv, padded);
      last = c.subarray(c.length - bs);
    }
    return last.slice(0, s.cipher === SC.DES_MAC4 ? 4 : last.length);
  };

  const curveLen = (s: SignatureState): number => {
    const { k } = keyOf(s);
    return Math.ceil(bitLength(keys.curve(k).n) / 8);
  };

  /** The signature of a digest (asymmetric algorithms). */
  const signDigest = (s: SignatureState, digest: Uint8Array): Uint8Array => {
    const { k, obj } = keyOf(s);
    if (s.cipher === SC.RSA) {
      const key = keys.rsaPrivate(obj, k);
      const hash = DIGESTS[s.md]!;
      try {
        if (s.padding === PAD.PKCS1) return rsaPrivateOp(key, pkcs1Type1(key.k, concat(Buffer.from(hash.oid, 'hex'), digest)));
        const modBits = bitLength(key.n);
        const em = pssEncode(hash.name, digest, modBits, ctx.random.bytes(hash.length));
        return rsaPrivateOp(key, em.length < key.k ? concat(new Uint8Array(key.k - em.length), em) : em);
      } catch (err) {
        if (err instanceof RsaError) ctx.fail(CE.ILLEGAL_VALUE);
        throw err;
      }
    }
    if (s.cipher === SC.DSA) {
      const [p, q, g, x] = [0, 1, 2, 3].map((i) => toBig(keys.get(k, i))) as [bigint, bigint, bigint, bigint];
      const z = truncate(digest, q);
      for (;;) {
        const kk = ctx.random.scalar(q);
        const r = modPow(g, kk, p) % q;
        if (r === 0n) continue;
        const sv = (modInv(kk, q) * (z + x * r)) % q;
        if (sv === 0n) continue;
        return derSignature(r, sv);
      }
    }
    const c = keys.curve(k);
    const d = toBig(keys.get(k, 5));
    if (d <= 0n || d >= c.n) ctx.fail(CE.ILLEGAL_VALUE);
    const { r, s: sv } = ecdsaSign(c, d, digest, (n) => ctx.random.scalar(n));
    if (s.cipher === SC.ECDSA_PLAIN) {
      const n = Math.ceil(bitLength(c.n) / 8);
      return concat(fromBig(r, n), fromBig(sv, n));
    }
    return derSignature(r, sv);
  };

  const verifyDigest = (s: SignatureState, digest: Uint8Array, sig: Uint8Array): boolean => {
    const { k } = keyOf(s);
    if (s.cipher === SC.RSA) {
      const key = keys.rsaPublic(k);
      if (sig.length !== key.k) return false;
      let em: Uint8Array;
      try {
        em = rsaPublicOp(key, sig);
      } catch (err) {
        if (err instanceof RsaError) return false;
        throw err;
      }
      const hash = DIGESTS[s.md]!;
      if (s.padding === PAD.PKCS1) return sameBytes(em, pkcs1Type1(key.k, concat(Buffer.from(hash.oid, 'hex'), digest)));
      return pssVerify(hash.name, digest, em, bitLength(key.n), hash.length);
    }
    if (s.cipher === SC.DSA) {
      const rs = parseDerSignature(sig);
      if (!rs) return false;
      const [p, q, g, y] = [0, 1, 2, 3].map((i) => toBig(keys.get(k, i))) as [bigint, bigint, bigint, bigint];
      const { r, s: sv } = rs;
      if (r <= 0n || r >= q || sv <= 0n || sv >= q) return false;
      const w = modInv(sv, q);
      const u1 = (truncate(digest, q) * w) % q, u2 = (r * w) % q;
      return ((modPow(g, u1, p) * modPow(y, u2, p)) % p) % q === r;
    }
    const c = keys.curve(k);
    let rs: { r: bigint; s: bigint } | null;
    if (s.cipher === SC.ECDSA_PLAIN) {
      const n = Math.ceil(bitLength(c.n) / 8);
      rs = sig.length === 2 * n ? { r: toBig(sig.subarray(0, n)), s: toBig(sig.subarray(n)) } : null;
    } else rs = parseDerSignature(sig);
    if (!rs) return false;
    try {
      return ecdsaVerify(c, decodePoint(c, keys.get(k, 5)), digest, rs.r, rs.s);
    } catch (err) {
      if (err instanceof EcError) ctx.fail(CE.ILLEGAL_VALUE);
      throw err;
    }
  };

  const truncate = (digest: Uint8Array, q: bigint): bigint => {
    let z = toBig(digest);
    const excess = digest.length * 8 - bitLength(q);
    if (excess > 0) z >>= BigInt(excess);
    return z;
  };

  const length = (s: SignatureState): number => {
    if (s.cipher === SC.HMAC) return DIGESTS[s.md]!.length;
    if (s.cipher === SC.DES_MAC4) return 4;
    if (s.cipher === SC.DES_MAC8) return 8;
    if (s.cipher === SC.AES_MAC128 || s.cipher === SC.AES_CMAC128) return 16;
    if (!s.key) ctx.fail(CE.INVALID_INIT);
    const { k } = keyOf(s);
    if (s.cipher === SC.RSA) return k.family === F.RSA_PUB ? keys.rsaPublic(k).k : keys.rsaPrivate(heap.get(s.key)!, k).k;
    if (s.cipher === SC.DSA) return derMaxLength(toBig(keys.get(k, 1)));
    if (s.cipher === SC.ECDSA_PLAIN) return 2 * curveLen(s);
    return derMaxLength(keys.curve(k).n);
  };

  const init = (vm: Vm, b: number, iv: Uint8Array | null): void => {
    const s = self(vm, b);
    const o = vm.deref(vm.stack[b]!);
    const keyHandle = vm.stack[b + 1]!;
    const k = keys.state(vm, keyHandle);
    const mode = vm.stack[b + 2]!;
    if (mode !== MODE_SIGN && mode !== MODE_VERIFY) ctx.fail(CE.ILLEGAL_VALUE);
    if (!familiesFor(s.cipher, mode).includes(k.family)) ctx.fail(CE.ILLEGAL_VALUE);
    if (iv && (!isMac(s.cipher) || s.cipher === SC.AES_CMAC128 || iv.length !== blockLength(k.family))) ctx.fail(CE.ILLEGAL_VALUE);
    keys.requireInit(k);
    if (iv) s.iv = ctx.storeIv(vm, s.iv, iv, o.owner);
    s.ivLen = iv ? iv.length : 0;
    s.key = keyHandle;
    s.mode = mode;
    engines.drop(o);
  };

  const start = (vm: Vm, b: number, wantMode: number): { s: SignatureState; o: HeapObject; e: SigEngine } => {
    const s = self(vm, b);
    const o = vm.deref(vm.stack[b]!);
    if (!s.key || s.mode !== wantMode) ctx.fail(CE.INVALID_INIT);
    return { s, o, e: engine(o, s) };
  };

  const methods: MethodNatives = {
    'getAlgorithm()B': (vm, b) => self(vm, b).alg,
    'getMessageDigestAlgorithm()B': (vm, b) => self(vm, b).md,
    'getCipherAlgorithm()B': (vm, b) => self(vm, b).cipher,
    'getPaddingAlgorithm()B': (vm, b) => self(vm, b).padding,
    'getLength()S': (vm, b) => length(self(vm, b)),
    'init(Ljavacard/security/Key;B)V': (vm, b) => init(vm, b, null),
    'init(Ljavacard/security/Key;B[BSS)V': (vm, b) => init(vm, b, readBytes(vm, vm.stack[b + 3]!, vm.stack[b + 4]!, vm.stack[b + 5]!)),
    'update([BSS)V': (vm, b) => {
      const s = self(vm, b);
      if (!s.key) ctx.fail(CE.INVALID_INIT);
      const data = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      feed(engine(vm.deref(vm.stack[b]!), s), data);
    },
    'sign([BSS[BS)S': (vm, b) => {
      const data = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      const { s, o, e } = start(vm, b, MODE_SIGN);
      vm.deref(vm.stack[b + 4]!);
      feed(e, data);
      let sig: Uint8Array;
      if (e.hmac) sig = new Uint8Array(e.hmac.digest());
      else if (isMac(s.cipher)) sig = mac(s, concat(...e.data));
      else sig = signDigest(s, digestOf(e));
      engines.drop(o);
      checkOut(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, sig.length);
      return writeBytes(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, sig);
    },
    'verify([BSS[BSS)Z': (vm, b) => {
      const data = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      const sig = readBytes(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, vm.stack[b + 6]!);
      const { s, o, e } = start(vm, b, MODE_VERIFY);
      feed(e, data);
      let ok: boolean;
      if (e.hmac) ok = sameBytes(new Uint8Array(e.hmac.digest()), sig);
      else if (isMac(s.cipher)) ok = sameBytes(mac(s, concat(...e.data)), sig);
      else ok = verifyDigest(s, digestOf(e), sig);
      engines.drop(o);
      return ok ? 1 : 0;
    },
    'signPreComputedHash([BSS[BS)S': (vm, b) => {
      const hash = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      const { s, o } = start(vm, b, MODE_SIGN);
      // API: ILLEGAL_USE without a distinct message digest, or for a hash of the wrong length
      if (!isAsym(s.cipher)) ctx.fail(CE.ILLEGAL_USE);
      if (DIGESTS[s.md] && hash.length !== DIGESTS[s.md]!.length) ctx.fail(CE.ILLEGAL_USE);
      vm.deref(vm.stack[b + 4]!);
      const sig = signDigest(s, hash);
      engines.drop(o);
      checkOut(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, sig.length);
      return writeBytes(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, sig);
    },
    'verifyPreComputedHash([BSS[BSS)Z': (vm, b) => {
      const hash = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      const sig = readBytes(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, vm.stack[b + 6]!);
      const { s, o } = start(vm, b, MODE_VERIFY);
      if (!isAsym(s.cipher)) ctx.fail(CE.ILLEGAL_USE);
      if (DIGESTS[s.md] && hash.length !== DIGESTS[s.md]!.length) ctx.fail(CE.ILLEGAL_USE);
      const ok = verifyDigest(s, hash, sig);
      engines.drop(o);
      return ok ? 1 : 0;
    },
    // Resumes the message digest from an intermediate state (MD5, RIPEMD-160, SHA-1, SHA-2: sha.ts).
    'setInitialDigest([BSS[BSS)V': (vm, b) => {
      const s = self(vm, b);
      if (!s.key) ctx.fail(CE.INVALID_INIT);
      if (!isAsym(s.cipher) || !DIGESTS[s.md]) ctx.fail(CE.ILLEGAL_USE);
      const e = engine(vm.deref(vm.stack[b]!), s);
      e.hash = resumedHash(ctx, vm, DIGESTS[s.md]!.name, b + 1);
    },
  };

  const impl = ctx.rt.api.defineImplementation(`${SEC}/Signature`, 'jcvm/security/SignatureImpl', methods);
  const S = `${SEC}/Signature`;
  const ONE = `${S}$OneShot`;
  const make = (vm: Vm, alg: number, md: number, cipher: number, padding: number, oneShot = false): number => {
    const h = vm.newInstance(oneShot ? ctx.rt.api.cls(ONE) : impl);
    heap.get(h)!.native = new SignatureState(alg, md, cipher, padding);
    return h;
  };
  const byTriple = (vm: Vm, md: number, cipher: number, padding: number, oneShot: boolean): number => {
    if (!pairSupported(md, cipher, padding)) ctx.fail(CE.NO_SUCH_ALGORITHM);
    let alg = 0;
    for (const [a, t] of Object.entries(ALGS)) if (t && t[0] === md && t[1] === cipher && t[2] === padding) alg = Number(a);
    return make(vm, alg, md, cipher, padding, oneShot);
  };
  const t: NativeTable = {
    [`${S}.getInstance(BZ)L${S};`]: (vm, b) => {
      const alg = vm.stack[b]!;
      const a = ALGS[alg];
      if (!a) ctx.fail(CE.NO_SUCH_ALGORITHM);
      return make(vm, alg, a[0], a[1], a[2]);
    },
    [`${S}.getInstance(BBBZ)L${S};`]: (vm, b) => byTriple(vm, vm.stack[b]!, vm.stack[b + 1]!, vm.stack[b + 2]!, false),
    [`${ONE}.open(BBB)L${ONE};`]: (vm, b) => byTriple(vm, vm.stack[b]!, vm.stack[b + 1]!, vm.stack[b + 2]!, true),
    [`${ONE}.close()V`]: (vm, b) => {
      const s = self(vm, b);
      engines.drop(vm.deref(vm.stack[b]!));
      s.closed = 1;
    },
  };
  for (const [k, fn] of Object.entries(methods)) t[`${ONE}.${k}`] = fn;
  // API, Signature.OneShot.update: "Always throws ... ILLEGAL_USE"
  t[`${ONE}.update([BSS)V`] = () => ctx.fail(CE.ILLEGAL_USE);
  return t;
}
