// Published test vectors through the natives: message digests (FIPS 180-4 / FIPS 202 "abc",
// RFC 1321, RIPEMD-160), HMAC (RFC 2202, RFC 4231), AES (FIPS-197 appendix C, SP 800-38A
// ECB/CBC/CTR/CFB), DES and 3DES (the FIPS 46 worked example, SP 800-67), AES-CMAC (RFC 4493),
// DES MACs (ISO 9797-1 algorithms 1 and 3), AES-GCM (McGrew-Viega test cases 2 and 4),
// AES-CCM (RFC 3610 packet vector 1), CRC-32 and CRC-16/X-25 check values.

import { describe, expect, it } from 'vitest';
import { CA, CK, MD, MODE_DECRYPT, MODE_ENCRYPT, MODE_SIGN, MODE_VERIFY, SA, T } from '../../../runtime/api/crypto/consts.ts';
import { createCipheriv, createHash } from 'node:crypto';
import { ascii, CRYPTOX, CryptoHarness, flipLast, hex, SEC } from './harness.ts';

const FIPS197_PT = '00112233445566778899AABBCCDDEEFF';
const SP38A_KEY = '2B7E151628AED2A6ABF7158809CF4F3C';
const SP38A_PT = '6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710';

function aesKey(h: CryptoHarness, key: string): number {
  const k = h.buildKey(T.AES, key.length * 4);
  h.set(k, 'setKey', key, true);
  return k;
}

describe('MessageDigest', () => {
  const cases: [number, string][] = [
    [MD.SHA, 'A9993E364706816ABA3E25717850C26C9CD0D89D'],
    [MD.SHA_224, '23097D223405D8228642A477BDA255B32AADBCE4BDA0B3F7E36C9DA7'],
    [MD.SHA_256, 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD'],
    [MD.SHA_384, 'CB00753F45A35E8BB5A03D699AC65007272C32AB0EDED1631A8B605A43FF5BED8086072BA1E7CC2358BAECA134C825A7'],
    [MD.SHA_512, 'DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F'],
    [MD.MD5, '900150983CD24FB0D6963F7D28E17F72'],
    [MD.RIPEMD160, '8EB208F7E05D987A9B044A8E98C6B087F15A0BFC'],
    [MD.SHA3_256, '3A985DA74FE225B2045C172D6BD390BD855F086E3E9D525B46BFE24511431532'],
  ];
  for (const [alg, digest] of cases) {
    it(`algorithm ${alg}: "abc", in one doFinal and as update + doFinal`, () => {
      const h = new CryptoHarness();
      const md = h.digest(alg);
      expect(h.invoke(md, 'getLength()B')).toBe(digest.length / 2);
      expect(h.invoke(md, 'getAlgorithm()B')).toBe(alg);
      expect(h.doFinal(md, ascii('abc'))).toBe(digest);
      h.invoke(md, 'update([BSS)V', h.bytes(ascii('ab')), 0, 2);
      expect(h.doFinal(md, ascii('c'))).toBe(digest);
    });
  }

  it('reset() drops the data so far; doIntermediateMessageDigest leaves the hash running', () => {
    const h = new CryptoHarness();
    const md = h.digest(MD.SHA_256);
    h.invoke(md, 'update([BSS)V', h.bytes(ascii('zzz')), 0, 3);
    h.invoke(md, 'reset()V');
    h.invoke(md, 'update([BSS)V', h.bytes(ascii('ab')), 0, 2);
    const mid = h.bytes(32);
    expect(h.invoke(md, 'doIntermediateMessageDigest([BS)S', mid, 0)).toBe(32);
    expect(h.read(mid)).toBe('FB8E20FC2E4C3F248C60C39BD652F3C1347298BB977B8B4D5903B85055620603'); // SHA-256("ab")
    expect(h.doFinal(md, ascii('c'))).toBe(cases[2]![1]);
  });

  it('unknown algorithms answer NO_SUCH_ALGORITHM; a short output array AIOOBE', () => {
    const h = new CryptoHarness();
    expect(h.outcome(() => h.digest(0))).toBe('CryptoException 3');
    expect(h.outcome(() => h.digest(99))).toBe('CryptoException 3');
    const md = h.digest(MD.SHA);
    expect(h.outcome(() => h.invoke(md, 'doFinal([BSS[BS)S', h.bytes(3), 0, 3, h.bytes(19), 0))).toBe('ArrayIndexOutOfBoundsException');
    expect(h.outcome(() => h.invoke(md, 'doFinal([BSS[BS)S', 0, 0, 3, h.bytes(20), 0))).toBe('NullPointerException');
  });
});

describe('HMAC', () => {
  const key = '0B'.repeat(20);
  const cases: [number, number, string][] = [
    [SA.HMAC_SHA1, 64, 'B617318655057264E28BC0B6FB378C8EF146BE00'], // RFC 2202 case 1
    [SA.HMAC_SHA_256, 64, 'B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7'], // RFC 4231 case 1
    [SA.HMAC_SHA_384, 128, 'AFD03944D84895626B0825F4AB46907F15F9DADBE4101EC682AA034C7CEBC59CFAEA9EA9076EDE7F4AF152E8B2FA9CB6'],
    [SA.HMAC_SHA_512, 128, '87AA7CDEA5EF619D4FF0B4241A1D6CB02379F4E2CE4EC2787AD0B30545E17CDEDAA833B7D6B8A702038B274EAEA3F4E4BE9D914EEB61F1702E696C203A126854'],
  ];
  for (const [alg, bits, mac] of cases) {
    it(`algorithm ${alg}: "Hi There", sign then verify (and a wrong MAC)`, () => {
      const h = new CryptoHarness();
      const k = h.buildKey(T.HMAC, bits);
      h.set(k, 'setKey', key);
      const sig = h.signature(alg);
      h.initSignature(sig, k, MODE_SIGN);
      expect(h.invoke(sig, 'getLength()S')).toBe(mac.length / 2);
      expect(h.sign(sig, ascii('Hi There'))).toBe(mac);
      h.initSignature(sig, k, MODE_VERIFY);
      expect(h.verify(sig, ascii('Hi There'), mac)).toBe(true);
      expect(h.verify(sig, ascii('Hi There'), flipLast(mac))).toBe(false);
    });
  }

  it('RFC 4231 case 6: a key longer than the block is hashed first', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.HMAC, 131);
    h.set(k, 'setKey', 'AA'.repeat(131));
    const sig = h.signature(SA.HMAC_SHA_256);
    h.initSignature(sig, k, MODE_SIGN);
    expect(h.sign(sig, ascii('Test Using Larger Than Block-Size Key - Hash Key First'))).toBe('60E431591EE0B67F0D8A26AACBF5B77F8E0BC6213728C5140546040F0EE37F54');
  });
});

describe('AES (FIPS-197, SP 800-38A)', () => {
  const fips: [string, string][] = [
    ['000102030405060708090A0B0C0D0E0F', '69C4E0D86A7B0430D8CDB78070B4C55A'],
    ['000102030405060708090A0B0C0D0E0F1011121314151617', 'DDA97CA4864CDFE06EAF70A0EC0D7191'],
    ['000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', '8EA2B7CA516745BFEAFC49904B496089'],
  ];
  for (const [key, ct] of fips) {
    it(`AES-${key.length * 4} ECB encrypt and decrypt (FIPS-197 appendix C)`, () => {
      const h = new CryptoHarness();
      const k = aesKey(h, key);
      const c = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
      h.initCipher(c, k, MODE_ENCRYPT);
      expect(h.doFinal(c, FIPS197_PT)).toBe(ct);
      h.initCipher(c, k, MODE_DECRYPT);
      expect(h.doFinal(c, ct)).toBe(FIPS197_PT);
    });
  }

  it('CBC (F.2.1), also fed through update in uneven pieces', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, SP38A_KEY);
    const c = h.cipher(CA.AES_BLOCK_128_CBC_NOPAD);
    const iv = '000102030405060708090A0B0C0D0E0F';
    const ct = '7649ABAC8119B246CEE98E9B12E9197D5086CB9B507219EE95DB113A917678B273BED6B8E3C1743B7116E69E222295163FF1CAA1681FAC09120ECA307586E1A7';
    h.initCipher(c, k, MODE_ENCRYPT, iv);
    expect(h.doFinal(c, SP38A_PT)).toBe(ct);
    h.initCipher(c, k, MODE_ENCRYPT, iv);
    expect(h.update(c, SP38A_PT.slice(0, 40))).toBe(ct.slice(0, 32)); // 20 bytes in: one block out
    expect(h.update(c, SP38A_PT.slice(40, 100))).toBe(ct.slice(32, 96));
    expect(h.doFinal(c, SP38A_PT.slice(100))).toBe(ct.slice(96));
    h.initCipher(c, k, MODE_DECRYPT, iv);
    expect(h.doFinal(c, ct)).toBe(SP38A_PT);
  });

  it('CTR (F.5.1) and CFB128 (F.3.13) stream over partial blocks', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, SP38A_KEY);
    const ctr = h.cipher(CA.AES_CTR);
    const ctrCt = '874D6191B620E3261BEF6864990DB6CE9806F66B7970FDFF8617187BB9FFFDFF5AE4DF3EDBD5D35E5B4F09020DB03EAB1E031DDA2FBE03D1792170A0F3009CEE';
    h.initCipher(ctr, k, MODE_ENCRYPT, 'F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF');
    expect(h.update(ctr, SP38A_PT.slice(0, 10))).toBe(ctrCt.slice(0, 10));
    expect(h.doFinal(ctr, SP38A_PT.slice(10))).toBe(ctrCt.slice(10));
    const cfb = h.cipher(CA.AES_CFB);
    h.initCipher(cfb, k, MODE_ENCRYPT, '000102030405060708090A0B0C0D0E0F');
    expect(h.doFinal(cfb, SP38A_PT.slice(0, 64))).toBe('3B3FD92EB72DAD20333449F8E83CFB4AC8A64537A0B3A93FCDE3CDAD9F1CE58B');
  });

  it('padded modes: PKCS#5 and ISO 9797-1 M2 add a block to aligned data and remove it again', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, SP38A_KEY);
    for (const alg of [CA.AES_CBC_PKCS5, CA.AES_CBC_ISO9797_M2, CA.AES_ECB_PKCS5, CA.AES_ECB_ISO9797_M2]) {
      const c = h.cipher(alg);
      for (const pt of ['', '00', SP38A_PT.slice(0, 32), SP38A_PT.slice(0, 50)]) {
        h.initCipher(c, k, MODE_ENCRYPT);
        const ct = h.doFinal(c, pt);
        expect(ct.length).toBe((Math.floor(pt.length / 32) + 1) * 32);
        h.initCipher(c, k, MODE_DECRYPT);
        // the last block waits for doFinal, which removes the padding
        const head = h.update(c, ct);
        expect(head.length).toBe(ct.length - 32);
        expect(head + h.doFinal(c, '')).toBe(pt);
        // The padding itself, seen through the same mode without padding: n bytes n (PKCS#5), or 80 00.. (M2).
        const n = 16 - ((pt.length / 2) % 16);
        const pkcs5 = alg === CA.AES_CBC_PKCS5 || alg === CA.AES_ECB_PKCS5;
        const padding = pkcs5 ? n.toString(16).toUpperCase().padStart(2, '0').repeat(n) : '80' + '00'.repeat(n - 1);
        const cbc = alg === CA.AES_CBC_PKCS5 || alg === CA.AES_CBC_ISO9797_M2;
        const nopad = h.cipher(cbc ? CA.AES_BLOCK_128_CBC_NOPAD : CA.AES_BLOCK_128_ECB_NOPAD);
        h.initCipher(nopad, k, MODE_DECRYPT);
        expect(h.doFinal(nopad, ct)).toBe(pt + padding);
      }
    }
  });

  it('errors: unaligned NOPAD input or none at all is ILLEGAL_USE, bad padding ILLEGAL_USE, no init INVALID_INIT, wrong key ILLEGAL_VALUE', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, SP38A_KEY);
    const c = h.cipher(CA.AES_BLOCK_128_CBC_NOPAD);
    expect(h.outcome(() => h.doFinal(c, '00'))).toBe('CryptoException 4');
    h.initCipher(c, k, MODE_ENCRYPT);
    expect(h.outcome(() => h.doFinal(c, '00'.repeat(15)))).toBe('CryptoException 5');
    // API, Cipher.doFinal: a cipher that does not pad, given no input in doFinal nor update
    const none = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
    h.initCipher(none, k, MODE_ENCRYPT);
    expect(h.outcome(() => h.doFinal(none, ''))).toBe('CryptoException 5');
    const zero = createCipheriv('aes-128-ecb', Buffer.from(SP38A_KEY, 'hex'), null).setAutoPadding(false).update(new Uint8Array(16));
    expect(h.update(none, '00'.repeat(16))).toBe(hex(zero));
    expect(h.doFinal(none, '')).toBe(''); // input came through update
    expect(h.outcome(() => h.doFinal(none, ''))).toBe('CryptoException 5'); // and again none since
    expect(h.outcome(() => h.initCipher(c, k, 3))).toBe('CryptoException 1');
    expect(h.outcome(() => h.initCipher(c, k, MODE_ENCRYPT, '00'.repeat(8)))).toBe('CryptoException 1');
    const ecb = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
    expect(h.outcome(() => h.initCipher(ecb, k, MODE_ENCRYPT, '00'.repeat(16)))).toBe('CryptoException 1');
    const des = h.buildKey(T.DES, 64);
    h.set(des, 'setKey', '0123456789ABCDEF', true);
    expect(h.outcome(() => h.initCipher(c, des, MODE_ENCRYPT))).toBe('CryptoException 1');
    const blank = h.buildKey(T.AES, 128);
    expect(h.outcome(() => h.initCipher(c, blank, MODE_ENCRYPT))).toBe('CryptoException 2');
    const p5 = h.cipher(CA.AES_CBC_PKCS5);
    h.initCipher(p5, k, MODE_DECRYPT);
    // API, Cipher.doFinal: "the decrypted data is not bounded by appropriate padding bytes"
    expect(h.outcome(() => h.doFinal(p5, '00'.repeat(16)))).toBe('CryptoException 5');
    for (const alg of [CA.AES_BLOCK_192_CBC_NOPAD, CA.AES_BLOCK_256_ECB_NOPAD, CA.KOREAN_SEED_ECB_NOPAD, CA.RSA_ISO14888, CA.AES_XTS, 0, 100]) {
      expect(h.outcome(() => h.cipher(alg))).toBe('CryptoException 3');
    }
  });

  it('in place: input and output in the same array at the same offset', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, '000102030405060708090A0B0C0D0E0F');
    const c = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
    h.initCipher(c, k, MODE_ENCRYPT);
    const buf = h.bytes('AAAA' + FIPS197_PT);
    expect(h.invoke(c, 'doFinal([BSS[BS)S', buf, 2, 16, buf, 2)).toBe(16);
    expect(h.read(buf)).toBe('AAAA69C4E0D86A7B0430D8CDB78070B4C55A');
  });

  it('Cipher.getInstance(cipher, padding) and getCipherAlgorithm / getPaddingAlgorithm', () => {
    const h = new CryptoHarness();
    const c = h.call(`${CRYPTOX}/Cipher`, `getInstance(BBZ)L${CRYPTOX}/Cipher;`, 1 /* CIPHER_AES_CBC */, 6 /* PAD_PKCS5 */, 0);
    expect(h.invoke(c, 'getAlgorithm()B')).toBe(CA.AES_CBC_PKCS5);
    expect(h.invoke(c, 'getCipherAlgorithm()B')).toBe(1);
    expect(h.invoke(c, 'getPaddingAlgorithm()B')).toBe(6);
    expect(h.outcome(() => h.call(`${CRYPTOX}/Cipher`, `getInstance(BBZ)L${CRYPTOX}/Cipher;`, 1, 7 /* PAD_PKCS1 */, 0))).toBe('CryptoException 3');
  });
});

describe('DES and 3DES', () => {
  it('single DES: the FIPS 46 worked example (133457799BBCDFF1)', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.DES, 64);
    h.set(k, 'setKey', '133457799BBCDFF1', true);
    const c = h.cipher(CA.DES_ECB_NOPAD);
    h.initCipher(c, k, MODE_ENCRYPT);
    expect(h.doFinal(c, '0123456789ABCDEF')).toBe('85E813540F0AB405');
  });

  it('three-key 3DES ECB (SP 800-67 example) and two-key 3DES CBC round trip', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.DES, 192);
    h.set(k, 'setKey', '0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123', true);
    const c = h.cipher(CA.DES_ECB_NOPAD);
    h.initCipher(c, k, MODE_ENCRYPT);
    expect(h.doFinal(c, ascii('The qufck brown fox jump'))).toBe('A826FD8CE53B855FCCE21C8112256FE668D5C05DD9B6B900');
    const k2 = h.buildKey(T.DES, 128);
    h.set(k2, 'setKey', '0123456789ABCDEFFEDCBA9876543210', true);
    const cbc = h.cipher(CA.DES_CBC_ISO9797_M2);
    h.initCipher(cbc, k2, MODE_ENCRYPT, '0000000000000000');
    const ct = h.doFinal(cbc, ascii('Now is the time'));
    expect(ct.length).toBe(32);
    h.initCipher(cbc, k2, MODE_DECRYPT);
    expect(h.doFinal(cbc, ct)).toBe(ascii('Now is the time'));
  });

  it('DES MACs: ISO 9797-1 algorithm 1 (CBC-MAC) and algorithm 3 (retail MAC)', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.DES, 128);
    h.set(k, 'setKey', '0123456789ABCDEFFEDCBA9876543210', true);
    const msg = ascii('Now is the time for all ');
    // CBC-MAC with the two-key 3DES key, zero IV: the last block of the CBC encryption (crypto.scr's vector)
    const m8 = h.signature(SA.DES_MAC8_NOPAD);
    h.initSignature(m8, k, MODE_SIGN);
    expect(h.sign(m8, msg)).toBe('93462A6DB9B4A4D1');
    const m4 = h.signature(SA.DES_MAC4_NOPAD);
    h.initSignature(m4, k, MODE_SIGN);
    expect(h.sign(m4, msg)).toBe('93462A6D');
    // Retail MAC: single-DES CBC with K1, then D(K2), E(K1) on the last block
    const r = h.signature(SA.DES_MAC8_ISO9797_1_M2_ALG3);
    h.initSignature(r, k, MODE_SIGN);
    const mac = h.sign(r, msg);
    expect(mac).toMatch(/^[0-9A-F]{16}$/);
    h.initSignature(r, k, MODE_VERIFY);
    expect(h.verify(r, msg, mac)).toBe(true);
    expect(h.verify(r, msg + '00', mac)).toBe(false);
  });
});

describe('AES-CMAC (RFC 4493) and AES CBC-MAC', () => {
  const vectors: [number, string][] = [
    [0, 'BB1D6929E95937287FA37D129B756746'],
    [16, '070A16B46B4D4144F79BDD9DD04A287C'],
    [40, 'DFA66747DE9AE63030CA32611497C827'],
    [64, '51F0BEBF7E3B9D92FC49741779363CFE'],
  ];
  for (const [len, mac] of vectors) {
    it(`${len}-byte message`, () => {
      const h = new CryptoHarness();
      const k = aesKey(h, SP38A_KEY);
      const s = h.signature(SA.AES_CMAC_128);
      h.initSignature(s, k, MODE_SIGN);
      expect(h.sign(s, SP38A_PT.slice(0, len * 2))).toBe(mac);
      h.initSignature(s, k, MODE_VERIFY);
      expect(h.verify(s, SP38A_PT.slice(0, len * 2), mac)).toBe(true);
    });
  }

  it('ALG_AES_MAC_128_NOPAD is the last CBC block (SP 800-38A F.2.1)', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, SP38A_KEY);
    const s = h.signature(SA.AES_MAC_128_NOPAD);
    h.initSignature(s, k, MODE_SIGN, '000102030405060708090A0B0C0D0E0F');
    expect(h.sign(s, SP38A_PT)).toBe('3FF1CAA1681FAC09120ECA307586E1A7');
  });
});

describe('AEADCipher', () => {
  const AEAD = `${CRYPTOX}/AEADCipher`;
  const aead = (h: CryptoHarness, alg: number): number => {
    const c = h.cipher(alg);
    expect(h.jcre.heap.get(c)!.cls!.isSubclassOf(h.jcre.api.cls(AEAD))).toBe(true);
    return c;
  };
  const tag = (h: CryptoHarness, c: number, len: number): string => {
    const out = h.bytes(16);
    const n = h.invoke(c, 'retrieveTag([BSS)S', out, 0, len);
    return h.read(out, 0, n);
  };
  const verifyTag = (h: CryptoHarness, c: number, t: string): boolean =>
    h.invoke(c, 'verifyTag([BSSS)Z', h.bytes(t), 0, t.length / 2, t.length / 2) === 1;

  it('GCM test case 2 (zero key, zero IV, one zero block)', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, '00'.repeat(16));
    const c = aead(h, CA.AES_GCM);
    h.initCipher(c, k, MODE_ENCRYPT, '00'.repeat(12));
    expect(h.doFinal(c, '00'.repeat(16))).toBe('0388DACE60B6A392F328C2B971B2FE78');
    expect(tag(h, c, 16)).toBe('AB6E47D42CEC13BDF53A67B21257BDDF');
  });

  it('GCM test case 4 (AAD, 60-byte message), encrypt in pieces; decrypt and verify the tag', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, 'FEFFE9928665731C6D6A8F9467308308');
    const iv = 'CAFEBABEFACEDBADDECAF888';
    const pt = 'D9313225F88406E5A55909C5AFF5269A86A7A9531534F7DA2E4C303D8A318A721C3C0C95956809532FCF0E2449A6B525B16AEDF5AA0DE657BA637B39';
    const aad = 'FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2';
    const ct = '42831EC2217774244B7221B784D0D49CE3AA212F2C02A4E035C17E2329ACA12E21D514B25466931C7D8F6A5AAC84AA051BA30B396A0AAC973D58E091';
    const t = '5BC94FBC3221A5DB94FAE95AE7121A47';
    const c = aead(h, CA.AES_GCM);
    h.initCipher(c, k, MODE_ENCRYPT, iv);
    h.invoke(c, 'updateAAD([BSS)V', h.bytes(aad), 0, aad.length / 2);
    expect(h.update(c, pt.slice(0, 40)) + h.doFinal(c, pt.slice(40))).toBe(ct);
    expect(tag(h, c, 16)).toBe(t);
    expect(tag(h, c, 12)).toBe(t.slice(0, 24));
    h.initCipher(c, k, MODE_DECRYPT, iv);
    h.invoke(c, 'updateAAD([BSS)V', h.bytes(aad), 0, aad.length / 2);
    expect(h.doFinal(c, ct)).toBe(pt);
    expect(verifyTag(h, c, t)).toBe(true);
    expect(verifyTag(h, c, t.slice(0, -2) + '00')).toBe(false);
    // updateAAD after data is ILLEGAL_USE; retrieveTag in decrypt mode too
    h.initCipher(c, k, MODE_ENCRYPT, iv);
    h.update(c, pt.slice(0, 32));
    expect(h.outcome(() => h.invoke(c, 'updateAAD([BSS)V', h.bytes(aad), 0, 4))).toBe('CryptoException 5');
  });

  it('CCM: RFC 3610 packet vector 1 (13-byte nonce, 8 bytes AAD, 8-byte tag)', () => {
    const h = new CryptoHarness();
    const k = aesKey(h, 'C0C1C2C3C4C5C6C7C8C9CACBCCCDCECF');
    const nonce = '00000003020100A0A1A2A3A4A5';
    const aad = '0001020304050607';
    const pt = '08090A0B0C0D0E0F101112131415161718191A1B1C1D1E';
    const c = aead(h, CA.AES_CCM);
    const init = (mode: number): void => {
      h.invoke(c, `init(L${SEC}/Key;B[BSSSSS)V`, k, mode, h.bytes(nonce), 0, 13, 8, 23, 8);
      h.invoke(c, 'updateAAD([BSS)V', h.bytes(aad), 0, 8);
    };
    init(MODE_ENCRYPT);
    expect(h.update(c, pt.slice(0, 20)) + h.doFinal(c, pt.slice(20))).toBe('588C979A61C663D2F066D0C2C0F989806D5F6B61DAC384');
    expect(tag(h, c, 8)).toBe('17E8D12CFDF926E0');
    init(MODE_DECRYPT);
    expect(h.doFinal(c, '588C979A61C663D2F066D0C2C0F989806D5F6B61DAC384')).toBe(pt);
    expect(verifyTag(h, c, '17E8D12CFDF926E0')).toBe(true);
    expect(verifyTag(h, c, '17E8D12CFDF926E1')).toBe(false);
  });
});

describe('Checksum', () => {
  const crc = (alg: number, data: string, init?: string): string => {
    const h = new CryptoHarness();
    const c = h.call(`${SEC}/Checksum`, `getInstance(BZ)L${SEC}/Checksum;`, alg, 0);
    if (init) h.invoke(c, 'init([BSS)V', h.bytes(init), 0, init.length / 2);
    return h.doFinal(c, data);
  };
  it('CRC-32 (ISO 13239 FCS-32) of "123456789" is CBF43926; CRC-16 with initial FFFF is X-25 906E', () => {
    expect(crc(CK.ISO3309_CRC32, ascii('123456789'))).toBe('CBF43926');
    expect(crc(CK.ISO3309_CRC16, ascii('123456789'), 'FFFF')).toBe('906E');
    expect(crc(CK.ISO3309_CRC16, ascii('123456789'))).toMatch(/^[0-9A-F]{4}$/);
  });
  it('init with the wrong length is ILLEGAL_VALUE; unknown algorithms NO_SUCH_ALGORITHM', () => {
    const h = new CryptoHarness();
    const c = h.call(`${SEC}/Checksum`, `getInstance(BZ)L${SEC}/Checksum;`, CK.ISO3309_CRC16, 0);
    expect(h.outcome(() => h.invoke(c, 'init([BSS)V', h.bytes(4), 0, 4))).toBe('CryptoException 1');
    expect(h.outcome(() => h.call(`${SEC}/Checksum`, `getInstance(BZ)L${SEC}/Checksum;`, 3, 0))).toBe('CryptoException 3');
  });
});

describe('InitializedMessageDigest and Signature.setInitialDigest', () => {
  const NAMES = ['md5', 'ripemd160', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
  const ALG: Record<(typeof NAMES)[number], number> = { md5: MD.MD5, ripemd160: MD.RIPEMD160, sha1: MD.SHA, sha224: MD.SHA_224, sha256: MD.SHA_256, sha384: MD.SHA_384, sha512: MD.SHA_512 };
  const IMD = `${SEC}/InitializedMessageDigest`;
  const initialized = (h: CryptoHarness, alg: number): number => h.call(`${SEC}/MessageDigest`, `getInitializedMessageDigestInstance(BZ)L${IMD};`, alg, 0);
  const setInitial = (h: CryptoHarness, md: number, state: string, length: string): string =>
    h.outcome(() => h.invoke(md, 'setInitialDigest([BSS[BSS)V', h.bytes(state), 0, state.length / 2, h.bytes(length), 0, length.length / 2));
  const nodeHash = (name: string, ...parts: Uint8Array[]): string => {
    const x = createHash(name);
    for (const p of parts) x.update(p);
    return x.digest('hex').toUpperCase();
  };
  const hexLen = (n: number | bigint, bytes = 2): string => n.toString(16).toUpperCase().padStart(2 * bytes, '0');

  it('the resumable engines agree with node:crypto on messages of 0 to 300 bytes', async () => {
    const { ResumableSha } = await import('../../../runtime/api/crypto/sha.ts');
    for (const name of NAMES) {
      for (let n = 0; n <= 300; n++) {
        const m = new Uint8Array(n).map((_, i) => (i * 7 + n) & 0xff);
        const e = new ResumableSha(name);
        e.update(m.subarray(0, n >> 1));
        e.update(m.subarray(n >> 1));
        expect(hex(e.digest()), `${name} ${n}`).toBe(nodeHash(name, m));
      }
    }
  });

  // The chaining value after one block that is the padded form of "abc" is the published
  // digest of "abc" (FIPS 180-4 examples, RFC 1321, the RIPEMD-160 page): a state as a host
  // computes it, independent of jcvm's engines, in the byte order the card takes.
  const ABC: [name: (typeof NAMES)[number], digest: string][] = [
    ['md5', '900150983CD24FB0D6963F7D28E17F72'],
    ['ripemd160', '8EB208F7E05D987A9B044A8E98C6B087F15A0BFC'],
    ['sha1', 'A9993E364706816ABA3E25717850C26C9CD0D89D'],
    ['sha256', 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD'],
    ['sha512', 'DDAF35A193617ABACC417349AE20413112E6FA4E89A97EA20A9EEEE64B55D39A2192992A274FC1A836BA3C23A3FEEBBD454D4423643CE80E2A9AC94FA54CA49F'],
  ];
  for (const [name, digest] of ABC) {
    it(`${name}: resumes from the published digest of "abc" as the state after its padded block`, () => {
      const block = name === 'sha512' ? 128 : 64;
      const prefix = new Uint8Array(block);
      prefix.set([0x61, 0x62, 0x63, 0x80]);
      prefix[name === 'md5' || name === 'ripemd160' ? block - 8 : block - 1] = 0x18; // 24 bits
      const rest = new TextEncoder().encode('the rest of the message, over a block boundary: '.repeat(4));
      const h = new CryptoHarness();
      const md = initialized(h, ALG[name]);
      expect(h.invoke(md, 'getAlgorithm()B')).toBe(ALG[name]);
      expect(setInitial(h, md, digest, hexLen(block))).toBe('ok');
      const whole = nodeHash(name, prefix, rest);
      expect(h.doFinal(md, hex(rest))).toBe(whole);
      // doFinal resets to the initial state: the same object now hashes from the start
      expect(h.doFinal(md, ascii('abc'))).toBe(digest.slice(0, 2 * h.invoke(md, 'getLength()B')));
      // in pieces, with an intermediate digest on the way; the length may be given in 8 bytes
      expect(setInitial(h, md, digest, hexLen(block, 8))).toBe('ok');
      h.invoke(md, 'update([BSS)V', h.bytes(hex(rest.subarray(0, 70))), 0, 70);
      const mid = h.bytes(64);
      h.invoke(md, 'doIntermediateMessageDigest([BS)S', mid, 0);
      expect(h.read(mid, 0, digest.length / 2)).toBe(nodeHash(name, prefix, rest.subarray(0, 70)));
      expect(h.doFinal(md, hex(rest.subarray(70)))).toBe(whole);
      // reset() after setInitialDigest goes back to the algorithm's initial value too
      expect(setInitial(h, md, digest, hexLen(block))).toBe('ok');
      h.invoke(md, 'reset()V');
      expect(h.doFinal(md, hex(rest))).toBe(nodeHash(name, rest));
    });
  }

  it('SHA-224 and SHA-384 take the whole chaining value (32 and 64 bytes) after two blocks', async () => {
    const { ResumableSha } = await import('../../../runtime/api/crypto/sha.ts');
    for (const name of ['sha224', 'sha384'] as const) {
      const e = new ResumableSha(name);
      const prefix = new Uint8Array(2 * e.blockLength).map((_, i) => (i * 13) & 0xff);
      e.update(prefix);
      const state = hex(e.state());
      expect(state.length / 2).toBe(e.stateLength);
      const rest = new TextEncoder().encode('tail of the message');
      const h = new CryptoHarness();
      const md = initialized(h, ALG[name]);
      // the digest length is not the state length
      expect(setInitial(h, md, state.slice(0, 2 * e.digestLength), hexLen(prefix.length))).toBe('CryptoException 1');
      expect(setInitial(h, md, state, hexLen(prefix.length))).toBe('ok');
      expect(h.doFinal(md, hex(rest))).toBe(nodeHash(name, prefix, rest));
    }
  });

  it('setInitialDigest refuses a state of the wrong size, a length of 0, a partial block or beyond the maximum (ILLEGAL_VALUE)', () => {
    const h = new CryptoHarness();
    const state32 = '11'.repeat(32), state64 = '22'.repeat(64);
    const sha256 = initialized(h, MD.SHA_256), sha512 = initialized(h, MD.SHA_512), md5 = initialized(h, MD.MD5);
    expect(setInitial(h, sha256, state32, '0000')).toBe('CryptoException 1');
    expect(setInitial(h, sha256, state32, '')).toBe('CryptoException 1');
    expect(setInitial(h, sha256, state32, '0041')).toBe('CryptoException 1');
    expect(setInitial(h, sha256, '11'.repeat(31), '0040')).toBe('CryptoException 1');
    expect(setInitial(h, sha512, state64, '0040')).toBe('CryptoException 1'); // 128-byte blocks
    expect(setInitial(h, sha512, state64, '0080')).toBe('ok');
    expect(setInitial(h, md5, '33'.repeat(16), '0040')).toBe('ok');
    expect(setInitial(h, md5, '33'.repeat(20), '0040')).toBe('CryptoException 1');
    // SHA-256 counts bits in 64 bits: at most 2^61 - 1 bytes; SHA-512 in 128 bits
    expect(setInitial(h, sha256, state32, hexLen(1n << 61n, 8))).toBe('CryptoException 1');
    expect(setInitial(h, sha512, state64, hexLen(1n << 61n, 8))).toBe('ok');
    expect(setInitial(h, sha512, state64, hexLen(1n << 125n, 16))).toBe('CryptoException 1');
    // at the maximum, data that would make the message too long is ILLEGAL_USE
    expect(setInitial(h, sha256, state32, hexLen((1n << 61n) - 64n, 8))).toBe('ok');
    h.invoke(sha256, 'update([BSS)V', h.bytes(63), 0, 63);
    expect(h.outcome(() => h.invoke(sha256, 'update([BSS)V', h.bytes(1), 0, 1))).toBe('CryptoException 5');
    // a null state is a NullPointerException, a range beyond the array AIOOBE
    expect(h.outcome(() => h.invoke(sha256, 'setInitialDigest([BSS[BSS)V', 0, 0, 32, h.bytes('0040'), 0, 2))).toBe('NullPointerException');
    expect(h.outcome(() => h.invoke(sha256, 'setInitialDigest([BSS[BSS)V', h.bytes(state32), 1, 32, h.bytes('0040'), 0, 2))).toBe('ArrayIndexOutOfBoundsException');
  });

  it('SHA-3 and SM3 have no resumable state: NO_SUCH_ALGORITHM, as a plain MessageDigest they work', () => {
    const h = new CryptoHarness();
    for (const alg of [MD.SHA3_224, MD.SHA3_256, MD.SHA3_384, MD.SHA3_512, MD.SM3, MD.NULL, 99]) {
      expect(h.outcome(() => initialized(h, alg)), `alg ${alg}`).toBe('CryptoException 3');
      expect(h.outcome(() => h.call(`${IMD}$OneShot`, `open(B)L${IMD}$OneShot;`, alg)), `alg ${alg}`).toBe('CryptoException 3');
    }
    expect(h.outcome(() => h.digest(MD.SHA3_256))).toBe('ok');
    // InitializedMessageDigest.OneShot resumes SHA-512 as well
    const one = h.call(`${IMD}$OneShot`, `open(B)L${IMD}$OneShot;`, MD.SHA_512);
    const [, abc512] = ABC[4]!;
    const prefix = new Uint8Array(128);
    prefix.set([0x61, 0x62, 0x63, 0x80]);
    prefix[127] = 0x18;
    expect(setInitial(h, one, abc512, '0080')).toBe('ok');
    expect(h.doFinal(one, ascii('xyz'))).toBe(nodeHash('sha512', prefix, new TextEncoder().encode('xyz')));
    h.invoke(one, 'close()V');
  });

  it('Signature.setInitialDigest: an RSA signature over a resumed SHA-256 equals the one over the whole message', async () => {
    const { ResumableSha } = await import('../../../runtime/api/crypto/sha.ts');
    const h = new CryptoHarness();
    const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', 2 /* ALG_RSA_CRT */, 1024);
    h.invoke(kp, 'genKeyPair()V');
    const priv = h.invoke(kp, `getPrivate()L${SEC}/PrivateKey;`);
    const prefix = '5A'.repeat(128), rest = ascii('tail');
    const e = new ResumableSha('sha256');
    e.update(Buffer.from(prefix, 'hex'));
    const state = hex(e.state());
    const s = h.signature(SA.RSA_SHA_256_PKCS1);
    h.initSignature(s, priv, MODE_SIGN);
    const whole = h.sign(s, prefix + rest);
    h.invoke(s, 'setInitialDigest([BSS[BSS)V', h.bytes(state), 0, 32, h.bytes('0080'), 0, 2);
    expect(h.sign(s, rest)).toBe(whole);
    const hm = h.signature(SA.HMAC_SHA_256);
    const hk = h.buildKey(T.HMAC, 64);
    h.set(hk, 'setKey', '00');
    h.initSignature(hm, hk, MODE_SIGN);
    expect(h.outcome(() => h.invoke(hm, 'setInitialDigest([BSS[BSS)V', h.bytes(state), 0, 32, h.bytes('0080'), 0, 2))).toBe('CryptoException 5');
  });

  it('Signature.setInitialDigest with SHA-512 and MD5: RSA PKCS#1 signatures over the whole message', () => {
    const h = new CryptoHarness();
    const kp = h.construct(`${SEC}/KeyPair`, '(BS)V', 2 /* ALG_RSA_CRT */, 1024);
    h.invoke(kp, 'genKeyPair()V');
    const priv = h.invoke(kp, `getPrivate()L${SEC}/PrivateKey;`);
    for (const [alg, name] of [[SA.RSA_SHA_512_PKCS1, 'sha512'], [SA.RSA_MD5_PKCS1, 'md5']] as const) {
      const block = name === 'sha512' ? 128 : 64;
      const prefix = new Uint8Array(block);
      prefix.set([0x61, 0x62, 0x63, 0x80]);
      prefix[name === 'md5' ? block - 8 : block - 1] = 0x18;
      const state = ABC.find(([n]) => n === name)![1];
      const s = h.signature(alg);
      h.initSignature(s, priv, MODE_SIGN);
      const whole = h.sign(s, hex(prefix) + ascii('signed tail'));
      h.invoke(s, 'setInitialDigest([BSS[BSS)V', h.bytes(state), 0, state.length / 2, h.bytes(hexLen(block)), 0, 2);
      expect(h.sign(s, ascii('signed tail'))).toBe(whole);
    }
  });
});
