// KeyPair.genKeyPair on DSA and DH keys without domain parameters: the default sets of
// dsa-params.ts (re-derived here from their FIPS 186-2 SEED and counter, and checked as
// group parameters), the MODP groups for DH, and the key pairs they give (signatures checked
// by OpenSSL, key agreement between two generated pairs).

import { checkPrimeSync, createHash, createPublicKey, getDiffieHellman, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DSA_DEFAULTS } from '../../../runtime/api/crypto/dsa-params.ts';
import { KA, KP, MODE_SIGN, MODE_VERIFY, SA, T } from '../../../runtime/api/crypto/consts.ts';
import { bitLength, fromBig, modPow, toBig } from '../../../runtime/api/crypto/util.ts';
import { ascii, CryptoHarness, flipLast, fromHex, hex, SEC } from './harness.ts';

const big = (h: string): bigint => BigInt(`0x${h}`);

/** FIPS 186-2 Appendix 2.2: q from SEED, and the candidate p at `counter`. */
function fips186_2(seedHex: string, L: number, counter: number): { q: bigint; p: bigint } {
  const seed = fromHex(seedHex);
  const mod = 1n << BigInt(seed.length * 8);
  const H = (v: bigint): bigint => toBig(new Uint8Array(createHash('sha1').update(fromBig(v % mod, seed.length)).digest()));
  const S = toBig(seed);
  const q = (H(S) ^ H(S + 1n)) | (1n << 159n) | 1n;
  const n = Math.floor((L - 1) / 160), b = (L - 1) % 160;
  const offset = 2n + BigInt(counter * (n + 1));
  let W = 0n;
  for (let k = 0; k <= n; k++) {
    let V = H(S + offset + BigInt(k));
    if (k === n) V &= (1n << BigInt(b)) - 1n;
    W += V << BigInt(160 * k);
  }
  const X = W + (1n << BigInt(L - 1));
  return { q, p: X - ((X % (2n * q)) - 1n) };
}

/** DER of a DSA SubjectPublicKeyInfo, for OpenSSL. */
function dsaSpki(p: bigint, q: bigint, g: bigint, y: bigint): Buffer {
  const len = (n: number): number[] => (n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
  const tlv = (tag: number, body: number[]): number[] => [tag, ...len(body.length), ...body];
  const int = (v: bigint): number[] => {
    const b = Array.from(fromBig(v));
    return tlv(0x02, b[0]! & 0x80 ? [0, ...b] : b);
  };
  const oid = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]; // 1.2.840.10040.4.1
  const alg = tlv(0x30, [...oid, ...tlv(0x30, [...int(p), ...int(q), ...int(g)])]);
  return Buffer.from(tlv(0x30, [...alg, ...tlv(0x03, [0, ...int(y)])]));
}

describe('default DSA domain parameters', () => {
  it('cover 512 to 1024 bits in steps of 64, and 2048 and 3072', () => {
    expect(Object.keys(DSA_DEFAULTS).map(Number)).toEqual([512, 576, 640, 704, 768, 832, 896, 960, 1024, 2048, 3072]);
  });

  for (const [L, d] of Object.entries(DSA_DEFAULTS)) {
    it(`${L} bits: p and q prime, q | p - 1, g of order q${d!.seed ? ', p and q re-derived from the FIPS 186-2 SEED' : ''}`, () => {
      const p = big(d!.p), q = big(d!.q), g = big(d!.g);
      expect(bitLength(p)).toBe(Number(L));
      expect(bitLength(q)).toBe(Number(L) > 1024 ? 256 : 160);
      if (d!.seed) expect(fips186_2(d!.seed, Number(L), d!.counter!)).toEqual({ q, p });
      expect((p - 1n) % q).toBe(0n);
      expect(g > 1n && g < p).toBe(true);
      expect(modPow(g, q, p)).toBe(1n);
      expect(checkPrimeSync(q)).toBe(true); // OpenSSL's test
      expect(checkPrimeSync(p)).toBe(true);
    });
  }
});

describe('KeyPair.genKeyPair without domain parameters', () => {
  const pairOf = (h: CryptoHarness, alg: number, bits: number): { pub: number; priv: number } => {
    const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', alg, bits);
    h.invoke(kp, 'genKeyPair()V');
    return { pub: h.invoke(kp, `getPublic()L${SEC}/PublicKey;`), priv: h.invoke(kp, `getPrivate()L${SEC}/PrivateKey;`) };
  };

  for (const bits of [512, 640, 768, 1024, 2048]) {
    it(`DSA-${bits}: the default set, a valid pair; signatures verify on the card and in OpenSSL`, () => {
      const h = new CryptoHarness();
      const { pub, priv } = pairOf(h, KP.DSA, bits);
      const d = DSA_DEFAULTS[bits]!;
      for (const k of [pub, priv]) {
        expect(h.invoke(k, 'isInitialized()Z')).toBe(1);
        expect([h.get(k, 'getP'), h.get(k, 'getQ'), h.get(k, 'getG')].map(big)).toEqual([d.p, d.q, d.g].map(big));
      }
      const [p, q, g] = [d.p, d.q, d.g].map(big) as [bigint, bigint, bigint];
      const x = big(h.get(priv, 'getX')), y = big(h.get(pub, 'getY'));
      expect(x > 0n && x < q).toBe(true);
      expect(modPow(g, x, p)).toBe(y);
      const s = h.signature(SA.DSA_SHA);
      h.initSignature(s, priv, MODE_SIGN);
      const msg = ascii(`DSA-${bits} with default parameters`);
      const sig = h.sign(s, msg);
      h.initSignature(s, pub, MODE_VERIFY);
      expect(h.verify(s, msg, sig)).toBe(true);
      expect(h.verify(s, flipLast(msg), sig)).toBe(false);
      if (bits >= 1024) {
        const key = createPublicKey({ key: dsaSpki(p, q, g, y), format: 'der', type: 'spki' });
        expect(nodeVerify('sha1', fromHex(msg), key, fromHex(sig))).toBe(true);
      }
    });
  }

  it('DSA: P, Q, G already on the public key are kept; a length with no default set is ILLEGAL_VALUE', () => {
    const h = new CryptoHarness();
    const d = DSA_DEFAULTS[768]!;
    const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', KP.DSA, 1024);
    const pub = h.invoke(kp, `getPublic()L${SEC}/PublicKey;`);
    // a 768-bit set in a 1024-bit key: kept, not replaced by the 1024-bit default
    h.set(pub, 'setP', d.p);
    h.set(pub, 'setQ', d.q);
    h.set(pub, 'setG', d.g);
    h.invoke(kp, 'genKeyPair()V');
    const priv = h.invoke(kp, `getPrivate()L${SEC}/PrivateKey;`);
    expect(h.get(priv, 'getP')).toBe(d.p.toUpperCase());
    expect(modPow(big(d.g), big(h.get(priv, 'getX')), big(d.p))).toBe(big(h.get(pub, 'getY')));
    const odd = h.construct(`${SEC}/KeyPair`, '(BS)V', KP.DSA, 1088);
    expect(h.outcome(() => h.invoke(odd, 'genKeyPair()V'))).toBe('CryptoException 1');
  });

  it('a seeded card generates the same DSA pair every run', () => {
    const run = (): string => {
      const h = new CryptoHarness({ randomSeed: 'dsa' });
      const { pub } = pairOf(h, KP.DSA, 1024);
      return h.get(pub, 'getY');
    };
    expect(run()).toBe(run());
  });

  for (const [bits, group] of [[768, 'modp1'], [1536, 'modp5'], [3072, 'modp15']] as const) {
    it(`DH-${bits}: the MODP group ${group}; two generated pairs agree (ALG_DH_PLAIN)`, () => {
      const h = new CryptoHarness();
      const a = pairOf(h, KP.DH, bits), b = pairOf(h, KP.DH, bits);
      expect(h.get(a.pub, 'getP')).toBe(hex(getDiffieHellman(group).getPrime()));
      expect(h.get(a.pub, 'getG')).toBe('02');
      const agree = (priv: number, peer: number): string => {
        const ka = h.call(`${SEC}/KeyAgreement`, `getInstance(BZ)L${SEC}/KeyAgreement;`, KA.DH_PLAIN, 0);
        h.invoke(ka, `init(L${SEC}/PrivateKey;)V`, priv);
        const y = h.get(peer, 'getY');
        const out = h.bytes(bits / 8);
        const n = h.invoke(ka, 'generateSecret([BSS[BS)S', h.bytes(y), 0, y.length / 2, out, 0);
        return h.read(out, 0, n);
      };
      const s = agree(a.priv, b.pub);
      expect(s).toBe(agree(b.priv, a.pub));
      expect(s.length).toBe(bits / 4);
    });
  }

  it('DH: a length with no MODP group and no parameters is ILLEGAL_VALUE', () => {
    const h = new CryptoHarness();
    const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', KP.DH, 1280);
    expect(h.outcome(() => h.invoke(kp, 'genKeyPair()V'))).toBe('CryptoException 1');
    expect(h.buildKey(T.DH_PUBLIC, 1280)).toBeGreaterThan(0);
  });
});
