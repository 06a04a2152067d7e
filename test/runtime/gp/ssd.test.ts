// Supplementary security domains (GPCS 2.3 §7, §9; runtime/gp/domain/, manager.ts), over APDUs
// only: two vendors' SSDs with Authorized Management, each with its own keys put through its own
// SCP03 channel, loading and installing through it, each refused the other's content;
// extradition to the ISD; the privilege checks; the card image round trip.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapPath } from '../../../loader/cap/archive.ts';
import { Card } from '../../../runtime/card.ts';
import { GpClient, parseTlvStatus } from '../../../runtime/gp/client.ts';
import { makeKeySet } from '../../../runtime/gp/keys.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { AES_KEYS, fromHex, gpCard, hex, listing, loadFile, scriptDiff, seededRandom, sw } from './helpers.ts';

const ISD = fromHex('A000000151000000');
const SD_ELF = fromHex('A0000001515350');
const SD_MODULE = fromHex('A000000151535041');
const SSD_A = fromHex('A00000055901AA01');
const SSD_B = fromHex('A00000055902BB01');
const AM = fromHex('804000'); // Security Domain + Authorized Management

const ECHO_PKG = fromHex('F04A43564D01');
const ECHO_APP = fromHex('F04A43564D0101');
const ARITH_PKG = fromHex('F04A43564D02');
const ARITH_APP = fromHex('F04A43564D0201');

const aesKeys = (kvn: number, seed: number): ReturnType<typeof makeKeySet> =>
  makeKeySet(kvn, 'AES', Uint8Array.from({ length: 16 }, (_, i) => seed + i), Uint8Array.from({ length: 16 }, (_, i) => seed + 0x20 + i), Uint8Array.from({ length: 16 }, (_, i) => seed + 0x40 + i));
const KEYS_A = aesKeys(0x31, 0x10);
const KEYS_B = aesKeys(0x32, 0x80);

/** INSTALL [for load] + LOAD of a corpus CAP, then INSTALL [for install and make selectable] of its applet, through the selected domain. */
async function loadAndInstall(host: GpClient, capName: string, app: Uint8Array): Promise<void> {
  const cap = resolve(CORPUS_DIR, capName.split('.')[0]!, capName);
  const pkg = (await readCapPath(cap)).header.package.AID;
  expect(sw(host.installForLoad(pkg))).toBe('9000');
  expect(sw(host.load(await loadFile(cap)))).toBe('9000');
  expect(sw(host.install(pkg, app, app))).toBe('9000');
}

describe('supplementary security domains', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcvm-ssd-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('two vendors: own keys over their own SCP03 channel, own content, refused the other\'s; extradition; the card image keeps it all', async () => {
    const file = join(dir, 'card.jcvm');
    const gp = { keyType: 'AES' as const, random: seededRandom() };
    let isdApps: string, isdFiles: string, aApps: string, aFiles: string, bApps: string, bFiles: string;
    {
      const card = new Card({ cardFile: file, gp });
      card.powerOn();
      const host = new GpClient((a) => card.transmit(a));
      host.open(AES_KEYS);
      // The ISD creates both SSDs from the security domain load file and module.
      expect(sw(host.install(SD_ELF, SD_MODULE, SSD_A, { privileges: AM }))).toBe('9000');
      expect(sw(host.install(SD_ELF, SD_MODULE, SSD_B, { privileges: AM }))).toBe('9000');
      expect(sw(host.install(SD_ELF, SD_MODULE, SSD_B, { privileges: AM }))).toBe('6985'); // AID taken
      const sds = parseTlvStatus(host.getStatus(0x40, true).data);
      expect(sds.map((e) => [e.aid, e.lifeCycle, e.privileges, e.loadFile, e.domain])).toEqual([
        [hex(SSD_A).toUpperCase(), 0x07, '804000', 'A0000001515350', 'A000000151000000'],
        [hex(SSD_B).toUpperCase(), 0x07, '804000', 'A0000001515350', 'A000000151000000'],
      ]);

      // Each SSD: selected by its AID (its FCI), opened with the initial keys, given its own key set by PUT KEY.
      for (const [aid, keys] of [[SSD_A, KEYS_A], [SSD_B, KEYS_B]] as const) {
        const sel = host.select(aid);
        expect(sw(sel)).toBe('9000');
        expect(hex(sel.data)).toContain(`84${hex([aid.length])}${hex(aid)}`);
        host.open(AES_KEYS);
        expect(host.scp).toBe(3);
        expect(sw(host.putKeySet(keys))).toBe('9000'); // replaces the initial set FF
        host.select(aid);
        expect(() => host.open(AES_KEYS, { kvn: 0xff })).toThrow(/6a88/i); // KVN FF is gone
        host.select(aid);
        expect(() => host.open(AES_KEYS)).toThrow(/card cryptogram/); // the first set is now the new one
        host.select(aid);
        host.open(keys);
        expect(hex(host.getData(0x00e0).data)).toBe([1, 2, 3].map((id) => `c0040${id}${hex([keys.kvn])}8810`).join('').replace(/^/, 'e012'));
      }
      // The ISD's keys did not change.
      host.select(ISD);
      host.open(AES_KEYS);

      // Vendor A loads and installs echo through its SSD, vendor B arith through its own.
      host.select(SSD_A);
      host.open(KEYS_A);
      await loadAndInstall(host, 'echo.cap', ECHO_APP);
      expect(sw(host.install(ECHO_PKG, ECHO_APP, fromHex('F04A43564D0109'), { privileges: fromHex('100000') }))).toBe('6a80'); // Card Lock: the ISD's to give
      host.select(SSD_B);
      host.open(KEYS_B);
      await loadAndInstall(host, 'arith.cap', ARITH_APP);
      expect(scriptDiff(card, resolve(CORPUS_DIR, 'echo', 'echo.scr'))).toBe('');
      expect(scriptDiff(card, resolve(CORPUS_DIR, 'arith', 'arith-ops.scr'))).toBe('');
      card.powerOn(); // the scripts end with a power-down

      // Each SSD lists its own content only; the ISD everything, with the associations.
      const a = `F04A43564D0101@${hex(SSD_A).toUpperCase()}`;
      const b = `F04A43564D0201@${hex(SSD_B).toUpperCase()}`;
      host.select(SSD_A);
      host.open(KEYS_A);
      expect(listing(host, 0x40)).toBe(a);
      expect(listing(host, 0x20)).toBe(`F04A43564D01@${hex(SSD_A).toUpperCase()}`);
      expect(sw(host.getStatus(0x80, true))).toBe('6a88'); // the ISD is not in an SSD's view
      host.select(SSD_B);
      host.open(KEYS_B);
      expect(listing(host, 0x40)).toBe(b);
      expect(listing(host, 0x10)).toBe(`F04A43564D02@${hex(SSD_B).toUpperCase()}`);
      host.select(ISD);
      host.open(AES_KEYS);
      const before = listing(host, 0x40) + ' | ' + listing(host, 0x10);
      expect(before).toBe(`${a} ${b} ${hex(SSD_A).toUpperCase()}@A000000151000000 ${hex(SSD_B).toUpperCase()}@A000000151000000 | F04A43564D01@${hex(SSD_A).toUpperCase()} F04A43564D02@${hex(SSD_B).toUpperCase()}`);

      // The other vendor's content: refused, and nothing is written.
      for (const [self, keys, other] of [[SSD_A, KEYS_A, [ARITH_PKG, ARITH_APP]], [SSD_B, KEYS_B, [ECHO_PKG, ECHO_APP]]] as const) {
        host.select(self);
        host.open(keys);
        const writes = card.persistentWrites;
        const [pkg, app] = other;
        expect(sw(host.delete(app))).toBe('6985');
        expect(sw(host.delete(pkg, true))).toBe('6985');
        expect(sw(host.delete(pkg))).toBe('6985');
        expect(sw(host.install(pkg, app, fromHex('F04A43564D09')))).toBe('6985'); // installing from the other's load file
        expect(sw(host.extradite(self, app))).toBe('6985');
        expect(sw(host.extradite(ISD, pkg))).toBe('6985');
        expect(sw(host.setStatus(0x40, 0x80, app))).toBe('6985'); // locking it
        expect(sw(host.getStatus(0x40, true, app))).toBe('6a88');
        expect(sw(host.delete(self === SSD_A ? SSD_B : SSD_A))).toBe('6985'); // the other SSD itself
        expect(sw(host.install(SD_ELF, SD_MODULE, fromHex('A00000055903CC01'), { privileges: fromHex('A00000') }))).toBe('6a80'); // a sub-SSD with a privilege it lacks (hierarchy.test.ts)
        expect(sw(host.setStatus(0x80, 0x07))).toBe('6985'); // the card's life cycle is the ISD's
        expect(sw(host.installForLoad(fromHex('F04A43564D07'), new Uint8Array(0), ISD))).toBe('6985'); // loading for another domain
        expect(sw(host.installForLoad(fromHex('F04A43564D07'), new Uint8Array(0), fromHex('A0000005590FFF01')))).toBe('6a88'); // no such domain
        expect(card.persistentWrites).toBe(writes);
      }
      host.select(ISD);
      host.open(AES_KEYS);
      expect(listing(host, 0x40) + ' | ' + listing(host, 0x10)).toBe(before);
      expect(sw(host.delete(SSD_A))).toBe('6985'); // content is still associated with it

      // Vendor A extradites its application to the ISD: it leaves A's view (the load file stays A's).
      host.select(SSD_A);
      host.open(KEYS_A);
      expect(sw(host.extradite(fromHex('A0000001510000FF'), ECHO_APP))).toBe('6a88'); // no such domain
      expect(sw(host.extradite(ISD, ECHO_APP))).toBe('9000');
      expect(listing(host, 0x40)).toBe('');
      expect(listing(host, 0x20)).toBe(`F04A43564D01@${hex(SSD_A).toUpperCase()}`);
      expect(sw(host.delete(ECHO_APP))).toBe('6985');
      expect(sw(host.delete(ECHO_PKG, true))).toBe('6985'); // its instance is the ISD's now
      host.select(ISD);
      host.open(AES_KEYS);
      expect(listing(host, 0x40)).toBe(`F04A43564D0101@A000000151000000 ${b} ${hex(SSD_A).toUpperCase()}@A000000151000000 ${hex(SSD_B).toUpperCase()}@A000000151000000`);
      expect(scriptDiff(card, resolve(CORPUS_DIR, 'echo', 'echo.scr'))).toBe('');
      card.powerOn();

      // SSD A personalizes itself (SELECTABLE → PERSONALIZED).
      host.select(SSD_A);
      host.open(KEYS_A);
      expect(sw(host.setStatus(0x40, 0x0f, SSD_A))).toBe('9000');
      host.select(ISD);
      host.open(AES_KEYS);
      isdApps = listing(host, 0x40);
      isdFiles = listing(host, 0x10);
      expect(parseTlvStatus(host.getStatus(0x40, true, SSD_A).data)[0]!.lifeCycle).toBe(0x0f);
      host.select(SSD_A);
      host.open(KEYS_A);
      aApps = listing(host, 0x40);
      aFiles = listing(host, 0x10);
      host.select(SSD_B);
      host.open(KEYS_B);
      bApps = listing(host, 0x40);
      bFiles = listing(host, 0x10);
    }

    // The card image round trip: domains, their keys, counters, life cycles and associations.
    const card = new Card({ cardFile: file, gp });
    card.powerOn();
    const host = new GpClient((a) => card.transmit(a));
    host.select(SSD_A);
    expect(() => host.open(AES_KEYS, { kvn: 0xff })).toThrow(/6a88/i);
    host.select(SSD_A);
    host.open(KEYS_A);
    expect(listing(host, 0x40)).toBe(aApps);
    expect(listing(host, 0x10)).toBe(aFiles);
    host.select(SSD_B);
    host.open(KEYS_B);
    expect(listing(host, 0x40)).toBe(bApps);
    expect(listing(host, 0x10)).toBe(bFiles);
    expect(sw(host.delete(ECHO_APP))).toBe('6985');
    // B deletes its own content; then the ISD may delete B.
    expect(sw(host.delete(ARITH_PKG, true))).toBe('9000');
    expect(listing(host, 0x40) + listing(host, 0x20)).toBe('');
    host.select(ISD);
    host.open(AES_KEYS);
    expect(listing(host, 0x40)).toBe(isdApps.replace(/ F04A43564D0201@\S+/, ''));
    expect(listing(host, 0x10)).toBe(isdFiles.replace(/ F04A43564D02@\S+/, ''));
    expect(sw(host.delete(SSD_B))).toBe('9000');
    expect(sw(host.select(SSD_B))).toBe('6a82');
    expect(scriptDiff(card, resolve(CORPUS_DIR, 'echo', 'echo.scr'))).toBe('');
  });

  it('privileges: Security Domain alone, Delegated Management without a valid token, both management privileges; locking an SSD', async () => {
    const { card, host } = gpCard({ keyType: 'AES' });
    host.open(AES_KEYS);
    const plain = fromHex('A00000055904DD01');
    const dm = fromHex('A00000055905EE01');
    expect(sw(host.install(SD_ELF, SD_MODULE, fromHex('A00000055906FF01'), { privileges: fromHex('A04000') }))).toBe('6a80'); // DM and AM
    expect(sw(host.install(SD_ELF, SD_MODULE, fromHex('A00000055906FF01'), { privileges: fromHex('004000') }))).toBe('6a80'); // no SD privilege
    expect(sw(host.install(SD_ELF, SD_MODULE, fromHex('A00000055906FF01'), { privileges: fromHex('810000') }))).toBe('6a80'); // Mandated DAP without DAP Verification
    expect(sw(host.install(SD_ELF, fromHex('A000000151535042'), fromHex('A00000055906FF01'), { privileges: fromHex('80') }))).toBe('6a88'); // no such module
    expect(sw(host.install(ECHO_PKG, ECHO_APP, fromHex('A00000055906FF01'), { privileges: fromHex('80') }))).toBe('6a80'); // the SD privilege for an application
    expect(sw(host.install(SD_ELF, SD_MODULE, plain, { privileges: fromHex('80') }))).toBe('9000');
    expect(sw(host.install(SD_ELF, SD_MODULE, dm, { privileges: fromHex('A00000') }))).toBe('9000');
    const cap = resolve(CORPUS_DIR, 'echo', 'echo.cap');

    // Security Domain privilege alone: no card content management (6985); GET STATUS, GET DATA, PUT KEY are its own.
    host.select(plain);
    host.open(AES_KEYS);
    const writes = card.persistentWrites;
    expect(sw(host.installForLoad(ECHO_PKG))).toBe('6985');
    expect(sw(host.delete(ECHO_PKG))).toBe('6985');
    expect(sw(host.getStatus(0x40, true))).toBe('6a88');
    expect(card.persistentWrites).toBe(writes);
    expect(sw(host.putKeySet(aesKeys(0x40, 0x33)))).toBe('9000');

    // Delegated Management: a token is needed (6982 without one; 6A80 for one that does not verify: no token key is on this card; tokens.test.ts has the rest).
    host.select(dm);
    host.open(AES_KEYS);
    expect(sw(host.installForLoad(ECHO_PKG))).toBe('6982');
    expect(sw(host.send(0x80, 0xe6, 0x02, 0x00, fromHex('06F04A43564D0100000002AABB'), 0))).toBe('6a80');
    expect(sw(host.extradite(ISD, ECHO_PKG))).toBe('6982');

    // The ISD loads echo for the plain SSD (INSTALL [for load] naming it): associated with it, listed by it.
    host.select(ISD);
    host.open(AES_KEYS);
    expect(sw(host.installForLoad(ECHO_PKG, new Uint8Array(0), plain))).toBe('9000');
    expect(sw(host.load(await loadFile(cap)))).toBe('9000');
    expect(listing(host, 0x20)).toBe(`F04A43564D01@${hex(plain).toUpperCase()}`);
    expect(sw(host.delete(plain))).toBe('6985');
    // The ISD locks the SSD: not selectable (6999) until unlocked.
    expect(sw(host.setStatus(0x40, 0x80, plain))).toBe('9000');
    expect(sw(host.select(plain))).toBe('6999');
    host.select(ISD);
    host.open(AES_KEYS);
    expect(sw(host.setStatus(0x40, 0x07, plain))).toBe('9000');
    expect(sw(host.select(plain))).toBe('9000');
    host.open(aesKeys(0x40, 0x33));
    expect(listing(host, 0x20)).toBe(`F04A43564D01@${hex(plain).toUpperCase()}`);
    // ... and the ISD extradites the load file back to itself.
    host.select(ISD);
    host.open(AES_KEYS);
    expect(sw(host.extradite(ISD, ECHO_PKG))).toBe('9000');
    expect(listing(host, 0x20)).toBe('F04A43564D01@A000000151000000');
    expect(sw(host.delete(plain))).toBe('9000');
    // An SSD installed without being made selectable is not selected until INSTALL [for make selectable].
    expect(sw(host.install(SD_ELF, SD_MODULE, plain, { privileges: AM, selectable: false }))).toBe('9000');
    expect(sw(host.select(plain))).toBe('6a82');
    host.select(ISD);
    host.open(AES_KEYS);
    expect(sw(host.makeSelectable(plain))).toBe('9000');
    expect(sw(host.select(plain))).toBe('9000');
  });
});
