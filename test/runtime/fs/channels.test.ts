// The file system on several logical channels at once (runtime/fs/README.md, "Logical
// channels"): each channel its own current DF and EF, its own security states (the MF's too)
// and its own challenge; MANAGE CHANNEL open from a channel other than the basic one copies the
// origin's current DF and states; deselection on one channel leaves the others as they were.

import { describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import type { FileSystemApp } from '../../../runtime/fs/app.ts';
import { loadFileSystem } from '../../../runtime/fs/personalise.ts';
import { AID, corpusCard, fromHex, hex, install } from '../helpers.ts';
import { aes, FS_AID, fsCard, sample, send } from './fs-helpers.ts';

/** SELECT of the file-system application on a channel (CLA 0x, 4x for channels 4-19); a closed channel is opened. */
const selectFs = (card: Card, cla: string): string => send(card, `${cla} A4 04 0C 09 ${FS_AID}`);
const fsApp = (card: Card): FileSystemApp => card.jcre.nativeApps.find((a) => hex(a.aid) === FS_AID) as FileSystemApp;
const MF_KEY = '000102030405060708090A0B0C0D0E0F';

/** The sample file system selected on the basic channel and on channel 1. */
function twoChannels(): Card {
  const card = fsCard();
  expect(selectFs(card, '01')).toBe('9000');
  return card;
}

describe('current files per channel', () => {
  it('different EFs selected on channels 0 and 1: each READ BINARY reads its own', () => {
    const card = twoChannels();
    expect(send(card, '00 A4 00 0C 02 2F00')).toBe('9000');
    expect(send(card, '01 A4 08 0C 06 5000 5100 5101')).toBe('9000');
    expect(send(card, '00 B0 00 00 04')).toBe('61104F099000');
    expect(send(card, '01 B0 00 00 04')).toBe('5A5A5A5A9000');
    // The current DF too: on channel 1 it is 5100 (its parent 5000), on channel 0 the MF (no parent).
    expect(send(card, '00 A4 03 0C')).toBe('6A82');
    expect(send(card, '01 A4 03 0C')).toBe('9000');
    expect(send(card, '00 B0 00 00 04')).toBe('61104F099000'); // channel 0's EF unchanged by channel 1
  });

  it('a channel where no EF has been selected has no current EF, whatever the other has (6986)', () => {
    const card = fsCard();
    expect(send(card, '00 A4 00 0C 02 2F00')).toBe('9000');
    expect(selectFs(card, '01')).toBe('9000');
    expect(send(card, '01 B0 00 00 04')).toBe('6986');
    expect(send(card, '01 B0 82 00 02')).toBe('6982'); // an SFI makes 2F01 current, on channel 1 only
    expect(send(card, '01 B0 00 00 02')).toBe('6982');
    expect(send(card, '00 B0 00 00 04')).toBe('61104F099000');
  });

  it('channels 4 to 19 (CLA 40-4F): the channel bits are not read as secure messaging', () => {
    const card = fsCard();
    expect(selectFs(card, '44')).toBe('9000'); // channel 8: b3 of the CLA set
    expect(send(card, '44 A4 00 0C 02 2F00')).toBe('9000');
    expect(send(card, '44 B0 00 00 04')).toBe('61104F099000');
    expect(send(card, '64 B0 00 00 04')).toBe('6882'); // b6: secure messaging
    expect(send(card, '54 B0 00 00 04')).toBe('6884'); // b5: chaining
    expect(send(card, '00 B0 00 00 04')).toBe('6986'); // the basic channel is still on the MF
  });
});

describe('security states per channel', () => {
  it('the MF PIN verified on channel 0 opens nothing on channel 1; verified there, it opens it there', () => {
    const card = twoChannels();
    send(card, '00 A4 00 0C 02 2F01');
    send(card, '01 A4 00 0C 02 2F01');
    expect(send(card, '00 20 00 01 04 31323334')).toBe('9000');
    expect(send(card, '00 B0 00 00 02')).toBe('4A6F9000');
    expect(send(card, '01 B0 00 00 02')).toBe('6982');
    expect(send(card, '01 20 00 01 04 31323334')).toBe('9000');
    expect(send(card, '01 B0 00 00 02')).toBe('4A6F9000');
  });

  it('a wrong PIN on channel 1 closes channel 1 only; the try counter is the card\'s, shared', () => {
    const card = twoChannels();
    send(card, '00 A4 00 0C 02 2F01');
    send(card, '01 A4 00 0C 02 2F01');
    send(card, '00 20 00 01 04 31323334');
    send(card, '01 20 00 01 04 31323334');
    expect(send(card, '01 20 00 01 01 00')).toBe('63C2'); // failure state 0 on channel 1
    expect(send(card, '01 B0 00 00 02')).toBe('6982');
    expect(send(card, '00 B0 00 00 02')).toBe('4A6F9000');
    expect(send(card, '00 20 00 01')).toBe('63C2'); // the spent try shows on channel 0
  });

  it('a DF PIN verified in DF 5000 on channel 0 opens nothing in DF 5000 on channel 1', () => {
    const card = twoChannels();
    send(card, '00 A4 08 0C 04 5000 5001');
    send(card, '01 A4 08 0C 04 5000 5001');
    expect(send(card, '00 20 00 81 04 30303030')).toBe('9000');
    expect(send(card, '00 B2 01 04 02')).toBe('01019000');
    expect(send(card, '01 B2 01 04 02')).toBe('6982');
  });

  it('a GET CHALLENGE lasts for the next command of its own channel: commands on another channel do not spend it', () => {
    const card = twoChannels();
    const challenge = fromHex(send(card, '00 84 00 00 10').slice(0, 32));
    expect(send(card, '01 A4 00 0C 02 2F00')).toBe('9000');
    expect(send(card, '01 82 00 02 10 00000000000000000000000000000000')).toBe('6985'); // channel 1 has none
    expect(send(card, `00 82 00 02 10 ${aes(MF_KEY, challenge)}`)).toBe('9000');
  });
});

describe('deselection and reset', () => {
  it('MANAGE CHANNEL close of channel 1 leaves channel 0 as it was; channel 1 reopened starts afresh', () => {
    const card = twoChannels();
    send(card, '00 A4 00 0C 02 2F01');
    send(card, '00 20 00 01 04 31323334');
    send(card, '01 A4 08 0C 06 5000 5100 5101');
    send(card, '01 20 00 01 04 31323334');
    expect(send(card, '00 70 80 01')).toBe('9000');
    expect(fsApp(card).stateOn(1)).toBeNull(); // its state dropped (7.1.2: a closed channel's security status is lost)
    expect(send(card, '00 B0 00 00 02')).toBe('4A6F9000'); // current EF and MF state of channel 0 kept
    expect(send(card, '01 B0 00 00 02')).toBe('6881'); // closed
    expect(selectFs(card, '01')).toBe('9000');
    expect(send(card, '01 B0 00 00 02')).toBe('6986'); // the MF, no current EF
    expect(send(card, '01 B0 82 00 02')).toBe('6982'); // and no MF state
  });

  it('SELECT of an applet on channel 1 deselects the file system there only', async () => {
    const card = await corpusCard([['echo', 'echo.cap']]);
    install(card, AID.echoPkg, AID.echo);
    loadFileSystem(card, sample());
    card.powerOn();
    expect(selectFs(card, '00')).toBe('9000');
    expect(selectFs(card, '01')).toBe('9000');
    send(card, '00 A4 00 0C 02 2F01');
    send(card, '00 20 00 01 04 31323334');
    send(card, '01 A4 00 0C 02 2F00');
    expect(send(card, `01 A4 04 00 07 ${AID.echo}`)).toBe('9000');
    expect(card.jcre.channels[1]?.native).toBeNull(); // the applet has channel 1 now
    expect(send(card, '01 B0 00 00 04')).toBe('6E00'); // the echo applet's answer, not 2F00's bytes
    expect(fsApp(card).stateOn(1)).toBeNull();
    expect(send(card, '00 B0 00 00 02')).toBe('4A6F9000');
  });

  it('re-SELECT of the application on a channel starts that channel afresh, not the other', () => {
    const card = twoChannels();
    send(card, '00 A4 00 0C 02 2F01');
    send(card, '00 20 00 01 04 31323334');
    send(card, '01 A4 00 0C 02 2F01');
    send(card, '01 20 00 01 04 31323334');
    expect(selectFs(card, '01')).toBe('9000');
    expect(send(card, '01 B0 00 00 02')).toBe('6986');
    expect(send(card, '01 B0 82 00 02')).toBe('6982');
    expect(send(card, '00 B0 00 00 02')).toBe('4A6F9000');
  });

  it('reset drops every channel\'s state; selected again, both start from the MF with no state', () => {
    const card = twoChannels();
    send(card, '00 20 00 01 04 31323334');
    send(card, '01 20 00 01 04 31323334');
    card.reset();
    expect(fsApp(card).stateOn(0)).toBeNull();
    expect(fsApp(card).stateOn(1)).toBeNull();
    expect(send(card, '01 B0 82 00 02')).toBe('6881'); // channel 1 closed by the reset
    expect(selectFs(card, '00')).toBe('9000');
    expect(selectFs(card, '01')).toBe('9000');
    expect(send(card, '00 B0 82 00 02')).toBe('6982');
    expect(send(card, '01 B0 82 00 02')).toBe('6982');
  });
});

describe('MANAGE CHANNEL open (ISO/IEC 7816-4 7.1.2)', () => {
  /** Channel 1 in DF 5000 with its EF 5002 current, the MF PIN and the DF PIN verified. */
  function channelOneInDf(): Card {
    const card = twoChannels();
    send(card, '01 A4 08 0C 04 5000 5002');
    expect(send(card, '01 20 00 01 04 31323334')).toBe('9000');
    expect(send(card, '01 20 00 81 04 30303030')).toBe('9000');
    return card;
  }

  it('from channel 1: the new channel starts with channel 1\'s current DF and security states, and no current EF', () => {
    const card = channelOneInDf();
    expect(send(card, '01 70 00 00 01')).toBe('029000');
    expect(send(card, '02 B0 00 00 03')).toBe('6986'); // no current EF
    expect(send(card, '02 A4 02 0C 02 5001')).toBe('9000'); // an EF of DF 5000: the current DF is 5000
    expect(send(card, '02 B2 01 04 02')).toBe('01019000'); // the DF state, copied
    expect(send(card, '02 B0 82 00 03')).toBe('C0FFEE9000'); // 5002 by SFI: the MF state, copied
  });

  it('the copy is a copy: a wrong PIN on the new channel leaves the origin\'s states', () => {
    const card = channelOneInDf();
    expect(send(card, '01 70 00 03')).toBe('9000');
    expect(send(card, '03 20 00 81 04 39393939')).toBe('63C2'); // DF state 0 on channel 3
    expect(send(card, '03 B2 01 0C 02')).toBe('6982');
    expect(send(card, '01 B2 01 0C 02')).toBe('01019000');
  });

  it('from the basic channel: nothing is selected on the new channel; selected there, the file system starts from the MF with no state', () => {
    const card = fsCard();
    send(card, '00 A4 00 0C 02 2F01');
    send(card, '00 20 00 01 04 31323334');
    expect(send(card, '00 70 00 00 01')).toBe('019000');
    expect(fsApp(card).stateOn(1)).toBeNull();
    expect(selectFs(card, '01')).toBe('9000');
    expect(send(card, '01 B0 82 00 02')).toBe('6982'); // separate from the basic channel's
    expect(send(card, '00 B0 00 00 02')).toBe('4A6F9000');
  });
});
