// The card manager on logical channels, over APDUs only: the ISD, the installer and the SSDs are
// selected per channel like applets; secure channel sessions belong to the channel they were
// opened on (GPCS 10.2); the selection rules (application and card life cycle) hold on every
// channel; the ISD is the default application of the basic channel only.

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { claOnChannel } from '../../../runtime/apdu.ts';
import { GpClient, parseTlvStatus } from '../../../runtime/gp/client.ts';
import { SD_LOAD_FILE, SD_MODULE } from '../../../runtime/gp/domain/common.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { AES_KEYS, DES_KEYS, fromHex, gpCard, hex, installSuite, loadFile, suite, sw } from './helpers.ts';

const ISD = 'a000000151000000';
const ECHO = fromHex('F04A43564D0101');
const send = (card: Card, apdu: string): string => hex(card.transmit(fromHex(apdu)));
/** A host on logical channel `channel` of the card. */
const onChannel = (card: Card, channel: number): GpClient => new GpClient((a) => card.transmit(a), { channel });

describe('the ISD on logical channels', () => {
  it('is selected on channel 1 while an applet is selected on channel 0, each channel answering its own', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, suite('echo'));
    expect(send(card, '00A4040007F04A43564D010100')).toBe('9000');
    expect(send(card, '0070000001')).toBe('019000');
    const ch1 = onChannel(card, 1);
    const r = ch1.select(fromHex('A000000151')); // partial AID, as on the basic channel
    expect(sw(r)).toBe('9000');
    expect(hex(r.data)).toBe(`6f108408${ISD}a5049f6501ff`);
    expect(hex(ch1.getData(0x9f7f).data)).toMatch(/^9f7f2a/);
    // The basic channel still has the echo applet: GET DATA is not a command of the ISD there.
    expect(send(card, '80CA9F7F00')).not.toMatch(/^9f7f/);
    // A channel opened by SELECT (JCRE 4.5.2), and one of the further class coding (channel 5).
    expect(sw(onChannel(card, 2).select())).toBe('9000');
    const ch5 = onChannel(card, 5);
    expect(sw(ch5.select())).toBe('9000');
    expect(hex(ch5.getData(0x9f7f).data)).toMatch(/^9f7f2a/);
    expect(send(card, 'C1CA9F7F00')).toMatch(/^9f7f2a/);
  });

  it('is not selected on a channel opened from the basic channel (no default application there), nor by a SELECT without AID there', () => {
    const { card } = gpCard();
    expect(send(card, '0070000001')).toBe('019000');
    expect(send(card, '81CA9F7F00')).toBe('6999');
    expect(send(card, '01A4040000')).toBe('6a82');
    expect(send(card, '81CA9F7F00')).toBe('6999');
    // On the basic channel a SELECT without AID selects the ISD (its FCI).
    expect(send(card, '00A4040000')).toBe(`6f108408${ISD}a5049f6501ff9000`);
    // Opened from a channel where the ISD is selected, the new channel selects it too (JCRE 4.5.1).
    expect(send(card, '01A4040008A00000015100000000')).toMatch(/9000$/);
    expect(send(card, '0170000001')).toBe('029000');
    expect(send(card, '82CA9F7F00')).toMatch(/^9f7f2a/);
  });

  it('after a reset the ISD is selected on the basic channel and the other channels are closed', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, suite('echo'));
    expect(send(card, '00A4040007F04A43564D010100')).toBe('9000');
    expect(sw(onChannel(card, 1).select())).toBe('9000');
    expect(send(card, '80CA9F7F00')).not.toMatch(/^9f7f/);
    card.powerOn();
    expect(send(card, '80CA9F7F00')).toMatch(/^9f7f2a/);
    expect(send(card, '81CA9F7F00')).toBe('6881');
  });
});

describe('secure channel sessions per logical channel (GPCS 10.2)', () => {
  it('sessions on channels 0 and 1 at once: each works, INITIALIZE UPDATE on one leaves the other alone', () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    expect(send(card, '0070000001')).toBe('019000');
    const ch1 = onChannel(card, 1);
    expect(sw(ch1.select())).toBe('9000');
    expect(sw(ch1.getStatus(0x80, true))).toBe('6982'); // channel 1 has no session of its own yet
    expect(sw(host.getStatus(0x80, true))).toBe('9000');
    ch1.open(DES_KEYS);
    for (let i = 0; i < 3; i++) {
      // Interleaved: each host's C-MAC chain is checked by its own channel's session.
      expect(sw(host.getStatus(0x80, true))).toBe('9000');
      expect(sw(ch1.getStatus(0x80, true))).toBe('9000');
    }
    expect(parseTlvStatus(ch1.getStatus(0x80, true).data)[0]!.lifeCycle).toBe(0x01);
    // A second session opened on channel 0 does not end channel 1's.
    host.open(DES_KEYS);
    expect(sw(ch1.getStatus(0x80, true))).toBe('9000');
    expect(sw(host.getStatus(0x80, true))).toBe('9000');
    // A wrong C-MAC on channel 1 ends channel 1's session only.
    expect(send(card, '85F280020A4F001122334455667788')).toBe('6982');
    expect(sw(ch1.getStatus(0x80, true))).toBe('6982');
    expect(sw(host.getStatus(0x80, true))).toBe('9000');
  });

  it('sessions on channel 5 (further class coding, SM in b6) and channel 2: the C-MAC covers the basic channel\'s class byte', () => {
    const { card } = gpCard({ keyType: 'AES' });
    for (const channel of [5, 2]) {
      // A host that wraps each command for the basic channel and has the channel numbered as it
      // transmits (as javax.smartcardio does): the card must verify the MAC over CLA 84.
      const wire: Uint8Array[] = [];
      const host = new GpClient((a) => {
        const w = a.slice();
        w[0] = claOnChannel(a[0]!, channel);
        wire.push(w);
        return card.transmit(w);
      });
      expect(sw(host.select())).toBe('9000');
      host.open(AES_KEYS);
      for (let i = 0; i < 2; i++) expect(sw(host.getStatus(0x80, true))).toBe('9000');
      expect(wire.at(-1)![0]).toBe(channel === 5 ? 0xe1 : 0x86);
    }
    // Both sessions stay open, each on its channel.
    expect(hex(card.transmit(fromHex('0070800500')))).toBe('9000');
  });

  it('closing channel 1, or selecting an applet there, ends only channel 1\'s session', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, suite('echo'));
    const ch1 = onChannel(card, 1);
    expect(sw(ch1.select())).toBe('9000');
    ch1.open(DES_KEYS);
    expect(send(card, '0070800100')).toBe('9000');
    expect(sw(ch1.getStatus(0x80, true))).toBe('6881');
    expect(sw(host.getStatus(0x80, true))).toBe('9000');
    // Deselection by an applet's selection on the channel.
    expect(sw(ch1.select())).toBe('9000');
    ch1.open(DES_KEYS);
    expect(send(card, '01A4040007F04A43564D010100')).toBe('9000');
    expect(sw(host.getStatus(0x80, true))).toBe('9000');
    // And the other way round: the applet selected on the basic channel ends channel 0's session.
    expect(sw(ch1.select())).toBe('9000');
    ch1.open(DES_KEYS);
    expect(send(card, '00A4040007F04A43564D010100')).toBe('9000');
    expect(sw(ch1.getStatus(0x80, true))).toBe('9000');
  });

  it('a load under way on one channel is that channel\'s: LOAD on another channel is out of sequence (6985)', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    const ch1 = onChannel(card, 1);
    expect(sw(ch1.select())).toBe('9000');
    ch1.open(DES_KEYS);
    expect(sw(ch1.installForLoad(fromHex('F04A43564D01')))).toBe('9000');
    const file = await loadFile(resolve(CORPUS_DIR, 'echo', 'echo.cap'));
    expect(sw(host.load(file))).toBe('6985');
    expect(sw(ch1.load(file))).toBe('9000');
    expect(sw(ch1.install(fromHex('F04A43564D01'), ECHO, ECHO))).toBe('9000');
    expect(send(card, '00A4040007F04A43564D010100')).toBe('9000');
  });

  it('DELETE of an applet selected on another channel is refused (6985) until it is deselected there', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, suite('echo'));
    expect(send(card, '01A4040007F04A43564D010100')).toBe('9000');
    expect(sw(host.delete(ECHO))).toBe('6985');
    expect(send(card, '0070800100')).toBe('9000');
    expect(sw(host.delete(ECHO))).toBe('9000');
  });

  it('DELETE of a security domain selected on another channel is refused (6985) until it is deselected there', () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    const ssd = fromHex('A00000055901AA01');
    expect(sw(host.install(SD_LOAD_FILE, SD_MODULE, ssd, { privileges: fromHex('804000') }))).toBe('9000');
    expect(sw(onChannel(card, 1).select(ssd))).toBe('9000');
    expect(sw(host.delete(ssd))).toBe('6985');
    expect(send(card, '0070800100')).toBe('9000');
    expect(sw(host.delete(ssd))).toBe('9000');
    expect(sw(onChannel(card, 1).select(ssd))).toBe('6a82'); // gone: channel 1 is not opened for it
  });
});

describe('selection rules on logical channels', () => {
  it('an INSTALLED application is not found (6A82) and a LOCKED one refuses (6999) on a logical channel too', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    expect(sw(host.installForLoad(fromHex('F04A43564D01')))).toBe('9000');
    expect(sw(host.load(await loadFile(resolve(CORPUS_DIR, 'echo', 'echo.cap'))))).toBe('9000');
    expect(sw(host.install(fromHex('F04A43564D01'), ECHO, ECHO, { selectable: false }))).toBe('9000');
    expect(send(card, '0070000001')).toBe('019000');
    expect(send(card, '01A4040007F04A43564D010100')).toBe('6a82');
    // A SELECT on a closed channel that selects nothing leaves it closed.
    expect(send(card, '02A4040007F04A43564D010100')).toBe('6a82');
    expect(send(card, '82CA9F7F00')).toBe('6881');
    expect(sw(host.makeSelectable(ECHO))).toBe('9000');
    expect(sw(host.setStatus(0x40, 0x80, ECHO))).toBe('9000');
    expect(send(card, '01A4040007F04A43564D010100')).toBe('6999');
    expect(send(card, '02A4040007F04A43564D010100')).toBe('6999');
    expect(sw(host.setStatus(0x40, 0x00, ECHO))).toBe('9000');
    expect(send(card, '01A4040007F04A43564D010100')).toBe('9000');
  });

  it('on a locked card only the ISD is selected, on any channel', async () => {
    const { card, host } = gpCard();
    host.open(DES_KEYS);
    await installSuite(host, suite('echo'));
    for (const state of [0x07, 0x0f, 0x7f]) expect(sw(host.setStatus(0x80, state))).toBe('9000');
    expect(send(card, '0070000001')).toBe('019000');
    expect(send(card, '01A4040007F04A43564D010100')).toBe('6a82');
    expect(send(card, '01A4040009A0000000620301080100')).toBe('6a82');
    expect(send(card, '03A4040007F04A43564D010100')).toBe('6a82');
    expect(send(card, '83CA9F7F00')).toBe('6881');
    const ch1 = onChannel(card, 1);
    expect(sw(ch1.select())).toBe('9000');
    ch1.open(DES_KEYS);
    expect(parseTlvStatus(ch1.getStatus(0x80, true).data)[0]!.lifeCycle).toBe(0x7f);
    // Unlocked from channel 1, the application is selected on channel 2.
    expect(sw(ch1.setStatus(0x80, 0x0f))).toBe('9000');
    expect(send(card, '02A4040007F04A43564D010100')).toBe('9000');
  });

  it('the reference installer is selected on a logical channel and keeps its download there', () => {
    const { card } = gpCard();
    expect(send(card, '01A4040009A0000000620301080100')).toBe('9000');
    expect(send(card, '81B0000000')).toBe('9000');
    expect(send(card, '81B2010000')).toBe('9000');
    // Channel 2's installer has no download under way: out of order there.
    expect(send(card, '02A4040009A0000000620301080100')).toBe('9000');
    expect(send(card, '82BC010000')).toBe('6422');
    expect(send(card, '81BC010000')).toBe('9000');
  });
});
