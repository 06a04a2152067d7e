// Delegated Management (GPCS 2.3 §9.2.2, C.4 tokens, C.5 receipts; runtime/gp/tokens.ts), over
// APDUs only: the ISD gets the issuer's Token Verification key (RSA public, KVN 70) and a Receipt
// Generation key (KVN 71) by PUT KEY; an SSD with Delegated Management loads, installs, makes
// selectable, extradites (INSTALL [for extradition] and [for registry update]) and deletes with
// tokens signed by the issuer, and each answer's receipt verifies on the host; no token, a token
// of another key or of other data is refused and changes nothing; the confirmation counter
// survives the card image.

import { createCipheriv, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Card } from '../../../runtime/card.ts';
import { GpClient, loadFileDataBlockHash, parseReceipt, parseTlvStatus, ReceiptData, rsaDomainKey, tokensFrom, verifyReceipt } from '../../../runtime/gp/client.ts';
import { aesCmac, concat } from '../../../runtime/gp/crypto.ts';
import { tlv } from '../../../runtime/gp/tlv.ts';
import { type DomainKey, makeKeySet } from '../../../runtime/gp/keys.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { AES_KEYS, DES_KEYS, fromHex, gpCard, hex, loadFile, scriptDiff, seededRandom, snapshot, sw } from './helpers.ts';

const ISD = fromHex('A000000151000000');
const SD_ELF = fromHex('A0000001515350');
const SD_MODULE = fromHex('A000000151535041');
const DM_SSD = fromHex('A00000055907DD01');
const ECHO_PKG = fromHex('F04A43564D01');
const ECHO_APP = fromHex('F04A43564D0101');
const ECHO_APP2 = fromHex('F04A43564D0102');
const ARITH_PKG = fromHex('F04A43564D02');
const ECHO_CAP = resolve(CORPUS_DIR, 'echo', 'echo.cap');
const ARITH_CAP = resolve(CORPUS_DIR, 'arith', 'arith.cap');

const issuer = generateKeyPairSync('rsa', { modulusLength: 1024 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 1024 });
const TOKEN_KEY = rsaDomainKey(0x70, 0x01, issuer.publicKey);
const AES_RECEIPT_KEY: DomainKey = { kvn: 0x71, id: 0x01, type: 'AES', key: Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i) };
const DES_RECEIPT_KEY: DomainKey = { kvn: 0x71, id: 0x01, type: 'DES3', key: Uint8Array.from({ length: 16 }, (_, i) => 0x31 + 3 * i) };
const DM_KEYS = makeKeySet(0x30, 'AES', Uint8Array.from({ length: 16 }, (_, i) => 0x50 + i), Uint8Array.from({ length: 16 }, (_, i) => 0x60 + i), Uint8Array.from({ length: 16 }, (_, i) => 0x70 + i));

/** AIDs, life cycles and domains of every GET STATUS listing the ISD gives: the registry as the host sees it. */
function registryView(host: GpClient): string {
  return [0x80, 0x40, 0x10]
    .map((p1) => {
      const r = host.getStatus(p1, true);
      return r.sw === 0x6a88 ? '-' : parseTlvStatus(r.data).map((e) => `${e.aid}:${e.lifeCycle}@${e.domain}`).join(' ');
    })
    .join(' | ');
}

/** The ISD with the issuer's token key and `receiptKey`, and a Delegated Management SSD with its own AES key set; the host left in the SSD's session. */
function delegatedCard(host: GpClient, receiptKey: DomainKey, isdKeys = AES_KEYS, ssdKeys = AES_KEYS): void {
  host.open(isdKeys);
  expect(sw(host.putKey(TOKEN_KEY))).toBe('9000');
  expect(sw(host.putKey(receiptKey))).toBe('9000');
  expect(sw(host.install(SD_ELF, SD_MODULE, DM_SSD, { privileges: fromHex('A00000') }))).toBe('9000');
  host.select(DM_SSD);
  host.open(ssdKeys);
  expect(sw(host.putKeySet(DM_KEYS))).toBe('9000');
  host.select(DM_SSD);
  host.open(DM_KEYS);
}

describe('Delegated Management: tokens and receipts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcvm-dm-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('PUT KEY of the token and receipt keys: RSA A1/A0 for KVN 70, AES for 71; GET DATA E0 lists them; wrong types, versions and domains refused', () => {
    const { card, host } = gpCard({ keyType: 'AES' });
    host.open(AES_KEYS);
    const writes = card.persistentWrites;
    expect(sw(host.putKey({ ...AES_RECEIPT_KEY, kvn: 0x70 }))).toBe('6a80'); // a token key is an RSA public key
    expect(sw(host.putKey({ ...TOKEN_KEY, kvn: 0x71 }))).toBe('6a80'); // a receipt key is a secret
    expect(sw(host.putKey({ ...AES_RECEIPT_KEY, kvn: 0x72 }))).toBe('6a80'); // no role of this card
    expect(sw(host.putKey(TOKEN_KEY, 0x70))).toBe('6a88'); // nothing to replace
    expect(card.persistentWrites).toBe(writes);
    const put = host.putKey(TOKEN_KEY);
    expect(sw(put)).toBe('9000');
    expect(hex(put.data)).toBe('70'); // KVN, no KCV for a public key
    expect(sw(host.putKey(TOKEN_KEY))).toBe('6985'); // already there: P1 00 adds only
    const receipt = host.putKey(AES_RECEIPT_KEY);
    expect(sw(receipt)).toBe('9000');
    // KVN ‖ KCV: the AES KCV is the first 3 bytes of the key's ECB encryption of 16 bytes 01.
    const kcv = createCipheriv('aes-128-ecb', AES_RECEIPT_KEY.key, null).setAutoPadding(false).update(new Uint8Array(16).fill(1)).subarray(0, 3);
    expect(hex(receipt.data)).toBe('71' + hex(kcv));
    const e0 = hex(host.getData(0x00e0).data);
    expect(e0).toContain('c006017' + '0a180a003'); // id 01, KVN 70, A1 128 bytes, A0 3 bytes
    expect(e0).toContain('c00401718810'); // id 01, KVN 71, AES 16 bytes
    // Replacing the token key (P1 = 70) with another.
    expect(sw(host.putKey(rsaDomainKey(0x70, 0x01, stranger.publicKey), 0x70))).toBe('9000');
    expect(sw(host.putKey(TOKEN_KEY, 0x70))).toBe('9000');
    // An SSD without Token Verification / DAP Verification keeps no such key.
    expect(sw(host.install(SD_ELF, SD_MODULE, DM_SSD, { privileges: fromHex('A00000') }))).toBe('9000');
    host.select(DM_SSD);
    host.open(AES_KEYS);
    expect(sw(host.putKey(TOKEN_KEY))).toBe('6985');
    expect(sw(host.putKey({ ...AES_RECEIPT_KEY, kvn: 0x73 }))).toBe('6985');
    expect(hex(host.getData(0x00e0).data)).not.toContain('0170');
  });

  it('a Delegated Management SSD loads, installs, makes selectable, extradites and deletes with tokens; each receipt verifies (AES); refusals change nothing; the counter survives the card image', async () => {
    const file = join(dir, 'dm.jcvm');
    const gp = { keyType: 'AES' as const, random: seededRandom() };
    const card = new Card({ cardFile: file, gp });
    card.powerOn();
    const host = new GpClient((a) => card.transmit(a));
    delegatedCard(host, AES_RECEIPT_KEY);
    host.tokens = tokensFrom(issuer.privateKey);
    const counters: number[] = [];
    const receipted = (r: { data: Uint8Array; sw: number }, data: Uint8Array): void => {
      expect(sw(r)).toBe('9000');
      expect(verifyReceipt(AES_RECEIPT_KEY, r.data, data)).toBe(true);
      const p = parseReceipt(r.data)!;
      expect(p.receipt.length).toBe(16); // AES-CMAC
      counters.push(p.counter);
    };

    // INSTALL [for load] with a token (the load token needs the hash), LOAD: the last block answers with the load receipt.
    const echo = await loadFile(ECHO_CAP);
    expect(sw(host.installForLoad(ECHO_PKG))).toBe('6a80'); // no hash
    const ifl = host.installForLoad(ECHO_PKG, loadFileDataBlockHash(echo));
    expect(sw(ifl)).toBe('9000');
    expect(hex(ifl.data)).toBe('00');
    const load = host.load(echo);
    receipted(load, ReceiptData.load(ECHO_PKG, DM_SSD));
    expect(verifyReceipt(AES_RECEIPT_KEY, load.data, ReceiptData.load(ECHO_PKG, ISD))).toBe(false); // it names the domain
    receipted(host.install(ECHO_PKG, ECHO_APP, ECHO_APP), ReceiptData.install(ECHO_PKG, ECHO_APP));
    expect(scriptDiff(card, resolve(CORPUS_DIR, 'echo', 'echo.scr'))).toBe('');
    card.powerOn();

    // Refused: no token (6982), a token of another key, a token of other data — P1 is signed (6A80). Nothing changes.
    host.select(ISD);
    host.open(AES_KEYS);
    const view = registryView(host);
    const mem = snapshot(card);
    host.select(DM_SSD);
    host.open(DM_KEYS);
    const writes = card.persistentWrites;
    const arith = await loadFile(ARITH_CAP);
    const attempts = (): string[] => [
      sw(host.installForLoad(ARITH_PKG, loadFileDataBlockHash(arith))),
      sw(host.install(ECHO_PKG, ECHO_APP, ECHO_APP2)),
      sw(host.makeSelectable(ECHO_APP)),
      sw(host.extradite(ISD, ECHO_APP)),
      sw(host.registryUpdate(ECHO_APP, { sd: ISD })),
      sw(host.delete(ECHO_APP)),
      sw(host.delete(ECHO_PKG, true)),
    ];
    host.tokens = null;
    expect(attempts()).toEqual(Array(7).fill('6982'));
    host.tokens = tokensFrom(stranger.privateKey);
    expect(attempts()).toEqual(Array(7).fill('6a80'));
    const good = tokensFrom(issuer.privateKey);
    host.tokens = (signed) => good(concat([signed[0]! ^ 0x80], signed.subarray(1))); // a token for another P1
    expect(attempts()).toEqual(Array(7).fill('6a80'));
    host.tokens = (signed) => good(concat(signed, [0x00])); // a token of other data
    expect(attempts()).toEqual(Array(7).fill('6a80'));
    expect(card.persistentWrites).toBe(writes);
    expect(snapshot(card)).toEqual(mem);
    host.select(ISD);
    host.open(AES_KEYS);
    expect(registryView(host)).toBe(view);

    // DELETE of the instance, then INSTALL [for install] alone and [for make selectable], all on tokens.
    host.select(DM_SSD);
    host.open(DM_KEYS);
    host.tokens = good;
    // This DELETE is built by hand, its token signed here (C.4.1: P1 ‖ P2 ‖ length ‖ data without the 9E token), its receipt recomputed byte by byte (C.5).
    const fields = tlv(0x4f, ECHO_APP);
    const handToken = new Uint8Array(sign('sha1', concat([0x00, 0x00, fields.length], fields), issuer.privateKey));
    const del = host.send(0x80, 0xe4, 0x00, 0x00, concat(fields, tlv(0x9e, handToken)), 0);
    const sdUnique = concat(host.getData(0x0042).data.subarray(2), host.getData(0x0045).data.subarray(2));
    const confirmation = concat([0x02, 0x00, 0x03, sdUnique.length], sdUnique);
    expect(hex(del.data)).toBe(hex(concat([16], aesCmac(AES_RECEIPT_KEY.key, concat(confirmation, [ECHO_APP.length], ECHO_APP)), confirmation)));
    receipted(del, ReceiptData.delete(ECHO_APP));
    receipted(host.install(ECHO_PKG, ECHO_APP, ECHO_APP, { selectable: false }), ReceiptData.install(ECHO_PKG, ECHO_APP));
    host.select(ISD);
    host.open(AES_KEYS);
    expect(registryView(host)).toContain(`${hex(ECHO_APP).toUpperCase()}:3@${hex(DM_SSD).toUpperCase()}`);
    host.select(DM_SSD);
    host.open(DM_KEYS);
    receipted(host.makeSelectable(ECHO_APP), ReceiptData.install(ECHO_PKG, ECHO_APP));
    // INSTALL [for registry update] moving it to the ISD on a token; the ISD gives it back without one.
    receipted(host.registryUpdate(ECHO_APP, { sd: ISD }), ReceiptData.extradition(DM_SSD, ECHO_APP, ISD));
    host.select(ISD);
    host.open(AES_KEYS);
    const back = host.extradite(DM_SSD, ECHO_APP);
    expect(sw(back)).toBe('9000');
    expect(hex(back.data)).toBe('00');

    // The card image round trip: keys, counter, delegated content; extradition and DELETE on tokens.
    const again = new Card({ cardFile: file, gp });
    again.powerOn();
    const host2 = new GpClient((a) => again.transmit(a));
    host2.select(ISD);
    host2.open(AES_KEYS);
    expect(registryView(host2)).toContain(`${hex(ECHO_APP).toUpperCase()}:7@${hex(DM_SSD).toUpperCase()}`);
    host2.select(DM_SSD);
    host2.open(DM_KEYS);
    host2.tokens = good;
    receipted(host2.extradite(ISD, ECHO_APP), ReceiptData.extradition(DM_SSD, ECHO_APP, ISD));
    expect(sw(host2.delete(ECHO_APP))).toBe('6985'); // the ISD's now
    host2.select(ISD);
    host2.open(AES_KEYS);
    const isdDelete = host2.delete(ECHO_APP); // the ISD needs no token, and gives no receipt
    expect(sw(isdDelete)).toBe('9000');
    expect(hex(isdDelete.data)).toBe('00');
    host2.select(DM_SSD);
    host2.open(DM_KEYS);
    host2.tokens = good;
    receipted(host2.delete(ECHO_PKG), ReceiptData.delete(ECHO_PKG));
    expect(counters).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    host2.select(ISD);
    host2.open(AES_KEYS);
    expect(registryView(host2)).not.toContain('F04A43564D01');
  });

  it('an SSD with Token Verification and Receipt Generation takes those roles from the ISD: its keys verify tokens and make receipts; one such domain on the card', async () => {
    const { host } = gpCard({ keyType: 'AES' });
    const AUTHORITY = fromHex('A0000005590ACA01');
    const authority = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const authorityReceipts: DomainKey = { ...AES_RECEIPT_KEY, key: Uint8Array.from({ length: 16 }, (_, i) => 0x11 * (i + 1)) };
    host.open(AES_KEYS);
    expect(sw(host.install(SD_ELF, SD_MODULE, AUTHORITY, { privileges: fromHex('802080') }))).toBe('9000');
    expect(sw(host.install(SD_ELF, SD_MODULE, fromHex('A0000005590BCB01'), { privileges: fromHex('802000') }))).toBe('6985'); // a second token verifier
    expect(sw(host.install(SD_ELF, SD_MODULE, fromHex('A0000005590BCB01'), { privileges: fromHex('800080') }))).toBe('6985'); // a second receipt generator
    host.select(AUTHORITY);
    host.open(AES_KEYS);
    expect(sw(host.putKey(rsaDomainKey(0x70, 0x01, authority.publicKey)))).toBe('9000');
    expect(sw(host.putKey(authorityReceipts))).toBe('9000');
    host.select(ISD);
    delegatedCard(host, AES_RECEIPT_KEY); // the ISD's own token and receipt keys, unused now
    const echo = await loadFile(ECHO_CAP);
    const hash = loadFileDataBlockHash(echo);
    host.tokens = tokensFrom(issuer.privateKey);
    expect(sw(host.installForLoad(ECHO_PKG, hash))).toBe('6a80');
    host.tokens = tokensFrom(authority.privateKey);
    expect(sw(host.installForLoad(ECHO_PKG, hash))).toBe('9000');
    const load = host.load(echo);
    expect(sw(load)).toBe('9000');
    expect(verifyReceipt(authorityReceipts, load.data, ReceiptData.load(ECHO_PKG, DM_SSD))).toBe(true);
    expect(verifyReceipt(AES_RECEIPT_KEY, load.data, ReceiptData.load(ECHO_PKG, DM_SSD))).toBe(false);
  });

  it('DES receipts (single DES plus final triple DES MAC, 8 bytes), the key put over SCP02', async () => {
    const { host } = gpCard();
    delegatedCard(host, DES_RECEIPT_KEY, DES_KEYS, DES_KEYS);
    host.tokens = tokensFrom(issuer.privateKey);
    const echo = await loadFile(ECHO_CAP);
    expect(sw(host.installForLoad(ECHO_PKG, loadFileDataBlockHash(echo, 'sha256')))).toBe('9000');
    const load = host.load(echo);
    expect(sw(load)).toBe('9000');
    expect(parseReceipt(load.data)!.receipt.length).toBe(8);
    expect(verifyReceipt(DES_RECEIPT_KEY, load.data, ReceiptData.load(ECHO_PKG, DM_SSD))).toBe(true);
    // The same receipt recomputed here: single DES CBC (key K1) over all blocks but the last, triple DES on the last (GPCS B.1.2.2), ICV zero.
    const sdUnique = concat(host.getData(0x0042).data.subarray(2), host.getData(0x0045).data.subarray(2));
    const confirmation = concat([0x02, 0x00, 0x01, sdUnique.length], sdUnique);
    const message = concat(confirmation, [ECHO_PKG.length], ECHO_PKG, [DM_SSD.length], DM_SSD, [0x80]);
    const padded = concat(message, new Uint8Array((8 - (message.length % 8)) % 8));
    const k = DES_RECEIPT_KEY.type === 'DES3' ? DES_RECEIPT_KEY.key : new Uint8Array(0);
    const k1 = concat(k.subarray(0, 8), k.subarray(0, 8), k.subarray(0, 8));
    const head = createCipheriv('des-ede3-cbc', k1, new Uint8Array(8)).setAutoPadding(false).update(padded.subarray(0, padded.length - 8));
    const last = createCipheriv('des-ede3-cbc', concat(k, k.subarray(0, 8)), head.subarray(head.length - 8)).setAutoPadding(false).update(padded.subarray(padded.length - 8));
    expect(hex(load.data)).toBe(hex(concat([8], last, confirmation)));
    expect(verifyReceipt({ ...DES_RECEIPT_KEY, key: AES_RECEIPT_KEY.key }, load.data, ReceiptData.load(ECHO_PKG, DM_SSD))).toBe(false);
    const del = host.delete(ECHO_PKG);
    expect(verifyReceipt(DES_RECEIPT_KEY, del.data, ReceiptData.delete(ECHO_PKG))).toBe(true);
    expect(parseReceipt(del.data)!.counter).toBe(2);
  });
});
