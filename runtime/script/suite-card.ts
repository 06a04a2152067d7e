// A fresh card prepared for a suite: its CAP files loaded and its instances created.

import { readFile } from 'node:fs/promises';
import { Card, type CardOptions } from '../card.ts';
import type { Suite } from './suite.ts';

export async function makeSuiteCard(suite: Suite, options: CardOptions = {}): Promise<Card> {
  const card = new Card(options);
  for (const path of suite.load) await card.loadCap(new Uint8Array(await readFile(path)), path);
  for (const i of suite.install) card.install(i.packageAid, i.appletAid, i.instanceAid, i.params);
  return card;
}
