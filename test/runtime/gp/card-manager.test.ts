// The GlobalPlatform card manager end to end, over APDUs only (runtime/gp/manager.ts, domain/):
// per command, with the host side of runtime/gp/client.ts.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Card } from '../../../runtime/card.ts';
import { GpClient, parseLegacyStatus, parseTlvStatus } from '../../../runtime/gp/client.ts';
import { keyCheckValue, makeKeySet } from '../../../runtime/gp/keys.ts';
import { parseScript } from '../../../runtime/script/apdutool.ts';
import { runScript } from '../../../runtime/script/runner.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { AES_KEYS, DES_KEYS, fromHex, gpCard, hex, installSuite, loadFile, scriptDiff, seededRandom, snapshot, suite, sw } from './helpers.ts';

const ISD = 'a000000151000000';

describe('SELECT and default selection', () => {
  it('the ISD is selected after power-up and answers SELECT by its AID with its FCI', () => {
    const { card, host } = gpCard();
    expect(sw(host.getData(0x9f7f))).toBe('9000');
    const r = host.select(fromHex(ISD));
    expect(sw(r)).toBe('9000');
    expect(hex(r.data)).toBe(`6f108408${ISD}a5049f6501ff`);
    // A partial AID selects it too; an unknown AID answers 6A82.
    expect(sw(host.select(fromHex('A000000151')))).toBe('9000');
    expect(hex(card.transmit(fromHex('00A4040005F0F0F0F0F000')))).toBe('6a82');
  });

  it('SELECT of the ISD takes the basic channel back from an applet', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, suite('echo'));
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D010100')))).toBe('9000');
    // The echo applet answers its own CLA 80 commands; GET DATA is not one of them.
    expect(hex(card.transmit(fromHex('80CA9F7F00')))).not.toMatch(/^9f7f/);
    expect(sw(host.select())).toBe('9000');
    expect(hex(card.transmit(fromHex('80CA9F7F00')))).toMatch(/^9f7f2a/);
  });
});

describe('GET DATA', () => {
  const { host } = gpCard({ scp03i: 0x70 });
  it('CPLC, card data, key information, IIN, CIN, sequence counter; 6A88 for another tag', () => {
    expect(hex(host.getData(0x9f7f).data)).toMatch(/^9f7f2a4a43564d4a56/);
    const cardData = hex(host.getData(0x0066).data);
    expect(cardData).toMatch(/^66/);
    expect(cardData).toContain('2a864886fc6b0402' + '55'); // SCP02 i=55
    expect(cardData).toContain('2a864886fc6b0403' + '70'); // SCP03 i=70
    expect(hex(host.getData(0x00e0).data)).toBe('e012c00401ff8010c00402ff8010c00403ff8010');
    expect(hex(host.getData(0x0042).data)).toBe('42044a43564d');
    expect(hex(host.getData(0x0045).data)).toBe('45064a43564d0001');
    expect(hex(host.getData(0x00c1).data)).toBe('c1020000');
    expect(sw(host.getData(0x00ff))).toBe('6a88');
  });
});

describe('INITIALIZE UPDATE / EXTERNAL AUTHENTICATE', () => {
  it('card content commands need a session: 6982 without one', () => {
    const { host } = gpCard();
    expect(sw(host.installForLoad(fromHex('F04A43564D01')))).toBe('6982');
    expect(sw(host.getStatus(0x40, true))).toBe('6982');
    expect(sw(host.delete(fromHex('F04A43564D01')))).toBe('6982');
    expect(sw(host.setStatus(0x80, 0x07))).toBe('6982');
  });

  it('SCP02: the session opens with the default keys 40..4F, the sequence counter moves in card memory', () => {
    const { card, host } = gpCard();
    const w0 = card.persistentWrites;
    host.open(DES_KEYS);
    expect(card.persistentWrites).toBeGreaterThan(w0);
    expect(hex(host.getData(0x00c1).data)).toBe('c1020001');
    host.open(DES_KEYS);
    expect(hex(host.getData(0x00c1).data)).toBe('c1020002');
    expect(sw(host.getStatus(0x80, true))).toBe('9000');
  });

  it('SCP03: a card whose key set is AES opens SCP03 sessions (i=70: pseudo-random challenge, counter of 3 bytes)', () => {
    const { host } = gpCard({ keyType: 'AES', kvn: 0x30 });
    host.open(AES_KEYS);
    expect(host.scp).toBe(3);
    expect(hex(host.getData(0x00c1).data)).toBe('c103000001');
    expect(sw(host.getStatus(0x80, false))).toBe('9000');
  });

  it('wrong keys: the host sees a wrong card cryptogram; a wrong MAC ends the session with 6982', () => {
    const { card, host } = gpCard();
    const other = makeKeySet(0xff, 'DES3', fromHex('11'.repeat(16)), fromHex('11'.repeat(16)), fromHex('11'.repeat(16)));
    expect(() => host.open(other)).toThrow(/card cryptogram/);
    host.open(DES_KEYS);
    // A C-MAC that does not verify: 6982, and the session is over.
    expect(hex(card.transmit(fromHex('84F280020A4F001122334455667788')))).toBe('6982');
    host.forget();
    expect(sw(host.getStatus(0x80, true))).toBe('6982');
  });
});

describe('INSTALL [for load], LOAD, INSTALL [for install and make selectable]', () => {
  const cases: [string, 'SCP02' | 'SCP03'][] = [
    ['echo', 'SCP02'], ['arith', 'SCP03'], ['intops', 'SCP02'], ['objects', 'SCP03'],
    ['txn', 'SCP02'], ['pin', 'SCP03'], ['apdu-ext', 'SCP02'], ['bench', 'SCP03'],
    ['firewall', 'SCP03'], ['crypto', 'SCP02'],
    // lifecycle is below: its applet reports install()'s control info, which GlobalPlatform's
    // INSTALL fills with the privileges and cref's installer leaves empty.
  ];
  for (const [name, scp] of cases) {
    it(`${name}: loaded and installed over ${scp}, each script passes`, async () => {
      const s = suite(name);
      for (const script of s.scripts) {
        const { card, host } = scp === 'SCP02' ? gpCard() : gpCard({ keyType: 'AES' });
        host.open(scp === 'SCP02' ? DES_KEYS : AES_KEYS);
        await installSuite(host, s);
        expect(scriptDiff(card, script)).toBe('');
      }
    });
  }

  it('lifecycle: loaded and installed over SCP02, its script answers as cref except where install() shows the privileges', async () => {
    const s = suite('lifecycle');
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, s); // privileges 00, as one byte
    const path = s.scripts[0]!;
    const actual = runScript(card, parseScript(readFileSync(path, 'utf8'), path));
    const expected = readFileSync(`${path}.expected.out`, 'utf8').split('\n');
    const differing = actual.flatMap((line, i) => (line === expected[i] ? [] : [[line, expected[i]]]));
    // INS 02 answers the control info: [00] (the privileges) where cref's is empty; INS 04
    // answers bLength, one more for that byte — for both instances. Every other line is cref's.
    expect(differing).toEqual([
      ['CLA: 80, INS: 02, P1: 00, P2: 00, Lc: 00, Le: 02, 01, 00, SW1: 90, SW2: 00', 'CLA: 80, INS: 02, P1: 00, P2: 00, Lc: 00, Le: 01, 00, SW1: 90, SW2: 00'],
      ['CLA: 80, INS: 04, P1: 00, P2: 00, Lc: 00, Le: 01, 0e, SW1: 90, SW2: 00', 'CLA: 80, INS: 04, P1: 00, P2: 00, Lc: 00, Le: 01, 0d, SW1: 90, SW2: 00'],
      ['CLA: 80, INS: 04, P1: 00, P2: 00, Lc: 00, Le: 01, 10, SW1: 90, SW2: 00', 'CLA: 80, INS: 04, P1: 00, P2: 00, Lc: 00, Le: 01, 0f, SW1: 90, SW2: 00'],
    ]);
    expect(actual.length).toBe(expected.filter((l) => l.length > 0).length);
  });

  it('INSTALL [for install] alone leaves the application INSTALLED (not selectable) until INSTALL [for make selectable]', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    const cap = resolve(CORPUS_DIR, 'echo', 'echo.cap');
    expect(sw(host.installForLoad(fromHex('F04A43564D01')))).toBe('9000');
    expect(sw(host.load(await loadFile(cap), 64))).toBe('9000');
    expect(sw(host.install(fromHex('F04A43564D01'), fromHex('F04A43564D0101'), fromHex('F04A43564D0101'), { selectable: false }))).toBe('9000');
    expect(parseTlvStatus(host.getStatus(0x40, true).data)[0]!.lifeCycle).toBe(0x03);
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D010100')))).toBe('6a82');
    host.select();
    host.open(DES_KEYS);
    expect(sw(host.makeSelectable(fromHex('F04A43564D0101')))).toBe('9000');
    expect(sw(host.makeSelectable(fromHex('F04A43564D0101')))).toBe('6985');
    expect(parseTlvStatus(host.getStatus(0x40, true).data)[0]!.lifeCycle).toBe(0x07);
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D010100')))).toBe('9000');
  });

  it('install() gets [Li][AID][Lc][privileges][La][C9 value]; the lifecycle applet shows it', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    const s = suite('lifecycle');
    expect(sw(host.installForLoad(s.install[0]!.packageAid))).toBe('9000');
    expect(sw(host.load(await loadFile(s.load[0]!)))).toBe('9000');
    expect(sw(host.install(s.install[0]!.packageAid, s.install[0]!.appletAid, fromHex('F04A43564D0A81'), { params: fromHex('010203'), privileges: fromHex('100000') }))).toBe('9000');
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D0A8100'))).slice(-4)).toBe('9000');
    expect(hex(card.transmit(fromHex('8001000000')))).toBe('07f04a43564d0a819000');
    expect(hex(card.transmit(fromHex('8002000000')))).toBe('031000009000');
    expect(hex(card.transmit(fromHex('8003000000')))).toBe('030102039000');
    expect(hex(card.transmit(fromHex('8004000000')))).toBe('109000'); // 1+7 + 1+3 + 1+3
  });

  it('with a hash in INSTALL [for load]: a matching SHA-256 loads, a wrong one is refused (6A80)', async () => {
    const { createHash } = await import('node:crypto');
    const { host } = gpCard();
    host.open(DES_KEYS);
    const file = await loadFile(resolve(CORPUS_DIR, 'echo', 'echo.cap'));
    const lfdbValue = file.subarray(file[1] === 0x82 ? 4 : file[1] === 0x81 ? 3 : 2);
    const bad = new Uint8Array(32);
    expect(sw(host.installForLoad(fromHex('F04A43564D01'), bad))).toBe('9000');
    expect(sw(host.load(file))).toBe('6a80');
    expect(sw(host.installForLoad(fromHex('F04A43564D01'), new Uint8Array(createHash('sha256').update(lfdbValue).digest())))).toBe('9000');
    expect(sw(host.load(file))).toBe('9000');
  });
});

describe('GET STATUS', () => {
  it('lists the ISD, applications, load files and modules in both formats, with 6310 and "next" for long lists', async () => {
    const { host } = gpCard();
    host.open(DES_KEYS);
    for (const name of ['echo', 'arith', 'intops', 'objects', 'txn', 'pin', 'bench', 'apdu-ext']) await installSuite(host, suite(name));

    const isd = host.getStatus(0x80, false);
    expect(parseLegacyStatus(isd.data, 0x80)).toEqual([{ aid: ISD.toUpperCase(), lifeCycle: 0x01, privileges: '9E' }]);
    expect(parseTlvStatus(host.getStatus(0x80, true).data)).toEqual([{ aid: ISD.toUpperCase(), lifeCycle: 0x01, privileges: '9EDD80', domain: ISD.toUpperCase() }]);

    const apps = host.getStatus(0x40, true);
    expect(apps.sw).toBe(0x9000);
    const appList = parseTlvStatus(apps.data);
    expect(appList.map((a) => a.aid)).toEqual(['F04A43564D0101', 'F04A43564D0201', 'F04A43564D0301', 'F04A43564D0401', 'F04A43564D0501', 'F04A43564D0601', 'F04A43564D0B01', 'F04A43564D0901']);
    expect(appList[0]).toEqual({ aid: 'F04A43564D0101', lifeCycle: 0x07, privileges: '000000', loadFile: 'F04A43564D01', domain: ISD.toUpperCase() });
    expect(parseLegacyStatus(host.getStatus(0x40, false).data, 0x40).map((a) => a.aid)).toEqual(appList.map((a) => a.aid));

    const files = host.getStatus(0x10, true);
    expect(files.pages).toBeGreaterThan(1); // 6310, then P2 b1
    const fileList = parseTlvStatus(files.data);
    expect(fileList).toHaveLength(8);
    expect(fileList[0]).toEqual({ aid: 'F04A43564D01', lifeCycle: 0x01, version: '0100', domain: ISD.toUpperCase(), modules: ['F04A43564D0101'] });
    const legacy = parseLegacyStatus(host.getStatus(0x10, false).data, 0x10);
    expect(legacy.map((f) => [f.aid, f.modules])).toEqual(fileList.map((f) => [f.aid, f.modules]));
    expect(parseLegacyStatus(host.getStatus(0x20, false).data, 0x20)).toHaveLength(8);

    // Search criteria: an AID prefix; no match: 6A88; an unknown P1: 6A86.
    expect(parseTlvStatus(host.getStatus(0x40, true, fromHex('F04A43564D06')).data).map((a) => a.aid)).toEqual(['F04A43564D0601']);
    expect(sw(host.getStatus(0x40, true, fromHex('A0A0A0A0A0')))).toBe('6a88');
    expect(sw(host.send(0x80, 0xf2, 0x01, 0x02, fromHex('4F00'), 0))).toBe('6a86');
  });
});

describe('DELETE', () => {
  it('in dependency order; refused with 6985 while something depends on it; 6A88 for nothing', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, suite('firewall'));
    const lib = fromHex('F04A43564D0710'), server = fromHex('F04A43564D0720'), client = fromHex('F04A43564D0730');
    const before = snapshot(card);
    expect(sw(host.delete(lib))).toBe('6985'); // imported by the server and the client
    expect(sw(host.delete(lib, true))).toBe('6985');
    expect(sw(host.delete(server))).toBe('6985'); // it has an instance
    expect(sw(host.delete(fromHex(ISD)))).toBe('6985');
    expect(sw(host.delete(fromHex('F04A43564D0799')))).toBe('6a88');
    expect(snapshot(card)).toEqual(before);
    expect(sw(host.delete(fromHex('F04A43564D073001')))).toBe('9000'); // the client instance
    expect(sw(host.delete(client))).toBe('9000');
    expect(sw(host.delete(server, true))).toBe('9000'); // the server package and its instance
    expect(sw(host.delete(lib))).toBe('9000');
    expect(sw(host.getStatus(0x40, true))).toBe('6a88');
    expect(sw(host.getStatus(0x20, true))).toBe('6a88');
    expect(card.packages()).toEqual([]);
    // The memory is the fresh card's.
    const fresh = gpCard();
    fresh.host.open(DES_KEYS);
    expect(card.memoryReport().persistent.used).toBe(fresh.card.memoryReport().persistent.used);
  });
});

describe('PUT KEY', () => {
  it('a new key set replaces the initial one (FF); more sets are added, one is replaced by its KVN; KCVs answered', () => {
    const { host } = gpCard();
    host.open(DES_KEYS);
    const aes = makeKeySet(0x30, 'AES', fromHex('00112233445566778899AABBCCDDEEFF'), fromHex('0102030405060708090A0B0C0D0E0F10'), fromHex('FFEEDDCCBBAA99887766554433221100'));
    const r = host.putKeySet(aes);
    expect(sw(r)).toBe('9000');
    expect(hex(r.data)).toBe('30' + [aes.enc, aes.mac, aes.dek].map((k) => hex(keyCheckValue('AES', k))).join(''));
    expect(hex(host.getData(0x00e0).data)).toBe('e012c00401308810c00402308810c00403308810');
    // The default keys are gone: the SCP02 card now opens SCP03 sessions with the AES set.
    host.select();
    expect(() => host.open(DES_KEYS, { kvn: 0xff })).toThrow(/6a88/i);
    host.open(aes);
    expect(host.scp).toBe(3);
    expect(hex(host.getData(0x00c1).data)).toBe('c103000001');
    // A DES set beside it (P1 00), then replaced by its KVN (P1 01) with a new KVN.
    const des1 = makeKeySet(0x01, 'DES3', fromHex('505152535455565758595A5B5C5D5E5F'), fromHex('0123456789ABCDEF0123456789ABCDEF'), fromHex('FEDCBA9876543210FEDCBA9876543210'));
    const des2 = makeKeySet(0x02, 'DES3', fromHex('606162636465666768696A6B6C6D6E6F'), des1.mac, des1.dek);
    expect(hex(host.putKeySet(des1).data)).toBe('01' + [des1.enc, des1.mac, des1.dek].map((k) => hex(keyCheckValue('DES3', k))).join(''));
    expect(sw(host.putKeySet(des2, 0x01))).toBe('9000');
    expect(hex(host.getData(0x00e0).data)).toBe('e024c00401308810c00402308810c00403308810c00401028010c00402028010c00403028010');
    host.select();
    expect(() => host.open(des1, { kvn: 0x01 })).toThrow(/6a88/i);
    host.open(des2, { kvn: 0x02 });
    expect(host.scp).toBe(2);
    // A KVN already taken, a replaced KVN that does not exist, a KCV that does not match.
    expect(sw(host.putKeySet(makeKeySet(0x30, 'DES3', des1.enc, des1.mac, des1.dek)))).toBe('6985');
    expect(sw(host.putKeySet(makeKeySet(0x03, 'DES3', des1.enc, des1.mac, des1.dek), 0x55))).toBe('6a88');
  });
});

describe('SET STATUS and the card life cycle', () => {
  it('OP_READY → INITIALIZED → SECURED → CARD_LOCKED ↔ SECURED → TERMINATED; illegal transitions refused', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, suite('echo'));
    const cardState = (): number => parseTlvStatus(host.getStatus(0x80, true).data)[0]!.lifeCycle;
    expect(sw(host.setStatus(0x80, 0x0f))).toBe('6985'); // OP_READY → SECURED skips INITIALIZED
    expect(sw(host.setStatus(0x80, 0x7f))).toBe('6985');
    expect(sw(host.setStatus(0x80, 0x03))).toBe('6a80');
    expect(sw(host.setStatus(0x80, 0x07))).toBe('9000');
    expect(cardState()).toBe(0x07);
    expect(sw(host.setStatus(0x80, 0x0f))).toBe('9000');
    expect(sw(host.setStatus(0x80, 0x07))).toBe('6985'); // no way back
    // Application lock: not selectable while locked.
    expect(sw(host.setStatus(0x40, 0x80, fromHex('F04A43564D0101')))).toBe('9000');
    expect(parseTlvStatus(host.getStatus(0x40, true).data)[0]!.lifeCycle).toBe(0x87);
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D010100')))).toBe('6999');
    host.select();
    host.open(DES_KEYS);
    expect(sw(host.setStatus(0x40, 0x00, fromHex('F04A43564D0101')))).toBe('9000');
    expect(sw(host.setStatus(0x40, 0x00, fromHex('F04A43564D0101')))).toBe('6985');
    // Card locked: only the ISD is selected, content management refused, GET STATUS answered.
    expect(sw(host.setStatus(0x80, 0x7f))).toBe('9000');
    expect(sw(host.installForLoad(fromHex('F04A43564D0F')))).toBe('6985');
    expect(sw(host.getStatus(0x80, true))).toBe('9000');
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D010100')))).toBe('6a82');
    expect(hex(card.transmit(fromHex('00A4040009A0000000620301080100')))).toBe('6a82');
    host.select();
    host.open(DES_KEYS);
    expect(sw(host.setStatus(0x80, 0x0f))).toBe('9000');
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D010100')))).toBe('9000');
    host.select();
    host.open(DES_KEYS);
    expect(sw(host.setStatus(0x80, 0xff))).toBe('9000');
    // TERMINATED: SELECT of the ISD and GET DATA answer; nothing else does.
    card.powerOn();
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D010100')))).toBe('6a82');
    expect(sw(host.select())).toBe('9000');
    expect(hex(host.getData(0x9f7f).data)).toMatch(/^9f7f/);
    expect(hex(card.transmit(fromHex('8050000008' + '0102030405060708' + '00')))).toBe('6985');
    expect(hex(card.transmit(fromHex('80F28002024F0000')))).toBe('6985');
  });
});

describe('faults leave the registry and the memory as they were', () => {
  async function ready(): Promise<{ card: Card; host: GpClient }> {
    const g = gpCard();
    g.host.open(DES_KEYS);
    await installSuite(g.host, suite('echo'));
    return g;
  }
  const status = (host: GpClient): string => hex(host.getStatus(0x10, true).data) + hex(host.getStatus(0x40, true).data);

  it('a LOAD cut off halfway (then a reset)', async () => {
    const { card, host } = await ready();
    const before = snapshot(card);
    const list = status(host);
    const file = await loadFile(resolve(CORPUS_DIR, 'arith', 'arith.cap'));
    expect(sw(host.installForLoad(fromHex('F04A43564D02')))).toBe('9000');
    for (let n = 0; n < 3; n++) expect(sw(host.send(0x80, 0xe8, 0x00, n, file.subarray(n * 0x80, (n + 1) * 0x80)))).toBe('9000');
    card.powerOn();
    host.select();
    host.open(DES_KEYS);
    expect(sw(host.install(fromHex('F04A43564D02'), fromHex('F04A43564D0201'), fromHex('F04A43564D0201')))).toBe('6a88');
    expect(status(host)).toBe(list);
    expect(snapshot(card)).toEqual(before);
    // A LOAD without INSTALL [for load] before it, and a block out of sequence.
    expect(sw(host.send(0x80, 0xe8, 0x80, 0x00, file.subarray(0, 16)))).toBe('6985');
    expect(sw(host.installForLoad(fromHex('F04A43564D02')))).toBe('9000');
    expect(sw(host.send(0x80, 0xe8, 0x00, 0x01, file.subarray(0, 16)))).toBe('6a86');
    expect(snapshot(card)).toEqual(before);
  });

  it('a LOAD block whose C-MAC is wrong, in the middle of a load', async () => {
    const { card, host } = await ready();
    const before = snapshot(card);
    const file = await loadFile(resolve(CORPUS_DIR, 'arith', 'arith.cap'));
    expect(sw(host.installForLoad(fromHex('F04A43564D02')))).toBe('9000');
    expect(sw(host.send(0x80, 0xe8, 0x00, 0x00, file.subarray(0, 0x80)))).toBe('9000');
    const block = file.subarray(0x80, 0x100);
    const apdu = fromHex('84E80001' + (block.length + 8).toString(16).padStart(2, '0') + hex(block) + '0000000000000000');
    expect(hex(card.transmit(apdu))).toBe('6982');
    host.forget();
    expect(sw(host.send(0x80, 0xe8, 0x80, 0x02, file.subarray(0x100, 0x180)))).toBe('6982');
    host.open(DES_KEYS);
    expect(sw(host.send(0x80, 0xe8, 0x80, 0x02, file.subarray(0x100, 0x180)))).toBe('6985'); // the load is gone with the session
    expect(snapshot(card)).toEqual(before);
  });

  it('a CAP whose import is missing (the firewall client without its library and server)', async () => {
    const { card, host } = await ready();
    const before = snapshot(card);
    const list = status(host);
    expect(sw(host.installForLoad(fromHex('F04A43564D0730')))).toBe('9000');
    expect(sw(host.load(await loadFile(resolve(CORPUS_DIR, 'firewall', 'fwclient.cap'))))).toBe('6a80');
    expect(status(host)).toBe(list);
    expect(snapshot(card)).toEqual(before);
    // A Load File whose package is not the one announced.
    expect(sw(host.installForLoad(fromHex('F04A43564D0F')))).toBe('9000');
    expect(sw(host.load(await loadFile(resolve(CORPUS_DIR, 'arith', 'arith.cap'))))).toBe('6a80');
    expect(snapshot(card)).toEqual(before);
  });

  it('an INSTALL with a privilege not allowed (Security Domain, RFU bits, a 2-byte field)', async () => {
    const { card, host } = await ready();
    expect(sw(host.delete(fromHex('F04A43564D0101')))).toBe('9000');
    const before = snapshot(card);
    const list = status(host);
    const elf = fromHex('F04A43564D01'), mod = fromHex('F04A43564D0101');
    expect(sw(host.install(elf, mod, mod, { privileges: fromHex('80') }))).toBe('6a80');
    expect(sw(host.install(elf, mod, mod, { privileges: fromHex('000001') }))).toBe('6a80');
    expect(sw(host.install(elf, mod, mod, { privileges: fromHex('0000') }))).toBe('6a80');
    expect(sw(host.install(elf, mod, mod, { privileges: fromHex('C00000') }))).toBe('6a80');
    expect(status(host)).toBe(list);
    expect(snapshot(card)).toEqual(before);
    expect(sw(host.install(elf, mod, mod, { privileges: fromHex('180000') }))).toBe('9000'); // Card Lock, Card Terminate
    expect(parseTlvStatus(host.getStatus(0x40, true).data)[0]!.privileges).toBe('180000');
  });
});

describe('the card image keeps the card manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcvm-gp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keys changed, counters, life cycle and content survive closing and reopening the card file', async () => {
    const file = join(dir, 'card.jcvm');
    const newKeys = makeKeySet(0x01, 'DES3', fromHex('0123456789ABCDEF0123456789ABCDEF'), fromHex('1123456789ABCDEF0123456789ABCDEF'), fromHex('2123456789ABCDEF0123456789ABCDEF'));
    let listing: string;
    {
      const card = new Card({ cardFile: file, gp: { random: seededRandom() } });
      card.powerOn();
      const host = new GpClient((a) => card.transmit(a));
      host.open(DES_KEYS);
      await installSuite(host, suite('pin'));
      expect(sw(host.putKeySet(newKeys, 0xff))).toBe('9000');
      host.select();
      host.open(newKeys);
      host.open(newKeys);
      expect(sw(host.setStatus(0x80, 0x07))).toBe('9000');
      expect(sw(host.setStatus(0x40, 0x80, fromHex('F04A43564D0601')))).toBe('9000');
      listing = hex(host.getStatus(0x80, true).data) + hex(host.getStatus(0x40, true).data) + hex(host.getStatus(0x10, true).data);
      expect(hex(host.getData(0x00c1).data)).toBe('c1020002');
    }
    const card = new Card({ cardFile: file, gp: { random: seededRandom() } });
    card.powerOn();
    const host = new GpClient((a) => card.transmit(a));
    expect(hex(host.getData(0x00c1).data)).toBe('c1020002');
    expect(hex(host.getData(0x00e0).data)).toBe('e012c00401018010c00402018010c00403018010');
    expect(() => host.open(DES_KEYS)).toThrow(/card cryptogram/);
    host.select();
    host.open(newKeys);
    expect(hex(host.getStatus(0x80, true).data) + hex(host.getStatus(0x40, true).data) + hex(host.getStatus(0x10, true).data)).toBe(listing);
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D060100')))).toBe('6999');
    host.select();
    host.open(newKeys);
    expect(sw(host.setStatus(0x40, 0x00, fromHex('F04A43564D0601')))).toBe('9000');
    expect(scriptDiff(card, resolve(CORPUS_DIR, 'pin', 'pin.scr'))).toBe('');
  });
});
