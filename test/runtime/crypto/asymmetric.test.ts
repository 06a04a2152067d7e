// RSA, ECDSA, ECDH, DH and DSA through the natives: known answers (the corpus RSA-1024 key
// and signature, RFC 6979 A.2.5's P-256 signature, the corpus ECDH), and cross-checks with
// OpenSSL (node:crypto) as an independent implementation: what jcvm signs or encrypts, node
// verifies or decrypts, and the other way round, on the named curves of the issue.

import { constants, createECDH, createHash, createSign, createVerify, generateKeyPairSync, getDiffieHellman, privateDecrypt, publicEncrypt, verify as nodeVerify, sign as nodeSign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CA, KA, KP, MODE_DECRYPT, MODE_ENCRYPT, MODE_SIGN, MODE_VERIFY, SA, T } from '../../../runtime/api/crypto/consts.ts';
import { NAMED_CURVES } from '../../../runtime/api/crypto/ec.ts';
import { ascii, CryptoHarness, flipLast, fromHex, hex, SEC } from './harness.ts';

const RSA_N = 'C0A7D05B681885E5CF79E139113C441ADE7F0515821D2B1B64342C94827E812DCCDAB2B3D507971316BE8220AB88517EDBA3544E3719AA07462B5C047798A90FA25374C7167C7F1718098994F40680C68F5FE13CC054F1B06EDE4A7FD3123B5C91D25EC29811E38323CDF9BC280CC40288A575829AE9BE5D46F4AA355F11FEC1';
const RSA_D = '04EBC46CB149FF1191AD214D9DDD1638417AA91C95883D33A3E99941E9DB655D50203DF44DFAB5A72D2B8C935D0E4C569B319ED3A8A0A5312E5FA9280C0E003374A685A44F1D6BB9BB248C15B43953FFA73D9B873B9125B2A18C2D8EB73C884FA1CC5EDEF7C93A7E7CD93198CED953588CA42991B0ED5AB9B6F035E1D6321329';
const RSA_SIG = '40EEB7A488A721D29A96BCCAE07A26434CE64383BB423907F387B417C663600D6D39075D49F879EE42FEB7373542DD37FFCA7F31AA46C9C6023E96A1B8188B7BABB1DD23D3555EFA3C1E5AB23C67D1DF41DC837B8E6955C5FAA405A8B69D33F048E78DA72DE182ECBB7BAEE00D7B411D7E5C461BF5506730741C74A039C3E1E7';

const unb64 = (s: string | undefined): string => hex(Buffer.from(s!, 'base64url'));

/** RSA key objects on the card from a node key pair: public, private (n, d) and CRT. */
function rsaKeys(h: CryptoHarness, bits: number, priv: KeyObject): { pub: number; plain: number; crt: number } {
  const j = priv.export({ format: 'jwk' });
  const pub = h.buildKey(T.RSA_PUBLIC, bits);
  h.set(pub, 'setModulus', unb64(j.n));
  h.set(pub, 'setExponent', unb64(j.e));
  const plain = h.buildKey(T.RSA_PRIVATE, bits);
  h.set(plain, 'setModulus', unb64(j.n));
  h.set(plain, 'setExponent', unb64(j.d));
  const crt = h.buildKey(T.RSA_CRT_PRIVATE, bits);
  h.set(crt, 'setP', unb64(j.p));
  h.set(crt, 'setQ', unb64(j.q));
  h.set(crt, 'setDP1', unb64(j.dp));
  h.set(crt, 'setDQ1', unb64(j.dq));
  h.set(crt, 'setPQ', unb64(j.qi));
  return { pub, plain, crt };
}

describe('RSA signatures', () => {
  it('the corpus RSA-1024 key: ALG_RSA_SHA_PKCS1 signature of "Java Card RSA" (known answer), verify', () => {
    const h = new CryptoHarness();
    const priv = h.buildKey(T.RSA_PRIVATE, 1024);
    h.set(priv, 'setModulus', RSA_N);
    h.set(priv, 'setExponent', RSA_D);
    const pub = h.buildKey(T.RSA_PUBLIC, 1024);
    h.set(pub, 'setModulus', RSA_N);
    h.set(pub, 'setExponent', '010001');
    const s = h.signature(SA.RSA_SHA_PKCS1);
    h.initSignature(s, priv, MODE_SIGN);
    expect(h.invoke(s, 'getLength()S')).toBe(128);
    expect(h.sign(s, ascii('Java Card RSA'))).toBe(RSA_SIG);
    h.initSignature(s, pub, MODE_VERIFY);
    expect(h.verify(s, ascii('Java Card RSA'), RSA_SIG)).toBe(true);
    expect(h.verify(s, ascii('Java Card RSB'), RSA_SIG)).toBe(false);
    // wrong key kind for the mode: ILLEGAL_VALUE
    expect(h.outcome(() => h.initSignature(s, pub, MODE_SIGN))).toBe('CryptoException 1');
  });

  for (const bits of [1024, 2048]) {
    it(`RSA-${bits}: PKCS#1 v1.5 and PSS with SHA-1/224/256/384/512, plain and CRT keys, checked by OpenSSL`, () => {
      const h = new CryptoHarness();
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
      const { pub, plain, crt } = rsaKeys(h, bits, privateKey);
      const msg = ascii('message to sign');
      const algs: [number, string, boolean][] = [
        [SA.RSA_SHA_PKCS1, 'sha1', false],
        [SA.RSA_SHA_224_PKCS1, 'sha224', false],
        [SA.RSA_SHA_256_PKCS1, 'sha256', false],
        [SA.RSA_SHA_384_PKCS1, 'sha384', false],
        [SA.RSA_SHA_512_PKCS1, 'sha512', false],
        [SA.RSA_SHA_PKCS1_PSS, 'sha1', true],
        [SA.RSA_SHA_256_PKCS1_PSS, 'sha256', true],
        [SA.RSA_SHA_512_PKCS1_PSS, 'sha512', true],
      ];
      // PSS with SHA-512 and a 64-byte salt needs at least 130 bytes of modulus
      for (const [alg, hash, pss] of algs.filter(([a]) => bits > 1024 || a !== SA.RSA_SHA_512_PKCS1_PSS)) {
        const s = h.signature(alg);
        const opts = pss ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : publicKey;
        for (const key of [plain, crt]) {
          h.initSignature(s, key, MODE_SIGN);
          const sig = h.sign(s, msg);
          expect(sig.length, `alg ${alg}`).toBe(bits / 4);
          expect(nodeVerify(hash, fromHex(msg), opts, fromHex(sig)), `alg ${alg}`).toBe(true);
        }
        const theirs = hex(nodeSign(hash, fromHex(msg), pss ? { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : privateKey));
        h.initSignature(s, pub, MODE_VERIFY);
        expect(h.verify(s, msg, theirs), `alg ${alg}`).toBe(true);
        expect(h.verify(s, flipLast(msg), theirs), `alg ${alg}`).toBe(false);
      }
    });
  }
});

describe('RSA ciphers', () => {
  it('PKCS#1 v1.5, OAEP and NOPAD against OpenSSL; wrong lengths are ILLEGAL_USE', () => {
    const h = new CryptoHarness();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const { pub, crt, plain } = rsaKeys(h, 1024, privateKey);
    const msg = ascii('secret session key');
    const pk = h.cipher(CA.RSA_PKCS1);
    h.initCipher(pk, pub, MODE_ENCRYPT);
    const ct = h.doFinal(pk, msg);
    // (node no longer decrypts PKCS#1 v1.5 itself: open the block raw and check its form 00 02 PS 00 M)
    const em = hex(privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, fromHex(ct)));
    expect(em.slice(0, 4)).toBe('0002');
    expect(em.slice(4, -msg.length - 2)).not.toMatch(/^(..)*00/);
    expect(em.slice(-msg.length - 2)).toBe('00' + msg);
    h.initCipher(pk, crt, MODE_DECRYPT);
    expect(h.doFinal(pk, hex(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, fromHex(msg))))).toBe(msg);
    const oaep = h.cipher(CA.RSA_PKCS1_OAEP);
    h.initCipher(oaep, plain, MODE_DECRYPT);
    expect(h.doFinal(oaep, hex(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, fromHex(msg))))).toBe(msg);
    h.initCipher(oaep, pub, MODE_ENCRYPT);
    const oct = h.doFinal(oaep, msg);
    expect(hex(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, fromHex(oct)))).toBe(msg);
    const raw = h.cipher(CA.RSA_NOPAD);
    h.initCipher(raw, pub, MODE_ENCRYPT);
    const block = '00' + 'AB'.repeat(127);
    const rct = h.doFinal(raw, block);
    h.initCipher(raw, crt, MODE_DECRYPT);
    expect(h.doFinal(raw, rct)).toBe(block);
    expect(h.outcome(() => h.doFinal(raw, 'AB'))).toBe('CryptoException 5');
    // API, Cipher.doFinal: a message value not below the modulus is ILLEGAL_USE
    expect(h.outcome(() => h.doFinal(raw, 'FF'.repeat(128)))).toBe('CryptoException 5');
    h.initCipher(pk, pub, MODE_ENCRYPT);
    expect(h.outcome(() => h.doFinal(pk, '00'.repeat(118)))).toBe('CryptoException 5');
    // decrypted data without its padding (a raw block of the wrong form) is ILLEGAL_USE
    const junk = hex(publicEncrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, fromHex('00' + '11'.repeat(127))));
    h.initCipher(pk, crt, MODE_DECRYPT);
    expect(h.outcome(() => h.doFinal(pk, junk))).toBe('CryptoException 5');
    h.initCipher(oaep, plain, MODE_DECRYPT);
    expect(h.outcome(() => h.doFinal(oaep, junk))).toBe('CryptoException 5');
  });
});

/** EC key objects for a named curve with explicit domain parameters. */
function ecKeys(h: CryptoHarness, curve: (typeof NAMED_CURVES)[number], s: string | null, w: string | null): { pub: number; priv: number; bits: number } {
  const bits = curve.p.toString(2).length;
  const fl = Math.ceil(bits / 8);
  const pad = (v: bigint, n = fl): string => v.toString(16).toUpperCase().padStart(2 * n, '0');
  const pub = h.buildKey(T.EC_FP_PUBLIC, bits);
  const priv = h.buildKey(T.EC_FP_PRIVATE, bits);
  for (const k of [pub, priv]) {
    h.set(k, 'setFieldFP', pad(curve.p));
    h.set(k, 'setA', pad(curve.a));
    h.set(k, 'setB', pad(curve.b));
    h.set(k, 'setG', '04' + pad(curve.Gx) + pad(curve.Gy));
    h.set(k, 'setR', pad(curve.n, Math.ceil(curve.n.toString(2).length / 8)));
    h.invoke(k, 'setK(S)V', Number(curve.h));
  }
  if (w) h.set(pub, 'setW', w);
  if (s) h.set(priv, 'setS', s);
  return { pub, priv, bits };
}

const NODE_CURVE: Record<string, string> = {
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
  'P-521': 'secp521r1',
  secp256k1: 'secp256k1',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  'P-224': 'secp224r1',
};

describe('ECDSA', () => {
  it('RFC 6979 A.2.5: verifies the P-256 / SHA-256 signature of "sample"', () => {
    const h = new CryptoHarness();
    const p256 = NAMED_CURVES.find((c) => c.name === 'P-256')!;
    const w = '0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB67903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299';
    const { pub } = ecKeys(h, p256, null, w);
    const r = 'EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716';
    const s = 'F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8';
    const der = '3046022100' + r + '022100' + s;
    const sig = h.signature(SA.ECDSA_SHA_256);
    h.initSignature(sig, pub, MODE_VERIFY);
    expect(h.verify(sig, ascii('sample'), der)).toBe(true);
    expect(h.verify(sig, ascii('samplf'), der)).toBe(false);
    // plain r || s through getInstance(md, SIG_CIPHER_ECDSA_PLAIN, PAD_NULL)
    const plain = h.call(`${SEC}/Signature`, `getInstance(BBBZ)L${SEC}/Signature;`, 4 /* SHA-256 */, 9 /* ECDSA_PLAIN */, 0, 0);
    h.initSignature(plain, pub, MODE_VERIFY);
    expect(h.verify(plain, ascii('sample'), r + s)).toBe(true);
  });

  for (const curve of NAMED_CURVES.filter((c) => NODE_CURVE[c.name])) {
    it(`${curve.name}: sign (DER) checked by OpenSSL, OpenSSL's signature verified, with SHA-1/256/384/512`, () => {
      const h = new CryptoHarness();
      const { privateKey: nodePriv, publicKey: nodePub } = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve.name]! });
      const { pub, priv } = ecKeys(h, curve, ...ecKeyBytes(nodePriv, nodePub));
      const msg = ascii(`ECDSA over ${curve.name}`);
      for (const [alg, hash] of [[SA.ECDSA_SHA, 'sha1'], [SA.ECDSA_SHA_256, 'sha256'], [SA.ECDSA_SHA_384, 'sha384'], [SA.ECDSA_SHA_512, 'sha512']] as const) {
        const s = h.signature(alg);
        h.initSignature(s, priv, MODE_SIGN);
        const sig = h.sign(s, msg);
        expect(sig.length / 2).toBeLessThanOrEqual(h.invoke(s, 'getLength()S'));
        expect(createVerify(hash).update(fromHex(msg)).verify(nodePub, Buffer.from(fromHex(sig))), `${curve.name} ${hash}`).toBe(true);
        const theirs = hex(createSign(hash).update(fromHex(msg)).sign(nodePriv));
        h.initSignature(s, pub, MODE_VERIFY);
        expect(h.verify(s, msg, theirs)).toBe(true);
        expect(h.verify(s, flipLast(msg), theirs)).toBe(false);
      }
    });
  }
});

/** Every INTEGER of a DER structure, in order, looking into SEQUENCEs, OCTET and BIT STRINGs. */
function derInts(der: Uint8Array): string[] {
  const out: string[] = [];
  const walk = (from: number, to: number): void => {
    let at = from;
    while (at < to) {
      const tag = der[at++]!;
      let len = der[at++]!;
      if (len & 0x80) {
        const n = len & 0x7f;
        len = 0;
        for (let i = 0; i < n; i++) len = (len << 8) | der[at++]!;
      }
      if (tag === 0x02) out.push(hex(der.subarray(at, at + len)).replace(/^00/, ''));
      else if (tag === 0x30 || tag === 0x04) walk(at, at + len);
      else if (tag === 0x03) walk(at + 1, at + len);
      at += len;
    }
  };
  walk(0, der.length);
  return out;
}

/** d and the uncompressed point W of a node EC key pair (SEC 1 ECPrivateKey, SPKI). */
function ecKeyBytes(priv: KeyObject, pub: KeyObject): [string, string] {
  const sec1 = priv.export({ format: 'der', type: 'sec1' });
  const at = sec1.indexOf(Buffer.from([0x02, 0x01, 0x01, 0x04])) + 4;
  const d = hex(sec1.subarray(at + 1, at + 1 + sec1[at]!));
  const spki = pub.export({ format: 'der', type: 'spki' });
  const fl = (sec1[at]!);
  return [d, hex(spki.subarray(spki.length - (1 + 2 * fl)))];
}

describe('KeyAgreement', () => {
  it('the corpus ECDH (ALG_EC_SVDP_DH_PLAIN) known answer, and the SHA-1 and XY forms', () => {
    const h = new CryptoHarness();
    const p256 = NAMED_CURVES.find((c) => c.name === 'P-256')!;
    const { priv } = ecKeys(h, p256, '0A8C97A1E8472E057BBBC89F48861BDA23A69261E6D373D444EA1482698F1555', null);
    const peer = '04784D050CF8B98DD692EE1AA2DF0A12BC5433F50324858F9A1F056ECFF60F89246B534B43768493D118E3562C0A791A9185C5651F21EC923ACF361054DC0FBAF3';
    const agree = (alg: number, point = peer): string => {
      const ka = h.call(`${SEC}/KeyAgreement`, `getInstance(BZ)L${SEC}/KeyAgreement;`, alg, 0);
      h.invoke(ka, `init(L${SEC}/PrivateKey;)V`, priv);
      const out = h.bytes(200);
      const n = h.invoke(ka, 'generateSecret([BSS[BS)S', h.bytes(point), 0, point.length / 2, out, 0);
      return h.read(out, 0, n);
    };
    const x = '820831744B5AB1B8C0B375EF77F46C91EDFE201DCFB9010C2DA0385D8FF3FF40';
    expect(agree(KA.EC_SVDP_DH_PLAIN)).toBe(x);
    expect(agree(KA.EC_SVDP_DHC_PLAIN)).toBe(x); // cofactor 1
    expect(agree(KA.EC_SVDP_DH_PLAIN_XY).slice(0, 66)).toBe('04' + x);
    expect(agree(KA.EC_SVDP_DH)).toBe(hex(createHash('sha1').update(fromHex(x)).digest()));
    // a point off the curve is ILLEGAL_VALUE
    expect(h.outcome(() => agree(KA.EC_SVDP_DH_PLAIN, flipLast(peer)))).toBe('CryptoException 1');
  });

  for (const curve of NAMED_CURVES.filter((c) => NODE_CURVE[c.name])) {
    it(`${curve.name}: ECDH agrees with OpenSSL`, () => {
      const h = new CryptoHarness();
      const me = createECDH(NODE_CURVE[curve.name]!), them = createECDH(NODE_CURVE[curve.name]!);
      me.generateKeys();
      them.generateKeys();
      const { priv } = ecKeys(h, curve, hex(me.getPrivateKey()), null);
      const ka = h.call(`${SEC}/KeyAgreement`, `getInstance(BZ)L${SEC}/KeyAgreement;`, KA.EC_SVDP_DH_PLAIN, 0);
      h.invoke(ka, `init(L${SEC}/PrivateKey;)V`, priv);
      const peer = hex(them.getPublicKey());
      const out = h.bytes(100);
      const n = h.invoke(ka, 'generateSecret([BSS[BS)S', h.bytes(peer), 0, peer.length / 2, out, 0);
      expect(h.read(out, 0, n)).toBe(hex(me.computeSecret(them.getPublicKey())));
    });
  }

  it('DH (ALG_DH_PLAIN) agrees with OpenSSL on RFC 3526 group 14', () => {
    const h = new CryptoHarness();
    const group = getDiffieHellman('modp14');
    group.generateKeys();
    const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', KP.DH, 2048);
    h.invoke(kp, 'genKeyPair()V');
    const pub = h.invoke(kp, `getPublic()L${SEC}/PublicKey;`);
    const priv = h.invoke(kp, `getPrivate()L${SEC}/PrivateKey;`);
    expect(h.get(pub, 'getP')).toBe(hex(group.getPrime()));
    const y = h.get(pub, 'getY');
    const ka = h.call(`${SEC}/KeyAgreement`, `getInstance(BZ)L${SEC}/KeyAgreement;`, KA.DH_PLAIN, 0);
    h.invoke(ka, `init(L${SEC}/PrivateKey;)V`, priv);
    const theirs = hex(group.getPublicKey());
    const out = h.bytes(256);
    expect(h.invoke(ka, 'generateSecret([BSS[BS)S', h.bytes(theirs), 0, theirs.length / 2, out, 0)).toBe(256);
    expect(h.read(out)).toBe(hex(group.computeSecret(fromHex(y))).padStart(512, '0'));
  });

  it('unknown algorithms are NO_SUCH_ALGORITHM; a key of the wrong kind ILLEGAL_VALUE', () => {
    const h = new CryptoHarness();
    for (const alg of [KA.EC_PACE_GM, KA.XDH, KA.SM2, 0, 50]) {
      expect(h.outcome(() => h.call(`${SEC}/KeyAgreement`, `getInstance(BZ)L${SEC}/KeyAgreement;`, alg, 0))).toBe('CryptoException 3');
    }
    const ka = h.call(`${SEC}/KeyAgreement`, `getInstance(BZ)L${SEC}/KeyAgreement;`, KA.EC_SVDP_DH, 0);
    const rsa = h.buildKey(T.RSA_PRIVATE, 1024);
    expect(h.outcome(() => h.invoke(ka, `init(L${SEC}/PrivateKey;)V`, rsa))).toBe('CryptoException 1');
    const ec = h.buildKey(T.EC_FP_PRIVATE, 256);
    expect(h.outcome(() => h.invoke(ka, `init(L${SEC}/PrivateKey;)V`, ec))).toBe('CryptoException 2');
  });
});

describe('Signature.signPreComputedHash / verifyPreComputedHash', () => {
  it('ECDSA-SHA-256 over a hash computed elsewhere; a hash of the wrong length or a MAC is ILLEGAL_USE', () => {
    const h = new CryptoHarness();
    const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', KP.EC_FP, 256);
    h.invoke(kp, 'genKeyPair()V');
    const pub = h.invoke(kp, `getPublic()L${SEC}/PublicKey;`), priv = h.invoke(kp, `getPrivate()L${SEC}/PrivateKey;`);
    const msg = ascii('hashed off card');
    const digest = hex(createHash('sha256').update(fromHex(msg)).digest());
    const s = h.signature(SA.ECDSA_SHA_256);
    h.initSignature(s, priv, MODE_SIGN);
    const out = h.bytes(80);
    const n = h.invoke(s, 'signPreComputedHash([BSS[BS)S', h.bytes(digest), 0, 32, out, 0);
    const sig = h.read(out, 0, n);
    expect(h.outcome(() => h.invoke(s, 'signPreComputedHash([BSS[BS)S', h.bytes(digest), 0, 20, out, 0))).toBe('CryptoException 5');
    h.initSignature(s, pub, MODE_VERIFY);
    expect(h.verify(s, msg, sig)).toBe(true);
    expect(h.invoke(s, 'verifyPreComputedHash([BSS[BSS)Z', h.bytes(digest), 0, 32, h.bytes(sig), 0, sig.length / 2)).toBe(1);
    expect(h.outcome(() => h.invoke(s, 'verifyPreComputedHash([BSS[BSS)Z', h.bytes(digest), 0, 31, h.bytes(sig), 0, sig.length / 2))).toBe('CryptoException 5');
    const mac = h.signature(SA.HMAC_SHA_256);
    const hk = h.buildKey(T.HMAC, 64);
    h.set(hk, 'setKey', '0102');
    h.initSignature(mac, hk, MODE_SIGN);
    expect(h.outcome(() => h.invoke(mac, 'signPreComputedHash([BSS[BS)S', h.bytes(digest), 0, 32, out, 0))).toBe('CryptoException 5');
  });
});

describe('DSA', () => {
  it('sign and verify with DSA-1024 / SHA-1 domain parameters from OpenSSL, checked by OpenSSL', () => {
    const h = new CryptoHarness();
    const { privateKey, publicKey } = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
    // node exports DSA keys only as DER: the INTEGERs of the PKCS#8 and SPKI structures, in order
    const [, p, q, g, x] = derInts(privateKey.export({ format: 'der', type: 'pkcs8' }));
    const y = derInts(publicKey.export({ format: 'der', type: 'spki' })).at(-1)!;
    const priv = h.buildKey(T.DSA_PRIVATE, 1024), pub = h.buildKey(T.DSA_PUBLIC, 1024);
    for (const k of [priv, pub]) {
      h.set(k, 'setP', p!);
      h.set(k, 'setQ', q!);
      h.set(k, 'setG', g!);
    }
    h.set(priv, 'setX', x!);
    h.set(pub, 'setY', y);
    const s = h.signature(SA.DSA_SHA);
    h.initSignature(s, priv, MODE_SIGN);
    const msg = ascii('DSA message');
    const sig = h.sign(s, msg);
    expect(nodeVerify('sha1', fromHex(msg), publicKey, fromHex(sig))).toBe(true);
    h.initSignature(s, pub, MODE_VERIFY);
    expect(h.verify(s, msg, hex(nodeSign('sha1', fromHex(msg), privateKey)))).toBe(true);
    expect(h.verify(s, flipLast(msg), sig)).toBe(false);
  });
});
