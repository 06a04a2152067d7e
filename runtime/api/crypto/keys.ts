// Key objects (javacard.security.KeyBuilder, the Key interfaces). A key is card state: each
// component (a DES key, an RSA modulus, an EC point...) is a byte array of the card's heap,
// owned by the context that built the key, and a short array (the key's "meta") holds the
// initialized flags, the components' lengths and the EC cofactor. The key object's native
// record names those arrays by handle and holds only numbers, so the key lives where the
// heap lives (persistent or, for TYPE_*_TRANSIENT_*, transient memory that the JCRE clears
// at reset or deselect, which also clears the initialized flags: API, Key.isInitialized).

import { SysEx } from '../../../vm/errors.ts';
import { HeapExhausted } from '../../../vm/heap.ts';
import type { Vm } from '../../../vm/interpreter.ts';
import { Kind, Transience, type HeapObject, type VmClass } from '../../../vm/types.ts';
import { checkRange } from '../common.ts';
import type { NativeTable } from '../registry.ts';
import { defineKeyClass, type MethodNatives } from './classes.ts';
import { ALG_TYPE, CE, SEC, T } from './consts.ts';
import type { CryptoContext } from './context.ts';
import { curveOf, EcError, type Curve, type DomainBytes } from './ec.ts';
import { crtKeyObject, type RsaPrivate, type RsaPublic } from './rsa.ts';
import { bitLength, readBytes, stripZeros, toBig, viewOf, writeBytes } from './util.ts';

/** Key families: one hidden class each. */
export const F = {
  DES: 0,
  AES: 1,
  HMAC: 2,
  GENERIC: 3,
  SM4: 4,
  RSA_PUB: 5,
  RSA_PRIV: 6,
  RSA_CRT: 7,
  EC_PUB: 8,
  EC_PRIV: 9,
  DSA_PUB: 10,
  DSA_PRIV: 11,
  DH_PUB: 12,
  DH_PRIV: 13,
} as const;

interface FamilySpec {
  iface: string;
  comps: string[];
  /** Components that must be set for isInitialized (bit i = component i; bit comps.length = K). */
  required: number;
  /** Capacity in bytes of each component for a key of `bits` bits. */
  caps: (bits: number) => number[];
  validSize: (bits: number) => boolean;
  /** Fixed-length key data (setKey([BS)V): the key takes exactly this many bytes. */
  fixed?: boolean;
  /** Leading zero bytes may be dropped to fit a component (integers, not encodings). */
  integers?: boolean;
}

const all = (n: number): number => (1 << n) - 1;
const bytesOf = (bits: number): number => Math.ceil(bits / 8);
const ecCaps = (bits: number): number[] => {
  const f = bytesOf(bits);
  return [f, f, f, 1 + 2 * f, f + 1, f + 1 + f];
};

const FAMILIES: Record<number, FamilySpec> = {
  [F.DES]: { iface: 'DESKey', comps: ['key'], required: 1, caps: (b) => [b / 8], validSize: (b) => b === 64 || b === 128 || b === 192, fixed: true },
  [F.AES]: { iface: 'AESKey', comps: ['key'], required: 1, caps: (b) => [b / 8], validSize: (b) => b === 128 || b === 192 || b === 256, fixed: true },
  [F.SM4]: { iface: 'SM4Key', comps: ['key'], required: 1, caps: () => [16], validSize: (b) => b === 128, fixed: true },
  [F.HMAC]: { iface: 'HMACKey', comps: ['key'], required: 1, caps: (b) => [Math.min(Math.max(b, 1), 1024)], validSize: (b) => b > 0 },
  [F.GENERIC]: { iface: 'GenericSecretKey', comps: ['key'], required: 1, caps: (b) => [bytesOf(b)], validSize: (b) => b > 0 && b <= 8192 },
  [F.RSA_PUB]: { iface: 'RSAPublicKey', comps: ['modulus', 'exponent'], required: 3, caps: (b) => [b / 8, b / 8], validSize: rsaSize, integers: true },
  [F.RSA_PRIV]: { iface: 'RSAPrivateKey', comps: ['modulus', 'exponent'], required: 3, caps: (b) => [b / 8, b / 8], validSize: rsaSize, integers: true },
  [F.RSA_CRT]: {
    iface: 'RSAPrivateCrtKey',
    comps: ['p', 'q', 'dp1', 'dq1', 'pq'],
    required: all(5),
    caps: (b) => Array(5).fill(Math.ceil(b / 16) + 1) as number[],
    validSize: rsaSize,
    integers: true,
  },
  [F.EC_PUB]: { iface: 'ECPublicKey', comps: ['field', 'a', 'b', 'g', 'r', 'w'], required: all(7), caps: ecCaps, validSize: ecSize },
  [F.EC_PRIV]: { iface: 'ECPrivateKey', comps: ['field', 'a', 'b', 'g', 'r', 's'], required: all(7), caps: ecCaps, validSize: ecSize },
  [F.DSA_PUB]: { iface: 'DSAPublicKey', comps: ['p', 'q', 'g', 'y'], required: all(4), caps: (b) => [b / 8, 32, b / 8, b / 8], validSize: dsaSize, integers: true },
  [F.DSA_PRIV]: { iface: 'DSAPrivateKey', comps: ['p', 'q', 'g', 'x'], required: all(4), caps: (b) => [b / 8, 32, b / 8, 32], validSize: dsaSize, integers: true },
  [F.DH_PUB]: { iface: 'DHPublicKey', comps: ['p', 'q', 'g', 'y'], required: 0b1101, caps: (b) => Array(4).fill(b / 8) as number[], validSize: dhSize, integers: true },
  [F.DH_PRIV]: { iface: 'DHPrivateKey', comps: ['p', 'q', 'g', 'x'], required: 0b1101, caps: (b) => Array(4).fill(b / 8) as number[], validSize: dhSize, integers: true },
};

function rsaSize(b: number): boolean {
  return b >= 512 && b <= 4096 && b % 8 === 0;
}
function ecSize(b: number): boolean {
  return b >= 112 && b <= 571;
}
function dsaSize(b: number): boolean {
  return b >= 512 && b <= 3072 && b % 64 === 0;
}
function dhSize(b: number): boolean {
  return b >= 512 && b <= 4096 && b % 8 === 0;
}

/** KeyBuilder.TYPE_* -> family and memory. */
const TYPES: Record<number, [family: number, mem: Transience] | undefined> = {
  [T.DES]: [F.DES, Transience.Persistent],
  [T.DES_TRANSIENT_RESET]: [F.DES, Transience.ClearOnReset],
  [T.DES_TRANSIENT_DESELECT]: [F.DES, Transience.ClearOnDeselect],
  [T.AES]: [F.AES, Transience.Persistent],
  [T.AES_TRANSIENT_RESET]: [F.AES, Transience.ClearOnReset],
  [T.AES_TRANSIENT_DESELECT]: [F.AES, Transience.ClearOnDeselect],
  [T.HMAC]: [F.HMAC, Transience.Persistent],
  [T.HMAC_TRANSIENT_RESET]: [F.HMAC, Transience.ClearOnReset],
  [T.HMAC_TRANSIENT_DESELECT]: [F.HMAC, Transience.ClearOnDeselect],
  [T.GENERIC_SECRET]: [F.GENERIC, Transience.Persistent],
  [T.SM4]: [F.SM4, Transience.Persistent],
  [T.RSA_PUBLIC]: [F.RSA_PUB, Transience.Persistent],
  [T.RSA_PRIVATE]: [F.RSA_PRIV, Transience.Persistent],
  [T.RSA_PRIVATE_TRANSIENT_RESET]: [F.RSA_PRIV, Transience.ClearOnReset],
  [T.RSA_PRIVATE_TRANSIENT_DESELECT]: [F.RSA_PRIV, Transience.ClearOnDeselect],
  [T.RSA_CRT_PRIVATE]: [F.RSA_CRT, Transience.Persistent],
  [T.RSA_CRT_PRIVATE_TRANSIENT_RESET]: [F.RSA_CRT, Transience.ClearOnReset],
  [T.RSA_CRT_PRIVATE_TRANSIENT_DESELECT]: [F.RSA_CRT, Transience.ClearOnDeselect],
  [T.EC_FP_PUBLIC]: [F.EC_PUB, Transience.Persistent],
  [T.EC_FP_PRIVATE]: [F.EC_PRIV, Transience.Persistent],
  [T.EC_FP_PRIVATE_TRANSIENT_RESET]: [F.EC_PRIV, Transience.ClearOnReset],
  [T.EC_FP_PRIVATE_TRANSIENT_DESELECT]: [F.EC_PRIV, Transience.ClearOnDeselect],
  [T.DSA_PUBLIC]: [F.DSA_PUB, Transience.Persistent],
  [T.DSA_PRIVATE]: [F.DSA_PRIV, Transience.Persistent],
  [T.DSA_PRIVATE_TRANSIENT_RESET]: [F.DSA_PRIV, Transience.ClearOnReset],
  [T.DSA_PRIVATE_TRANSIENT_DESELECT]: [F.DSA_PRIV, Transience.ClearOnDeselect],
  [T.DH_PUBLIC]: [F.DH_PUB, Transience.Persistent],
  [T.DH_PUBLIC_TRANSIENT_RESET]: [F.DH_PUB, Transience.ClearOnReset],
  [T.DH_PUBLIC_TRANSIENT_DESELECT]: [F.DH_PUB, Transience.ClearOnDeselect],
  [T.DH_PRIVATE]: [F.DH_PRIV, Transience.Persistent],
  [T.DH_PRIVATE_TRANSIENT_RESET]: [F.DH_PRIV, Transience.ClearOnReset],
  [T.DH_PRIVATE_TRANSIENT_DESELECT]: [F.DH_PRIV, Transience.ClearOnDeselect],
};

/** KeyBuilder.ALG_TYPE_* -> family, and the TYPE_* reported for each memory type (0, 1 reset, 2 deselect). */
const ALG_TYPES: Record<number, [family: number, types: number[]] | undefined> = {
  [ALG_TYPE.DES]: [F.DES, [T.DES, T.DES_TRANSIENT_RESET, T.DES_TRANSIENT_DESELECT]],
  [ALG_TYPE.AES]: [F.AES, [T.AES, T.AES_TRANSIENT_RESET, T.AES_TRANSIENT_DESELECT]],
  [ALG_TYPE.HMAC]: [F.HMAC, [T.HMAC, T.HMAC_TRANSIENT_RESET, T.HMAC_TRANSIENT_DESELECT]],
  [ALG_TYPE.GENERIC_SECRET]: [F.GENERIC, [T.GENERIC_SECRET, T.GENERIC_SECRET, T.GENERIC_SECRET]],
  [ALG_TYPE.SM4]: [F.SM4, [T.SM4, T.SM4, T.SM4]],
  [ALG_TYPE.RSA_PUBLIC]: [F.RSA_PUB, [T.RSA_PUBLIC, T.RSA_PUBLIC, T.RSA_PUBLIC]],
  [ALG_TYPE.RSA_PRIVATE]: [F.RSA_PRIV, [T.RSA_PRIVATE, T.RSA_PRIVATE_TRANSIENT_RESET, T.RSA_PRIVATE_TRANSIENT_DESELECT]],
  [ALG_TYPE.RSA_CRT_PRIVATE]: [F.RSA_CRT, [T.RSA_CRT_PRIVATE, T.RSA_CRT_PRIVATE_TRANSIENT_RESET, T.RSA_CRT_PRIVATE_TRANSIENT_DESELECT]],
  [ALG_TYPE.EC_FP_PUBLIC]: [F.EC_PUB, [T.EC_FP_PUBLIC, T.EC_FP_PUBLIC, T.EC_FP_PUBLIC]],
  [ALG_TYPE.EC_FP_PRIVATE]: [F.EC_PRIV, [T.EC_FP_PRIVATE, T.EC_FP_PRIVATE_TRANSIENT_RESET, T.EC_FP_PRIVATE_TRANSIENT_DESELECT]],
  [ALG_TYPE.DSA_PUBLIC]: [F.DSA_PUB, [T.DSA_PUBLIC, T.DSA_PUBLIC, T.DSA_PUBLIC]],
  [ALG_TYPE.DSA_PRIVATE]: [F.DSA_PRIV, [T.DSA_PRIVATE, T.DSA_PRIVATE_TRANSIENT_RESET, T.DSA_PRIVATE_TRANSIENT_DESELECT]],
  [ALG_TYPE.DH_PUBLIC]: [F.DH_PUB, [T.DH_PUBLIC, T.DH_PUBLIC_TRANSIENT_RESET, T.DH_PUBLIC_TRANSIENT_DESELECT]],
  [ALG_TYPE.DH_PRIVATE]: [F.DH_PRIV, [T.DH_PRIVATE, T.DH_PRIVATE_TRANSIENT_RESET, T.DH_PRIVATE_TRANSIENT_DESELECT]],
};

/** The native record of a key object: handles and numbers only. */
export class KeyState {
  constructor(
    /** KeyBuilder.TYPE_* (getType). */
    readonly type: number,
    readonly family: number,
    /** Key length in bits (getSize). */
    readonly size: number,
    readonly memory: Transience,
    /** Short array: [0] initialized flags, [1 + i] length of component i, [1 + comps] EC cofactor K. */
    readonly meta: number,
    /** Byte array handle of each component. */
    readonly comps: readonly number[],
  ) {}
}

export const isSecret = (f: number): boolean => f <= F.SM4;
export const isEc = (f: number): boolean => f === F.EC_PUB || f === F.EC_PRIV;

export class Keys {
  private readonly classes = new Map<number, VmClass>();
  /** Derived host objects (node KeyObjects) by key object, valid while the key bytes are unchanged. */
  private readonly memo = new WeakMap<HeapObject, { fp: string; value: unknown }>();

  constructor(private readonly ctx: CryptoContext) {
    for (const [family, spec] of Object.entries(FAMILIES)) {
      this.classes.set(Number(family), defineKeyClass(ctx.rt.api, `jcvm/security/${spec.iface}Impl`, [`${SEC}/${spec.iface}`], this.natives(Number(family), spec)));
    }
  }

  // --- Building ---------------------------------------------------------------------------

  /** A new key object of a family, owned by the running context. */
  build(vm: Vm, type: number, family: number, bits: number, memory: Transience): number {
    const spec = FAMILIES[family]!;
    if (!spec.validSize(bits)) this.ctx.fail(CE.NO_SUCH_ALGORITHM);
    const made: number[] = [];
    try {
      const alloc = (kind: Kind, n: number): number => {
        const h = this.ctx.rt.heap.newArray(kind, n, this.ctx.rt.context);
        made.push(h);
        if (memory !== Transience.Persistent) {
          this.ctx.rt.heap.get(h)!.transience = memory;
          this.ctx.rt.transients.push(h);
        }
        return h;
      };
      const comps = spec.caps(bits).map((cap) => alloc(Kind.ByteArray, cap));
      const meta = alloc(Kind.ShortArray, spec.comps.length + 2);
      const h = this.ctx.rt.heap.newInstance(this.classes.get(family)!, this.ctx.rt.context);
      this.ctx.rt.heap.get(h)!.native = new KeyState(type, family, bits, memory, meta, comps);
      return h;
    } catch (e) {
      if (e instanceof HeapExhausted) {
        for (const h of made) this.ctx.rt.heap.release(h);
        vm.throwSys(SysEx.System, 5 /* NO_RESOURCE */);
      }
      throw e;
    }
  }

  buildByType(vm: Vm, type: number, bits: number): number {
    const t = TYPES[type];
    if (!t) this.ctx.fail(CE.NO_SUCH_ALGORITHM);
    return this.build(vm, type, t[0], bits, t[1]);
  }

  buildByAlgType(vm: Vm, algType: number, memory: number, bits: number): number {
    const t = ALG_TYPES[algType];
    if (!t || memory < 0 || memory > 2) this.ctx.fail(CE.NO_SUCH_ALGORITHM);
    return this.build(vm, t[1][memory]!, t[0], bits, memory as Transience);
  }

  // --- Access -----------------------------------------------------------------------------

  /** The key behind a reference argument (NPE for null, ILLEGAL_VALUE for a non-key object). */
  state(vm: Vm, handle: number): KeyState {
    const n = vm.deref(handle).native;
    if (!(n instanceof KeyState)) this.ctx.fail(CE.ILLEGAL_VALUE);
    return n;
  }

  private meta(k: KeyState): Int16Array {
    return this.ctx.rt.heap.get(k.meta)!.data as Int16Array;
  }

  private comp(k: KeyState, i: number): HeapObject {
    return this.ctx.rt.heap.get(k.comps[i]!)!;
  }

  isInitialized(k: KeyState): boolean {
    const req = FAMILIES[k.family]!.required;
    return (this.meta(k)[0]! & req) === req;
  }

  /** Throws UNINITIALIZED_KEY unless every component is set. */
  requireInit(k: KeyState): void {
    if (!this.isInitialized(k)) this.ctx.fail(CE.UNINITIALIZED_KEY);
  }

  /** Component i (a copy), or UNINITIALIZED_KEY. */
  get(k: KeyState, i: number): Uint8Array {
    const m = this.meta(k);
    if (!(m[0]! & (1 << i))) this.ctx.fail(CE.UNINITIALIZED_KEY);
    return viewOf(this.comp(k, i)).slice(0, m[1 + i]!);
  }

  has(k: KeyState, i: number): boolean {
    return (this.meta(k)[0]! & (1 << i)) !== 0;
  }

  /** Stores component i (ILLEGAL_VALUE when it does not fit). */
  set(k: KeyState, i: number, value: Uint8Array): void {
    const spec = FAMILIES[k.family]!;
    const c = this.comp(k, i);
    let v = value;
    if (v.length > c.data.length && spec.integers) v = stripZeros(v);
    if (v.length > c.data.length || v.length === 0) this.ctx.fail(CE.ILLEGAL_VALUE);
    // Key data is card memory: written through the barrier (counted, journalled in a
    // transaction, atomic on its own), the bytes first, then the length and the set flag.
    const rt = this.ctx.rt;
    rt.persistentWrite(c, 0, c.data.length, true, () => {
      c.data.fill(0);
      c.data.set(new Int8Array(v.buffer, v.byteOffset, v.length));
    });
    const mo = rt.heap.get(k.meta)!, m = this.meta(k);
    rt.persistentWrite(mo, 0, mo.data.length, true, () => {
      m[1 + i] = v.length;
      m[0] = m[0]! | (1 << i);
    });
  }

  ecK(k: KeyState): number {
    const m = this.meta(k);
    if (!(m[0]! & (1 << 6))) this.ctx.fail(CE.UNINITIALIZED_KEY);
    return m[7]! & 0xffff;
  }

  setEcK(k: KeyState, value: number): void {
    const mo = this.ctx.rt.heap.get(k.meta)!, m = this.meta(k);
    this.ctx.rt.persistentWrite(mo, 0, mo.data.length, true, () => {
      m[7] = value;
      m[0] = m[0]! | (1 << 6);
    });
  }

  clear(k: KeyState): void {
    const rt = this.ctx.rt;
    for (const h of k.comps) {
      const c = rt.heap.get(h)!;
      rt.persistentWrite(c, 0, c.data.length, true, () => c.data.fill(0));
    }
    const mo = rt.heap.get(k.meta)!;
    rt.persistentWrite(mo, 0, mo.data.length, true, () => mo.data.fill(0));
  }

  /** Secret key bytes (DES, AES, HMAC, generic, SM4). */
  secret(k: KeyState): Uint8Array {
    this.requireInit(k);
    return this.get(k, 0);
  }

  rsaPublic(k: KeyState): RsaPublic {
    this.requireInit(k);
    const n = toBig(this.get(k, 0));
    if (n < 3n) this.ctx.fail(CE.ILLEGAL_VALUE);
    return { n, e: toBig(this.get(k, 1)), k: Math.ceil(bitLength(n) / 8) };
  }

  rsaPrivate(obj: HeapObject, k: KeyState): RsaPrivate {
    this.requireInit(k);
    if (k.family === F.RSA_PRIV) {
      const n = toBig(this.get(k, 0));
      if (n < 3n) this.ctx.fail(CE.ILLEGAL_VALUE);
      return { crt: false, n, d: toBig(this.get(k, 1)), k: Math.ceil(bitLength(n) / 8) };
    }
    const parts = [0, 1, 2, 3, 4].map((i) => this.get(k, i));
    const [p, q, dp, dq, qi] = parts.map(toBig) as [bigint, bigint, bigint, bigint, bigint];
    if (p < 3n || q < 3n) this.ctx.fail(CE.ILLEGAL_VALUE);
    const n = p * q;
    const fp = parts.map((x) => Buffer.from(x).toString('hex')).join(':');
    const node = this.derived(obj, fp, () => crtKeyObject(p, q, dp, dq, qi));
    return { crt: true, p, q, dp, dq, qi, n, k: Math.ceil(bitLength(n) / 8), node };
  }

  /** Domain parameters of an EC key as bytes (UNINITIALIZED_KEY when not all are set). */
  ecDomain(k: KeyState): DomainBytes {
    return { field: this.get(k, 0), a: this.get(k, 1), b: this.get(k, 2), g: this.get(k, 3), r: this.get(k, 4), k: this.ecK(k) };
  }

  curve(k: KeyState): Curve {
    this.requireInit(k);
    try {
      return curveOf(this.ecDomain(k));
    } catch (e) {
      if (e instanceof EcError) this.ctx.fail(CE.ILLEGAL_VALUE);
      throw e;
    }
  }

  /** A host object derived from key bytes, recomputed whenever the fingerprint changes. */
  derived<V>(obj: HeapObject, fp: string, make: () => V): V {
    const m = this.memo.get(obj);
    if (m && m.fp === fp) return m.value as V;
    const value = make();
    this.memo.set(obj, { fp, value });
    return value;
  }

  // --- Natives of the key classes ---------------------------------------------------------

  private natives(family: number, spec: FamilySpec): MethodNatives {
    const self = (vm: Vm, b: number): KeyState => this.ctx.self(vm, b, KeyState);
    const t: MethodNatives = {
      'clearKey()V': (vm, b) => this.clear(self(vm, b)),
      'getSize()S': (vm, b) => self(vm, b).size,
      'getType()B': (vm, b) => self(vm, b).type,
      'isInitialized()Z': (vm, b) => (this.isInitialized(self(vm, b)) ? 1 : 0),
    };
    /** set<Name>([BSS)V for component i. */
    const setter = (i: number) => (vm: Vm, b: number) => {
      const k = self(vm, b);
      this.set(k, i, readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!));
    };
    /** get<Name>([BS)S for component i: writes it, returns its length. */
    const getter = (i: number) => (vm: Vm, b: number) => {
      const v = this.get(self(vm, b), i);
      return writeBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, v);
    };
    const name = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
    if (isSecret(family)) {
      if (spec.fixed) {
        // setKey([BS)V: exactly size/8 bytes from the offset (API, DESKey/AESKey.setKey).
        t['setKey([BS)V'] = (vm, b) => {
          const k = self(vm, b);
          const len = this.comp(k, 0).data.length;
          this.set(k, 0, readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, len));
        };
        t['getKey([BS)B'] = getter(0);
      } else {
        t['setKey([BSS)V'] = setter(0);
        t[family === F.GENERIC ? 'getKey([BS)S' : 'getKey([BS)B'] = getter(0);
      }
      return t;
    }
    if (family === F.RSA_PUB || family === F.RSA_PRIV) {
      t['setModulus([BSS)V'] = setter(0);
      t['setExponent([BSS)V'] = setter(1);
      t['getModulus([BS)S'] = getter(0);
      t['getExponent([BS)S'] = getter(1);
      return t;
    }
    if (family === F.RSA_CRT) {
      ['P', 'Q', 'DP1', 'DQ1', 'PQ'].forEach((n, i) => {
        t[`set${n}([BSS)V`] = setter(i);
        t[`get${n}([BS)S`] = getter(i);
      });
      return t;
    }
    if (isEc(family)) {
      const ecSetter = (i: number) => (vm: Vm, b: number) => {
        const k = self(vm, b);
        const v = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
        if (i === 3 || (i === 5 && family === F.EC_PUB)) {
          // SEC 1 point encodings: uncompressed 04 X Y or compressed 02/03 X.
          const f = Math.ceil(k.size / 8);
          const ok = (v[0] === 4 && v.length === 1 + 2 * f) || ((v[0] === 2 || v[0] === 3) && v.length === 1 + f);
          if (!ok) this.ctx.fail(CE.ILLEGAL_VALUE);
        } else if (i === 0 && bitLength(toBig(v)) > k.size) {
          // the field prime must fit the key length (API, ECKey.setFieldFP)
          this.ctx.fail(CE.ILLEGAL_VALUE);
        }
        this.set(k, i, v);
      };
      t['setFieldFP([BSS)V'] = ecSetter(0);
      t['setA([BSS)V'] = ecSetter(1);
      t['setB([BSS)V'] = ecSetter(2);
      t['setG([BSS)V'] = ecSetter(3);
      t['setR([BSS)V'] = ecSetter(4);
      t['getField([BS)S'] = getter(0);
      t['getA([BS)S'] = getter(1);
      t['getB([BS)S'] = getter(2);
      t['getG([BS)S'] = getter(3);
      t['getR([BS)S'] = getter(4);
      t['setK(S)V'] = (vm, b) => this.setEcK(self(vm, b), vm.stack[b + 1]!);
      t['getK()S'] = (vm, b) => this.ecK(self(vm, b));
      // F(2^m) fields are not provided (NO_SUCH_ALGORITHM would be for the algorithm; a key
      // of characteristic p refuses them as an illegal value).
      t['setFieldF2M(S)V'] = () => this.ctx.fail(CE.ILLEGAL_VALUE);
      t['setFieldF2M(SSS)V'] = () => this.ctx.fail(CE.ILLEGAL_VALUE);
      t['copyDomainParametersFrom(Ljavacard/security/ECKey;)V'] = (vm, b) => {
        const k = self(vm, b);
        const src = this.state(vm, vm.stack[b + 1]!);
        if (!isEc(src.family)) this.ctx.fail(CE.ILLEGAL_VALUE);
        const d = this.ecDomain(src);
        [d.field, d.a, d.b, d.g, d.r].forEach((v, i) => this.set(k, i, v));
        this.setEcK(k, d.k);
      };
      const own = family === F.EC_PUB ? 'W' : 'S';
      t[`set${own}([BSS)V`] = ecSetter(5);
      t[`get${own}([BS)S`] = getter(5);
      return t;
    }
    // DSA and DH: p, q, g, then y (public) or x (private).
    const own = family === F.DSA_PUB || family === F.DH_PUB ? 'Y' : 'X';
    spec.comps.forEach((c, i) => {
      const n = i === 3 ? own : name(c).toUpperCase();
      t[`set${n}([BSS)V`] = setter(i);
      t[`get${n}([BS)S`] = getter(i);
    });
    return t;
  }

  /** KeyBuilder natives. */
  builderNatives(): NativeTable {
    const KB = `${SEC}/KeyBuilder`;
    return {
      [`${KB}.buildKey(BSZ)L${SEC}/Key;`]: (vm, b) => {
        if (vm.stack[b + 2]) this.ctx.fail(CE.NO_SUCH_ALGORITHM); // no key encryption (javacardx.crypto.KeyEncryption)
        return this.buildByType(vm, vm.stack[b]!, vm.stack[b + 1]!);
      },
      [`${KB}.buildKey(BBSZ)L${SEC}/Key;`]: (vm, b) => {
        if (vm.stack[b + 3]) this.ctx.fail(CE.NO_SUCH_ALGORITHM);
        return this.buildByAlgType(vm, vm.stack[b]!, vm.stack[b + 1]!, vm.stack[b + 2]!);
      },
      [`${KB}.buildKeyWithSharedDomain(BBL${SEC}/Key;Z)L${SEC}/Key;`]: () => this.ctx.fail(CE.NO_SUCH_ALGORITHM),
      [`${KB}.buildXECKey(L${SEC}/NamedParameterSpec;SZ)L${SEC}/Key;`]: () => this.ctx.fail(CE.NO_SUCH_ALGORITHM),
      [`${KB}.getMemoryType(L${SEC}/Key;)B`]: (vm, b) => this.state(vm, vm.stack[b]!).memory,
    };
  }
}

/** Bounds check helper re-exported for the algorithm modules. */
export { checkRange };
