// The registry's layout in card memory (runtime/gp/registry.ts): a version-3 registry, built here
// byte by byte from the documented layout, is still read (no card content management keys,
// confirmation counter 0); version 4 keeps the keys (DES, AES, RSA with a 2048-bit modulus) and
// the counter through a round trip.

import { describe, expect, it } from 'vitest';
import { concat } from '../../../runtime/gp/crypto.ts';
import { decodeRegistry, encodeRegistry } from '../../../runtime/gp/registry.ts';
import { fromHex, hex } from './helpers.ts';

describe('registry layout', () => {
  it('reads a version-3 registry', () => {
    const key = Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i);
    const body = concat(
      [0x03, 0x0f], // version 3, SECURED
      [0x01, 0xff, 0x01, 0x10], key, key, key, // one AES key set, KVN FF
      [0x01, 0xff, 0x00, 0x00, 0x05], // its counter
      [0x01, 0x05, 0xf0, 0x4a, 0x43, 0x56, 0x4d, 0x07, 0x00, 0x00, 0x00], // one application entry
      [0x00, 0x00], // no domains, no associations
      [0x01, 0x00, 0x00, 0x42, 0x03, 0x12, 0x34, 0x56], // the ISD's IIN
    );
    const bytes = concat([0, body.length + 2], body);
    const s = decodeRegistry(bytes);
    expect(s.cardState).toBe(0x0f);
    expect(s.keySets.map((k) => [k.kvn, k.type, hex(k.dek)])).toEqual([[0xff, 'AES', hex(key)]]);
    expect(s.counters.get(0xff)).toBe(5);
    expect(s.apps.map((a) => hex(a.aid))).toEqual(['f04a43564d']);
    expect(s.dataObjects!.map((o) => [o.tag, hex(o.value)])).toEqual([[0x42, '123456']]);
    expect(s.roleKeys).toEqual([]);
    expect(s.confirmationCounter).toBe(0);
    // Written back, it is the current version (5) and says the same.
    const again = encodeRegistry(s);
    expect(again[2]).toBe(5);
    expect(decodeRegistry(again)).toEqual(s);
  });

  it('version 4 keeps the card content management keys and the confirmation counter', () => {
    const modulus = concat([0xc1], new Uint8Array(255).fill(0x5a));
    const s = decodeRegistry(encodeRegistry({
      cardState: 0x07,
      keySets: [],
      counters: new Map(),
      apps: [],
      domains: [],
      associations: [],
      dataObjects: [],
      confirmationCounter: 0x1234,
      roleKeys: [
        { sd: new Uint8Array(0), kvn: 0x70, id: 1, type: 'RSA', modulus, exponent: fromHex('010001') },
        { sd: new Uint8Array(0), kvn: 0x71, id: 1, type: 'DES3', key: new Uint8Array(16).fill(7) },
        { sd: fromHex('A00000055908DA01'), kvn: 0x73, id: 2, type: 'AES', key: new Uint8Array(32).fill(9) },
      ],
    }));
    expect(s.confirmationCounter).toBe(0x1234);
    expect(s.roleKeys!.map((k) => [hex(k.sd), k.kvn, k.id, k.type, ...(k.type === 'RSA' ? [hex(k.modulus), hex(k.exponent)] : [hex(k.key)])])).toEqual([
      ['', 0x70, 1, 'RSA', hex(modulus), '010001'],
      ['', 0x71, 1, 'DES3', '07'.repeat(16)],
      ['a00000055908da01', 0x73, 2, 'AES', '09'.repeat(32)],
    ]);
  });
});
