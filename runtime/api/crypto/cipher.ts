// javacardx.crypto.Cipher, AEADCipher and Cipher.OneShot: DES/3DES, AES and SM4 in ECB, CBC
// (NOPAD, ISO 9797-1 M1/M2, PKCS#5), AES CTR and CFB, AES GCM and CCM, RSA (PKCS#1 v1.5,
// NOPAD, OAEP). The persistent record of a Cipher is its algorithm and, once initialized,
// the key's handle, the mode and the IV (a byte array of the heap); the operation in
// progress (buffered bytes, chaining state) is engine state, lost at reset: the next call
// starts again from the initialized state, as after doFinal.

import { createCipheriv, createDecipheriv, type Cipher as NodeCipher, type CipherGCM, type Decipher as NodeDecipher } from 'node:crypto';
import type { Vm } from '../../../vm/interpreter.ts';
import type { HeapObject } from '../../../vm/types.ts';
import type { NativeTable } from '../registry.ts';
import { blockLength, nodeCipherName, nodeKey, pad, unpad } from './blocks.ts';
import type { MethodNatives } from './classes.ts';
import { CA, CC, CE, CRYPTOX, MD, MODE_DECRYPT, MODE_ENCRYPT, PAD, DIGESTS } from './consts.ts';
import { Engines, type CryptoContext } from './context.ts';
import { F, type Keys, type KeyState } from './keys.ts';
import { oaepDecode, oaepEncode, pkcs1Type1, pkcs1Type2, pkcs1Unpad, rsaPrivateOp, rsaPublicOp, RsaError } from './rsa.ts';
import { checkOut, concat, readBytes, sameBytes, viewOf, writeBytes } from './util.ts';

/** What an algorithm is: cipher family (CIPHER_*) and padding (PAD_*). */
const ALGS: Record<number, [cipher: number, padding: number] | undefined> = {
  [CA.DES_CBC_NOPAD]: [CC.DES_CBC, PAD.NOPAD],
  [CA.DES_CBC_ISO9797_M1]: [CC.DES_CBC, PAD.ISO9797_M1],
  [CA.DES_CBC_ISO9797_M2]: [CC.DES_CBC, PAD.ISO9797_M2],
  [CA.DES_CBC_PKCS5]: [CC.DES_CBC, PAD.PKCS5],
  [CA.DES_ECB_NOPAD]: [CC.DES_ECB, PAD.NOPAD],
  [CA.DES_ECB_ISO9797_M1]: [CC.DES_ECB, PAD.ISO9797_M1],
  [CA.DES_ECB_ISO9797_M2]: [CC.DES_ECB, PAD.ISO9797_M2],
  [CA.DES_ECB_PKCS5]: [CC.DES_ECB, PAD.PKCS5],
  [CA.RSA_PKCS1]: [CC.RSA, PAD.PKCS1],
  [CA.RSA_NOPAD]: [CC.RSA, PAD.NOPAD],
  [CA.RSA_PKCS1_OAEP]: [CC.RSA, PAD.PKCS1_OAEP],
  [CA.AES_BLOCK_128_CBC_NOPAD]: [CC.AES_CBC, PAD.NOPAD],
  [CA.AES_BLOCK_128_ECB_NOPAD]: [CC.AES_ECB, PAD.NOPAD],
  [CA.AES_CBC_ISO9797_M1]: [CC.AES_CBC, PAD.ISO9797_M1],
  [CA.AES_CBC_ISO9797_M2]: [CC.AES_CBC, PAD.ISO9797_M2],
  [CA.AES_CBC_PKCS5]: [CC.AES_CBC, PAD.PKCS5],
  [CA.AES_ECB_ISO9797_M1]: [CC.AES_ECB, PAD.ISO9797_M1],
  [CA.AES_ECB_ISO9797_M2]: [CC.AES_ECB, PAD.ISO9797_M2],
  [CA.AES_ECB_PKCS5]: [CC.AES_ECB, PAD.PKCS5],
  [CA.AES_CTR]: [CC.AES_CTR, PAD.NOPAD],
  [CA.AES_CFB]: [CC.AES_CFB, PAD.NOPAD],
  [CA.AES_GCM]: [CC.AES_GCM, PAD.NULL],
  [CA.AES_CCM]: [CC.AES_CCM, PAD.NULL],
};

const BLOCK_PADS = [PAD.NOPAD, PAD.ISO9797_M1, PAD.ISO9797_M2, PAD.PKCS5];
/** OAEP paddings: the hash of both the label and MGF1. */
const OAEP: Record<number, number | undefined> = {
  [PAD.PKCS1_OAEP]: MD.SHA,
  [PAD.PKCS1_OAEP_SHA224]: MD.SHA_224,
  [PAD.PKCS1_OAEP_SHA256]: MD.SHA_256,
  [PAD.PKCS1_OAEP_SHA384]: MD.SHA_384,
  [PAD.PKCS1_OAEP_SHA512]: MD.SHA_512,
};

/** getInstance(cipherAlgorithm, paddingAlgorithm): which pairs exist. */
function pairSupported(cipher: number, padding: number): boolean {
  switch (cipher) {
    case CC.AES_CBC:
    case CC.AES_ECB:
    case CC.DES_CBC:
    case CC.DES_ECB:
    case CC.SM4_CBC:
    case CC.SM4_ECB:
      return BLOCK_PADS.includes(padding as never);
    case CC.AES_CTR:
    case CC.AES_CFB:
      return padding === PAD.NOPAD || padding === PAD.NULL;
    case CC.AES_GCM:
    case CC.AES_CCM:
      return padding === PAD.NULL || padding === PAD.NOPAD;
    case CC.RSA:
      return padding === PAD.PKCS1 || padding === PAD.NOPAD || OAEP[padding] !== undefined;
    default:
      return false;
  }
}

export class CipherState {
  /** Handle of the initialized key, 0 before init. */
  key = 0;
  mode = 0;
  /** IV byte array (heap) and its length; 0 when none. */
  iv = 0;
  ivLen = 0;
  /** CCM: associated data length, message length, tag length given to init. */
  adataLen = 0;
  messageLen = 0;
  tagLen = 0;
  closed = 0;
  constructor(
    readonly alg: number,
    readonly cipher: number,
    readonly padding: number,
  ) {}
}

/** Engine state of an operation in progress. */
interface SymEngine {
  kind: 'sym';
  node: NodeCipher | NodeDecipher;
  pending: Uint8Array;
  stream: boolean;
  /** Some input was given since init or the last doFinal. */
  fed: boolean;
}
interface RsaEngine {
  kind: 'rsa';
  data: Uint8Array[];
}
interface AeadEngine {
  kind: 'aead';
  aad: Uint8Array[];
  data: Uint8Array[];
  node: NodeCipher | NodeDecipher | null;
  started: boolean;
  /** Full tag after doFinal. */
  tag: Uint8Array | null;
}
type Engine = SymEngine | RsaEngine | AeadEngine;

const isAead = (c: number): boolean => c === CC.AES_GCM || c === CC.AES_CCM;
const familyOf = (c: number): number =>
  c === CC.DES_CBC || c === CC.DES_ECB ? F.DES : c === CC.SM4_CBC || c === CC.SM4_ECB ? F.SM4 : F.AES;
const modeOf = (c: number): string =>
  ({ [CC.AES_ECB]: 'ecb', [CC.DES_ECB]: 'ecb', [CC.SM4_ECB]: 'ecb', [CC.AES_CTR]: 'ctr', [CC.AES_CFB]: 'cfb', [CC.AES_GCM]: 'gcm', [CC.AES_CCM]: 'ccm' })[c] ?? 'cbc';

export function cipherNatives(ctx: CryptoContext, keys: Keys): NativeTable {
  const engines = new Engines<Engine>(ctx);
  const self = (vm: Vm, b: number): CipherState => {
    const s = ctx.self(vm, b, CipherState);
    if (s.closed) ctx.fail(CE.ILLEGAL_USE);
    return s;
  };
  const heap = ctx.rt.heap;

  /** The key of an initialized cipher, still initialized (UNINITIALIZED_KEY if cleared since). */
  const keyOf = (s: CipherState): KeyState => {
    if (!s.key) ctx.fail(CE.INVALID_INIT);
    const o = heap.get(s.key);
    if (!o) ctx.fail(CE.INVALID_INIT);
    const k = o.native as KeyState;
    keys.requireInit(k);
    return k;
  };
  const ivOf = (s: CipherState): Uint8Array => (s.iv ? viewOf(heap.get(s.iv)!).slice(0, s.ivLen) : new Uint8Array(0));

  /** The engine of the operation in progress, started from the initialized state if none. */
  const engine = (o: HeapObject, s: CipherState): Engine => {
    const e = engines.get(o);
    if (e) return e;
    const k = keyOf(s);
    if (s.cipher === CC.RSA) return engines.set(o, { kind: 'rsa', data: [] });
    if (isAead(s.cipher)) return engines.set(o, { kind: 'aead', aad: [], data: [], node: null, started: false, tag: null });
    const mode = modeOf(s.cipher);
    const key = keys.secret(k);
    const family = familyOf(s.cipher);
    const name = nodeCipherName(family, key.length, mode);
    const iv = mode === 'ecb' ? null : s.ivLen ? ivOf(s) : new Uint8Array(blockLength(family));
    const enc = s.mode === MODE_ENCRYPT;
    const node = enc ? createCipheriv(name, nodeKey(family, key), iv) : createDecipheriv(name, nodeKey(family, key), iv);
    node.setAutoPadding(false);
    return engines.set(o, { kind: 'sym', node, pending: new Uint8Array(0), stream: mode === 'ctr' || mode === 'cfb', fed: false });
  };

  const init = (vm: Vm, b: number, iv: Uint8Array | null, ccm?: { adata: number; msg: number; tag: number }): void => {
    const s = self(vm, b);
    const o = vm.deref(vm.stack[b]!);
    const keyHandle = vm.stack[b + 1]!;
    const k = keys.state(vm, keyHandle);
    const mode = vm.stack[b + 2]!;
    if (mode !== MODE_ENCRYPT && mode !== MODE_DECRYPT) ctx.fail(CE.ILLEGAL_VALUE);
    if (s.cipher === CC.RSA) {
      if (k.family !== F.RSA_PUB && k.family !== F.RSA_PRIV && k.family !== F.RSA_CRT) ctx.fail(CE.ILLEGAL_VALUE);
      if (iv) ctx.fail(CE.ILLEGAL_VALUE);
    } else {
      if (k.family !== familyOf(s.cipher)) ctx.fail(CE.ILLEGAL_VALUE);
      const mode = modeOf(s.cipher);
      if (mode === 'ecb' && iv) ctx.fail(CE.ILLEGAL_VALUE);
      if (iv && !isAead(s.cipher) && iv.length !== blockLength(k.family)) ctx.fail(CE.ILLEGAL_VALUE);
      if (s.cipher === CC.AES_GCM && (!iv || iv.length === 0)) ctx.fail(CE.ILLEGAL_VALUE);
      if (s.cipher === CC.AES_CCM) {
        if (!iv || !ccm || iv.length < 7 || iv.length > 13) ctx.fail(CE.ILLEGAL_VALUE);
        if (ccm.tag < 4 || ccm.tag > 16 || ccm.tag & 1 || ccm.adata < 0 || ccm.msg < 0) ctx.fail(CE.ILLEGAL_VALUE);
      }
    }
    keys.requireInit(k);
    if (iv && iv.length) s.iv = ctx.storeIv(vm, s.iv, iv, o.owner);
    s.ivLen = iv ? iv.length : 0;
    s.key = keyHandle;
    s.mode = mode;
    if (ccm) {
      s.adataLen = ccm.adata;
      s.messageLen = ccm.msg;
      s.tagLen = ccm.tag;
    }
    engines.drop(o);
  };

  /** update(in) for the symmetric ciphers: whole blocks out, the rest kept. */
  const symUpdate = (s: CipherState, e: SymEngine, input: Uint8Array, last: boolean): Uint8Array => {
    if (e.stream) {
      const out = e.node.update(input);
      return new Uint8Array(last ? Buffer.concat([out, e.node.final()]) : out);
    }
    const bs = blockLength(familyOf(s.cipher));
    // API, Cipher.doFinal: ILLEGAL_USE when an algorithm that does not pad is given no input
    if (last && !e.fed && !input.length && s.padding === PAD.NOPAD) ctx.fail(CE.ILLEGAL_USE);
    if (input.length) e.fed = true;
    let data = e.pending.length ? concat(e.pending, input) : input;
    if (!last) {
      let n = data.length - (data.length % bs);
      // Decrypting with a padding: the last block waits for doFinal, which removes the padding.
      if (s.mode === MODE_DECRYPT && s.padding !== PAD.NOPAD && s.padding !== PAD.ISO9797_M1 && n === data.length && n > 0) n -= bs;
      e.pending = data.slice(n);
      return n ? new Uint8Array(e.node.update(data.subarray(0, n))) : new Uint8Array(0);
    }
    if (s.mode === MODE_ENCRYPT) {
      const padded = pad(s.padding, data, bs);
      if (!padded) ctx.fail(CE.ILLEGAL_USE);
      data = padded;
    } else if (data.length % bs !== 0) {
      ctx.fail(CE.ILLEGAL_USE);
    }
    const out = new Uint8Array(Buffer.concat([e.node.update(data), e.node.final()]));
    if (s.mode === MODE_ENCRYPT) return out;
    // API, Cipher.doFinal: "the decrypted data is not bounded by appropriate padding bytes"
    const plain = unpad(s.padding, out, bs);
    if (!plain) ctx.fail(CE.ILLEGAL_USE);
    return plain;
  };

  const rsaFinal = (s: CipherState, e: RsaEngine, input: Uint8Array): Uint8Array => {
    const k = keyOf(s);
    const obj = heap.get(s.key)!;
    const pub = k.family === F.RSA_PUB;
    const kb = pub ? keys.rsaPublic(k).k : keys.rsaPrivate(obj, k).k;
    const op = (x: Uint8Array): Uint8Array => {
      try {
        return pub ? rsaPublicOp(keys.rsaPublic(k), x) : rsaPrivateOp(keys.rsaPrivate(obj, k), x);
      } catch (err) {
        // API, Cipher.doFinal: "the message value is greater than or equal to the modulus"
        if (err instanceof RsaError) ctx.fail(CE.ILLEGAL_USE);
        throw err;
      }
    };
    const data = concat(...e.data, input);
    const oaep = OAEP[s.padding];
    if (s.mode === MODE_ENCRYPT) {
      try {
        if (s.padding === PAD.NOPAD) {
          if (data.length !== kb) ctx.fail(CE.ILLEGAL_USE);
          return op(data);
        }
        if (oaep !== undefined) {
          const hash = DIGESTS[oaep]!;
          if (data.length > kb - 2 * hash.length - 2) ctx.fail(CE.ILLEGAL_USE);
          return op(oaepEncode(hash.name, kb, data, ctx.random.bytes(hash.length)));
        }
        if (data.length > kb - 11) ctx.fail(CE.ILLEGAL_USE);
        return op(pub ? pkcs1Type2(kb, data, (n) => ctx.random.bytes(n)) : pkcs1Type1(kb, data));
      } catch (err) {
        if (err instanceof RsaError) ctx.fail(CE.ILLEGAL_USE);
        throw err;
      }
    }
    if (data.length !== kb) ctx.fail(CE.ILLEGAL_USE);
    const em = op(data);
    if (s.padding === PAD.NOPAD) return em;
    const m = oaep !== undefined ? oaepDecode(DIGESTS[oaep]!.name, kb, em) : pkcs1Unpad(em, pub ? 1 : 2);
    if (!m) ctx.fail(CE.ILLEGAL_USE);
    return m;
  };

  // --- AEAD (GCM, CCM) ------------------------------------------------------------------

  const aeadKey = (s: CipherState): Uint8Array => keys.secret(keyOf(s));
  const ccmCounterIv = (nonce: Uint8Array): Uint8Array => {
    const a = new Uint8Array(16);
    a[0] = 15 - nonce.length - 1;
    a.set(nonce, 1);
    a[15] = 1;
    return a;
  };
  /** The tag of a message, by encrypting its plaintext (GCM and CCM tags are over the plaintext's encryption). */
  const aeadTag = (s: CipherState, aad: Uint8Array, plain: Uint8Array): Uint8Array => {
    const key = aeadKey(s), nonce = ivOf(s);
    const name = nodeCipherName(F.AES, key.length, modeOf(s.cipher));
    if (s.cipher === CC.AES_GCM) {
      const c = createCipheriv(name as 'aes-128-gcm', key, nonce);
      if (aad.length) c.setAAD(aad);
      c.update(plain);
      c.final();
      return new Uint8Array(c.getAuthTag());
    }
    const c = createCipheriv(name as 'aes-128-ccm', key, nonce, { authTagLength: s.tagLen });
    c.setAAD(aad, { plaintextLength: plain.length });
    c.update(plain);
    c.final();
    return new Uint8Array(c.getAuthTag());
  };
  const aeadStart = (s: CipherState, e: AeadEngine): void => {
    if (e.started) return;
    e.started = true;
    if (s.cipher !== CC.AES_GCM) return;
    const key = aeadKey(s), nonce = ivOf(s);
    const name = nodeCipherName(F.AES, key.length, 'gcm') as 'aes-128-gcm';
    const node = s.mode === MODE_ENCRYPT ? createCipheriv(name, key, nonce) : createDecipheriv(name, key, nonce);
    const aad = concat(...e.aad);
    if (aad.length) node.setAAD(aad);
    e.node = node;
  };
  const aeadUpdate = (s: CipherState, e: AeadEngine, input: Uint8Array, last: boolean): Uint8Array => {
    aeadStart(s, e);
    if (s.cipher === CC.AES_GCM) {
      const out = new Uint8Array(e.node!.update(input));
      e.data.push(s.mode === MODE_ENCRYPT ? input : out);
      if (last) {
        const plain = concat(...e.data);
        if (s.mode === MODE_ENCRYPT) {
          (e.node as NodeCipher).final();
          e.tag = new Uint8Array((e.node as CipherGCM).getAuthTag());
        } else {
          e.tag = aeadTag(s, concat(...e.aad), plain);
        }
      }
      return out;
    }
    // CCM: the whole message at doFinal (its lengths were fixed at init).
    e.data.push(input);
    if (!last) return new Uint8Array(0);
    const data = concat(...e.data), aad = concat(...e.aad);
    if (data.length !== s.messageLen || aad.length !== s.adataLen) ctx.fail(CE.ILLEGAL_USE);
    const key = aeadKey(s), nonce = ivOf(s);
    if (s.mode === MODE_ENCRYPT) {
      const c = createCipheriv(nodeCipherName(F.AES, key.length, 'ccm') as 'aes-128-ccm', key, nonce, { authTagLength: s.tagLen });
      c.setAAD(aad, { plaintextLength: data.length });
      const out = new Uint8Array(Buffer.concat([c.update(data), c.final()]));
      e.tag = new Uint8Array(c.getAuthTag());
      return out;
    }
    const ctr = createDecipheriv(nodeCipherName(F.AES, key.length, 'ctr'), key, ccmCounterIv(nonce));
    const plain = new Uint8Array(Buffer.concat([ctr.update(data), ctr.final()]));
    e.tag = aeadTag(s, aad, plain);
    return plain;
  };

  // --- Natives ----------------------------------------------------------------------------

  const update = (vm: Vm, b: number, last: boolean): number => {
    const s = self(vm, b);
    const o = vm.deref(vm.stack[b]!);
    if (!s.key) ctx.fail(CE.INVALID_INIT);
    const input = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
    const outH = vm.stack[b + 4]!, outOff = vm.stack[b + 5]!;
    vm.deref(outH);
    const e = engine(o, s);
    let out: Uint8Array;
    if (e.kind === 'sym') out = symUpdate(s, e, input, last);
    else if (e.kind === 'aead') out = aeadUpdate(s, e, input, last);
    else if (!last) {
      e.data.push(input);
      out = new Uint8Array(0);
    } else out = rsaFinal(s, e, input);
    if (last && e.kind !== 'aead') engines.drop(o);
    checkOut(vm, outH, outOff, out.length);
    return writeBytes(vm, outH, outOff, out);
  };

  const methods: MethodNatives = {
    'init(Ljavacard/security/Key;B)V': (vm, b) => {
      const s = self(vm, b);
      if (isAead(s.cipher)) ctx.fail(CE.ILLEGAL_VALUE);
      init(vm, b, null);
    },
    'init(Ljavacard/security/Key;B[BSS)V': (vm, b) => init(vm, b, readBytes(vm, vm.stack[b + 3]!, vm.stack[b + 4]!, vm.stack[b + 5]!)),
    'getAlgorithm()B': (vm, b) => self(vm, b).alg,
    'getCipherAlgorithm()B': (vm, b) => self(vm, b).cipher,
    'getPaddingAlgorithm()B': (vm, b) => self(vm, b).padding,
    'update([BSS[BS)S': (vm, b) => update(vm, b, false),
    'doFinal([BSS[BS)S': (vm, b) => update(vm, b, true),
  };
  const aeadEngine = (vm: Vm, b: number): { s: CipherState; e: AeadEngine; o: HeapObject } => {
    const s = self(vm, b);
    const o = vm.deref(vm.stack[b]!);
    if (!s.key) ctx.fail(CE.INVALID_INIT);
    return { s, e: engine(o, s) as AeadEngine, o };
  };
  const aeadMethods: MethodNatives = {
    ...methods,
    'init(Ljavacard/security/Key;B[BSSSSS)V': (vm, b) =>
      init(vm, b, readBytes(vm, vm.stack[b + 3]!, vm.stack[b + 4]!, vm.stack[b + 5]!), { adata: vm.stack[b + 6]!, msg: vm.stack[b + 7]!, tag: vm.stack[b + 8]! }),
    'updateAAD([BSS)V': (vm, b) => {
      const { e } = aeadEngine(vm, b);
      const aad = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      if (e.started || e.tag) ctx.fail(CE.ILLEGAL_USE);
      e.aad.push(aad);
    },
    'retrieveTag([BSS)S': (vm, b) => {
      const { s, e } = aeadEngine(vm, b);
      const len = vm.stack[b + 3]!;
      if (s.mode !== MODE_ENCRYPT || !e.tag) ctx.fail(CE.ILLEGAL_USE);
      if (len < 4 || len > e.tag.length) ctx.fail(CE.ILLEGAL_VALUE);
      checkOut(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, len);
      return writeBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, e.tag.subarray(0, len));
    },
    'verifyTag([BSSS)Z': (vm, b) => {
      const { s, e } = aeadEngine(vm, b);
      const tag = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      const required = vm.stack[b + 4]!;
      if (s.mode !== MODE_DECRYPT || !e.tag) ctx.fail(CE.ILLEGAL_USE);
      if (required < 4 || required > e.tag.length) ctx.fail(CE.ILLEGAL_VALUE);
      if (tag.length < required || tag.length > e.tag.length) return 0;
      return sameBytes(tag, e.tag.subarray(0, tag.length)) ? 1 : 0;
    },
  };

  const impl = ctx.rt.api.defineImplementation(`${CRYPTOX}/Cipher`, 'jcvm/crypto/CipherImpl', methods);
  const aeadImpl = ctx.rt.api.defineImplementation(`${CRYPTOX}/AEADCipher`, 'jcvm/crypto/AEADCipherImpl', aeadMethods);
  const C = `${CRYPTOX}/Cipher`;
  const ONE = `${C}$OneShot`;
  const make = (vm: Vm, alg: number, cipher: number, padding: number, oneShot = false): number => {
    const cls = oneShot ? ctx.rt.api.cls(ONE) : isAead(cipher) ? aeadImpl : impl;
    const h = vm.newInstance(cls);
    heap.get(h)!.native = new CipherState(alg, cipher, padding);
    return h;
  };
  const algFor = (cipher: number, padding: number): number => {
    for (const [alg, pair] of Object.entries(ALGS)) if (pair && pair[0] === cipher && (pair[1] === padding || (isAead(cipher) && padding === PAD.NOPAD))) return Number(alg);
    return 0;
  };
  const byPair = (vm: Vm, cipher: number, padding: number, oneShot: boolean): number => {
    if (!pairSupported(cipher, padding)) ctx.fail(CE.NO_SUCH_ALGORITHM);
    if (oneShot && isAead(cipher)) ctx.fail(CE.NO_SUCH_ALGORITHM);
    return make(vm, algFor(cipher, padding), cipher, padding === PAD.NULL && !isAead(cipher) ? PAD.NOPAD : padding, oneShot);
  };
  const t: NativeTable = {
    [`${C}.getInstance(BZ)L${C};`]: (vm, b) => {
      const alg = vm.stack[b]!;
      const pair = ALGS[alg];
      if (!pair) ctx.fail(CE.NO_SUCH_ALGORITHM);
      return make(vm, alg, pair[0], pair[1]);
    },
    [`${C}.getInstance(BBZ)L${C};`]: (vm, b) => byPair(vm, vm.stack[b]!, vm.stack[b + 1]!, false),
    [`${ONE}.open(BB)L${ONE};`]: (vm, b) => byPair(vm, vm.stack[b]!, vm.stack[b + 1]!, true),
    [`${ONE}.close()V`]: (vm, b) => {
      const s = self(vm, b);
      engines.drop(vm.deref(vm.stack[b]!));
      s.closed = 1;
    },
  };
  for (const [k, fn] of Object.entries(methods)) t[`${ONE}.${k}`] = fn;
  // API, Cipher.OneShot.update: "Always throws ... ILLEGAL_USE"
  t[`${ONE}.update([BSS[BS)S`] = () => ctx.fail(CE.ILLEGAL_USE);
  return t;
}
