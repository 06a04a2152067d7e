// Shared by the runtime tests: cards with corpus applets, APDUs written as hex, and cards
// with small JCA applets assembled on the fly.

import { resolve } from 'node:path';
import { fromHex, hex } from '../../loader/bytes.ts';
import { decodeCap } from '../../loader/cap/decode.ts';
import { readPackageFile } from '../../loader/files.ts';
import { assembleJca } from '../../loader/jca/assemble.ts';
import { Card, type CardOptions } from '../../runtime/card.ts';
import { CORPUS_DIR } from '../corpus.ts';

export { fromHex, hex };

/** AIDs of the corpus applets used here (corpus README, "AID plan"). */
export const AID = {
  echoPkg: 'F04A43564D01',
  echo: 'F04A43564D0101',
  extPkg: 'F04A43564D09',
  ext: 'F04A43564D0901',
  lifePkg: 'F04A43564D0A',
  lifeClass: 'F04A43564D0A01',
  life1: 'F04A43564D0A81',
  life2: 'F04A43564D0A82',
  pinPkg: 'F04A43564D06',
  pin: 'F04A43564D0601',
} as const;

export const corpusCap = (suite: string, file: string): string => resolve(CORPUS_DIR, suite, file);

/** A card with the given corpus packages loaded (not powered). */
export async function corpusCard(files: [suite: string, file: string][], options: CardOptions = {}): Promise<Card> {
  const card = new Card(options);
  for (const [suite, file] of files) card.load(await readPackageFile(corpusCap(suite, file)));
  return card;
}

export function install(card: Card, pkg: string, cls: string, instance = cls, params = ''): void {
  card.install(fromHex(pkg), fromHex(cls), fromHex(instance), fromHex(params));
}

/** Sends an APDU given as hex; returns the response as upper-case hex (data then SW). */
export function tx(card: Card, apdu: string): string {
  return hex(card.transmit(fromHex(apdu)));
}

/** Status word of a response given as hex. */
export const swOf = (response: string): string => response.slice(-4);

/** SELECT by AID (case 3, as apdutool sends `00 A4 04 00 Lc AID 00`). */
export function selectApdu(aidHex: string, p2 = '00'): string {
  const n = aidHex.length / 2;
  return `00A404${p2}${n.toString(16).padStart(2, '0')}${aidHex}`;
}

export function select(card: Card, aidHex: string): string {
  return tx(card, selectApdu(aidHex));
}

/** `n` bytes b(i) = f(i) & FF as hex. */
export function pattern(n: number, f: (i: number) => number = (i) => i): string {
  return hex(Array.from({ length: n }, (_, i) => f(i) & 0xff));
}

/**
 * A card with one JCA applet package assembled, loaded and installed (instance AID = class
 * AID), powered on and with the applet selected.
 */
export function jcaCard(jca: string, pkgAid: string, appletAid: string, options: CardOptions = {}): Card {
  const asm = assembleJca(jca, { fileName: 'test.jca' });
  const cap = decodeCap(asm.components);
  cap.packagePath = asm.packagePath;
  const card = new Card(options);
  card.load(cap);
  card.install(fromHex(pkgAid), fromHex(appletAid));
  card.powerOn();
  const r = tx(card, selectApdu(appletAid));
  if (swOf(r) !== '9000') throw new Error(`SELECT of ${appletAid} answered ${r}`);
  return card;
}
