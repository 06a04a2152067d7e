// DAP verification (GPCS 2.3 §9.2.1, §11.6.2.3, C.3; runtime/gp/dap.ts), over APDUs only: an SSD
// with DAP Verification and its RSA DAP key (KVN 73) takes a Load File only with its valid DAP
// block; an SSD with Mandated DAP Verification (AES, then DES DAP keys) makes every load on the
// card need its DAP. A refused load leaves nothing behind: the card's memory report, content and
// registry are those of before. The passing DAP blocks are built here by hand.

import { constants, createCipheriv, generateKeyPairSync, sign } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type GpClient, loadFileDataBlockHash, parseTlvStatus, rsaDomainKey, withDapBlocks } from '../../../runtime/gp/client.ts';
import { aesCmac, concat } from '../../../runtime/gp/crypto.ts';
import { type DomainKey, makeKeySet } from '../../../runtime/gp/keys.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { AES_KEYS, DES_KEYS, fromHex, gpCard, hex, loadFile, scriptDiff, snapshot, sw } from './helpers.ts';

const ISD = fromHex('A000000151000000');
const SD_ELF = fromHex('A0000001515350');
const SD_MODULE = fromHex('A000000151535041');
const DAP_SSD = fromHex('A00000055908DA01');
const MANDATED = fromHex('A00000055909CA01');
const ECHO_PKG = fromHex('F04A43564D01');
const ECHO_APP = fromHex('F04A43564D0101');
const ARITH_PKG = fromHex('F04A43564D02');
const ECHO_CAP = resolve(CORPUS_DIR, 'echo', 'echo.cap');
const ARITH_CAP = resolve(CORPUS_DIR, 'arith', 'arith.cap');

const dapPair = generateKeyPairSync('rsa', { modulusLength: 1024 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 1024 });
const SSD_KEYS = makeKeySet(0x30, 'AES', Uint8Array.from({ length: 16 }, (_, i) => 0x21 + i), Uint8Array.from({ length: 16 }, (_, i) => 0x41 + i), Uint8Array.from({ length: 16 }, (_, i) => 0x61 + i));
const AES_DAP_KEY: DomainKey = { kvn: 0x73, id: 0x01, type: 'AES', key: Uint8Array.from({ length: 16 }, (_, i) => 0x90 + i) };
const DES_DAP_KEY: DomainKey = { kvn: 0x73, id: 0x01, type: 'DES3', key: Uint8Array.from({ length: 16 }, (_, i) => 0x13 + 5 * i) };

/** A DAP block, E2 { 4F AID, C3 signature }, built here. */
function dapBlockByHand(sd: Uint8Array, signature: Uint8Array): Uint8Array {
  const length = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >>> 8, n & 0xff]);
  const inner = concat([0x4f, sd.length], sd, [0xc3], length(signature.length), signature);
  return concat([0xe2], length(inner.length), inner);
}

/** Load files of the selected domain as GET STATUS lists them ('' when none). */
function loadFiles(host: GpClient): string {
  const r = host.getStatus(0x20, true);
  return r.sw === 0x6a88 ? '' : parseTlvStatus(r.data).map((e) => `${e.aid}@${e.domain}`).join(' ');
}

/** Each attempt (INSTALL [for load] with `hash`, then LOAD of the file) is refused with 6A80 and changes nothing on the card. */
function refusedLoads(card: Parameters<typeof snapshot>[0], host: GpClient, pkg: Uint8Array, hash: Uint8Array, files: Uint8Array[]): void {
  const before = snapshot(card);
  const listing = loadFiles(host);
  for (const file of files) {
    expect(sw(host.installForLoad(pkg, hash))).toBe('9000');
    expect(sw(host.load(file))).toBe('6a80');
  }
  expect(snapshot(card)).toEqual(before);
  expect(loadFiles(host)).toBe(listing);
}

describe('DAP verification', () => {
  it('an SSD with DAP Verification and an RSA DAP key: its load needs the hash and its valid DAP; wrong ones leave nothing behind', async () => {
    const { card, host } = gpCard({ keyType: 'AES' });
    host.open(AES_KEYS);
    expect(sw(host.install(SD_ELF, SD_MODULE, DAP_SSD, { privileges: fromHex('C04000') }))).toBe('9000'); // DAP Verification, Authorized Management
    expect(sw(host.putKey(rsaDomainKey(0x73, 0x01, dapPair.publicKey)))).toBe('6985'); // the ISD has no DAP Verification
    host.select(DAP_SSD);
    host.open(AES_KEYS);
    expect(sw(host.putKeySet(SSD_KEYS))).toBe('9000');
    host.select(DAP_SSD);
    host.open(SSD_KEYS);
    expect(sw(host.putKey(rsaDomainKey(0x73, 0x01, dapPair.publicKey)))).toBe('9000');
    expect(hex(host.getData(0x00e0).data)).toContain('c0060173a180a003');

    const echo = await loadFile(ECHO_CAP);
    const hash = loadFileDataBlockHash(echo);
    expect(sw(host.installForLoad(ECHO_PKG))).toBe('6a80'); // a DAP is over the hash: the hash must be announced
    refusedLoads(card, host, ECHO_PKG, hash, [
      echo, // no DAP
      withDapBlocks(echo, hash, [{ sd: DAP_SSD, key: stranger.privateKey }]), // signed with another key
      withDapBlocks(echo, hash, [{ sd: DAP_SSD, key: dapPair.privateKey }]).map((b, i, a) => (i === a.length - 1 ? b ^ 0x01 : b)), // the file changed after signing: the hash does not match
      withDapBlocks(echo, loadFileDataBlockHash(echo, 'sha256'), [{ sd: DAP_SSD, key: dapPair.privateKey }]), // over another hash than the one announced
      withDapBlocks(echo, hash, [{ sd: ISD, key: dapPair.privateKey }]), // naming a domain without DAP Verification (and this one's missing)
    ]);

    // The DAP: PKCS#1 v1.5 with SHA-1 over the Load File Data Block hash (GPCS B.3.1), signed here.
    const dap = new Uint8Array(sign('sha1', hash, dapPair.privateKey));
    expect(sw(host.installForLoad(ECHO_PKG, hash))).toBe('9000');
    expect(sw(host.load(concat(dapBlockByHand(DAP_SSD, dap), echo)))).toBe('9000');
    expect(loadFiles(host)).toBe(`F04A43564D01@${hex(DAP_SSD).toUpperCase()}`);
    expect(sw(host.install(ECHO_PKG, ECHO_APP, ECHO_APP))).toBe('9000');
    expect(scriptDiff(card, resolve(CORPUS_DIR, 'echo', 'echo.scr'))).toBe('');
    card.powerOn();

    // The ISD's own loads need no DAP: DAP Verification covers the domain's Load Files only.
    host.open(AES_KEYS);
    expect(sw(host.installForLoad(ARITH_PKG))).toBe('9000');
    expect(sw(host.load(await loadFile(ARITH_CAP)))).toBe('9000');
  });

  it('an RSA-2048 DAP key (PUT KEY in an extended-length command): RSASSA-PSS with SHA-256 (GPCS B.3.2)', async () => {
    const { card, host } = gpCard({ keyType: 'AES' });
    const big = generateKeyPairSync('rsa', { modulusLength: 2048 });
    host.open(AES_KEYS);
    expect(sw(host.install(SD_ELF, SD_MODULE, DAP_SSD, { privileges: fromHex('C04000') }))).toBe('9000');
    host.select(DAP_SSD);
    host.open(AES_KEYS);
    expect(sw(host.putKey(rsaDomainKey(0x73, 0x01, big.publicKey)))).toBe('9000');
    expect(hex(host.getData(0x00e0).data)).toContain('c0080173ffa10100a003'); // a 256-byte modulus: FF A1 0100
    const echo = await loadFile(ECHO_CAP);
    const hash = loadFileDataBlockHash(echo, 'sha256');
    const pkcs1 = new Uint8Array(sign('sha256', hash, big.privateKey)); // Scheme 1 is for keys up to 1024 bits
    refusedLoads(card, host, ECHO_PKG, hash, [concat(dapBlockByHand(DAP_SSD, pkcs1), echo)]);
    const pss = new Uint8Array(sign('sha256', hash, { key: big.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
    expect(sw(host.installForLoad(ECHO_PKG, hash))).toBe('9000');
    expect(sw(host.load(concat(dapBlockByHand(DAP_SSD, pss), echo)))).toBe('9000');
    expect(loadFiles(host)).toBe(`F04A43564D01@${hex(DAP_SSD).toUpperCase()}`);
  });

  it('Mandated DAP Verification (AES DAP key, CMAC): every load on the card needs that DAP; one such domain on the card', async () => {
    const { card, host } = gpCard({ keyType: 'AES' });
    host.open(AES_KEYS);
    expect(sw(host.install(SD_ELF, SD_MODULE, MANDATED, { privileges: fromHex('C1') }))).toBe('9000');
    expect(sw(host.install(SD_ELF, SD_MODULE, DAP_SSD, { privileges: fromHex('C1') }))).toBe('6985'); // a second one
    host.select(MANDATED);
    host.open(AES_KEYS);
    expect(sw(host.putKey(AES_DAP_KEY))).toBe('9000');
    expect(sw(host.installForLoad(ECHO_PKG, new Uint8Array(20)))).toBe('6985'); // DAP Verification alone manages no content

    host.select(ISD);
    host.open(AES_KEYS);
    const arith = await loadFile(ARITH_CAP);
    const hash = loadFileDataBlockHash(arith);
    expect(sw(host.installForLoad(ARITH_PKG))).toBe('6a80');
    refusedLoads(card, host, ARITH_PKG, hash, [
      arith,
      withDapBlocks(arith, hash, [{ sd: MANDATED, key: { ...AES_DAP_KEY, key: AES_KEYS.enc } }]),
      withDapBlocks(arith, hash, [{ sd: MANDATED, key: dapPair.privateKey }]), // an RSA signature where the key is AES
    ]);
    expect(sw(host.installForLoad(ARITH_PKG, hash))).toBe('9000');
    expect(sw(host.load(concat(dapBlockByHand(MANDATED, aesCmac(AES_DAP_KEY.type === 'AES' ? AES_DAP_KEY.key : new Uint8Array(16), hash)), arith)))).toBe('9000');
    expect(loadFiles(host)).toContain('F04A43564D02@A000000151000000');
  });

  it('Mandated DAP with a DES DAP key: the full triple DES MAC of the hash (GPCS B.1.2.1), computed here', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    expect(sw(host.install(SD_ELF, SD_MODULE, MANDATED, { privileges: fromHex('C10000') }))).toBe('9000');
    host.select(MANDATED);
    host.open(DES_KEYS);
    expect(sw(host.putKey(DES_DAP_KEY))).toBe('9000');
    host.select(ISD);
    host.open(DES_KEYS);
    const echo = await loadFile(ECHO_CAP);
    const hash = loadFileDataBlockHash(echo);
    const k = DES_DAP_KEY.type === 'DES3' ? DES_DAP_KEY.key : new Uint8Array(16);
    const mac = createCipheriv('des-ede3-cbc', concat(k, k.subarray(0, 8)), new Uint8Array(8)).setAutoPadding(false).update(concat(hash, [0x80, 0, 0, 0])).subarray(16, 24);
    refusedLoads(card, host, ECHO_PKG, hash, [echo, concat(dapBlockByHand(MANDATED, mac.map((b) => b ^ 0xff)), echo)]);
    expect(sw(host.installForLoad(ECHO_PKG, hash))).toBe('9000');
    expect(sw(host.load(concat(dapBlockByHand(MANDATED, new Uint8Array(mac)), echo)))).toBe('9000');
  });
});
