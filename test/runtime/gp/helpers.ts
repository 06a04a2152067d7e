// A GlobalPlatform card and its host for the card manager tests: a Card with the card manager
// (deterministic card challenges), a GpClient over it, and the corpus suites' CAP files as Load
// Files.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { fromHex, hex as upperHex } from '../../../loader/bytes.ts';
import { readCapPath } from '../../../loader/cap/archive.ts';
import { Card, type CardOptions } from '../../../runtime/card.ts';
import { GpClient, parseTlvStatus } from '../../../runtime/gp/client.ts';
import { defaultKeySet } from '../../../runtime/gp/keys.ts';
import { loadFileDataBlock } from '../../../runtime/gp/load.ts';
import type { GpOptions } from '../../../runtime/gp/manager.ts';
import { parseScript } from '../../../runtime/script/apdutool.ts';
import { compareOutput, runScript } from '../../../runtime/script/runner.ts';
import { readSuite, type Suite } from '../../../runtime/script/suite.ts';
import { CORPUS_DIR } from '../../corpus.ts';

export { fromHex };

/** Lowercase hex, as apdutool prints. */
export const hex = (b: ArrayLike<number>): string => upperHex(b).toLowerCase();

/** A response's status word, four lowercase hex digits. */
export const sw = (r: { sw: number }): string => r.sw.toString(16).padStart(4, '0');

/** `AID@associated domain` of every entry of a TLV GET STATUS listing, all pages ('' when refused with 6A88). */
export function listing(host: GpClient, p1: number): string {
  const r = host.getStatus(p1, true);
  if (r.sw === 0x6a88) return '';
  expect(sw(r)).toBe('9000');
  return parseTlvStatus(r.data).map((e) => `${e.aid}@${e.domain}`).join(' ');
}

export const DES_KEYS = defaultKeySet('DES3', 0xff);
export const AES_KEYS = defaultKeySet('AES', 0xff);

/** Counter-based "random" bytes: the tests' card challenges are reproducible. */
export function seededRandom(): (n: number) => Uint8Array {
  let x = 1;
  return (n) => Uint8Array.from({ length: n }, () => (x = (x * 75 + 74) % 65537) & 0xff);
}

export function gpCard(gp: GpOptions = {}, options: CardOptions = {}): { card: Card; host: GpClient } {
  const card = new Card({ ...options, gp: { random: seededRandom(), ...gp } });
  card.powerOn();
  const host = new GpClient((apdu) => card.transmit(apdu));
  return { card, host };
}

export function suite(name: string): Suite {
  return readSuite(resolve(CORPUS_DIR, name, 'suite.json'));
}

/** The Load File (one C4 Load File Data Block) of a CAP file, its components in load order. */
export async function loadFile(capPath: string): Promise<Uint8Array> {
  return loadFileDataBlock((await readCapPath(capPath)).raw);
}

/** INSTALL [for load] + LOAD of every CAP of the suite, then INSTALL [for install and make selectable] of its instances. */
export async function installSuite(host: GpClient, s: Suite): Promise<void> {
  for (const cap of s.load) {
    const pkg = (await readCapPath(cap)).header.package.AID;
    const r1 = host.installForLoad(pkg);
    if (r1.sw !== 0x9000) throw new Error(`INSTALL [for load] ${hex(pkg)}: ${r1.sw.toString(16)}`);
    const r2 = host.load(await loadFile(cap));
    if (r2.sw !== 0x9000) throw new Error(`LOAD ${hex(pkg)}: ${r2.sw.toString(16)}`);
  }
  for (const i of s.install) {
    const r = host.install(i.packageAid, i.appletAid, i.instanceAid, { params: i.params });
    if (r.sw !== 0x9000) throw new Error(`INSTALL ${hex(i.instanceAid)}: ${r.sw.toString(16)}`);
  }
}

/** Runs a script on the card; the first line that differs from its expected output, or ''. */
export function scriptDiff(card: Card, path: string): string {
  const lines = runScript(card, parseScript(readFileSync(path, 'utf8'), path));
  const { firstDiff } = compareOutput(lines, readFileSync(`${path}.expected.out`, 'utf8'));
  return firstDiff ? `${path} line ${firstDiff.line}\n  expected: ${firstDiff.expected}\n  actual:   ${firstDiff.actual}` : '';
}

/** What must not change when a command is refused: the JCRE's content and the card's memory use. */
export function snapshot(card: Card): unknown {
  const r = card.memoryReport();
  return { packages: card.packages(), applets: card.applets(), persistent: r.persistent, transient: r.transient, jcre: r.jcre, pkgs: r.packages };
}
