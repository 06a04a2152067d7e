// STORE DATA to a security domain (GPCS 2.3 11.11), over APDUs: personalization data objects
// (42 IIN, 45 CIN, 66 card data, CF KDD) that GET DATA then answers, in numbered blocks, plain or
// encrypted with the DEK.

import { describe, expect, it } from 'vitest';
import { tlv } from '../../../runtime/gp/tlv.ts';
import { AES_KEYS, DES_KEYS, fromHex, gpCard, hex, sw } from './helpers.ts';

const IIN = tlv(0x42, fromHex('11223344'));
const CIN = tlv(0x45, fromHex('AABBCCDDEEFF0102'));
const KDD = fromHex('0102030405060708090A');

describe('STORE DATA to the ISD', () => {
  it('needs a secure channel: 6982 without one, nothing stored', () => {
    const { card, host } = gpCard();
    expect(hex(card.transmit(fromHex('80E290000642041122334400')))).toBe('6982');
    expect(hex(host.getData(0x0042).data)).toBe('42044a43564d');
  });

  it('IIN, CIN, card data and KDD replace the card values; GET DATA answers them; INITIALIZE UPDATE uses the new KDD', () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    const cardData = tlv(0x66, tlv(0x73, tlv(0x06, fromHex('2A864886FC6B01'))));
    const r = host.storeData(Uint8Array.from([...IIN, ...CIN, ...cardData, ...tlv(0xcf, KDD)]), { blockSize: 7 });
    expect(sw(r)).toBe('9000');
    expect(hex(host.getData(0x0042).data)).toBe('420411223344');
    expect(hex(host.getData(0x0045).data)).toBe('4508aabbccddeeff0102');
    expect(hex(host.getData(0x0066).data)).toBe(hex(cardData));
    expect(hex(host.getData(0x00cf).data)).toBe('cf0a' + hex(KDD));
    host.select();
    expect(hex(card.transmit(fromHex('80500000080102030405060708'))).slice(0, 20)).toBe(hex(KDD));
    host.open(DES_KEYS); // the session keys do not depend on the KDD
    expect(sw(host.getData(0x00c1))).toBe('9000');
  });

  it('block numbers follow from 00: another one is 6A86 and the sequence starts over', () => {
    const { host } = gpCard();
    host.open(DES_KEYS);
    expect(sw(host.send(0x80, 0xe2, 0x10, 0x00, IIN))).toBe('9000');
    expect(sw(host.send(0x80, 0xe2, 0x90, 0x02, CIN))).toBe('6a86');
    expect(sw(host.send(0x80, 0xe2, 0x90, 0x01, CIN))).toBe('6a86'); // started over: 00 expected
    expect(hex(host.getData(0x0045).data)).toBe('45064a43564d0001');
    expect(sw(host.send(0x80, 0xe2, 0x90, 0x00, CIN))).toBe('9000');
    expect(hex(host.getData(0x0045).data)).toBe(hex(CIN));
    // After the last block a new sequence starts at 00.
    expect(sw(host.send(0x80, 0xe2, 0x90, 0x01, IIN))).toBe('6a86');
    expect(sw(host.send(0x80, 0xe2, 0x90, 0x00, IIN))).toBe('9000');
  });

  it('refusals (6A80, nothing stored): DGI format, application dependent encryption, another tag, a KDD not of 10 bytes, bad TLV; RFU encryption 6A86', () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    const w = card.persistentWrites;
    expect(sw(host.send(0x80, 0xe2, 0x88, 0x00, IIN))).toBe('6a80');
    expect(sw(host.send(0x80, 0xe2, 0xb0, 0x00, IIN))).toBe('6a80');
    expect(sw(host.send(0x80, 0xe2, 0x90, 0x00, [...IIN, ...tlv(0x5f20, [1])]))).toBe('6a80');
    expect(sw(host.send(0x80, 0xe2, 0x90, 0x00, tlv(0xcf, [1, 2, 3])))).toBe('6a80');
    expect(sw(host.send(0x80, 0xe2, 0x90, 0x00, [0x42, 0x05, 0x01]))).toBe('6a80');
    expect(sw(host.send(0x80, 0xe2, 0xd0, 0x00, IIN))).toBe('6a86');
    expect(card.persistentWrites).toBe(w);
    expect(hex(host.getData(0x0042).data)).toBe('42044a43564d');
  });

  for (const [name, keys, gp] of [['SCP02', DES_KEYS, {}], ['SCP03', AES_KEYS, { keyType: 'AES' as const }]] as const) {
    it(`${name}: data encrypted with the DEK (P1 b7-b6 = 11, padded 80 00..) is decrypted; without the padding 6A80`, () => {
      const { host } = gpCard(gp);
      host.open(keys);
      expect(sw(host.storeData(Uint8Array.from([...IIN, ...CIN]), { encrypt: true }))).toBe('9000');
      expect(hex(host.getData(0x0042).data)).toBe(hex(IIN));
      expect(hex(host.getData(0x0045).data)).toBe(hex(CIN));
      const bs = name === 'SCP02' ? 8 : 16;
      expect(sw(host.send(0x80, 0xe2, 0xf0, 0x00, new Uint8Array(bs)))).toBe('6a80');
      expect(sw(host.send(0x80, 0xe2, 0xf0, 0x00, new Uint8Array(bs - 1)))).toBe('6a80');
    });
  }

  it('the data objects are kept in card memory: a reopened card image answers them', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { Card } = await import('../../../runtime/card.ts');
    const { GpClient } = await import('../../../runtime/gp/client.ts');
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-storedata-'));
    try {
      const file = join(dir, 'card.jcard');
      const { host } = gpCard({}, { cardFile: file });
      host.open(DES_KEYS);
      expect(sw(host.storeData(IIN))).toBe('9000');
      const again = new Card({ gp: true, cardFile: file });
      again.powerOn();
      expect(hex(new GpClient((a) => again.transmit(a)).getData(0x0042).data)).toBe(hex(IIN));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
