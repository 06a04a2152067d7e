// Logical channels (JCRE 4.2-4.6, issue 8 point 5): MANAGE CHANNEL open and close, the CLA
// encodings of channels 0-3 and 4-19, one selection per channel, MultiSelectable applets
// selected on two channels at once, JCSystem.getAssignedChannel and APDU.getCLAChannel, and
// CLEAR_ON_DESELECT memory that lives as long as its context is active on some channel.
import { describe, expect, it } from 'vitest';
import { readPackageFile } from '../../../loader/files.ts';
import { Card } from '../../../runtime/card.ts';
import { probeCap, PROBE_AID, PROBE_PKG } from '../api/probe.ts';
import { corpusCap, hex, install, tx } from '../helpers.ts';

const ECHO = 'F04A43564D0101';
const TXN = 'F04A43564D0501';

/** CLA of a command on channel `ch` (interindustry: 0x00-0x03, then 0x40-0x4F for 4-19). */
const cla = (ch: number, base = 0x00): string => hex([ch < 4 ? base | ch : (base & 0x80) | 0x40 | (ch - 4)]);
const selectOn = (ch: number, aid: string): string => `${cla(ch)}A40400${(aid.length / 2).toString(16).padStart(2, '0')}${aid}`;

// A multiselectable probe: select(Z)Z and deselect(Z)V record their argument in statics; INS 01
// answers [select count, last appInstAlreadyActive, deselect count, last appInstStillActive,
// getAssignedChannel, getCLAChannel, transient t[0]]; INS 02 sets t[0] (CLEAR_ON_DESELECT) to P1.
const SB = (n: string): string => `staticFieldRef byte Probe/${n};`;
const multi = probeCap({
  statics: ['static byte nsel', 'static byte asel', 'static byte ndes', 'static byte ades', 'static byte[] t'],
  init: `sconst_4; sconst_2; invokestatic @{staticMethodRef 0.8.13(SB)[B;}; putstatic_a @{staticFieldRef byte[] Probe/t;};`,
  shareable: {
    iface: '0.17',
    sio: 'aconst_null; areturn;',
    methods: [
      { sig: 'select(Z)Z', code: `getstatic_b @{${SB('nsel')}}; sconst_1; sadd; s2b; putstatic_b @{${SB('nsel')}}; sload_1; putstatic_b @{${SB('asel')}}; sconst_1; sreturn;` },
      { sig: 'deselect(Z)V', code: `getstatic_b @{${SB('ndes')}}; sconst_1; sadd; s2b; putstatic_b @{${SB('ndes')}}; sload_1; putstatic_b @{${SB('ades')}}; return;` },
    ],
  },
  probes: [
    {
      ins: 0x01,
      code: `aload_2; sconst_0; getstatic_b @{${SB('nsel')}}; bastore;
        aload_2; sconst_1; getstatic_b @{${SB('asel')}}; bastore;
        aload_2; sconst_2; getstatic_b @{${SB('ndes')}}; bastore;
        aload_2; sconst_3; getstatic_b @{${SB('ades')}}; bastore;
        aload_2; sconst_4; invokestatic @{staticMethodRef 0.8.19()B;}; bastore;
        aload_2; sconst_5; invokestatic @{staticMethodRef 0.10.6()B;}; bastore;
        aload_2; bspush 6; getstatic_a @{staticFieldRef byte[] Probe/t;}; sconst_0; baload; bastore;
        bspush 7; sreturn;`,
    },
    { ins: 0x02, code: `getstatic_a @{staticFieldRef byte[] Probe/t;}; sconst_0; aload_2; sconst_2; baload; bastore; sconst_0; sreturn;` },
  ],
});

async function card(options = {}): Promise<Card> {
  const c = new Card(options);
  c.load(await readPackageFile(corpusCap('echo', 'echo.cap')));
  c.load(await readPackageFile(corpusCap('txn', 'txn.cap')));
  c.load(multi);
  install(c, 'F04A43564D01', ECHO);
  install(c, 'F04A43564D05', TXN);
  install(c, PROBE_PKG, PROBE_AID);
  c.powerOn();
  return c;
}

describe('MANAGE CHANNEL', () => {
  it('opens card-assigned channels 1 to 19, refuses a 20th, closes them, and never closes the basic one', async () => {
    const c = await card();
    for (let ch = 1; ch <= 19; ch++) expect(tx(c, '0070000001')).toBe(`${hex([ch])}9000`);
    expect(tx(c, '0070000001')).toBe('6A81'); // no channel left
    expect(tx(c, '0070008000')).toBe('6A81'); // the basic channel cannot be closed
    expect(tx(c, '0070800700')).toBe('9000');
    expect(tx(c, '0070800700')).toBe('6200'); // already closed: a warning
    expect(tx(c, '0070000001')).toBe('079000'); // the lowest free number again
    expect(tx(c, '0070000500')).toBe('6A86'); // terminal-assigned, already open
    expect(tx(c, '0070001400')).toBe('6A81'); // P2 above 19
    expect(tx(c, '0070000000')).toBe('6C01'); // card-assigned needs Le = 1
    expect(tx(c, '0C70000001')).toBe('6882'); // secure messaging bits
  });

  it('refuses a command on a closed channel with 6881; a card with the basic channel only refuses MANAGE CHANNEL', async () => {
    const c = await card();
    expect(tx(c, `${cla(5)}20010000`)).toBe('6881');
    expect(tx(c, '4370800000')).toBe('6881'); // origin channel 7 is not open
    const one = await card({ logicalChannels: 1 });
    expect(tx(one, '0070000001')).toBe('6881');
  });

  it('opened from a non-basic channel, the new channel selects the origin channel\'s applet (multiselectable)', async () => {
    const c = await card();
    expect(tx(c, selectOn(2, PROBE_AID))).toBe('9000');
    expect(tx(c, '0270000001')).toBe('019000'); // from channel 2: channel 1, the probe selected again
    // The first selection was Applet.select() (the context was not active); the second is
    // MultiSelectable.select(appInstAlreadyActive = true); assigned and CLA channel 1.
    expect(tx(c, '81010000')).toBe('010100000101009000');
  });
});

describe('selection per channel', () => {
  it('twenty channels: each has its own selection, addressed by both CLA encodings', async () => {
    const c = await card();
    expect(tx(c, selectOn(0, ECHO))).toBe('9000');
    expect(tx(c, selectOn(19, TXN))).toBe('9000'); // SELECT on a closed channel opens it
    for (let ch = 1; ch <= 18; ch++) expect(tx(c, selectOn(ch, PROBE_AID))).toBe('9000'); // multiselectable: on 18 channels at once
    expect(tx(c, '8020030003')).toBe('0001029000'); // echo on the basic channel
    // Channel 19 (CLA CF) reaches txn, which accepts CLA 80 only (6E00); the probe would answer 6D00 to INS 0B.
    expect(tx(c, `${cla(19, 0x80)}0B0000`)).toBe('6E00');
    for (const ch of [1, 3, 4, 12, 18]) {
      const r = tx(c, `${cla(ch, 0x80)}010000`);
      // getAssignedChannel and getCLAChannel are the channel of the command
      expect(r.slice(8, 12), `channel ${ch}`).toBe(hex([ch, ch]));
    }
    expect(tx(c, '0070000001')).toBe('6A81'); // all twenty are open
  });

  it('an applet that is not multiselectable cannot be selected on a second channel while its context is active', async () => {
    const c = await card();
    expect(tx(c, selectOn(0, ECHO))).toBe('9000');
    expect(tx(c, '0070000001')).toBe('019000');
    expect(tx(c, selectOn(1, ECHO))).toBe('6985');
    expect(tx(c, '0170000001')).toBe('029000'); // from channel 1 (nothing selected there): channel 2, nothing selected
    expect(tx(c, `${cla(2)}A40400`)).toBe('6A82'); // no applet selected, no AID
    // after it is deselected on the basic channel, channel 1 may select it
    expect(tx(c, selectOn(0, TXN))).toBe('9000');
    expect(tx(c, selectOn(1, ECHO))).toBe('9000');
    expect(tx(c, '8120030003')).toBe('6E00'); // echo answers (it accepts CLA 80 only); the probe would say 6D00
    expect(tx(c, '800B0000')).toBe('00019000'); // and txn on the basic channel (its counter)
  });

  it('CLEAR_ON_DESELECT memory lives while its context is active on some channel; MultiSelectable.deselect says whether the instance stays active', async () => {
    const c = await card();
    expect(tx(c, selectOn(1, PROBE_AID))).toBe('9000');
    expect(tx(c, selectOn(2, PROBE_AID))).toBe('9000');
    expect(tx(c, '81024200')).toBe('9000'); // t[0] = 42 on channel 1
    expect(tx(c, '0070800100')).toBe('9000'); // close channel 1: deselect(true), the context still active on 2
    expect(tx(c, '82010000').slice(4, 8)).toBe('0101'); // one deselect, appInstStillActive = true
    expect(tx(c, '82010000').slice(12, 14)).toBe('42'); // t kept
    expect(tx(c, selectOn(2, ECHO))).toBe('9000'); // the probe's last channel: Applet.deselect(), not MultiSelectable's
    expect(tx(c, selectOn(3, PROBE_AID))).toBe('9000');
    const r = tx(c, '83010000');
    expect(r.slice(4, 8)).toBe('0101'); // still the one MultiSelectable.deselect
    expect(r.slice(12, 14)).toBe('00'); // t cleared when the context became inactive
    // a card reset closes every channel but the basic one
    c.powerOn();
    expect(tx(c, '83010000')).toBe('6881');
  });
});
