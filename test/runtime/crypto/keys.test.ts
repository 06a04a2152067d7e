// KeyBuilder and the key interfaces: every key type of the issue with its setters and
// getters, isInitialized and clearKey, the CryptoException reasons, key material kept in
// heap arrays (transient ones cleared at reset), KeyPair.genKeyPair, RandomData, and the
// deterministic random source of CardOptions.randomSeed.

import { describe, expect, it } from 'vitest';
import { CA, KP, MODE_ENCRYPT, MODE_SIGN, MODE_VERIFY, RA, SA, T } from '../../../runtime/api/crypto/consts.ts';
import { KeyState } from '../../../runtime/api/crypto/keys.ts';
import { Transience } from '../../../vm/types.ts';
import { ascii, CryptoHarness, SEC } from './harness.ts';

const P256 = {
  p: 'FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF',
  a: 'FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC',
  b: '5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B',
  g: '046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C2964FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5',
  n: 'FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551',
};

const isInit = (h: CryptoHarness, k: number): boolean => h.invoke(k, 'isInitialized()Z') === 1;
const implements_ = (h: CryptoHarness, k: number, iface: string): boolean => h.jcre.heap.get(k)!.cls!.isSubclassOf(h.jcre.api.cls(`${SEC}/${iface}`));

describe('KeyBuilder.buildKey', () => {
  const secret: [number, number, string, boolean][] = [
    [T.DES, 64, 'DESKey', true],
    [T.DES, 128, 'DESKey', true],
    [T.DES_TRANSIENT_RESET, 192, 'DESKey', true],
    [T.AES, 128, 'AESKey', true],
    [T.AES_TRANSIENT_DESELECT, 192, 'AESKey', true],
    [T.AES, 256, 'AESKey', true],
    [T.HMAC, 64, 'HMACKey', false],
    [T.GENERIC_SECRET, 256, 'GenericSecretKey', false],
  ];
  for (const [type, bits, iface, fixed] of secret) {
    it(`type ${type}, ${bits} bits: ${iface}, setKey/getKey, isInitialized, clearKey`, () => {
      const h = new CryptoHarness();
      const k = h.buildKey(type, bits);
      expect(implements_(h, k, iface)).toBe(true);
      expect(implements_(h, k, 'SecretKey')).toBe(true);
      expect(implements_(h, k, 'Key')).toBe(true);
      expect(implements_(h, k, 'PublicKey')).toBe(false);
      expect(h.invoke(k, 'getType()B')).toBe(type);
      expect(h.invoke(k, 'getSize()S')).toBe(bits);
      expect(isInit(h, k)).toBe(false);
      const getDesc = iface === 'GenericSecretKey' ? '([BS)S' : '([BS)B';
      expect(h.outcome(() => h.get(k, 'getKey', getDesc))).toBe('CryptoException 2');
      const data = fixed ? '5A'.repeat(bits / 8) : 'A5'.repeat(20);
      h.set(k, 'setKey', data, fixed);
      expect(isInit(h, k)).toBe(true);
      expect(h.get(k, 'getKey', getDesc)).toBe(data);
      h.invoke(k, 'clearKey()V');
      expect(isInit(h, k)).toBe(false);
      expect(h.outcome(() => h.get(k, 'getKey', getDesc))).toBe('CryptoException 2');
    });
  }

  it('RSA public, private and CRT private keys: every setter and getter', () => {
    const h = new CryptoHarness();
    const pub = h.buildKey(T.RSA_PUBLIC, 512);
    expect(implements_(h, pub, 'RSAPublicKey') && implements_(h, pub, 'PublicKey')).toBe(true);
    h.set(pub, 'setModulus', 'C1'.repeat(64));
    expect(isInit(h, pub)).toBe(false);
    h.set(pub, 'setExponent', '010001');
    expect(isInit(h, pub)).toBe(true);
    expect(h.get(pub, 'getModulus')).toBe('C1'.repeat(64));
    expect(h.get(pub, 'getExponent')).toBe('010001');
    // too long for a 512-bit key (leading zeros are dropped first)
    expect(h.outcome(() => h.set(pub, 'setModulus', 'C1'.repeat(65)))).toBe('CryptoException 1');
    h.set(pub, 'setModulus', '00' + 'C2'.repeat(64));
    expect(h.get(pub, 'getModulus')).toBe('C2'.repeat(64));
    const crt = h.buildKey(T.RSA_CRT_PRIVATE_TRANSIENT_RESET, 1024);
    expect(implements_(h, crt, 'RSAPrivateCrtKey') && implements_(h, crt, 'PrivateKey')).toBe(true);
    for (const [i, name] of ['P', 'Q', 'DP1', 'DQ1', 'PQ'].entries()) {
      expect(isInit(h, crt)).toBe(false);
      h.set(crt, `set${name}`, (i + 1).toString(16).padStart(2, '0').repeat(64));
    }
    expect(isInit(h, crt)).toBe(true);
    expect(h.get(crt, 'getDQ1')).toBe('04'.repeat(64));
    const priv = h.buildKey(T.RSA_PRIVATE, 2048);
    h.set(priv, 'setModulus', 'F0'.repeat(256));
    h.set(priv, 'setExponent', '77'.repeat(256));
    expect(h.get(priv, 'getExponent')).toBe('77'.repeat(256));
  });

  it('EC F(p) keys: domain parameters, W and S, K, copyDomainParametersFrom, bad encodings', () => {
    const h = new CryptoHarness();
    const pub = h.buildKey(T.EC_FP_PUBLIC, 256);
    expect(implements_(h, pub, 'ECPublicKey') && implements_(h, pub, 'ECKey')).toBe(true);
    h.set(pub, 'setFieldFP', P256.p);
    h.set(pub, 'setA', P256.a);
    h.set(pub, 'setB', P256.b);
    h.set(pub, 'setG', P256.g);
    h.set(pub, 'setR', P256.n);
    expect(h.outcome(() => h.invoke(pub, 'getK()S'))).toBe('CryptoException 2');
    h.invoke(pub, 'setK(S)V', 1);
    expect(h.invoke(pub, 'getK()S')).toBe(1);
    expect(isInit(h, pub)).toBe(false);
    h.set(pub, 'setW', P256.g);
    expect(isInit(h, pub)).toBe(true);
    expect([h.get(pub, 'getField'), h.get(pub, 'getA'), h.get(pub, 'getB'), h.get(pub, 'getG'), h.get(pub, 'getR'), h.get(pub, 'getW')]).toEqual([P256.p, P256.a, P256.b, P256.g, P256.n, P256.g]);
    expect(h.outcome(() => h.set(pub, 'setW', '05' + P256.g.slice(2)))).toBe('CryptoException 1');
    expect(h.outcome(() => h.set(pub, 'setW', P256.g.slice(0, -2)))).toBe('CryptoException 1');
    expect(h.outcome(() => h.invoke(pub, 'setFieldF2M(S)V', 163))).toBe('CryptoException 1');
    const priv = h.buildKey(T.EC_FP_PRIVATE_TRANSIENT_DESELECT, 256);
    h.invoke(priv, `copyDomainParametersFrom(L${SEC}/ECKey;)V`, pub);
    expect(h.get(priv, 'getG')).toBe(P256.g);
    h.set(priv, 'setS', '01'.repeat(32));
    expect(isInit(h, priv)).toBe(true);
    expect(h.get(priv, 'getS')).toBe('01'.repeat(32));
    const empty = h.buildKey(T.EC_FP_PUBLIC, 256);
    expect(h.outcome(() => h.invoke(priv, `copyDomainParametersFrom(L${SEC}/ECKey;)V`, empty))).toBe('CryptoException 2');
  });

  it('DSA and DH keys: P, Q, G and X / Y', () => {
    const h = new CryptoHarness();
    for (const [type, own, iface] of [[T.DSA_PUBLIC, 'Y', 'DSAPublicKey'], [T.DSA_PRIVATE, 'X', 'DSAPrivateKey'], [T.DH_PUBLIC, 'Y', 'DHPublicKey'], [T.DH_PRIVATE_TRANSIENT_RESET, 'X', 'DHPrivateKey']] as const) {
      const k = h.buildKey(type, 1024);
      expect(implements_(h, k, iface)).toBe(true);
      h.set(k, 'setP', 'E1'.repeat(128));
      h.set(k, 'setQ', '91'.repeat(20));
      h.set(k, 'setG', '02');
      expect(isInit(h, k)).toBe(false);
      h.set(k, `set${own}`, '33'.repeat(20));
      expect(isInit(h, k)).toBe(true);
      expect(h.get(k, 'getQ')).toBe('91'.repeat(20));
      expect(h.get(k, `get${own}`)).toBe('33'.repeat(20));
    }
  });

  it('unsupported types and lengths answer NO_SUCH_ALGORITHM; key encryption too', () => {
    const h = new CryptoHarness();
    const none: [number, number][] = [
      [T.KOREAN_SEED, 128], [T.EC_F2M_PUBLIC, 163], [T.EC_F2M_PRIVATE, 163], [T.EC_FP_PARAMETERS, 256], [T.DH_PARAMETERS, 1024],
      [T.AES, 100], [T.AES, 512], [T.DES, 56], [T.RSA_PUBLIC, 500], [T.RSA_PRIVATE, 8192], [T.EC_FP_PUBLIC, 64], [0, 128], [99, 128],
    ];
    for (const [type, bits] of none) expect(h.outcome(() => h.buildKey(type, bits)), `type ${type} ${bits}`).toBe('CryptoException 3');
    expect(h.outcome(() => h.call(`${SEC}/KeyBuilder`, `buildKey(BSZ)L${SEC}/Key;`, T.AES, 128, 1))).toBe('CryptoException 3');
  });

  it('buildKey(algorithmicType, memoryType, length, encryption) and getMemoryType', () => {
    const h = new CryptoHarness();
    const k = h.call(`${SEC}/KeyBuilder`, `buildKey(BBSZ)L${SEC}/Key;`, 2 /* ALG_TYPE_AES */, 1 /* TRANSIENT_RESET */, 128, 0);
    expect(h.invoke(k, 'getType()B')).toBe(T.AES_TRANSIENT_RESET);
    expect(h.call(`${SEC}/KeyBuilder`, `getMemoryType(L${SEC}/Key;)B`, k)).toBe(1);
    const p = h.buildKey(T.RSA_PUBLIC, 1024);
    expect(h.call(`${SEC}/KeyBuilder`, `getMemoryType(L${SEC}/Key;)B`, p)).toBe(0);
  });

  it('setters refuse null arrays and bad ranges as the framework does; setKey reads exactly size/8 bytes', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.AES, 256);
    expect(h.outcome(() => h.invoke(k, 'setKey([BS)V', 0, 0))).toBe('NullPointerException');
    expect(h.outcome(() => h.invoke(k, 'setKey([BS)V', h.bytes(31), 0))).toBe('ArrayIndexOutOfBoundsException');
    expect(h.outcome(() => h.invoke(k, 'setKey([BS)V', h.bytes(40), 9))).toBe('ArrayIndexOutOfBoundsException');
    expect(h.outcome(() => h.invoke(k, 'setKey([BS)V', h.bytes(40), 8))).toBe('ok');
    const m = h.buildKey(T.HMAC, 64);
    expect(h.outcome(() => h.invoke(m, 'setKey([BSS)V', h.bytes(4), 0, 0))).toBe('CryptoException 1');
    expect(h.outcome(() => h.invoke(m, 'setKey([BSS)V', h.bytes(65), 0, 65))).toBe('CryptoException 1');
  });
});

describe('key material is card memory', () => {
  it('a key object holds only handles and numbers; its bytes are heap arrays owned by its context', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.AES, 128);
    h.set(k, 'setKey', '000102030405060708090A0B0C0D0E0F', true);
    const o = h.jcre.heap.get(k)!;
    const st = o.native as KeyState;
    expect(st).toBeInstanceOf(KeyState);
    for (const v of Object.values(st)) expect(typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number'))).toBe(true);
    const arr = h.jcre.heap.get(st.comps[0]!)!;
    expect(arr.owner).toBe(o.owner);
    expect(h.read(st.comps[0]!)).toBe('000102030405060708090A0B0C0D0E0F');
    expect(arr.transience).toBe(Transience.Persistent);
  });

  it('TYPE_*_TRANSIENT_RESET keys lose their data and their initialized state at a card reset', () => {
    const h = new CryptoHarness();
    const t = h.buildKey(T.AES_TRANSIENT_RESET, 128);
    const d = h.buildKey(T.DES_TRANSIENT_DESELECT, 64);
    const p = h.buildKey(T.AES, 128);
    for (const k of [t, p]) h.set(k, 'setKey', '11'.repeat(16), true);
    h.set(d, 'setKey', '22'.repeat(8), true);
    const st = h.jcre.heap.get(d)!.native as KeyState;
    expect(h.jcre.heap.get(st.comps[0]!)!.transience).toBe(Transience.ClearOnDeselect);
    expect(h.jcre.transients).toContain(st.comps[0]);
    h.card.powerOff();
    h.card.powerOn();
    expect(isInit(h, t)).toBe(false);
    expect(isInit(h, d)).toBe(false); // a reset clears CLEAR_ON_DESELECT memory too
    expect(isInit(h, p)).toBe(true);
    expect(h.get(p, 'getKey', '([BS)B')).toBe('11'.repeat(16));
    // a cipher initialized with the cleared key now answers UNINITIALIZED_KEY
    const c = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
    expect(h.outcome(() => h.initCipher(c, t, MODE_ENCRYPT))).toBe('CryptoException 2');
  });

  it('an operation in progress is engine (RAM) state: lost at reset, the cipher stays initialized', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.AES, 128);
    h.set(k, 'setKey', '000102030405060708090A0B0C0D0E0F', true);
    const c = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
    h.initCipher(c, k, MODE_ENCRYPT);
    expect(h.update(c, '0011223344556677')).toBe('');
    h.card.powerOff();
    h.card.powerOn();
    expect(h.doFinal(c, '00112233445566778899AABBCCDDEEFF')).toBe('69C4E0D86A7B0430D8CDB78070B4C55A');
  });
});

describe('KeyPair', () => {
  it('ALG_RSA and ALG_RSA_CRT: genKeyPair, then sign and verify', () => {
    const h = new CryptoHarness();
    for (const alg of [KP.RSA, KP.RSA_CRT]) {
      const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', alg, 1024);
      const pub = h.invoke(kp, `getPublic()L${SEC}/PublicKey;`);
      const priv = h.invoke(kp, `getPrivate()L${SEC}/PrivateKey;`);
      expect(isInit(h, pub)).toBe(false);
      h.invoke(kp, 'genKeyPair()V');
      expect(isInit(h, pub) && isInit(h, priv)).toBe(true);
      expect(h.get(pub, 'getExponent')).toBe('010001');
      expect(h.get(pub, 'getModulus')).toMatch(/^[89A-F][0-9A-F]{255}$/);
      const s = h.signature(SA.RSA_SHA_256_PKCS1);
      h.initSignature(s, priv, MODE_SIGN);
      const sig = h.sign(s, ascii('pair'));
      h.initSignature(s, pub, MODE_VERIFY);
      expect(h.verify(s, ascii('pair'), sig)).toBe(true);
    }
  });

  it('ALG_EC_FP without domain parameters uses the curve of the length (P-256); with them, the given curve', () => {
    const h = new CryptoHarness();
    const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', KP.EC_FP, 256);
    h.invoke(kp, 'genKeyPair()V');
    const pub = h.invoke(kp, `getPublic()L${SEC}/PublicKey;`);
    const priv = h.invoke(kp, `getPrivate()L${SEC}/PrivateKey;`);
    expect(h.get(pub, 'getField')).toBe(P256.p);
    expect(h.get(priv, 'getR')).toBe(P256.n);
    const s = h.signature(SA.ECDSA_SHA_256);
    h.initSignature(s, priv, MODE_SIGN);
    const sig = h.sign(s, ascii('pair'));
    h.initSignature(s, pub, MODE_VERIFY);
    expect(h.verify(s, ascii('pair'), sig)).toBe(true);
    // a key pair of given keys; mismatched keys are ILLEGAL_VALUE
    const rsa = h.buildKey(T.RSA_PRIVATE, 1024);
    expect(h.outcome(() => h.construct(`${SEC}/KeyPair`, `(L${SEC}/PublicKey;L${SEC}/PrivateKey;)V`, pub, rsa))).toBe('CryptoException 1');
    const kp2 = h.construct(`${SEC}/KeyPair`, `(L${SEC}/PublicKey;L${SEC}/PrivateKey;)V`, pub, priv);
    h.invoke(kp2, 'genKeyPair()V');
    expect(h.get(pub, 'getW')).not.toBe(h.get(pub, 'getG'));
    expect(h.outcome(() => h.construct(`${SEC}/KeyPair`, '(BS)V', KP.EC_F2M, 163))).toBe('CryptoException 3');
  });

  it('a seeded card (randomSeed) generates the same keys and random bytes every run', () => {
    const run = (seed: string): string[] => {
      const h = new CryptoHarness({ randomSeed: seed });
      const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', KP.RSA_CRT, 512);
      h.invoke(kp, 'genKeyPair()V');
      const ec = h.construct(`${SEC}/KeyPair`, '(BS)V', KP.EC_FP, 256);
      h.invoke(ec, 'genKeyPair()V');
      const rd = h.call(`${SEC}/RandomData`, `getInstance(B)L${SEC}/RandomData;`, RA.SECURE_RANDOM);
      const buf = h.bytes(16);
      expect(h.invoke(rd, 'nextBytes([BSS)S', buf, 4, 8)).toBe(12);
      return [h.get(h.invoke(kp, `getPublic()L${SEC}/PublicKey;`), 'getModulus'), h.get(h.invoke(ec, `getPublic()L${SEC}/PublicKey;`), 'getW'), h.read(buf)];
    };
    const a = run('test seed'), b = run('test seed'), c = run('other seed');
    expect(a).toEqual(b);
    expect(a[0]).not.toBe(c[0]);
    expect(a[2]).not.toBe(c[2]);
    expect(a[2]!.slice(0, 8)).toBe('00000000');
  });
});

describe('RandomData', () => {
  it('every algorithm of the API; generateData / nextBytes range checks; unknown algorithms', () => {
    const h = new CryptoHarness();
    for (const alg of Object.values(RA)) {
      const rd = h.call(`${SEC}/RandomData`, `getInstance(B)L${SEC}/RandomData;`, alg);
      expect(h.invoke(rd, 'getAlgorithm()B')).toBe(alg);
      const buf = h.bytes(64);
      h.invoke(rd, 'generateData([BSS)V', buf, 0, 64);
      expect(h.read(buf)).not.toBe('00'.repeat(64));
      expect(h.outcome(() => h.invoke(rd, 'generateData([BSS)V', buf, 60, 8))).toBe('ArrayIndexOutOfBoundsException');
      h.invoke(rd, 'setSeed([BSS)V', buf, 0, 8);
    }
    expect(h.outcome(() => h.call(`${SEC}/RandomData`, `getInstance(B)L${SEC}/RandomData;`, 0))).toBe('CryptoException 3');
    expect(h.outcome(() => h.call(`${SEC}/RandomData`, `getInstance(B)L${SEC}/RandomData;`, 7))).toBe('CryptoException 3');
  });
});

describe('key data is card memory (issue 3)', () => {
  it('setKey inside an aborted transaction is rolled back; a committed one stays', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.AES, 128);
    const data = h.bytes('000102030405060708090A0B0C0D0E0F');
    const initialized = (): number => h.invoke(k, 'isInitialized()Z');
    h.jcre.beginTransaction();
    h.invoke(k, 'setKey([BS)V', data, 0);
    expect(initialized()).toBe(1);
    h.jcre.abortTransaction();
    expect(initialized()).toBe(0);
    h.jcre.beginTransaction();
    h.invoke(k, 'setKey([BS)V', data, 0);
    h.jcre.commitTransaction();
    expect(initialized()).toBe(1);
    const out = h.bytes(16);
    expect(h.invoke(k, 'getKey([BS)B', out, 0)).toBe(16);
    expect(h.read(out)).toBe('000102030405060708090A0B0C0D0E0F');
  });

  it('setKey counts as persistent writes', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.AES, 128);
    const data = h.bytes('000102030405060708090A0B0C0D0E0F');
    const w0 = h.card.persistentWrites;
    h.invoke(k, 'setKey([BS)V', data, 0);
    expect(h.card.persistentWrites - w0).toBeGreaterThanOrEqual(2);
  });
});
