// Elliptic curves over F(p) given by explicit domain parameters (as Java Card applets set
// them: setFieldFP, setA, setB, setG, setR, setK), on @noble/curves' Weierstrass arithmetic.
// Curves are public data: they are cached by their parameters. ECDSA (SEC 1 4.1, X9.62) and
// the ECDH primitives (SEC 1 3.3.1 / 3.3.2, cofactor variant) are written out here so that
// the nonce comes from the card's random source and the hash is the algorithm's.

import { weierstrass, type WeierstrassPoint, type WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 } from '@noble/curves/misc.js';
import { bitLength, fromBig, modInv, toBig } from './util.ts';

export interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  h: bigint;
  /** Bytes of a field element. */
  fieldLen: number;
  Point: WeierstrassPointCons<bigint>;
}

export type Point = WeierstrassPoint<bigint>;

/** Thrown for parameters or points that do not make a curve or lie on it (ILLEGAL_VALUE). */
export class EcError extends Error {}

const cache = new Map<string, Curve>();

/** Domain parameters as Java Card keys hold them: field prime, A, B, G (SEC 1 encoding), R, K. */
export interface DomainBytes {
  field: Uint8Array;
  a: Uint8Array;
  b: Uint8Array;
  g: Uint8Array;
  r: Uint8Array;
  k: number;
}

export function curveOf(d: DomainBytes): Curve {
  const id = [d.field, d.a, d.b, d.g, d.r].map((x) => Buffer.from(x).toString('hex')).join(':') + ':' + d.k;
  let c = cache.get(id);
  if (c) return c;
  const p = toBig(d.field), a = toBig(d.a), b = toBig(d.b), n = toBig(d.r), h = BigInt(d.k);
  if (p < 5n || n < 2n || h < 1n || a >= p || b >= p) throw new EcError('bad domain parameters');
  const fieldLen = Math.ceil(bitLength(p) / 8);
  const g = decodeXY(d.g, p, a, b, fieldLen);
  try {
    const Point = weierstrass({ p, n, h, a, b, Gx: g.x, Gy: g.y });
    Point.BASE.precompute(8);
    c = { p, a, b, n, h, fieldLen, Point };
  } catch (e) {
    throw new EcError(`bad domain parameters: ${(e as Error).message}`);
  }
  if (cache.size > 64) cache.clear();
  cache.set(id, c);
  return c;
}

/** SEC 1 2.3.4: an uncompressed (04) or compressed (02/03) point to affine coordinates. */
function decodeXY(bytes: Uint8Array, p: bigint, a: bigint, b: bigint, fieldLen: number): { x: bigint; y: bigint } {
  const tag = bytes[0];
  if (tag === 0x04 && bytes.length === 1 + 2 * fieldLen) {
    const x = toBig(bytes.subarray(1, 1 + fieldLen)), y = toBig(bytes.subarray(1 + fieldLen));
    if (x >= p || y >= p || (y * y - (x * x * x + a * x + b)) % p !== 0n) throw new EcError('point not on the curve');
    return { x, y };
  }
  if ((tag === 0x02 || tag === 0x03) && bytes.length === 1 + fieldLen) {
    const x = toBig(bytes.subarray(1));
    if (x >= p) throw new EcError('bad point');
    const rhs = (((x * x * x + a * x + b) % p) + p) % p;
    const y = sqrtMod(rhs, p);
    if (y === null) throw new EcError('point not on the curve');
    return { x, y: (y & 1n) === BigInt(tag & 1) ? y : p - y };
  }
  throw new EcError('bad point encoding');
}

/** Square root modulo an odd prime (Tonelli-Shanks), or null. */
function sqrtMod(n: bigint, p: bigint): bigint | null {
  const pow = (b: bigint, e: bigint): bigint => {
    let r = 1n;
    b %= p;
    while (e > 0n) {
      if (e & 1n) r = (r * b) % p;
      b = (b * b) % p;
      e >>= 1n;
    }
    return r;
  };
  if (n === 0n) return 0n;
  if (pow(n, (p - 1n) / 2n) !== 1n) return null;
  if (p % 4n === 3n) return pow(n, (p + 1n) / 4n);
  let q = p - 1n, s = 0n;
  while ((q & 1n) === 0n) {
    q >>= 1n;
    s++;
  }
  let z = 2n;
  while (pow(z, (p - 1n) / 2n) !== p - 1n) z++;
  let m = s, c = pow(z, q), t = pow(n, q), r = pow(n, (q + 1n) / 2n);
  while (t !== 1n) {
    let i = 0n, t2 = t;
    while (t2 !== 1n) {
      t2 = (t2 * t2) % p;
      i++;
    }
    const bb = pow(c, 1n << (m - i - 1n));
    m = i;
    c = (bb * bb) % p;
    t = (t * c) % p;
    r = (r * bb) % p;
  }
  return r;
}

export function decodePoint(c: Curve, bytes: Uint8Array): Point {
  const { x, y } = decodeXY(bytes, c.p, c.a, c.b, c.fieldLen);
  try {
    const P = c.Point.fromAffine({ x, y });
    P.assertValidity();
    return P;
  } catch (e) {
    throw new EcError((e as Error).message);
  }
}

export function encodePoint(c: Curve, P: Point): Uint8Array {
  const { x, y } = P.toAffine();
  const out = new Uint8Array(1 + 2 * c.fieldLen);
  out[0] = 4;
  out.set(fromBig(x, c.fieldLen), 1);
  out.set(fromBig(y, c.fieldLen), 1 + c.fieldLen);
  return out;
}

/** s * G for a private scalar. */
export function publicFor(c: Curve, s: bigint): Point {
  return c.Point.BASE.multiply(s);
}

/** ECDH: the shared point s * Q (times the cofactor, with its inverse folded into s, for DHC). */
export function sharedPoint(c: Curve, s: bigint, peer: Uint8Array, cofactor: boolean): Point {
  const Q = decodePoint(c, peer);
  let k = s % c.n;
  let R: Point;
  if (cofactor && c.h !== 1n) R = Q.multiplyUnsafe(c.h).multiplyUnsafe(k);
  else R = Q.multiplyUnsafe(k);
  if (R.is0()) throw new EcError('shared point at infinity');
  void (k = 0n);
  return R;
}

/** SEC 1 4.1.3 step 5: the hash as an integer, truncated to the bit length of n. */
function hashToInt(c: Curve, hash: Uint8Array): bigint {
  let e = toBig(hash);
  const excess = hash.length * 8 - bitLength(c.n);
  if (excess > 0) e >>= BigInt(excess);
  return e;
}

/** ECDSA signature (r, s) of a hash with a nonce from `nonce(n)`. */
export function ecdsaSign(c: Curve, d: bigint, hash: Uint8Array, nonce: (n: bigint) => bigint): { r: bigint; s: bigint } {
  const e = hashToInt(c, hash);
  for (;;) {
    const k = nonce(c.n);
    const R = c.Point.BASE.multiply(k).toAffine();
    const r = R.x % c.n;
    if (r === 0n) continue;
    const s = (modInv(k, c.n) * (e + r * d)) % c.n;
    if (s === 0n) continue;
    return { r, s };
  }
}

export function ecdsaVerify(c: Curve, Q: Point, hash: Uint8Array, r: bigint, s: bigint): boolean {
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const e = hashToInt(c, hash) % c.n;
  const w = modInv(s, c.n);
  const u1 = (e * w) % c.n, u2 = (r * w) % c.n;
  const R = c.Point.BASE.multiplyUnsafe(u1).add(Q.multiplyUnsafe(u2));
  if (R.is0()) return false;
  return R.toAffine().x % c.n === r;
}

/** DER SEQUENCE { INTEGER r, INTEGER s } (X9.62), as Java Card's ECDSA and DSA answer. */
export function derSignature(r: bigint, s: bigint): Uint8Array {
  const int = (v: bigint): number[] => {
    let b = Array.from(fromBig(v));
    if (b[0]! & 0x80) b = [0, ...b];
    return [0x02, b.length, ...b];
  };
  const body = [...int(r), ...int(s)];
  const head = body.length < 0x80 ? [0x30, body.length] : [0x30, 0x81, body.length];
  return Uint8Array.from([...head, ...body]);
}

/** Parses a DER ECDSA/DSA signature; null when it is not one. */
export function parseDerSignature(sig: Uint8Array): { r: bigint; s: bigint } | null {
  let at = 0;
  const len = (): number => {
    let l = sig[at++];
    if (l === undefined) return -1;
    if (l === 0x81) l = sig[at++] ?? -1;
    else if (l > 0x80) return -1;
    return l;
  };
  if (sig[at++] !== 0x30) return null;
  const total = len();
  if (total < 0 || at + total !== sig.length) return null;
  const int = (): bigint | null => {
    if (sig[at++] !== 0x02) return null;
    const l = len();
    if (l <= 0 || at + l > sig.length) return null;
    const v = toBig(sig.subarray(at, at + l));
    at += l;
    return v;
  };
  const r = int(), s = int();
  if (r === null || s === null || at !== sig.length) return null;
  return { r, s };
}

/** Upper bound of a DER signature over a group of order n (Signature.getLength). */
export function derMaxLength(n: bigint): number {
  const intLen = Math.ceil(bitLength(n) / 8) + 1;
  const body = 2 * (2 + intLen);
  return body + (body < 0x80 ? 2 : 3);
}

/** Named curves jcvm knows as defaults (KeyPair.genKeyPair with no domain parameters set). */
export interface NamedCurve {
  name: string;
  p: bigint;
  a: bigint;
  b: bigint;
  Gx: bigint;
  Gy: bigint;
  n: bigint;
  h: bigint;
}

const P192: NamedCurve = {
  name: 'P-192',
  p: 0xfffffffffffffffffffffffffffffffeffffffffffffffffn,
  a: 0xfffffffffffffffffffffffffffffffefffffffffffffffcn,
  b: 0x64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1n,
  Gx: 0x188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012n,
  Gy: 0x07192b95ffc8da78631011ed6b24cdd573f977a11e794811n,
  n: 0xffffffffffffffffffffffff99def836146bc9b1b4d22831n,
  h: 1n,
};
const P224: NamedCurve = {
  name: 'P-224',
  p: 0xffffffffffffffffffffffffffffffff000000000000000000000001n,
  a: 0xfffffffffffffffffffffffffffffffefffffffffffffffffffffffen,
  b: 0xb4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4n,
  Gx: 0xb70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21n,
  Gy: 0xbd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34n,
  n: 0xffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3dn,
  h: 1n,
};

function fromNoble(name: string, curve: { Point: WeierstrassPointCons<bigint> }): NamedCurve {
  const c = curve.Point.CURVE();
  return { name, p: c.p, a: c.a, b: c.b, Gx: c.Gx, Gy: c.Gy, n: c.n, h: c.h };
}

export const NAMED_CURVES: NamedCurve[] = [
  P192,
  P224,
  fromNoble('P-256', p256),
  fromNoble('P-384', p384),
  fromNoble('P-521', p521),
  fromNoble('secp256k1', secp256k1),
  fromNoble('brainpoolP256r1', brainpoolP256r1),
  fromNoble('brainpoolP384r1', brainpoolP384r1),
  fromNoble('brainpoolP512r1', brainpoolP512r1),
];

/** The default curve for a key length: the NIST curve of that size (brainpool for 512). */
export function defaultCurve(bits: number): NamedCurve | undefined {
  const name = { 192: 'P-192', 224: 'P-224', 256: 'P-256', 384: 'P-384', 521: 'P-521', 512: 'brainpoolP512r1' }[bits];
  return NAMED_CURVES.find((c) => c.name === name);
}

/** A named curve's parameters in the byte form of DomainBytes. */
export function domainBytes(nc: NamedCurve): DomainBytes {
  const fl = Math.ceil(bitLength(nc.p) / 8);
  const g = new Uint8Array(1 + 2 * fl);
  g[0] = 4;
  g.set(fromBig(nc.Gx, fl), 1);
  g.set(fromBig(nc.Gy, fl), 1 + fl);
  return { field: fromBig(nc.p, fl), a: fromBig(nc.a, fl), b: fromBig(nc.b, fl), g, r: fromBig(nc.n), k: Number(nc.h) };
}
