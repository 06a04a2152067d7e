// Multi-package cards (JCVM 4.5 linking, JCRE 11.3.4 deletion): a package imports several
// others and is refused when one is missing or its version does not fit; a package another
// one imports, one with instances, or an instance whose objects another context holds cannot
// be deleted. Every refusal leaves the card as it was.

import { describe, expect, it } from 'vitest';
import { LinkError } from '../../../loader/link.ts';
import { readPackageFile } from '../../../loader/files.ts';
import { Card } from '../../../runtime/card.ts';
import { DeleteError } from '../../../runtime/jcre.ts';
import { probeCap } from '../api/probe.ts';
import { corpusCap, fromHex, select, tx } from '../helpers.ts';
import { cmd } from './setup.ts';
import { CLIENT, CLIENT_APPLET, CLIENT_PKG, SERVER_B1, SERVER_B2, SERVER_B_PKG, serverB, vendorsCard } from './vendors.ts';

/** What a refusal must leave alone: packages, instances, free memory. */
function state(card: Card): string {
  const m = card.jcre.memory;
  return JSON.stringify([card.packages(), card.applets(), m.eeprom.largestFree, m.ram.largestFree, card.jcre.heap.count]);
}

describe('loading packages that import others', () => {
  it('an import that is not on the card: LinkError, card unchanged', async () => {
    const card = new Card();
    const before = state(card);
    expect(() => card.load(probeCap(CLIENT_APPLET))).toThrow(/conformance|F04A43564D0710|not on the card/);
    expect(state(card)).toBe(before);
  });

  it('a major version other than the card\'s, or a newer minor version: LinkError, card unchanged', async () => {
    const card = new Card();
    card.load(await readPackageFile(corpusCap('firewall', 'fwlib.cap')));
    const before = state(card);
    for (const version of ['2.0', '0.9', '1.1']) {
      const cap = probeCap({ ...CLIENT_APPLET, imports: [`0xF0:0x4A:0x43:0x56:0x4D:0x7:0x10 ${version};`] });
      expect(() => card.load(cap), version).toThrow(LinkError);
      expect(state(card)).toBe(before);
    }
    card.load(probeCap(CLIENT_APPLET)); // 1.0: fits
  });
});

describe('deleting applets and packages', () => {
  it('refusals: an imported package, a package with instances, an instance another context refers to, a selected one', async () => {
    const card = await vendorsCard();
    expect(tx(card, cmd(0x40, SERVER_B1, 1))).toBe('019000'); // the client keeps B1's object in a field
    const before = state(card);
    expect(() => card.deletePackage(fromHex('F04A43564D0710'))).toThrow(/imported by/);
    expect(() => card.deletePackage(fromHex(SERVER_B_PKG))).toThrow(/applet instances/);
    expect(() => card.deleteApplet(fromHex(SERVER_B1))).toThrow(/still referenced from another context/);
    expect(() => card.deleteApplet(fromHex(CLIENT))).toThrow(/selected/);
    expect(() => card.deleteApplet(fromHex('F0564E44420199'))).toThrow(DeleteError);
    expect(state(card)).toBe(before);
    expect(tx(card, cmd(0x41, '0002', 1))).toBe('000212349000'); // everything still works
  });

  it('an instance nobody refers to is deleted with its objects; the other instance of its class goes on', async () => {
    const card = await vendorsCard();
    tx(card, cmd(0x40, SERVER_B1, 1));
    const objects = card.jcre.heap.count;
    card.deleteApplet(fromHex(SERVER_B2));
    expect(card.applets().map((a) => a.aid)).toEqual([SERVER_B1, CLIENT]);
    expect(card.jcre.heap.count).toBeLessThan(objects);
    expect(tx(card, cmd(0x41, '0004', 1))).toBe('000412349000');
    expect(select(card, SERVER_B2)).toBe('6D00'); // no such instance any more: the SELECT goes to the client's process() (as cref)
  });

  it('everything deleted in order gives the memory back', async () => {
    const fresh = new Card();
    const free = [fresh.jcre.memory.eeprom.largestFree, fresh.jcre.heap.count];
    const card = await vendorsCard();
    tx(card, cmd(0x40, SERVER_B1, 1));
    tx(card, cmd(0x41, '0004', 1));
    card.powerOn(); // nothing selected
    card.deleteApplet(fromHex(CLIENT));
    card.deleteApplet(fromHex(SERVER_B1));
    card.deleteApplet(fromHex(SERVER_B2));
    card.deletePackage(fromHex(CLIENT_PKG));
    card.deletePackage(fromHex(SERVER_B_PKG));
    card.deletePackage(fromHex('F04A43564D0710'));
    expect(card.packages()).toEqual([]);
    expect([card.jcre.memory.eeprom.largestFree, card.jcre.heap.count]).toEqual(free);
    // And the same packages load and work again.
    card.load(await readPackageFile(corpusCap('firewall', 'fwlib.cap')));
    card.load(probeCap(serverB()));
    card.install(fromHex(SERVER_B_PKG), fromHex('F0564E44420101'), fromHex(SERVER_B1));
    card.powerOn();
    expect(select(card, SERVER_B1)).toBe('9000');
    expect(tx(card, '80300000')).toBe('00009000');
  });
});
