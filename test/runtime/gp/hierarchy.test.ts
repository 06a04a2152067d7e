// Security domain hierarchies (GPCS 2.3 §7.3, §9, 11.2, 11.4, 11.5.2.3.4, 11.5.2.3.6;
// runtime/gp/hierarchy.ts, domain/), over APDUs only: ISD → SSD A (Authorized Management) → SSD A1
// created by A, content loaded and installed through A1, what each domain lists, extradition of
// applications and SSDs across the hierarchy with its refusals writing nothing, DELETE from the
// bottom up, the card image round trip.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Card } from '../../../runtime/card.ts';
import { GpClient } from '../../../runtime/gp/client.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { AES_KEYS, fromHex, hex, listing, loadFile, scriptDiff, seededRandom, snapshot, sw } from './helpers.ts';

const H = (b: Uint8Array): string => hex(b).toUpperCase();

const ISD = fromHex('A000000151000000');
const SD_ELF = fromHex('A0000001515350');
const SD_MODULE = fromHex('A000000151535041');
const A = fromHex('A0000005591A0001');
const A1 = fromHex('A0000005591A0101');
const B = fromHex('A0000005591B0001');
const D = fromHex('A0000005591D0001');
const P = fromHex('A0000005591F0001');
const AM = fromHex('804000'); // Security Domain + Authorized Management
const DM = fromHex('A00000'); // Security Domain + Delegated Management

const ECHO_PKG = fromHex('F04A43564D01');
const ECHO_APP = fromHex('F04A43564D0101');

/** Selects the domain and opens a session with its initial AES keys (every domain keeps them here). */
function as(host: GpClient, sd: Uint8Array): void {
  expect(sw(host.select(sd))).toBe('9000');
  host.open(AES_KEYS);
}

/** What each domain lists (P1 40 and 20) and the card's memory: a refused command changes none of it. */
function state(card: Card, host: GpClient, domains: Uint8Array[]): { views: string[]; memory: unknown } {
  const views = domains.map((sd) => {
    as(host, sd);
    return `${H(sd)}: ${listing(host, 0x40)} | ${listing(host, 0x20)}`;
  });
  return { views, memory: snapshot(card) };
}

/** Runs the `refused` commands (each through `nw`) and checks that no domain's listing nor the card's memory changed. */
function refusedAll(card: Card, host: GpClient, domains: Uint8Array[], refused: () => void): void {
  const before = state(card, host, domains);
  refused();
  expect(state(card, host, domains)).toEqual(before);
}

/** The status word of a command that must write nothing (opening a session writes its counter, so writes are counted per command). */
function nw(card: Card, command: () => { sw: number }): string {
  const writes = card.persistentWrites;
  const r = sw(command());
  expect(card.persistentWrites, r).toBe(writes);
  return r;
}

describe('security domain hierarchies', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jcvm-sdh-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const gp = { keyType: 'AES' as const, random: seededRandom() };

  it('ISD → A (AM) → A1: A creates A1, A1 loads and installs, each lists what is associated with it; the card image keeps the hierarchy; DELETE bottom up', async () => {
    const file = join(dir, 'three.jcvm');
    let views: string[];
    {
      const card = new Card({ cardFile: file, gp });
      card.powerOn();
      const host = new GpClient((a) => card.transmit(a));
      host.open(AES_KEYS);
      expect(sw(host.install(SD_ELF, SD_MODULE, A, { privileges: AM }))).toBe('9000');

      // A creates A1, installed only; A1 is associated with A and not selectable until A makes it so.
      as(host, A);
      refusedAll(card, host, [ISD, A], () => {
        as(host, A);
        expect(nw(card, () => host.install(SD_ELF, SD_MODULE, A1, { privileges: DM }))).toBe('6a80'); // a privilege A does not hold
        expect(nw(card, () => host.install(SD_ELF, SD_MODULE, A1, { privileges: fromHex('806000') }))).toBe('6a80'); // Token Verification: the ISD's to give
        expect(nw(card, () => host.install(SD_ELF, SD_MODULE, A, { privileges: AM }))).toBe('6985'); // its own AID
      });
      as(host, A);
      expect(sw(host.install(SD_ELF, SD_MODULE, A1, { privileges: AM, selectable: false }))).toBe('9000');
      expect(sw(host.select(A1))).toBe('6a82');
      as(host, A);
      expect(sw(host.makeSelectable(A1))).toBe('9000');
      as(host, A1);
      expect(sw(host.makeSelectable(A1))).toBe('6985'); // not by itself

      // A1 loads and installs echo; its script runs.
      expect(sw(host.installForLoad(ECHO_PKG))).toBe('9000');
      expect(sw(host.load(await loadFile(resolve(CORPUS_DIR, 'echo', 'echo.cap'))))).toBe('9000');
      expect(sw(host.install(ECHO_PKG, ECHO_APP, ECHO_APP))).toBe('9000');
      expect(scriptDiff(card, resolve(CORPUS_DIR, 'echo', 'echo.scr'))).toBe('');
      card.powerOn();

      // Who sees what (GPCS 11.4.2): the ISD all, with each entry's associated domain (CC); A its
      // sub-domain A1 only, not A1's content; A1 its own content.
      as(host, ISD);
      expect(listing(host, 0x40)).toBe(`${H(ECHO_APP)}@${H(A1)} ${H(A)}@${H(ISD)} ${H(A1)}@${H(A)}`);
      expect(listing(host, 0x20)).toBe(`${H(ECHO_PKG)}@${H(A1)}`);
      as(host, A);
      expect(listing(host, 0x40)).toBe(`${H(A1)}@${H(A)}`);
      expect(listing(host, 0x20)).toBe('');
      as(host, A1);
      expect(listing(host, 0x40)).toBe(`${H(ECHO_APP)}@${H(A1)}`);
      expect(listing(host, 0x20)).toBe(`${H(ECHO_PKG)}@${H(A1)}`);

      // A manages what is associated with it directly, not A1's content (a decision: 6985).
      refusedAll(card, host, [ISD, A, A1], () => {
        as(host, A);
        expect(nw(card, () => host.delete(ECHO_APP))).toBe('6985');
        expect(nw(card, () => host.delete(ECHO_PKG, true))).toBe('6985');
        expect(nw(card, () => host.extradite(A, ECHO_APP))).toBe('6985');
        expect(nw(card, () => host.delete(A1))).toBe('6985'); // its content is still associated with it
        as(host, ISD);
        expect(nw(card, () => host.delete(A))).toBe('6985'); // A1 is still associated with A
      });
      views = state(card, host, [ISD, A, A1]).views;
    }

    // The card image: the hierarchy, listings and keys as they were.
    const card = new Card({ cardFile: file, gp });
    card.powerOn();
    const host = new GpClient((a) => card.transmit(a));
    expect(state(card, host, [ISD, A, A1]).views).toEqual(views);
    expect(scriptDiff(card, resolve(CORPUS_DIR, 'echo', 'echo.scr'))).toBe('');
    card.powerOn();

    // DELETE bottom up: A1's content (by A1), then A1 (by A), then A (by the ISD).
    as(host, A1);
    expect(sw(host.delete(ECHO_PKG, true))).toBe('9000');
    expect(listing(host, 0x40) + listing(host, 0x20)).toBe('');
    as(host, A);
    expect(sw(host.delete(A1))).toBe('9000');
    expect(sw(host.select(A1))).toBe('6a82');
    as(host, ISD);
    expect(listing(host, 0x40)).toBe(`${H(A)}@${H(ISD)}`);
    expect(sw(host.delete(A))).toBe('9000');
    expect(sw(host.getStatus(0x40, true))).toBe('6a88');
  });

  it('extradition across the hierarchy: applications both ways, SSDs to another AM domain and back, a root of its own; cycles, foreign domains, DM without token refused with no change', async () => {
    const card = new Card({ gp });
    card.powerOn();
    const host = new GpClient((a) => card.transmit(a));
    host.open(AES_KEYS);
    for (const [sd, p] of [[A, AM], [B, AM], [D, DM], [P, fromHex('80')]] as const) expect(sw(host.install(SD_ELF, SD_MODULE, sd, { privileges: p }))).toBe('9000');
    as(host, A);
    expect(sw(host.install(SD_ELF, SD_MODULE, A1, { privileges: AM }))).toBe('9000');
    as(host, A1);
    expect(sw(host.installForLoad(ECHO_PKG))).toBe('9000');
    expect(sw(host.load(await loadFile(resolve(CORPUS_DIR, 'echo', 'echo.cap'))))).toBe('9000');
    expect(sw(host.install(ECHO_PKG, ECHO_APP, ECHO_APP))).toBe('9000');
    const all = [ISD, A, A1, B, D];

    // An application up and down: A1 gives it to A, A gives it back.
    expect(sw(host.extradite(A, ECHO_APP))).toBe('9000');
    as(host, A);
    expect(listing(host, 0x40)).toBe(`${H(ECHO_APP)}@${H(A)} ${H(A1)}@${H(A)}`);
    expect(sw(host.extradite(A1, ECHO_APP))).toBe('9000');
    expect(listing(host, 0x40)).toBe(`${H(A1)}@${H(A)}`);

    // Refusals, none of which writes: cycles, a foreign domain, targets without AM, a domain moving itself.
    refusedAll(card, host, all, () => {
      as(host, ISD);
      expect(nw(card, () => host.extradite(A1, A))).toBe('6985'); // A under its own A1: a cycle
      expect(nw(card, () => host.registryUpdate(A, { sd: A1 }))).toBe('6985'); // the same through registry update
      expect(nw(card, () => host.extradite(P, A1))).toBe('6985'); // P has no Authorized Management
      expect(nw(card, () => host.extradite(P, P))).toBe('6985'); // nor may it head a hierarchy
      expect(nw(card, () => host.registryUpdate(B, { sd: B, privileges: fromHex('800000') }))).toBe('6985'); // a root losing AM in the same command
      expect(nw(card, () => host.extradite(fromHex('A0000005591FFF01'), A1))).toBe('6a88');
      expect(nw(card, () => host.registryUpdate(A, { privileges: fromHex('800000') }))).toBe('6985'); // A heads A1: AM stays
      as(host, B);
      expect(nw(card, () => host.extradite(B, A1))).toBe('6985'); // not associated with B
      expect(nw(card, () => host.extradite(B, ECHO_APP))).toBe('6985');
      expect(nw(card, () => host.delete(A1))).toBe('6985');
      as(host, A1);
      expect(nw(card, () => host.extradite(A1, A))).toBe('6985'); // its own parent
      expect(nw(card, () => host.extradite(B, A1))).toBe('6985'); // a domain does not move itself
      as(host, A);
      expect(nw(card, () => host.extradite(A, A))).toBe('6985');
    });

    // A hands A1 to B (another domain with AM); B now manages it and gives it back.
    as(host, A);
    expect(sw(host.extradite(B, A1))).toBe('9000');
    expect(listing(host, 0x40)).toBe('');
    as(host, B);
    expect(listing(host, 0x40)).toBe(`${H(A1)}@${H(B)}`);
    expect(sw(host.registryUpdate(A1, { sd: A }))).toBe('9000');
    expect(listing(host, 0x40)).toBe('');

    // The ISD makes A the root of its own hierarchy (associated with itself, GET STATUS CC = A).
    as(host, ISD);
    expect(sw(host.extradite(A, A))).toBe('9000');
    expect(listing(host, 0x40)).toBe(`${H(ECHO_APP)}@${H(A1)} ${H(A)}@${H(A)} ${H(B)}@${H(ISD)} ${H(D)}@${H(ISD)} ${H(P)}@${H(ISD)} ${H(A1)}@${H(A)}`);
    as(host, A);
    expect(listing(host, 0x40)).toBe(`${H(A)}@${H(A)} ${H(A1)}@${H(A)}`);
    refusedAll(card, host, all, () => {
      as(host, ISD);
      expect(nw(card, () => host.extradite(A1, A))).toBe('6985'); // still a cycle
      expect(nw(card, () => host.registryUpdate(A, { privileges: fromHex('800000') }))).toBe('6985'); // a root keeps AM
      as(host, A);
      expect(nw(card, () => host.extradite(ISD, A))).toBe('6985'); // a root does not leave by itself
      expect(nw(card, () => host.delete(A))).toBe('6985');
    });

    // D (Delegated Management) joins A's hierarchy; an application given to D moves on only with a token.
    as(host, ISD);
    expect(sw(host.extradite(A, D))).toBe('9000');
    as(host, A1);
    expect(sw(host.extradite(D, ECHO_APP))).toBe('9000');
    refusedAll(card, host, all, () => {
      as(host, D);
      expect(nw(card, () => host.extradite(A1, ECHO_APP))).toBe('6982'); // no token
      expect(nw(card, () => host.install(SD_ELF, SD_MODULE, fromHex('A0000005591D0101'), { privileges: fromHex('80') }))).toBe('6982');
      as(host, A1);
      expect(nw(card, () => host.extradite(A1, ECHO_APP))).toBe('6985'); // D's now
    });
    // A, D's domain, deletes D only once nothing is associated with it.
    as(host, A);
    expect(sw(host.delete(D))).toBe('6985');
    as(host, ISD);
    expect(sw(host.extradite(A1, ECHO_APP))).toBe('9000');
    expect(sw(host.extradite(ISD, A))).toBe('9000'); // back under the ISD
    as(host, A);
    expect(sw(host.delete(D))).toBe('9000');
    expect(listing(host, 0x40)).toBe(`${H(A1)}@${H(A)}`);
    as(host, ISD);
    expect(listing(host, 0x40)).toBe(`${H(ECHO_APP)}@${H(A1)} ${H(A)}@${H(ISD)} ${H(B)}@${H(ISD)} ${H(P)}@${H(ISD)} ${H(A1)}@${H(A)}`);
    // A root with nothing under it (only itself) is deleted by the ISD.
    expect(sw(host.extradite(B, B))).toBe('9000');
    expect(listing(host, 0x40)).toContain(`${H(B)}@${H(B)}`);
    expect(sw(host.delete(B))).toBe('9000');
    expect(sw(host.select(B))).toBe('6a82');
    // A gives A1 back to the ISD.
    as(host, A);
    expect(sw(host.extradite(ISD, A1))).toBe('9000');
    expect(listing(host, 0x40)).toBe('');
    as(host, ISD);
    expect(listing(host, 0x40)).toBe(`${H(ECHO_APP)}@${H(A1)} ${H(A)}@${H(ISD)} ${H(P)}@${H(ISD)} ${H(A1)}@${H(ISD)}`);
  });
});
