// The Java Card 3.1 OneShot classes (MessageDigest, RandomData, Cipher, Signature): open,
// use as the full class, close; a closed object answers ILLEGAL_USE.

import { describe, expect, it } from 'vitest';
import { MD, MODE_ENCRYPT, MODE_SIGN, T } from '../../../runtime/api/crypto/consts.ts';
import { ascii, CRYPTOX, CryptoHarness, SEC } from './harness.ts';

describe('OneShot', () => {
  it('MessageDigest.OneShot: SHA-256 of "abc", then closed', () => {
    const h = new CryptoHarness();
    const ONE = `${SEC}/MessageDigest$OneShot`;
    const md = h.call(ONE, `open(B)L${ONE};`, MD.SHA_256);
    expect(h.jcre.heap.get(md)!.cls!.name).toBe(ONE);
    expect(h.doFinal(md, ascii('abc'))).toBe('BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD');
    h.invoke(md, 'close()V');
    expect(h.outcome(() => h.doFinal(md, ascii('abc')))).toBe('CryptoException 5');
    expect(h.outcome(() => h.call(ONE, `open(B)L${ONE};`, 99))).toBe('CryptoException 3');
  });

  it('Cipher.OneShot (AES CBC, PKCS#5) and Signature.OneShot (HMAC-SHA-256)', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.AES, 128);
    h.set(k, 'setKey', '000102030405060708090A0B0C0D0E0F', true);
    const C1 = `${CRYPTOX}/Cipher$OneShot`;
    const c = h.call(C1, `open(BB)L${C1};`, 1 /* CIPHER_AES_CBC */, 6 /* PAD_PKCS5 */);
    h.initCipher(c, k, MODE_ENCRYPT);
    expect(h.doFinal(c, '')).toBe('954F64F2E4E86E9EEE82D20216684899'); // one block of padding 10..10, zero IV (OpenSSL agrees)
    h.invoke(c, 'close()V');
    const hk = h.buildKey(T.HMAC, 64);
    h.set(hk, 'setKey', ascii('Jefe'));
    const S1 = `${SEC}/Signature$OneShot`;
    const s = h.call(S1, `open(BBB)L${S1};`, MD.SHA_256, 7 /* SIG_CIPHER_HMAC */, 0);
    h.initSignature(s, hk, MODE_SIGN);
    expect(h.sign(s, ascii('what do ya want for nothing?'))).toBe('5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843');
    h.invoke(s, 'close()V');
    expect(h.outcome(() => h.sign(s, '00'))).toBe('CryptoException 5');
  });

  it('update is ILLEGAL_USE on every OneShot (API: "Always throws"); doFinal, sign do the whole message', () => {
    const h = new CryptoHarness();
    const k = h.buildKey(T.AES, 128);
    h.set(k, 'setKey', '000102030405060708090A0B0C0D0E0F', true);
    const C1 = `${CRYPTOX}/Cipher$OneShot`;
    const c = h.call(C1, `open(BB)L${C1};`, 2 /* CIPHER_AES_ECB */, 1 /* PAD_NOPAD */);
    h.initCipher(c, k, MODE_ENCRYPT);
    expect(h.outcome(() => h.update(c, '00'.repeat(16)))).toBe('CryptoException 5');
    expect(h.doFinal(c, '00112233445566778899AABBCCDDEEFF')).toBe('69C4E0D86A7B0430D8CDB78070B4C55A'); // FIPS-197 C.1
    h.invoke(c, 'close()V');
    for (const cls of ['MessageDigest', 'InitializedMessageDigest']) {
      const ONE = `${SEC}/${cls}$OneShot`;
      const md = h.call(ONE, `open(B)L${ONE};`, MD.SHA_256);
      expect(h.outcome(() => h.invoke(md, 'update([BSS)V', h.bytes(ascii('ab')), 0, 2))).toBe('CryptoException 5');
      expect(h.doFinal(md, ascii('abc'))).toBe('BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD');
      h.invoke(md, 'close()V');
    }
    const hk = h.buildKey(T.HMAC, 64);
    h.set(hk, 'setKey', ascii('Jefe'));
    const S1 = `${SEC}/Signature$OneShot`;
    const s = h.call(S1, `open(BBB)L${S1};`, MD.SHA_256, 7 /* SIG_CIPHER_HMAC */, 0);
    h.initSignature(s, hk, MODE_SIGN);
    expect(h.outcome(() => h.invoke(s, 'update([BSS)V', h.bytes(ascii('what')), 0, 4))).toBe('CryptoException 5');
    expect(h.sign(s, ascii('what do ya want for nothing?'))).toBe('5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843');
    h.invoke(s, 'close()V');
  });

  it('RandomData.OneShot', () => {
    const h = new CryptoHarness({ randomSeed: 'one' });
    const R1 = `${SEC}/RandomData$OneShot`;
    const r = h.call(R1, `open(B)L${R1};`, 2);
    const buf = h.bytes(8);
    expect(h.invoke(r, 'nextBytes([BSS)S', buf, 0, 8)).toBe(8);
    expect(h.read(buf)).not.toBe('0000000000000000');
    h.invoke(r, 'close()V');
    expect(h.outcome(() => h.invoke(r, 'nextBytes([BSS)S', buf, 0, 8))).toBe('CryptoException 5');
  });
});
