// Key and algorithm objects are card objects (issue 5): owned by the context that made them,
// subject to the firewall, and kept in persistent memory so that they survive in a card image.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CA, MODE_ENCRYPT, T } from '../../../runtime/api/crypto/consts.ts';
import { Card } from '../../../runtime/card.ts';
import { CryptoHarness } from './harness.ts';

const KEY = '000102030405060708090A0B0C0D0E0F';
const PLAIN = '00112233445566778899AABBCCDDEEFF';
const FIPS197 = '69C4E0D86A7B0430D8CDB78070B4C55A'; // FIPS-197 C.1, AES-128

describe('the firewall on key and algorithm objects', () => {
  it("another context can neither use a key nor a cipher it does not own; the owner can", () => {
    const h = new CryptoHarness();
    const vm = h.jcre.vm;
    vm.enterContext(1);
    const key = h.buildKey(T.AES, 128);
    h.set(key, 'setKey', KEY, true);
    const cipher = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
    expect(h.jcre.heap.get(key)!.owner).toBe(1);
    vm.enterContext(2);
    expect(h.outcome(() => h.get(key, 'getKey', '([BS)B'))).toBe('SecurityException');
    expect(h.outcome(() => h.initCipher(cipher, key, MODE_ENCRYPT))).toBe('SecurityException');
    // context 2's own cipher cannot be initialised with context 1's key either
    const own = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
    expect(h.outcome(() => h.initCipher(own, key, MODE_ENCRYPT))).toBe('SecurityException');
    vm.enterContext(1);
    h.initCipher(cipher, key, MODE_ENCRYPT);
    expect(h.doFinal(cipher, PLAIN)).toBe(FIPS197);
  });
});

describe('keys and ciphers in the card image', () => {
  it('a key set and a cipher initialised before the image is reopened work after it', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jcvm-keys-')), 'card.img');
    const h = new CryptoHarness({ cardFile: file });
    const key = h.buildKey(T.AES, 128);
    h.set(key, 'setKey', KEY, true);
    const cipher = h.cipher(CA.AES_BLOCK_128_ECB_NOPAD);
    h.initCipher(cipher, key, MODE_ENCRYPT);
    h.card.persist();
    // a new card on the file: the same handles name the same objects
    const again = new CryptoHarness({ cardFile: file });
    expect(again.get(key, 'getKey', '([BS)B')).toBe(KEY);
    expect(again.doFinal(cipher, PLAIN)).toBe(FIPS197);
    expect(new Card({ cardFile: file }).jcre.heap.get(key)!.owner).toBe(h.jcre.heap.get(key)!.owner);
  });
});
