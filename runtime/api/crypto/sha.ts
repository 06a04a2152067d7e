// Merkle-Damgard hashes with a settable intermediate state, for
// InitializedMessageDigest.setInitialDigest and Signature.setInitialDigest: a hash resumed
// from the chaining value of a message prefix whose length (a whole number of blocks) is
// known. node:crypto does not expose a hash's internal state, so these are jcvm's own:
// MD5 (RFC 1321), RIPEMD-160, SHA-1, SHA-224/256 (64-byte blocks) and SHA-384/512
// (128-byte blocks, FIPS 180-4).
//
// The state a card takes (API, MessageDigest.ALG_*: "the intermediate hash value size") is
// the chaining value written as the digest is written: big-endian words for the SHA family
// (20, 32, 32, 64, 64 bytes), little-endian for MD5 and RIPEMD-160 (16, 20 bytes); SHA-224
// and SHA-384 keep the whole chaining value (32 and 64 bytes), not the truncated digest.

export type ResumableName = 'md5' | 'ripemd160' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

// --- Constants ---------------------------------------------------------------------------

const K256 = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** The first n primes. */
function primes(n: number): number[] {
  const out: number[] = [];
  for (let c = 2; out.length < n; c++) if (out.every((p) => c % p !== 0)) out.push(c);
  return out;
}

/** floor(v^(1/k)) for a BigInt v >= 0 (Newton's method). */
function iroot(v: bigint, k: bigint): bigint {
  if (v < 2n) return v;
  let x = 1n << BigInt(Math.ceil(v.toString(2).length / Number(k)) + 1);
  for (;;) {
    const y = ((k - 1n) * x + v / x ** (k - 1n)) / k;
    if (y >= x) return x;
    x = y;
  }
}

/**
 * FIPS 180-4 4.2.3 / 5.3.4-5: the first 64 bits of the fractional part of the k-th root of
 * each prime, as hi/lo 32-bit words.
 */
function fractions64(ps: number[], k: bigint): Uint32Array {
  const out = new Uint32Array(2 * ps.length);
  ps.forEach((p, i) => {
    const f = iroot(BigInt(p) << (64n * k), k) & 0xffffffffffffffffn;
    out[2 * i] = Number(f >> 32n);
    out[2 * i + 1] = Number(f & 0xffffffffn);
  });
  return out;
}

const P80 = primes(80);
/** SHA-384/512 round constants: cube roots of the first 80 primes (hi, lo pairs). */
const K512 = fractions64(P80, 3n);
/** SHA-512 initial value: square roots of the first 8 primes; SHA-384: of the 9th to 16th. */
const IV512 = fractions64(P80.slice(0, 8), 2n);
const IV384 = fractions64(P80.slice(8, 16), 2n);

/** MD5 sines: floor(|sin(i + 1)| * 2^32). */
const KMD5 = Uint32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32));
const SMD5 = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

// RIPEMD-160 word selection and rotation amounts, left and right lines.
const RL = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8, 3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12, 1, 9, 11, 10, 0, 8, 12, 4,
  13, 3, 7, 15, 14, 5, 6, 2, 4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
];
const RR = [
  5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2, 15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13, 8, 6, 4, 1, 3, 11, 15, 0,
  5, 12, 2, 13, 9, 7, 10, 14, 12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
];
const SL = [
  11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12, 11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5, 11, 12, 14, 15, 14, 15,
  9, 8, 9, 14, 5, 6, 8, 6, 5, 12, 9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8, 5, 6,
];
const SR = [
  8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11, 9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5, 15, 5, 8, 11, 14, 14, 6,
  14, 6, 9, 12, 9, 12, 5, 15, 8, 8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11, 11,
];
const KL = [0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e];
const KR = [0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000];
const ripeF = (j: number, x: number, y: number, z: number): number =>
  j < 16 ? x ^ y ^ z : j < 32 ? (x & y) | (~x & z) : j < 48 ? (x | ~y) ^ z : j < 64 ? (x & z) | (y & ~z) : x ^ (y | ~z);

// --- Compression functions (h: the chaining value as 32-bit words, b: one block) -----------

type Compress = (h: Uint32Array, b: Uint8Array, w: Uint32Array) => void;

const be32 = (b: Uint8Array, i: number): number => (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
const le32 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);

const sha1: Compress = (h, b, w) => {
  for (let i = 0; i < 16; i++) w[i] = be32(b, 4 * i);
  for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
  let [a, bb, c, d, e] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!];
  for (let i = 0; i < 80; i++) {
    const f = i < 20 ? (bb & c) | (~bb & d) : i < 40 ? bb ^ c ^ d : i < 60 ? (bb & c) | (bb & d) | (c & d) : bb ^ c ^ d;
    const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
    const t = (rotl(a, 5) + f + e + k + w[i]!) | 0;
    [e, d, c, bb, a] = [d, c, rotl(bb, 30), a, t];
  }
  h[0] += a;
  h[1] += bb;
  h[2] += c;
  h[3] += d;
  h[4] += e;
};

const sha256: Compress = (h, b, w) => {
  for (let i = 0; i < 16; i++) w[i] = be32(b, 4 * i);
  for (let i = 16; i < 64; i++) {
    const s0 = rotr(w[i - 15]!, 7) ^ rotr(w[i - 15]!, 18) ^ (w[i - 15]! >>> 3);
    const s1 = rotr(w[i - 2]!, 17) ^ rotr(w[i - 2]!, 19) ^ (w[i - 2]! >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let [a, bb, c, d, e, f, g, hh] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!];
  for (let i = 0; i < 64; i++) {
    const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K256[i]! + w[i]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
    [hh, g, f, e, d, c, bb, a] = [g, f, e, (d + t1) | 0, c, bb, a, (t1 + t2) | 0];
  }
  h[0] += a;
  h[1] += bb;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += hh;
};

const md5: Compress = (h, b, w) => {
  for (let i = 0; i < 16; i++) w[i] = le32(b, 4 * i);
  let [a, bb, c, d] = [h[0]!, h[1]!, h[2]!, h[3]!];
  for (let i = 0; i < 64; i++) {
    let f: number, g: number;
    if (i < 16) [f, g] = [(bb & c) | (~bb & d), i];
    else if (i < 32) [f, g] = [(d & bb) | (~d & c), (5 * i + 1) & 15];
    else if (i < 48) [f, g] = [bb ^ c ^ d, (3 * i + 5) & 15];
    else [f, g] = [c ^ (bb | ~d), (7 * i) & 15];
    const t = (f + a + KMD5[i]! + w[g]!) | 0;
    [a, d, c, bb] = [d, c, bb, (bb + rotl(t, SMD5[((i >> 4) << 2) | (i & 3)]!)) | 0];
  }
  h[0] += a;
  h[1] += bb;
  h[2] += c;
  h[3] += d;
};

const ripemd160: Compress = (h, b, w) => {
  for (let i = 0; i < 16; i++) w[i] = le32(b, 4 * i);
  let [al, bl, cl, dl, el] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!];
  let [ar, br, cr, dr, er] = [al, bl, cl, dl, el];
  for (let j = 0; j < 80; j++) {
    const round = j >> 4;
    let t = (rotl((al + ripeF(j, bl, cl, dl) + w[RL[j]!]! + KL[round]!) | 0, SL[j]!) + el) | 0;
    [al, el, dl, cl, bl] = [el, dl, rotl(cl, 10), bl, t];
    t = (rotl((ar + ripeF(79 - j, br, cr, dr) + w[RR[j]!]! + KR[round]!) | 0, SR[j]!) + er) | 0;
    [ar, er, dr, cr, br] = [er, dr, rotl(cr, 10), br, t];
  }
  const t = (h[1]! + cl + dr) | 0;
  h[1] = h[2]! + dl + er;
  h[2] = h[3]! + el + ar;
  h[3] = h[4]! + al + br;
  h[4] = h[0]! + bl + cr;
  h[0] = t;
};

// SHA-512 on pairs of 32-bit words (hi at 2i, lo at 2i + 1): 64-bit rotations and sums.
const rotrHi = (hi: number, lo: number, n: number): number => (n < 32 ? (hi >>> n) | (lo << (32 - n)) : (lo >>> (n - 32)) | (hi << (64 - n)));
const rotrLo = (hi: number, lo: number, n: number): number => (n < 32 ? (lo >>> n) | (hi << (32 - n)) : (hi >>> (n - 32)) | (lo << (64 - n)));
const shrHi = (hi: number, n: number): number => hi >>> n;
const shrLo = (hi: number, lo: number, n: number): number => (lo >>> n) | (hi << (32 - n));

const sha512: Compress = (h, b, w) => {
  // w: 160 words (80 pairs)
  for (let i = 0; i < 32; i++) w[i] = be32(b, 4 * i);
  for (let i = 16; i < 80; i++) {
    const xh = w[2 * (i - 15)]!, xl = w[2 * (i - 15) + 1]!;
    const yh = w[2 * (i - 2)]!, yl = w[2 * (i - 2) + 1]!;
    const s0h = rotrHi(xh, xl, 1) ^ rotrHi(xh, xl, 8) ^ shrHi(xh, 7);
    const s0l = rotrLo(xh, xl, 1) ^ rotrLo(xh, xl, 8) ^ shrLo(xh, xl, 7);
    const s1h = rotrHi(yh, yl, 19) ^ rotrHi(yh, yl, 61) ^ shrHi(yh, 6);
    const s1l = rotrLo(yh, yl, 19) ^ rotrLo(yh, yl, 61) ^ shrLo(yh, yl, 6);
    const lo = (s0l >>> 0) + (s1l >>> 0) + w[2 * (i - 16) + 1]! + w[2 * (i - 7) + 1]!;
    w[2 * i + 1] = lo;
    w[2 * i] = (s0h >>> 0) + (s1h >>> 0) + w[2 * (i - 16)]! + w[2 * (i - 7)]! + Math.floor(lo / 0x100000000);
  }
  const v = Array.from(h); // a..h as hi/lo pairs: v[2k], v[2k + 1]
  for (let i = 0; i < 80; i++) {
    const [ah, al, bh, bl, ch, cl, dh, dl, eh, el, fh, fl, gh, gl, hh, hl] = v as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
    const S1h = rotrHi(eh, el, 14) ^ rotrHi(eh, el, 18) ^ rotrHi(eh, el, 41);
    const S1l = rotrLo(eh, el, 14) ^ rotrLo(eh, el, 18) ^ rotrLo(eh, el, 41);
    const chh = (eh & fh) ^ (~eh & gh), chl = (el & fl) ^ (~el & gl);
    const t1l = hl + (S1l >>> 0) + (chl >>> 0) + K512[2 * i + 1]! + w[2 * i + 1]!;
    const t1h = hh + (S1h >>> 0) + (chh >>> 0) + K512[2 * i]! + w[2 * i]! + Math.floor(t1l / 0x100000000);
    const S0h = rotrHi(ah, al, 28) ^ rotrHi(ah, al, 34) ^ rotrHi(ah, al, 39);
    const S0l = rotrLo(ah, al, 28) ^ rotrLo(ah, al, 34) ^ rotrLo(ah, al, 39);
    const mjh = (ah & bh) ^ (ah & ch) ^ (bh & ch), mjl = (al & bl) ^ (al & cl) ^ (bl & cl);
    const t2l = (S0l >>> 0) + (mjl >>> 0);
    const t2h = (S0h >>> 0) + (mjh >>> 0) + Math.floor(t2l / 0x100000000);
    const nel = dl + (t1l >>> 0);
    const neh = dh + t1h + Math.floor(nel / 0x100000000);
    const nal = (t1l >>> 0) + (t2l >>> 0);
    const nah = t1h + t2h + Math.floor(nal / 0x100000000);
    v[14] = gh;
    v[15] = gl;
    v[12] = fh;
    v[13] = fl;
    v[10] = eh;
    v[11] = el;
    v[8] = neh >>> 0;
    v[9] = nel >>> 0;
    v[6] = ch;
    v[7] = cl;
    v[4] = bh;
    v[5] = bl;
    v[2] = ah;
    v[3] = al;
    v[0] = nah >>> 0;
    v[1] = nal >>> 0;
  }
  for (let k = 0; k < 8; k++) {
    const lo = h[2 * k + 1]! + v[2 * k + 1]!;
    h[2 * k + 1] = lo;
    h[2 * k] = h[2 * k]! + v[2 * k]! + Math.floor(lo / 0x100000000);
  }
};

// --- The algorithms ------------------------------------------------------------------------

interface Spec {
  block: 64 | 128;
  digest: number;
  /** Words (32-bit) of the chaining value and of the message and length: little-endian. */
  little: boolean;
  iv: ArrayLike<number>;
  compress: Compress;
  /** Message schedule words. */
  w: number;
}

const MD_IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
const SPECS: Record<ResumableName, Spec> = {
  md5: { block: 64, digest: 16, little: true, iv: MD_IV, compress: md5, w: 16 },
  ripemd160: { block: 64, digest: 20, little: true, iv: [...MD_IV, 0xc3d2e1f0], compress: ripemd160, w: 16 },
  sha1: { block: 64, digest: 20, little: false, iv: [...MD_IV, 0xc3d2e1f0], compress: sha1, w: 80 },
  sha224: { block: 64, digest: 28, little: false, iv: [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4], compress: sha256, w: 64 },
  sha256: { block: 64, digest: 32, little: false, iv: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19], compress: sha256, w: 64 },
  sha384: { block: 128, digest: 48, little: false, iv: IV384, compress: sha512, w: 160 },
  sha512: { block: 128, digest: 64, little: false, iv: IV512, compress: sha512, w: 160 },
};

/** A resumable MD5 / RIPEMD-160 / SHA-1 / SHA-224 / SHA-256 / SHA-384 / SHA-512. */
export class ResumableSha {
  private readonly spec: Spec;
  private readonly h: Uint32Array;
  private readonly block: Uint8Array;
  private readonly w: Uint32Array;
  private fill = 0;
  /** Length of the prefix the state was set after (bytes). */
  private base = 0n;
  /** Bytes hashed since (or since the start). */
  private count = 0;

  constructor(readonly name: ResumableName) {
    this.spec = SPECS[name];
    this.h = Uint32Array.from(this.spec.iv);
    this.block = new Uint8Array(this.spec.block);
    this.w = new Uint32Array(this.spec.w);
  }

  static supports(name: string): name is ResumableName {
    return Object.hasOwn(SPECS, name);
  }

  /** Bytes of the chaining value: the API's "intermediate hash value size". */
  get stateLength(): number {
    return this.h.length * 4;
  }

  get blockLength(): number {
    return this.spec.block;
  }

  get digestLength(): number {
    return this.spec.digest;
  }

  /**
   * The longest message the algorithm takes, in bytes: the padding's length field counts
   * bits in 64 (or, with 128-byte blocks, 128) bits.
   */
  get maxLength(): bigint {
    return (1n << (this.spec.block === 64 ? 61n : 125n)) - 1n;
  }

  /** Bytes hashed in all (the prefix included). */
  get length(): bigint {
    return this.base + BigInt(this.count);
  }

  /** The chaining value as the card takes it (valid between blocks; see setState). */
  state(): Uint8Array {
    const out = new Uint8Array(this.stateLength);
    const dv = new DataView(out.buffer);
    this.h.forEach((v, i) => dv.setUint32(4 * i, v, this.spec.little));
    return out;
  }

  /** Resume from a chaining value after `length` bytes (a multiple of the block length). */
  setState(state: Uint8Array, length: bigint): void {
    const dv = new DataView(state.buffer, state.byteOffset, state.length);
    for (let i = 0; i < this.h.length; i++) this.h[i] = dv.getUint32(4 * i, this.spec.little);
    this.base = length;
    this.count = 0;
    this.fill = 0;
  }

  update(data: Uint8Array): this {
    const bs = this.spec.block;
    let i = 0;
    while (i < data.length) {
      const n = Math.min(bs - this.fill, data.length - i);
      this.block.set(data.subarray(i, i + n), this.fill);
      this.fill += n;
      i += n;
      if (this.fill === bs) {
        this.spec.compress(this.h, this.block, this.w);
        this.fill = 0;
      }
    }
    this.count += data.length;
    return this;
  }

  copy(): ResumableSha {
    const c = new ResumableSha(this.name);
    c.h.set(this.h);
    c.block.set(this.block);
    c.fill = this.fill;
    c.base = this.base;
    c.count = this.count;
    return c;
  }

  /** Pads and finishes: the engine is spent afterwards (copy() first to go on). */
  digest(): Uint8Array {
    const bs = this.spec.block, lenBytes = bs / 8;
    const bits = (this.length * 8n) & ((1n << BigInt(8 * lenBytes)) - 1n);
    const padLen = (this.fill < bs - lenBytes ? bs - lenBytes : 2 * bs - lenBytes) - this.fill;
    const pad = new Uint8Array(padLen + lenBytes);
    pad[0] = 0x80;
    for (let i = 0; i < lenBytes; i++) {
      const byte = Number((bits >> BigInt(8 * i)) & 0xffn);
      pad[this.spec.little ? padLen + i : pad.length - 1 - i] = byte;
    }
    this.update(pad);
    return this.state().slice(0, this.spec.digest);
  }
}
