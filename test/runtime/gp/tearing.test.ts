// Card content management torn at every persistent write: after the power-up, the registry and
// the JCRE's content agree — the command happened (the application or load file there, with its
// GlobalPlatform state and association) or it did not (nothing of it anywhere).

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { type GpClient, parseTlvStatus } from '../../../runtime/gp/client.ts';
import { SD_LOAD_FILE, SD_MODULE } from '../../../runtime/gp/domain/common.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { DES_KEYS, fromHex, gpCard, hex, loadFile } from './helpers.ts';

const ECHO_ELF = fromHex('F04A43564D01');
const ECHO_MODULE = fromHex('F04A43564D0101');
const ECHO_APP = fromHex('F04A43564D0101');
const SSD = fromHex('A00000055901AA01');

interface Seen {
  apps: string[];
  loadFiles: string[];
  jcreApplets: string[];
  jcrePackages: string[];
}

/** What the card shows after power-up: GET STATUS through the ISD, and the JCRE's own content. */
function seen(card: Card, host: GpClient): Seen {
  host.select();
  host.open(DES_KEYS);
  const list = (p1: number): string[] => parseTlvStatus(host.getStatus(p1, true).data).map((e) => `${e.aid}:${e.lifeCycle.toString(16)}@${e.domain ?? ''}`);
  return {
    apps: list(0x40).filter((e) => !e.startsWith(hex(SSD).toUpperCase())),
    loadFiles: list(0x20).filter((e) => e.startsWith('F04A')),
    jcreApplets: card.applets().map((a) => a.aid),
    jcrePackages: card.packages().map((p) => p.aid).filter((a) => a.startsWith('F04A')),
  };
}

/**
 * Runs `setup` then `command` on fresh cards, tearing `command` at each of its writes; every
 * outcome after power-up must equal the untorn before or after state. Returns how many of each.
 */
async function tearEach(setup: (card: Card, host: GpClient) => Promise<void>, command: (host: GpClient) => number): Promise<{ before: number; after: number; writes: number }> {
  const fresh = async () => {
    const { card, host } = gpCard();
    await setup(card, host);
    return { card, host };
  };
  const clean = await fresh();
  const beforeState = seen(clean.card, clean.host);
  await setup(clean.card, clean.host); // the session again (seen() reopened the ISD's)
  const w0 = clean.card.persistentWrites;
  expect(command(clean.host)).toBe(0x9000);
  const writes = clean.card.persistentWrites - w0;
  clean.card.powerOff();
  clean.card.powerOn();
  const afterState = seen(clean.card, clean.host);
  expect(afterState).not.toEqual(beforeState);
  let before = 0, after = 0;
  for (let t = 0; t < writes; t++) {
    const { card, host } = await fresh();
    card.tearAt(t);
    expect(() => command(host)).toThrow(/power/i);
    card.powerOn();
    const s = seen(card, host);
    if (JSON.stringify(s) === JSON.stringify(beforeState)) before++;
    else {
      expect(s, `torn at write ${t} of ${writes}`).toEqual(afterState);
      after++;
    }
  }
  return { before, after, writes };
}

describe('card content management torn at every write', () => {
  it('INSTALL [for install] (not selectable): no application, or the application INSTALLED', async () => {
    const cap = await loadFile(resolve(CORPUS_DIR, 'echo', 'echo.cap'));
    const r = await tearEach(async (_card, host) => {
      host.select();
      host.open(DES_KEYS);
      if (!parseTlvStatus(host.getStatus(0x20, true).data).some((e) => e.aid === 'F04A43564D01')) {
        expect(host.installForLoad(ECHO_ELF).sw).toBe(0x9000);
        expect(host.load(cap).sw).toBe(0x9000);
      }
    }, (host) => host.install(ECHO_ELF, ECHO_MODULE, ECHO_APP, { selectable: false }).sw);
    expect(r.writes).toBeGreaterThan(2);
    expect(r.before).toBeGreaterThan(0);
    expect(r.before + r.after).toBe(r.writes);
  }, 60_000); // a fresh card per write torn: seconds, more on a loaded machine

  it('LOAD through a supplementary security domain: no load file, or the load file associated with the SSD', async () => {
    const cap = await loadFile(resolve(CORPUS_DIR, 'echo', 'echo.cap'));
    const r = await tearEach(async (_card, host) => {
      host.select();
      host.open(DES_KEYS);
      if (!parseTlvStatus(host.getStatus(0x40, true).data).some((e) => e.aid === hex(SSD).toUpperCase())) {
        expect(host.install(SD_LOAD_FILE, SD_MODULE, SSD, { privileges: fromHex('804000') }).sw).toBe(0x9000);
      }
      host.select(SSD);
      host.open(DES_KEYS);
      expect(host.installForLoad(ECHO_ELF).sw).toBe(0x9000);
    }, (host) => host.load(cap).sw);
    expect(r.before).toBeGreaterThan(0);
    expect(r.before + r.after).toBe(r.writes);
  }, 60_000); // a fresh card per write torn: seconds, more on a loaded machine
});
