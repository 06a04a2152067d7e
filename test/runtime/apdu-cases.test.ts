// APDU cases (ISO/IEC 7816-4 5.1) and JCRE selection rules (JCRE spec 3.1 chapters 3-4),
// through real applets of the corpus: echo (short APDUs, ISOException), apdu-ext
// (javacardx.apdu.ExtendedLength) and lifecycle (select/deselect counters, FCI).
// Then unit tests of parseCommand.

import { beforeEach, describe, expect, it } from 'vitest';
import { ApduCase, parseCommand } from '../../runtime/apdu.ts';
import { Card, CardStateError } from '../../runtime/card.ts';
import { AID, corpusCard, fromHex, install, pattern, select, selectApdu, tx } from './helpers.ts';

async function makeCard(options = {}): Promise<Card> {
  const card = await corpusCard([['echo', 'echo.cap'], ['apdu-ext', 'apduext.cap'], ['lifecycle', 'lifecycle.cap']], options);
  install(card, AID.echoPkg, AID.echo);
  install(card, AID.extPkg, AID.ext);
  install(card, AID.lifePkg, AID.lifeClass, AID.life1, '010203');
  install(card, AID.lifePkg, AID.lifeClass, AID.life2, 'AABBCCDDEE');
  return card;
}

/** Lifecycle's FCI on SELECT: 6F 0E 84 07 <AID> A5 03 80 01 <selection count>. */
const fci = (aid: string, selects: number): string => `6F0E8407${aid}A5038001${selects.toString(16).padStart(2, '0').toUpperCase()}9000`;

/** Lifecycle INS 06: selection count, deselection count. */
const counters = (card: Card): string => tx(card, '8006000004');
const count2 = (sel: number, desel: number): string => `${sel.toString(16).padStart(4, '0')}${desel.toString(16).padStart(4, '0')}9000`.toUpperCase();

describe('APDU cases through the echo applet (short)', () => {
  let card: Card;
  beforeEach(async () => {
    card = await makeCard();
    card.powerOn();
    expect(select(card, AID.echo)).toBe('9000');
  });

  it('case 1: no data, no Le', () => {
    expect(tx(card, '80100000')).toBe('9000');
  });

  it('case 2: Le, P1 bytes of response', () => {
    expect(tx(card, '8020050005')).toBe('00010203049000');
    expect(tx(card, '80208000' + '80')).toBe(pattern(128) + '9000');
  });

  it('case 3: data, no Le (keeps the count and the bytes)', () => {
    expect(tx(card, '8030000003AABBCC')).toBe('9000');
    expect(tx(card, '8032000005')).toBe('0003AABBCC9000');
  });

  it('case 3 with more data than the APDU buffer holds after the header (200 bytes, receiveBytes loop)', () => {
    expect(tx(card, '80300000C8' + pattern(200))).toBe('9000');
    expect(tx(card, '8032000022')).toBe('00C8' + pattern(32) + '9000');
  });

  it('case 4: data and Le, echoed', () => {
    expect(tx(card, '8040000003010203' + '03')).toBe('0102039000');
  });

  it('case 4 with Le = 00 (Ne = 256)', () => {
    expect(tx(card, '8040000004DEADBEEF00')).toBe('DEADBEEF9000');
  });

  it('Le = 00 means 256: setOutgoing() answers 256, and 256 bytes come back', () => {
    expect(tx(card, '8024000000')).toBe('01009000');
    expect(tx(card, '8024000010')).toBe('00109000');
    expect(tx(card, '8050000000')).toBe(pattern(256) + '9000');
  });

  it('setOutgoing() answers 256 for a command without Le (as the reference implementation does)', () => {
    expect(tx(card, '80240000')).toBe('01009000');
  });

  it('Le is not enforced: more bytes than Le are sent (reference behaviour)', () => {
    expect(tx(card, '8020040002')).toBe('000102039000');
  });

  it('unknown INS: 6D00; other CLA: 6E00', () => {
    expect(tx(card, '80990000')).toBe('6D00');
    expect(tx(card, '00100000')).toBe('6E00');
    expect(tx(card, '84200400' + '04')).toBe('6E00');
  });

  it('ISOException reasons become the status word, without response data', () => {
    expect(tx(card, '80701234')).toBe('1234');
    expect(tx(card, '80706A88')).toBe('6A88');
    // 9000 thrown as an ISOException is still 9000, and nothing else comes back
    expect(tx(card, '80709000')).toBe('9000');
    expect(tx(card, '80706100' + '10')).toBe('6100');
    // the buffer was written before the exception: still no data
    expect(tx(card, '8072000004')).toBe('6A80');
  });

  it('an uncaught APDUException (setIncomingAndReceive on a case 1 command: IO_ERROR) gives 6F00', () => {
    expect(tx(card, '80300000')).toBe('6F00');
    expect(tx(card, '8030000010')).toBe('6F00'); // case 2: no data either
    // the applet keeps working
    expect(tx(card, '8040000001AA01')).toBe('AA9000');
  });

  it('an uncaught ArrayIndexOutOfBoundsException gives 6F00, no data', async () => {
    // echo INS 20 fills P1 bytes of the APDU buffer: 200 do not fit a 133-byte buffer
    const small = await makeCard({ apduBufferSize: 133 });
    small.powerOn();
    select(small, AID.echo);
    expect(tx(small, '80208000' + '80')).toBe(pattern(128) + '9000');
    expect(tx(small, '8020C800C8')).toBe('6F00');
    expect(tx(small, '80100000')).toBe('9000');
  });

  it('malformed lengths: 6700', () => {
    expect(tx(card, '8030000005010203')).toBe('6700'); // Lc = 5, 3 data bytes
    expect(tx(card, '80300000050102030405060708')).toBe('6700'); // Lc = 5, 8 bytes
    expect(tx(card, '801000')).toBe('6700'); // 3-byte APDU
    expect(tx(card, '80')).toBe('6700');
    expect(tx(card, '')).toBe('6700');
    expect(tx(card, '801000000005')).toBe('6700'); // short Lc = 00 is not a length
    // still selected and working afterwards
    expect(tx(card, '80100000')).toBe('9000');
  });

  it('an extended APDU to an applet that does not implement ExtendedLength: 6700', () => {
    expect(tx(card, '80240000000010')).toBe('6700'); // case 2E
    expect(tx(card, '80300000' + '000003' + '010203')).toBe('6700'); // case 3E
    expect(tx(card, '80400000000003010203' + '0003')).toBe('6700'); // case 4E
    expect(tx(card, '80100000')).toBe('9000');
  });
});

describe('extended length through the apdu-ext applet (ExtendedLength)', () => {
  let card: Card;
  beforeEach(async () => {
    card = await makeCard();
    card.powerOn();
    expect(select(card, AID.ext)).toBe('9000');
  });

  it('case 2E: 600 bytes with setOutgoingLength + sendBytesLong', () => {
    expect(tx(card, '80200258000258')).toBe(pattern(600) + '9000');
  });

  it('case 2E: setOutgoing() answers the extended Ne; Le = 0000 (65536) answers 32767', () => {
    expect(tx(card, '80240000000258')).toBe('02589000');
    expect(tx(card, '80240000000000')).toBe('7FFF9000');
  });

  it('case 3E: 1000 bytes received; offset of the command data is 7', () => {
    const data = pattern(1000);
    let sum = 0;
    for (let i = 0; i < 1000; i++) sum += i & 0xff;
    const expected = '03E8' + (sum & 0xffff).toString(16).padStart(4, '0').toUpperCase() + '03E8' + '0007' + '9000';
    expect(tx(card, '801000' + '00' + '0003E8' + data)).toBe(expected);
  });

  it('case 4E: 300 bytes echoed; Le = 0000', () => {
    const data = pattern(300, (i) => 0xff - i);
    expect(tx(card, '80300000' + '00012C' + data + '0000')).toBe(data + '9000');
    expect(tx(card, '80300000' + '00012C' + data + '012C')).toBe(data + '9000');
  });

  it('an ExtendedLength applet may set an outgoing length above 256 in a short APDU (APDUException.BAD_LENGTH is only for applets without ExtendedLength)', () => {
    expect(tx(card, '8020025800')).toBe(pattern(600) + '9000');
    expect(tx(card, '8020010100')).toBe(pattern(257) + '9000');
  });

  it('short APDUs to the same applet: offset 5', () => {
    expect(tx(card, '80100000050001020304' + '08')).toBe('0005000A000500059000');
    expect(tx(card, '8020002020')).toBe(pattern(32) + '9000');
  });

  it('extended malformed lengths: 6700', () => {
    expect(tx(card, '80100000' + '000005' + '010203')).toBe('6700'); // Lc 5, 3 bytes
    expect(tx(card, '80300000' + '000003' + '010203' + '03')).toBe('6700'); // 4E with a 1-byte Le
    expect(tx(card, '80300000' + '000000' + '01')).toBe('6700'); // Lc = 0000
    // 00 0000 alone is case 2E with Le = 0000: well formed (INS 10 then fails on no data: 6F00)
    expect(tx(card, '80240000' + '000000')).toBe('7FFF9000');
  });
});

describe('selection (JCRE chapter 4)', () => {
  let card: Card;
  beforeEach(async () => {
    card = await makeCard();
  });

  it('transmit before powerOn, and after powerOff, throws CardStateError', () => {
    expect(() => card.transmit(fromHex('80100000'))).toThrow(CardStateError);
    card.powerOn();
    expect(tx(card, selectApdu(AID.echo))).toBe('9000');
    card.powerOff();
    expect(() => card.transmit(fromHex('80100000'))).toThrow(CardStateError);
  });

  it('a command with no applet selected: 6999', () => {
    card.powerOn();
    expect(tx(card, '80100000')).toBe('6999');
    expect(tx(card, '00B0000010')).toBe('6999');
  });

  it('SELECT of an unknown AID with no applet selected: 6A82', () => {
    card.powerOn();
    expect(select(card, 'F04A43564D0199')).toBe('6A82');
    expect(select(card, AID.lifeClass)).toBe('6A82'); // a class AID with no instance
    expect(tx(card, '80100000')).toBe('6999');
  });

  it('SELECT of an unknown AID with an applet selected goes to that applet as a command', () => {
    card.powerOn();
    select(card, AID.echo);
    // echo answers 6E00 for CLA 00; it stays selected
    expect(select(card, 'F04A43564D0199')).toBe('6E00');
    expect(tx(card, '80100000')).toBe('9000');
  });

  it('a partial AID selects the first instance whose AID starts with it (JCRE 4.5)', () => {
    card.powerOn();
    expect(select(card, AID.echoPkg)).toBe('9000'); // F04A43564D01 -> F04A43564D0101
    expect(tx(card, '8020020002')).toBe('00019000');
    // lifecycle: F04A43564D0A matches both instances: the first installed one is chosen
    expect(select(card, AID.lifePkg)).toBe(fci(AID.life1, 1));
    expect(tx(card, '8001000008')).toBe('07' + AID.life1 + '9000');
  });

  it('an exact AID match selects that instance', () => {
    card.powerOn();
    expect(select(card, AID.life2)).toBe(fci(AID.life2, 1));
    expect(tx(card, '8003000006')).toBe('05AABBCCDDEE9000');
  });

  it('re-selecting the selected applet calls deselect() then select()', () => {
    card.powerOn();
    expect(select(card, AID.life1)).toBe(fci(AID.life1, 1));
    expect(counters(card)).toBe(count2(1, 0));
    expect(select(card, AID.life1)).toBe(fci(AID.life1, 2));
    expect(counters(card)).toBe(count2(2, 1));
    // selecting the other instance deselects this one
    expect(select(card, AID.life2)).toBe(fci(AID.life2, 1));
    expect(select(card, AID.life1)).toBe(fci(AID.life1, 3));
    expect(counters(card)).toBe(count2(3, 2));
    // selecting another applet of another package deselects it too
    expect(select(card, AID.echo)).toBe('9000');
    expect(select(card, AID.life1)).toBe(fci(AID.life1, 4));
    expect(counters(card)).toBe(count2(4, 3));
  });

  it('selectingApplet() is true only during the SELECT', () => {
    card.powerOn();
    select(card, AID.life1);
    expect(tx(card, '8009000001')).toBe('009000');
  });

  it('powerdown + powerup clears the selection; persistent counters survive; deselect() is not called', () => {
    card.powerOn();
    select(card, AID.life1);
    expect(counters(card)).toBe(count2(1, 0));
    card.powerOff();
    card.powerOn();
    expect(counters(card)).toBe('6999');
    expect(tx(card, '80100000')).toBe('6999');
    expect(select(card, AID.life1)).toBe(fci(AID.life1, 2));
    expect(counters(card)).toBe(count2(2, 0));
  });

  it('a reset (powerOn on a powered card) also clears the selection', () => {
    card.powerOn();
    select(card, AID.echo);
    card.reset();
    expect(tx(card, '80100000')).toBe('6999');
  });
});

describe('parseCommand', () => {
  const p = (h: string) => parseCommand(fromHex(h));

  it('case 1: 4 bytes', () => {
    expect(p('80100000')).toEqual({ case: ApduCase.Case1, extended: false, nc: 0, dataOffset: 5, ne: 0, hasLe: false });
  });

  it('case 2 short: Le 01..FF, and 00 = 256', () => {
    expect(p('8010000001')).toEqual({ case: ApduCase.Case2, extended: false, nc: 0, dataOffset: 5, ne: 1, hasLe: true });
    expect(p('80100000FF')).toMatchObject({ case: ApduCase.Case2, ne: 255, hasLe: true });
    expect(p('8010000000')).toMatchObject({ case: ApduCase.Case2, extended: false, ne: 256, hasLe: true });
  });

  it('case 3 short: Lc 01..FF', () => {
    expect(p('8010000001AA')).toEqual({ case: ApduCase.Case3, extended: false, nc: 1, dataOffset: 5, ne: 0, hasLe: false });
    expect(p('80100000FF' + pattern(255))).toMatchObject({ case: ApduCase.Case3, nc: 255, hasLe: false });
  });

  it('case 4 short: Lc, data, Le (00 = 256)', () => {
    expect(p('8010000002AABB05')).toEqual({ case: ApduCase.Case4, extended: false, nc: 2, dataOffset: 5, ne: 5, hasLe: true });
    expect(p('8010000002AABB00')).toMatchObject({ case: ApduCase.Case4, nc: 2, ne: 256 });
    expect(p('80100000FF' + pattern(255) + '00')).toMatchObject({ case: ApduCase.Case4, nc: 255, ne: 256 });
  });

  it('case 2 extended: 00 LeHi LeLo (0000 = 65536)', () => {
    expect(p('80100000000102')).toEqual({ case: ApduCase.Case2, extended: true, nc: 0, dataOffset: 7, ne: 0x102, hasLe: true });
    expect(p('80100000000001')).toMatchObject({ case: ApduCase.Case2, extended: true, ne: 1 });
    expect(p('80100000000000')).toMatchObject({ case: ApduCase.Case2, extended: true, ne: 65536 });
    expect(p('8010000000FFFF')).toMatchObject({ case: ApduCase.Case2, extended: true, ne: 65535 });
  });

  it('case 3 extended: 00 LcHi LcLo data', () => {
    expect(p('80100000000001AA')).toEqual({ case: ApduCase.Case3, extended: true, nc: 1, dataOffset: 7, ne: 0, hasLe: false });
    expect(p('80100000000100' + pattern(256))).toMatchObject({ case: ApduCase.Case3, extended: true, nc: 256 });
    expect(p('801000000003E8' + pattern(1000))).toMatchObject({ case: ApduCase.Case3, extended: true, nc: 1000 });
  });

  it('case 4 extended: 00 LcHi LcLo data LeHi LeLo (0000 = 65536)', () => {
    expect(p('80100000000002AABB0100')).toEqual({ case: ApduCase.Case4, extended: true, nc: 2, dataOffset: 7, ne: 256, hasLe: true });
    expect(p('80100000000002AABB0000')).toMatchObject({ case: ApduCase.Case4, extended: true, nc: 2, ne: 65536 });
    expect(p('801000000003E8' + pattern(1000) + '03E8')).toMatchObject({ case: ApduCase.Case4, nc: 1000, ne: 1000 });
  });

  it('a long short-form APDU is not read as extended when its first length byte is not 00', () => {
    // 05 + 5 data bytes + Le: case 4 short, even though 9 + Lc would not match either
    expect(p('80100000050000000000' + '00')).toMatchObject({ case: ApduCase.Case4, extended: false, nc: 5, ne: 256 });
  });

  it('null for inconsistent lengths', () => {
    for (const bad of [
      '', // nothing
      '80', // 1 byte
      '8010', // 2 bytes
      '801000', // 3 bytes
      '8010000005010203', // Lc 5, 3 data bytes
      '80100000020102030405', // Lc 2, 5 bytes after it
      '801000000000', // 6 bytes: short Lc 00 is not allowed, too short for extended
      '8010000000000000', // extended Lc = 0000 with 1 more byte
      '80100000000000AABB', // extended Lc = 0000 then data
      '80100000000005010203', // extended Lc 5, 3 bytes
      '80100000000002AABB01', // extended Lc 2, data, 1-byte Le
      '80100000000002AABB010203', // extended Lc 2, data, 3 trailing bytes
    ]) {
      expect(p(bad), `'${bad}'`).toBeNull();
    }
  });

  it('every short case-3/4 length is recognised', () => {
    for (let lc = 1; lc <= 255; lc++) {
      const data = pattern(lc);
      const l = lc.toString(16).padStart(2, '0');
      expect(p('80100000' + l + data)).toMatchObject({ case: ApduCase.Case3, nc: lc });
      expect(p('80100000' + l + data + '07')).toMatchObject({ case: ApduCase.Case4, nc: lc, ne: 7 });
    }
  });
});

