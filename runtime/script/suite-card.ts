// A fresh card prepared for a suite: its packages loaded (CAP files, or JCA assembled on the
// fly) and its instances created.

import { readPackageFile } from '../../loader/files.ts';
import { Card, type CardOptions } from '../card.ts';
import type { Suite } from './suite.ts';

export async function makeSuiteCard(suite: Suite, options: CardOptions = {}): Promise<Card> {
  const card = new Card(options);
  for (const path of suite.load) card.load(await readPackageFile(path));
  for (const i of suite.install) card.install(i.packageAid, i.appletAid, i.instanceAid, i.params);
  return card;
}
