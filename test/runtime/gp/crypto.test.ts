// The secure channels' own primitives against published vectors that do not come from kat.json:
// AES-CMAC (RFC 4493 examples 1-4), 3DES CBC-MAC (the crypto.scr vector the API tests use),
// and the '80 00..' padding.

import { describe, expect, it } from 'vitest';
import { aesCmac, desCbc, pad80, unpad80 } from '../../../runtime/gp/crypto.ts';
import { defaultKey, defaultKeySet, keyCheckValue, makeKeySet } from '../../../runtime/gp/keys.ts';
import { fromHex, hex } from './kat.ts';

const RFC4493_KEY = '2B7E151628AED2A6ABF7158809CF4F3C';
const RFC4493_MSG = '6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411E5FBC1191A0A52EFF69F2445DF4F9B17AD2B417BE66C3710';

describe('GP crypto primitives', () => {
  it('AES-CMAC: RFC 4493 examples 1-4 (empty, one block, partial last block, four blocks)', () => {
    const key = fromHex(RFC4493_KEY);
    const msg = fromHex(RFC4493_MSG);
    expect(hex(aesCmac(key, msg.subarray(0, 0)))).toBe('BB1D6929E95937287FA37D129B756746');
    expect(hex(aesCmac(key, msg.subarray(0, 16)))).toBe('070A16B46B4D4144F79BDD9DD04A287C');
    expect(hex(aesCmac(key, msg.subarray(0, 40)))).toBe('DFA66747DE9AE63030CA32611497C827');
    expect(hex(aesCmac(key, msg))).toBe('51F0BEBF7E3B9D92FC49741779363CFE');
  });

  it('two-key 3DES CBC: last block of "Now is the time for all "', () => {
    const c = desCbc(fromHex('0123456789ABCDEFFEDCBA9876543210'), new Uint8Array(8), new TextEncoder().encode('Now is the time for all '));
    expect(hex(c.subarray(16))).toBe('93462A6DB9B4A4D1');
  });

  it('80 00.. padding: always added, removed only when well formed', () => {
    expect(hex(pad80(fromHex('01'), 8))).toBe('0180000000000000');
    expect(hex(pad80(fromHex('0102030405060708'), 8))).toBe('01020304050607088000000000000000');
    expect(hex(unpad80(fromHex('0180000000000000'), 8)!)).toBe('01');
    expect(unpad80(fromHex('0100000000000000'), 8)).toBeNull();
    expect(unpad80(fromHex('80000000000000000000000000000000'), 8)).toBeNull(); // more than a block of padding
  });

  it('key sets: the default 40..4F key, lengths checked, KCVs per type', () => {
    expect(hex(defaultKey(16))).toBe('404142434445464748494A4B4C4D4E4F');
    const ks = defaultKeySet('AES', 0x30, 32);
    expect(hex(keyCheckValue('AES', ks.enc))).toBe('ECDCD8');
    expect(hex(keyCheckValue('DES3', defaultKey()))).toBe('8BAF47');
    expect(() => makeKeySet(0x20, 'DES3', new Uint8Array(8), new Uint8Array(16), new Uint8Array(16))).toThrow(/ENC key of 8 bytes/);
    expect(() => makeKeySet(0x100, 'AES', new Uint8Array(16), new Uint8Array(16), new Uint8Array(16))).toThrow(/not a byte/);
  });
});
