// INSTALL [for registry update] (GPCS 2.3 11.5.2.3.6), over APDUs: privileges of an application
// or an SSD changed by the ISD, extradition through the security domain AID field, refusals.

import { describe, expect, it } from 'vitest';
import { type GpClient, parseTlvStatus } from '../../../runtime/gp/client.ts';
import { concat } from '../../../runtime/gp/crypto.ts';
import { SD_LOAD_FILE, SD_MODULE } from '../../../runtime/gp/domain/common.ts';
import { DES_KEYS, fromHex, gpCard, installSuite, suite, sw } from './helpers.ts';

const ISD = fromHex('A000000151000000');
const ECHO = fromHex('F04A43564D0101');
const SSD = fromHex('A000000151535301');

const update = (host: GpClient, aid: Uint8Array, privileges: number[] = [], sd: Uint8Array = new Uint8Array(0), params: number[] = []): { sw: number } =>
  host.send(0x80, 0xe6, 0x40, 0x00, concat([0, sd.length], sd, [0, aid.length], aid, [privileges.length], privileges, [params.length], params, [0]), 0);

/** AID → privileges (hex) and associated domain, from GET STATUS P1 40 in the TLV format. */
function entries(host: GpClient): Map<string, { privileges: string | undefined; domain: string | undefined }> {
  const r = host.getStatus(0x40, true);
  expect(sw(r)).toBe('9000');
  return new Map(parseTlvStatus(r.data).map((e) => [e.aid.toLowerCase(), { privileges: e.privileges?.toLowerCase(), domain: e.domain?.toLowerCase() }]));
}

async function setup(): Promise<ReturnType<typeof gpCard>> {
  const t = gpCard();
  t.host.open(DES_KEYS);
  await installSuite(t.host, suite('echo'));
  expect(sw(t.host.install(SD_LOAD_FILE, SD_MODULE, SSD, { privileges: Uint8Array.of(0x80) }))).toBe('9000');
  return t;
}

describe('INSTALL [for registry update]', () => {
  it("the ISD changes an application's privileges (1 or 3 bytes); GET STATUS shows them", async () => {
    const { host } = await setup();
    expect(sw(update(host, ECHO, [0x10, 0x00, 0x00]))).toBe('9000');
    expect(entries(host).get('f04a43564d0101')!.privileges).toBe('100000');
    expect(sw(update(host, ECHO, [0x00]))).toBe('9000');
    expect(entries(host).get('f04a43564d0101')!.privileges).toBe('000000');
  });

  it('refusals write nothing: Security Domain or RFU privileges for an application 6A80, the ISD 6985, an unknown AID or domain 6A88, bad fields 6A80', async () => {
    const { card, host } = await setup();
    const w = card.persistentWrites;
    expect(sw(update(host, ECHO, [0x80, 0x00, 0x00]))).toBe('6a80');
    expect(sw(update(host, ECHO, [0x00, 0x00, 0x01]))).toBe('6a80');
    expect(sw(update(host, ECHO, [0x10, 0x00]))).toBe('6a80');
    expect(sw(update(host, ISD, [0x10]))).toBe('6985');
    expect(sw(update(host, fromHex('F0F0F0F0F0'), [0x10]))).toBe('6a88');
    expect(sw(update(host, ECHO, [0x10], fromHex('F0F0F0F0F0')))).toBe('6a88');
    expect(sw(update(host, ECHO, [0x10], new Uint8Array(0), [0x01]))).toBe('6a80');
    // Checked together: a bad domain leaves the privileges unchanged too.
    expect(sw(update(host, ECHO, [0x80], SSD))).toBe('6a80');
    expect(card.persistentWrites).toBe(w);
    expect(entries(host).get('f04a43564d0101')!.privileges).toBe('000000');
  });

  it('the security domain AID field extradites the application (and back to the ISD), privileges in the same command', async () => {
    const { host } = await setup();
    expect(sw(update(host, ECHO, [0x00, 0x80, 0x00], SSD))).toBe('9000'); // Trusted Path
    let e = entries(host).get('f04a43564d0101')!;
    expect(e.domain).toBe('a000000151535301');
    expect(e.privileges).toBe('008000');
    expect(sw(update(host, ECHO, [], ISD))).toBe('9000');
    e = entries(host).get('f04a43564d0101')!;
    expect(e.domain).toBe('a000000151000000');
    expect(e.privileges).toBe('008000');
  });

  it("an SSD's privileges: the ISD may add Authorized Management; Security Domain must stay, AM with DM 6A80; an SSD under an SSD without AM 6985", async () => {
    const { host } = await setup();
    expect(sw(update(host, SSD, [0x80, 0x40, 0x00]))).toBe('9000');
    expect(entries(host).get('a000000151535301')!.privileges).toBe('804000');
    expect(sw(update(host, SSD, [0x00]))).toBe('6a80');
    expect(sw(update(host, SSD, [0xa0, 0x40, 0x00]))).toBe('6a80');
    expect(sw(update(host, SSD, [0x90]))).toBe('6a80'); // Card Lock is no SSD privilege here
    expect(sw(update(host, SSD, [], fromHex('A000000151535302')))).toBe('6a88');
    expect(sw(host.install(SD_LOAD_FILE, SD_MODULE, fromHex('A000000151535302'), { privileges: Uint8Array.of(0x80) }))).toBe('9000');
    expect(sw(update(host, SSD, [], fromHex('A000000151535302')))).toBe('6985'); // under an SSD without Authorized Management
  });

  it('through an SSD: privilege changes 6985; an SSD without Authorized Management may not extradite (6985)', async () => {
    const { host } = await setup();
    expect(sw(update(host, ECHO, [], SSD))).toBe('9000');
    expect(sw(host.select(SSD))).toBe('9000');
    host.open(DES_KEYS);
    expect(sw(update(host, ECHO, [0x00, 0x80, 0x00]))).toBe('6985');
    expect(sw(update(host, ECHO, [], ISD))).toBe('6985');
  });

  it('through an SSD with Authorized Management: its application goes back to the ISD; privileges still 6985', async () => {
    const { host } = await setup();
    expect(sw(update(host, SSD, [0x80, 0x40, 0x00], new Uint8Array(0)))).toBe('9000');
    expect(sw(update(host, ECHO, [], SSD))).toBe('9000');
    expect(sw(host.select(SSD))).toBe('9000');
    host.open(DES_KEYS);
    expect(sw(update(host, ECHO, [0x00, 0x80, 0x00]))).toBe('6985');
    expect(sw(update(host, ECHO, [], ISD))).toBe('9000');
    expect(sw(update(host, ECHO, [], ISD))).toBe('6985'); // no longer its own
  });

  it('needs a secure channel (6982)', () => {
    const { host } = gpCard();
    expect(sw(update(host, ECHO, [0x10]))).toBe('6982');
  });
});
