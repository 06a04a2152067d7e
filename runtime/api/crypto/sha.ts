// SHA-1 and SHA-224/256 (FIPS 180-4) with a settable intermediate state, for
// InitializedMessageDigest.setInitialDigest and Signature.setInitialDigest: a hash resumed
// from the chaining value of a message prefix whose length (a whole number of blocks) is
// known. node:crypto does not expose a hash's internal state.

const K256 = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const IV: Record<string, number[]> = {
  sha1: [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0],
  sha224: [0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4],
  sha256: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
};

const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/** A resumable SHA-1 / SHA-224 / SHA-256. */
export class ResumableSha {
  private h: Uint32Array;
  private readonly block = new Uint8Array(64);
  private fill = 0;
  /** Bytes hashed so far (prefix included). */
  private length = 0;
  private readonly w = new Uint32Array(80);

  constructor(readonly name: 'sha1' | 'sha224' | 'sha256') {
    this.h = Uint32Array.from(IV[name]!);
  }

  static supports(name: string): name is 'sha1' | 'sha224' | 'sha256' {
    return name in IV;
  }

  /** Bytes of the chaining value (20 for SHA-1, 32 for SHA-224 and SHA-256). */
  get stateLength(): number {
    return this.h.length * 4;
  }

  get digestLength(): number {
    return this.name === 'sha1' ? 20 : this.name === 'sha224' ? 28 : 32;
  }

  /** Resume from a chaining value after `length` bytes (a multiple of the 64-byte block). */
  setState(state: Uint8Array, length: number): void {
    const dv = new DataView(state.buffer, state.byteOffset, state.length);
    for (let i = 0; i < this.h.length; i++) this.h[i] = dv.getUint32(4 * i);
    this.length = length;
    this.fill = 0;
  }

  update(data: Uint8Array): this {
    for (let i = 0; i < data.length; i++) {
      this.block[this.fill++] = data[i]!;
      if (this.fill === 64) {
        this.compress();
        this.fill = 0;
      }
    }
    this.length += data.length;
    return this;
  }

  copy(): ResumableSha {
    const c = new ResumableSha(this.name);
    c.h.set(this.h);
    c.block.set(this.block);
    c.fill = this.fill;
    c.length = this.length;
    return c;
  }

  digest(): Uint8Array {
    const bits = this.length * 8;
    const pad = new Uint8Array(((this.fill < 56 ? 56 : 120) - this.fill) + 8);
    pad[0] = 0x80;
    const dv = new DataView(pad.buffer);
    dv.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32));
    dv.setUint32(pad.length - 4, bits >>> 0);
    const saved = this.length;
    this.update(pad);
    this.length = saved;
    const out = new Uint8Array(this.h.length * 4);
    const o = new DataView(out.buffer);
    this.h.forEach((v, i) => o.setUint32(4 * i, v));
    return out.slice(0, this.digestLength);
  }

  private compress(): void {
    const w = this.w, b = this.block, h = this.h;
    for (let i = 0; i < 16; i++) w[i] = (b[4 * i]! << 24) | (b[4 * i + 1]! << 16) | (b[4 * i + 2]! << 8) | b[4 * i + 3]!;
    if (this.name === 'sha1') {
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
      return;
    }
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
  }
}
