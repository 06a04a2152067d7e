// RSA on key components held as byte strings: the raw primitives (RFC 8017 5.1, 5.2), with
// the private operation through node:crypto when the key is in CRT form (the public exponent,
// which OpenSSL needs, is recovered from dP and dQ), and the paddings Java Card names:
// PKCS#1 v1.5 (types 1 and 2), PSS (EMSA-PSS with MGF1, salt as long as the hash) and OAEP
// (SHA-1, MGF1-SHA-1, empty label).

import { constants, createHash, createPrivateKey, privateDecrypt, type KeyObject } from 'node:crypto';
import { concat, fromBig, gcd, modInv, modPow, sameBytes, toBig, xorInto } from './util.ts';

export class RsaError extends Error {}

export interface RsaPublic {
  n: bigint;
  e: bigint;
  /** Modulus length in bytes. */
  k: number;
}

export type RsaPrivate =
  | { crt: false; n: bigint; d: bigint; k: number }
  | { crt: true; p: bigint; q: bigint; dp: bigint; dq: bigint; qi: bigint; n: bigint; k: number; node: KeyObject | null };

export function rsaPublicOp(key: RsaPublic, m: Uint8Array): Uint8Array {
  const x = toBig(m);
  if (x >= key.n) throw new RsaError('input out of range');
  return fromBig(modPow(x, key.e, key.n), key.k);
}

export function rsaPrivateOp(key: RsaPrivate, c: Uint8Array): Uint8Array {
  const x = toBig(c);
  if (x >= key.n) throw new RsaError('input out of range');
  if (!key.crt) return fromBig(modPow(x, key.d, key.n), key.k);
  if (key.node) {
    const out = privateDecrypt({ key: key.node, padding: constants.RSA_NO_PADDING }, fromBig(x, key.k));
    return new Uint8Array(out);
  }
  const m1 = modPow(x, key.dp, key.p), m2 = modPow(x, key.dq, key.q);
  const h = (((key.qi * (m1 - m2)) % key.p) + key.p) % key.p;
  return fromBig(m2 + h * key.q, key.k);
}

const b64 = (v: bigint): string => Buffer.from(fromBig(v)).toString('base64url');

/**
 * A node KeyObject for a CRT key: e is the solution of e*dP = 1 mod (p-1), e*dQ = 1 mod (q-1)
 * (unique modulo lcm(p-1, q-1), which is all RSA needs), d its inverse. Null when the
 * components are inconsistent (the BigInt path then computes what a card would).
 */
export function crtKeyObject(p: bigint, q: bigint, dp: bigint, dq: bigint, qi: bigint): KeyObject | null {
  try {
    const p1 = p - 1n, q1 = q - 1n;
    const ep = modInv(dp, p1), eq = modInv(dq, q1);
    const g = gcd(p1, q1);
    if ((eq - ep) % g !== 0n) return null;
    const lcm = (p1 / g) * q1;
    // e = ep + p1 * t, with p1 * t = eq - ep (mod q1)
    const t = ((((eq - ep) / g) * modInv(p1 / g, q1 / g)) % (q1 / g) + q1 / g) % (q1 / g);
    const e = (ep + p1 * t) % lcm;
    const d = modInv(e, lcm);
    const n = p * q;
    return createPrivateKey({
      key: { kty: 'RSA', n: b64(n), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(dp), dq: b64(dq), qi: b64(qi) },
      format: 'jwk',
    });
  } catch {
    return null;
  }
}

/** EMSA-PKCS1-v1_5 (RFC 8017 9.2) from a DigestInfo prefix and a hash; `digestInfo` may be empty. */
export function pkcs1Type1(k: number, digestInfo: Uint8Array): Uint8Array {
  if (digestInfo.length > k - 11) throw new RsaError('message too long');
  const em = new Uint8Array(k);
  em[1] = 1;
  em.fill(0xff, 2, k - digestInfo.length - 1);
  em.set(digestInfo, k - digestInfo.length);
  return em;
}

/** RSAES-PKCS1-v1_5 encryption block (RFC 8017 7.2.1): 00 02 PS 00 M with non-zero random PS. */
export function pkcs1Type2(k: number, m: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  if (m.length > k - 11) throw new RsaError('message too long');
  const em = new Uint8Array(k);
  em[1] = 2;
  let at = 2;
  while (at < k - m.length - 1) {
    for (const b of random(k)) {
      if (b !== 0 && at < k - m.length - 1) em[at++] = b;
    }
  }
  em.set(m, k - m.length);
  return em;
}

/** Removes a PKCS#1 v1.5 block of type 1 or 2; null when the block is malformed. */
export function pkcs1Unpad(em: Uint8Array, type: 1 | 2): Uint8Array | null {
  if (em[0] !== 0 || em[1] !== type) return null;
  let i = 2;
  while (i < em.length && em[i] !== 0) {
    if (type === 1 && em[i] !== 0xff) return null;
    i++;
  }
  if (i >= em.length || i < 10) return null;
  return em.slice(i + 1);
}

export function mgf1(hash: string, seed: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let at = 0;
  for (let c = 0; at < len; c++) {
    const ctr = Buffer.alloc(4);
    ctr.writeUInt32BE(c);
    const h = createHash(hash).update(seed).update(ctr).digest();
    out.set(h.subarray(0, Math.min(h.length, len - at)), at);
    at += h.length;
  }
  return out;
}

/** EMSA-PSS-ENCODE (RFC 8017 9.1.1) of a message hash, modBits = bit length of n. */
export function pssEncode(hash: string, mHash: Uint8Array, modBits: number, salt: Uint8Array): Uint8Array {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const hLen = mHash.length;
  if (emLen < hLen + salt.length + 2) throw new RsaError('modulus too short for PSS');
  const h = new Uint8Array(createHash(hash).update(new Uint8Array(8)).update(mHash).update(salt).digest());
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - salt.length - hLen - 2] = 1;
  db.set(salt, emLen - salt.length - hLen - 1);
  xorInto(db, mgf1(hash, h, db.length));
  db[0] &= 0xff >> (8 * emLen - emBits);
  return concat(db, h, Uint8Array.of(0xbc));
}

/** EMSA-PSS-VERIFY with salt length sLen. */
export function pssVerify(hash: string, mHash: Uint8Array, em: Uint8Array, modBits: number, sLen: number): boolean {
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  if (em.length > emLen) {
    if (em.length !== emLen + 1 || em[0] !== 0) return false;
    em = em.subarray(1);
  }
  const hLen = mHash.length;
  if (emLen < hLen + sLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const db = em.slice(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const mask = 0xff >> (8 * emLen - emBits);
  if ((db[0]! & ~mask) !== 0) return false;
  xorInto(db, mgf1(hash, h, db.length));
  db[0] &= mask;
  for (let i = 0; i < emLen - hLen - sLen - 2; i++) if (db[i] !== 0) return false;
  if (db[emLen - hLen - sLen - 2] !== 1) return false;
  const salt = db.subarray(db.length - sLen);
  const h2 = new Uint8Array(createHash(hash).update(new Uint8Array(8)).update(mHash).update(salt).digest());
  return sameBytes(h, h2);
}

/** EME-OAEP encoding (RFC 8017 7.1.1), empty label. */
export function oaepEncode(hash: string, k: number, m: Uint8Array, seed: Uint8Array): Uint8Array {
  const lHash = new Uint8Array(createHash(hash).digest());
  const hLen = lHash.length;
  if (m.length > k - 2 * hLen - 2) throw new RsaError('message too long');
  const db = new Uint8Array(k - hLen - 1);
  db.set(lHash, 0);
  db[db.length - m.length - 1] = 1;
  db.set(m, db.length - m.length);
  xorInto(db, mgf1(hash, seed, db.length));
  const s = seed.slice();
  xorInto(s, mgf1(hash, db, hLen));
  return concat(Uint8Array.of(0), s, db);
}

export function oaepDecode(hash: string, k: number, em: Uint8Array): Uint8Array | null {
  const lHash = new Uint8Array(createHash(hash).digest());
  const hLen = lHash.length;
  if (k < 2 * hLen + 2 || em.length !== k || em[0] !== 0) return null;
  const seed = em.slice(1, 1 + hLen);
  const db = em.slice(1 + hLen);
  xorInto(seed, mgf1(hash, db, hLen));
  xorInto(db, mgf1(hash, seed, db.length));
  if (!sameBytes(db.subarray(0, hLen), lHash)) return null;
  let i = hLen;
  while (i < db.length && db[i] === 0) i++;
  if (i >= db.length || db[i] !== 1) return null;
  return db.slice(i + 1);
}

// --- Key generation with the card's random source (reproducible with a seed) ----------------

const SMALL_PRIMES: bigint[] = (() => {
  const out: bigint[] = [];
  for (let n = 3; out.length < 300; n += 2) {
    let prime = true;
    for (let d = 3; d * d <= n; d += 2) if (n % d === 0) prime = false;
    if (prime) out.push(BigInt(n));
  }
  return out;
})();

/** Miller-Rabin with bases drawn from `random`. */
export function probablyPrime(n: bigint, rounds: number, random: (max: bigint) => bigint): boolean {
  if (n < 2n) return false;
  for (const sp of SMALL_PRIMES) {
    if (n === sp) return true;
    if (n % sp === 0n) return false;
  }
  let d = n - 1n, s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  outer: for (let i = 0; i < rounds; i++) {
    const a = 2n + random(n - 3n);
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** A prime of exactly `bits` bits with its two top bits set, p - 1 coprime to e. */
export function randomPrime(bits: number, e: bigint, bytes: (n: number) => Uint8Array, scalar: (max: bigint) => bigint): bigint {
  for (;;) {
    let p = toBig(bytes(Math.ceil(bits / 8)));
    p &= (1n << BigInt(bits)) - 1n;
    p |= (3n << BigInt(bits - 2)) | 1n;
    for (let i = 0; i < 4096; i++, p += 2n) {
      if (gcd(p - 1n, e) !== 1n) continue;
      if (probablyPrime(p, bits >= 1024 ? 4 : 8, scalar)) return p;
    }
  }
}

export interface RsaKeyParts {
  n: bigint;
  e: bigint;
  d: bigint;
  p: bigint;
  q: bigint;
  dp: bigint;
  dq: bigint;
  qi: bigint;
}

export function generateRsa(bits: number, e: bigint, bytes: (n: number) => Uint8Array, scalar: (max: bigint) => bigint): RsaKeyParts {
  for (;;) {
    const p = randomPrime(bits - (bits >> 1), e, bytes, scalar);
    const q = randomPrime(bits >> 1, e, bytes, scalar);
    if (p === q) continue;
    const [P, Q] = p > q ? [p, q] : [q, p];
    const n = P * Q;
    if (n.toString(2).length !== bits) continue;
    const lambda = ((P - 1n) * (Q - 1n)) / gcd(P - 1n, Q - 1n);
    const d = modInv(e, lambda);
    return { n, e, d, p: P, q: Q, dp: d % (P - 1n), dq: d % (Q - 1n), qi: modInv(Q, P) };
  }
}

export { sameBytes };
