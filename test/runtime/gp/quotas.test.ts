// Memory requirements of INSTALL [for load] and memory quotas of INSTALL [for install] (the
// system specific parameters, tag EF; runtime/gp/quota.ts), over APDUs only.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Card } from '../../../runtime/card.ts';
import { GpClient } from '../../../runtime/gp/client.ts';
import { Registry, REGISTRY_NAME } from '../../../runtime/gp/registry.ts';
import { tlv } from '../../../runtime/gp/tlv.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { DES_KEYS, fromHex, gpCard, hex, installSuite, loadFile, seededRandom, snapshot, suite, sw } from './helpers.ts';

const u2 = (n: number): number[] => [n >>> 8, n & 0xff];
const u4 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

const OBJECTS = fromHex('F04A43564D04'), OBJECTS_APPLET = fromHex('F04A43564D0401');
const ECHO = fromHex('F04A43564D01'), ECHO_APPLET = fromHex('F04A43564D0101');
const OBJECTS_CAP = resolve(CORPUS_DIR, 'objects', 'objects.cap');
const LIFECYCLE = fromHex('F04A43564D0A'), LIFECYCLE_APPLET = fromHex('F04A43564D0A01');
const LIFECYCLE_CAP = resolve(CORPUS_DIR, 'lifecycle', 'lifecycle.cap');
const ECHO_CAP = resolve(CORPUS_DIR, 'echo', 'echo.cap');
/** The objects package's objects: 16 bytes of static arrays made at load, 95 more by install(). */
const OBJECTS_INSTALLED = 111;

/** The GET STATUS lists (applications, load files) in TLV format. */
const status = (host: GpClient): string => hex(host.getStatus(0x40, true).data) + hex(host.getStatus(0x20, true).data);

function freeMemory(card: Card): { persistent: number; transient: number } {
  return { persistent: card.jcre.memory.eeprom.free, transient: card.jcre.memory.ram.free };
}

async function withLoaded(cap: string, aid: Uint8Array, options: Parameters<typeof gpCard>[1] = {}): Promise<ReturnType<typeof gpCard>> {
  const g = gpCard({}, options);
  g.host.open(DES_KEYS);
  expect(sw(g.host.installForLoad(aid))).toBe('9000');
  expect(sw(g.host.load(await loadFile(cap)))).toBe('9000');
  return g;
}

/** objects' INS 1A: new byte[P1], kept by nobody (garbage until collected). */
const newBytes = (card: Card, n: number): string => hex(card.transmit(fromHex(`801A${n.toString(16).padStart(2, '0')}0000`)));

describe('INSTALL [for load]: memory requirements (EF C6, C7, C8)', () => {
  it('more than the free memory: 6A84, nothing pending, nothing changed; what fits loads', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    const before = snapshot(card);
    const list = status(host);
    const free = freeMemory(card);
    const ef = (...inner: Uint8Array[]): Uint8Array => tlv(0xef, ...inner);
    const none = new Uint8Array(0);
    // C6 alone, C8 alone, and the two together (each fits alone, not their sum); C7 against RAM.
    expect(sw(host.installForLoad(OBJECTS, none, none, ef(tlv(0xc6, u4(free.persistent + 1)))))).toBe('6a84');
    expect(sw(host.installForLoad(OBJECTS, none, none, ef(tlv(0xc8, u4(free.persistent + 1)))))).toBe('6a84');
    expect(sw(host.installForLoad(OBJECTS, none, none, ef(tlv(0xc6, u4(free.persistent - 100)), tlv(0xc8, u2(101)))))).toBe('6a84');
    expect(sw(host.installForLoad(OBJECTS, none, none, ef(tlv(0xc7, u2(free.transient + 1)))))).toBe('6a84');
    expect(sw(host.load(await loadFile(OBJECTS_CAP)))).toBe('6985'); // no load is pending
    expect(status(host)).toBe(list);
    expect(snapshot(card)).toEqual(before);
    // Exactly the free memory is enough.
    expect(sw(host.installForLoad(OBJECTS, none, none, ef(tlv(0xc6, u4(free.persistent - 100)), tlv(0xc8, u2(100)), tlv(0xc7, u2(free.transient)))))).toBe('9000');
    expect(sw(host.load(await loadFile(OBJECTS_CAP)))).toBe('9000');
    expect(card.packages().map((p) => p.aid)).toContain(hex(OBJECTS).toUpperCase());
  });

  it('malformed system parameters: 6A80', () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    const before = snapshot(card);
    const none = new Uint8Array(0);
    for (const params of [
      tlv(0xef, tlv(0xc6, [1, 0, 0])), // 3 bytes: a size is 2 or 4
      tlv(0xef, tlv(0xc7, [1])),
      tlv(0xef, tlv(0xc8, [0, 0, 0, 0, 1])),
      tlv(0xef, tlv(0xc6, u2(1)), tlv(0xc6, u2(1))), // twice
      Uint8Array.of(0xef, 0x03, 0xc6, 0x02, 0x00), // C6 runs past EF
      new Uint8Array([...tlv(0xef, tlv(0xc6, u2(1))), ...tlv(0xef, tlv(0xc8, u2(1)))]), // EF twice
      Uint8Array.of(0xef, 0x05), // EF runs past the field
    ]) {
      expect(sw(host.installForLoad(OBJECTS, none, none, params)), hex(params)).toBe('6a80');
    }
    // Tags of EF that are not memory (CD: Load File Data Block format) are accepted and ignored.
    expect(sw(host.installForLoad(OBJECTS, none, none, tlv(0xef, tlv(0xcd, [0x01]), tlv(0xc6, u2(10)))))).toBe('9000');
    expect(snapshot(card)).toEqual(before);
  });
});

describe('INSTALL [for install]: memory quotas (EF C7, C8)', () => {
  it('an install() that passes its non-volatile quota: 6A84 and nothing left behind; the exact quota installs', async () => {
    const { card, host } = await withLoaded(OBJECTS_CAP, OBJECTS);
    const before = snapshot(card);
    const list = status(host);
    const r = host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xc8, u2(OBJECTS_INSTALLED - 1)) });
    expect(sw(r)).toBe('6a84');
    expect(snapshot(card)).toEqual(before);
    expect(status(host)).toBe(list);
    expect(card.cardManager!.registry.quota(OBJECTS_APPLET)).toBeUndefined();
    // The quota of a refused INSTALL does not stay in force.
    expect(card.jcre.heap.used(card.jcre.packages.at(-1)!.context)).toBe(16);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xc8, u4(OBJECTS_INSTALLED)) }))).toBe('9000');
    expect(card.cardManager!.registry.quota(OBJECTS_APPLET)).toMatchObject({ nonVolatile: OBJECTS_INSTALLED });
  });

  it('an install() that passes its volatile quota (a CLEAR_ON_DESELECT array of 256 bytes): 6A84; 256 installs', async () => {
    const { card, host } = await withLoaded(ECHO_CAP, ECHO);
    const before = snapshot(card);
    expect(sw(host.install(ECHO, ECHO_APPLET, ECHO_APPLET, { system: tlv(0xc7, u2(255)) }))).toBe('6a84');
    expect(snapshot(card)).toEqual(before);
    expect(sw(host.install(ECHO, ECHO_APPLET, ECHO_APPLET, { system: tlv(0xc7, u2(256)) }))).toBe('9000');
    expect(card.cardManager!.registry.quota(ECHO_APPLET)).toEqual({ aid: ECHO_APPLET, volatile: 256 });
  });

  it('malformed quotas: 6A80; other system parameters are accepted', async () => {
    const { card, host } = await withLoaded(OBJECTS_CAP, OBJECTS);
    const before = snapshot(card);
    for (const system of [tlv(0xc8, [1]), tlv(0xc7, [0, 0, 1]), new Uint8Array([...tlv(0xc8, u2(500)), ...tlv(0xc8, u2(500))]), tlv(0xd8, [1, 2, 3])]) {
      expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system })), hex(system)).toBe('6a80');
    }
    expect(snapshot(card)).toEqual(before);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xcb, [0x00]) }))).toBe('9000');
    expect(card.cardManager!.registry.quota(OBJECTS_APPLET)).toBeUndefined();
  });

  it('reserved memory (D7, D8) more than is free: 6A84', async () => {
    const { card, host } = await withLoaded(OBJECTS_CAP, OBJECTS);
    const before = snapshot(card);
    const free = freeMemory(card);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xd8, u4(free.persistent + 1)) }))).toBe('6a84');
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xd7, u2(free.transient + 1)) }))).toBe('6a84');
    expect(snapshot(card)).toEqual(before);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xd7, u2(free.transient)) }))).toBe('9000');
  });

  it('at run time: an allocation past the quota is SystemException NO_RESOURCE (6F00 uncaught); collected garbage gives the bytes back', async () => {
    const { card, host } = await withLoaded(OBJECTS_CAP, OBJECTS);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xc8, u2(OBJECTS_INSTALLED + 300)) }))).toBe('9000');
    expect(hex(card.transmit(fromHex(`00A40400${hex([OBJECTS_APPLET.length])}${hex(OBJECTS_APPLET)}00`)))).toBe('9000');
    expect(newBytes(card, 127)).toBe('7f9000');
    expect(newBytes(card, 127)).toBe('7f9000');
    expect(newBytes(card, 46)).toBe('2e9000'); // 300 bytes more: exactly the quota
    expect(newBytes(card, 1)).toBe('6f00');
    const ctx = card.jcre.packages.at(-1)!.context;
    expect(card.jcre.heap.used(ctx)).toBe(OBJECTS_INSTALLED + 300);
    // Nothing else of the card is limited: the same allocation by another package's applet.
    card.jcre.collectGarbage();
    expect(card.jcre.heap.used(ctx)).toBe(OBJECTS_INSTALLED);
    expect(newBytes(card, 127)).toBe('7f9000');
  });

  it('the applets of one package share the sum of their quotas; one without a quota lifts the limit', async () => {
    // The lifecycle applet registers with the instance AID (several instances) and keeps copies of its install data.
    const params = fromHex('0102030405');
    const instance = (n: number): Uint8Array => fromHex(`F04A43564D0A8${n}`);
    const probe = await withLoaded(LIFECYCLE_CAP, LIFECYCLE);
    const ctx = probe.card.jcre.packages.at(-1)!.context;
    const base = probe.card.jcre.heap.used(ctx);
    expect(sw(probe.host.install(LIFECYCLE, LIFECYCLE_APPLET, instance(1), { params }))).toBe('9000');
    const each = probe.card.jcre.heap.used(ctx) - base; // what one install() allocates
    expect(each).toBeGreaterThan(0);

    const { card, host } = await withLoaded(LIFECYCLE_CAP, LIFECYCLE);
    const q = (n: number): { params: Uint8Array; system: Uint8Array } => ({ params, system: tlv(0xc8, u2(n)) });
    expect(sw(host.install(LIFECYCLE, LIFECYCLE_APPLET, instance(1), q(base + each)))).toBe('9000');
    // The second instance's own quota is enough only when added to the first's (the first's is used up).
    const before = snapshot(card);
    expect(sw(host.install(LIFECYCLE, LIFECYCLE_APPLET, instance(2), q(each - 1)))).toBe('6a84');
    expect(snapshot(card)).toEqual(before);
    expect(sw(host.install(LIFECYCLE, LIFECYCLE_APPLET, instance(2), q(each)))).toBe('9000');
    // A third without a quota: the context is no longer limited, a fourth with too small a quota installs.
    expect(sw(host.install(LIFECYCLE, LIFECYCLE_APPLET, instance(3), { params }))).toBe('9000');
    expect(sw(host.install(LIFECYCLE, LIFECYCLE_APPLET, instance(4), q(1)))).toBe('9000');
    // Deleting the third and fourth puts the limit back (the sum of the first two: used up).
    expect(sw(host.delete(instance(3)))).toBe('9000');
    expect(sw(host.delete(instance(4)))).toBe('9000');
    card.jcre.collectGarbage();
    expect(sw(host.install(LIFECYCLE, LIFECYCLE_APPLET, instance(5), q(each - 1)))).toBe('6a84');
    // Deleting applications drops their quotas from the registry.
    expect(sw(host.delete(instance(1)))).toBe('9000');
    expect(sw(host.delete(instance(2)))).toBe('9000');
    expect(card.cardManager!.registry.state.quotas).toEqual([]);
  });

  it('a new instance with the AID of a deleted one does not inherit its quota', async () => {
    const { card, host } = await withLoaded(OBJECTS_CAP, OBJECTS);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xc8, u2(OBJECTS_INSTALLED)) }))).toBe('9000');
    expect(sw(host.delete(OBJECTS_APPLET))).toBe('9000');
    card.jcre.collectGarbage();
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET))).toBe('9000');
    host.select(OBJECTS_APPLET);
    expect(newBytes(card, 100)).toBe('649000');
  });

  it('deleting the package gives back every byte of its context', async () => {
    const { card, host } = await withLoaded(OBJECTS_CAP, OBJECTS);
    const ctx = card.jcre.packages.at(-1)!.context;
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xc8, u2(1000)) }))).toBe('9000');
    expect(sw(host.delete(OBJECTS, true))).toBe('9000');
    expect(card.jcre.heap.used(ctx)).toBe(0);
    expect(card.cardManager!.registry.state.quotas).toEqual([]);
  });

  it('quotas count in the registry capacity: an INSTALL whose quota does not fit in the registry is 6A84', async () => {
    // A probe card gives the registry's length after the load; the card under test has 20 bytes more:
    // room for the application entry the INSTALL checks for (12 bytes), not for it and its quota (12 + 16).
    const probe = await withLoaded(OBJECTS_CAP, OBJECTS);
    const reg = probe.card.jcre.heap.get(probe.card.jcre.namedObjects.get(REGISTRY_NAME)!)!.data;
    const used = ((reg[0]! & 0xff) << 8) | (reg[1]! & 0xff);
    const { card, host } = gpCard({ registryBytes: used + 20 });
    host.open(DES_KEYS);
    expect(sw(host.installForLoad(OBJECTS))).toBe('9000');
    expect(sw(host.load(await loadFile(OBJECTS_CAP)))).toBe('9000');
    const before = snapshot(card);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xc8, u2(1000)) }))).toBe('6a84');
    expect(snapshot(card)).toEqual(before);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET))).toBe('9000');
  });
});

describe('the registry layout', () => {
  it('version 5 ends with the quota section; a version 4 registry (none) is still read', async () => {
    const { card, host } = await withLoaded(OBJECTS_CAP, OBJECTS);
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: tlv(0xc8, u2(500)) }))).toBe('9000');
    const data = card.jcre.heap.get(card.jcre.namedObjects.get(REGISTRY_NAME)!)!.data as Int8Array;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const used = (bytes[0]! << 8) | bytes[1]!;
    expect(bytes[2]).toBe(5);
    // The last 1 + 1 + 7 + 4 + 4 bytes: one quota, the AID, no volatile quota, 500 non-volatile.
    expect(hex(bytes.subarray(used - 17, used))).toBe(`0107${hex(OBJECTS_APPLET)}ffffffff000001f4`);
    const state = card.cardManager!.registry.state;
    // The same registry as version 4: without the quota section.
    const old = bytes.slice(0, used - 17);
    old[0] = old.length >>> 8;
    old[1] = old.length & 0xff;
    old[2] = 4;
    bytes.set(old);
    const reread = new Registry(card.jcre, () => {
      throw new Error('the registry exists');
    });
    expect(reread.state).toEqual({ ...state, dataObjects: state.dataObjects ?? [], quotas: [] });
    // Reading it applied its quotas to the heap: none any more.
    host.select(OBJECTS_APPLET);
    expect(newBytes(card, 127)).toBe('7f9000');
    expect(newBytes(card, 127)).toBe('7f9000');
    expect(newBytes(card, 127)).toBe('7f9000');
    expect(newBytes(card, 127)).toBe('7f9000');
  });
});

describe('quotas in the card image', () => {
  it('survive reopening the image: kept in the registry and enforced again', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jcvm-quota-')), 'card.img');
    const a = new Card({ cardFile: file, gp: { random: seededRandom() } });
    a.powerOn();
    const host = new GpClient((apdu) => a.transmit(apdu));
    host.open(DES_KEYS);
    await installSuite(host, suite('echo'));
    expect(sw(host.installForLoad(OBJECTS))).toBe('9000');
    expect(sw(host.load(await loadFile(OBJECTS_CAP)))).toBe('9000');
    expect(sw(host.install(OBJECTS, OBJECTS_APPLET, OBJECTS_APPLET, { system: concat(tlv(0xc8, u2(OBJECTS_INSTALLED + 10)), tlv(0xc7, u4(70000))) }))).toBe('9000');
    const b = new Card({ cardFile: file });
    expect(b.cardManager!.registry.quota(OBJECTS_APPLET)).toEqual({ aid: OBJECTS_APPLET, nonVolatile: OBJECTS_INSTALLED + 10, volatile: 70000 });
    b.powerOn();
    expect(hex(b.transmit(fromHex(`00A40400${hex([OBJECTS_APPLET.length])}${hex(OBJECTS_APPLET)}00`)))).toBe('9000');
    expect(newBytes(b, 10)).toBe('0a9000');
    expect(newBytes(b, 1)).toBe('6f00');
    // The echo applet, without a quota, is not limited.
    expect(hex(b.transmit(fromHex(`00A40400${hex([ECHO_APPLET.length])}${hex(ECHO_APPLET)}00`)))).toBe('9000');
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}
