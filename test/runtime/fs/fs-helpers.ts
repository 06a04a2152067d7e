// Cards with the sample file system (runtime/fs/sample.json), for the file-system tests.

import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Card, type CardOptions } from '../../../runtime/card.ts';
import { loadFileSystem } from '../../../runtime/fs/personalise.ts';
import { fromHex, hex, tx } from '../helpers.ts';

export const SAMPLE_PATH = resolve(import.meta.dirname, '../../../runtime/fs/sample.json');
export const sample = (): Record<string, unknown> => JSON.parse(readFileSync(SAMPLE_PATH, 'utf8')) as Record<string, unknown>;
export const FS_AID = 'F04A43564D46530001';
export const SELECT_FS = `00A40400 09 ${FS_AID}`.replace(/ /g, '');

/** A powered card with the sample file system (or `description`), the FS application selected. */
export function fsCard(description: unknown = sample(), options: CardOptions = {}): Card {
  const card = new Card(options);
  loadFileSystem(card, description);
  card.powerOn();
  if (tx(card, SELECT_FS).slice(-4) !== '9000') throw new Error('the file system application was not selected');
  return card;
}

/** Sends hex (spaces allowed); the response as hex. */
export const send = (card: Card, apdu: string): string => tx(card, apdu.replace(/ /g, ''));
export const swOf = (r: string): string => r.slice(-4);

/** AES-128 ECB of one block under a hex key, as the host computes an EXTERNAL AUTHENTICATE answer. */
export function aes(keyHex: string, block: Uint8Array): string {
  const c = createCipheriv('aes-128-ecb', fromHex(keyHex), null);
  c.setAutoPadding(false);
  return hex(Buffer.concat([c.update(block), c.final()]));
}
