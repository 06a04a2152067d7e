// Every command of the file-system application with its success and error status words
// (ISO/IEC 7816-4; the choices where it leaves room are in runtime/fs/README.md).

import { beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { fromHex } from '../helpers.ts';
import { aes, fsCard, send, swOf } from './fs-helpers.ts';

let card: Card;
beforeEach(() => {
  card = fsCard();
});

const verifyMf = (): string => send(card, '00 20 00 01 04 31323334');
const toDf = (): string => send(card, '00 A4 00 0C 02 5000');
const verifyDf = (): string => send(card, '00 20 00 81 04 30303030');

describe('SELECT (A4)', () => {
  it('by the application AID: the MF, FCI (6F) or FCP (62) by P2, none for 0C', () => {
    expect(send(card, '00 A4 04 00 09 F04A43564D46530001')).toBe('6F0A82013883023F008A01059000');
    expect(send(card, '00 A4 04 04 09 F04A43564D46530001')).toBe('620A82013883023F008A01059000');
    expect(send(card, '00 A4 04 0C 09 F04A43564D46530001')).toBe('9000');
  });

  it('P1 00 by file identifier: MF (3F00 or no data), a child EF or DF, the parent, a sibling DF', () => {
    expect(send(card, '00 A4 00 04 02 2F00')).toBe('62158002001282010183022F008801088A0105860200FF9000');
    expect(send(card, '00 A4 00 0C 02 5000')).toBe('9000');
    expect(send(card, '00 A4 00 0C 02 5001')).toBe('9000'); // an EF of the current DF
    expect(send(card, '00 A4 00 0C 02 5100')).toBe('9000'); // a child DF
    expect(send(card, '00 A4 00 0C 02 5000')).toBe('9000'); // the parent
    expect(send(card, '00 A4 00 0C 02 3F00')).toBe('9000');
    expect(send(card, '00 A4 00 0C')).toBe('9000'); // no data: the MF
    expect(card.jcre.selectedNative).not.toBeNull();
  });

  it('P1 00 errors: 6A82 not found, 6A87 data of another length than 2', () => {
    expect(send(card, '00 A4 00 0C 02 1234')).toBe('6A82');
    expect(send(card, '00 A4 00 0C 02 5001')).toBe('6A82'); // not a child of the MF
    expect(send(card, '00 A4 00 0C 03 2F0000')).toBe('6A87');
  });

  it('P1 01 child DF, P1 02 EF under the current DF: a file of the other kind is not found', () => {
    expect(send(card, '00 A4 01 0C 02 5000')).toBe('9000');
    expect(send(card, '00 A4 02 0C 02 5001')).toBe('9000');
    expect(send(card, '00 A4 01 0C 02 5001')).toBe('6A82'); // an EF
    expect(send(card, '00 A4 02 0C 02 5100')).toBe('6A82'); // a DF
    expect(send(card, '00 A4 01 0C 01 50')).toBe('6A87');
    expect(send(card, '00 A4 02 0C')).toBe('6A87');
  });

  it('P1 03 parent of the current DF; the MF has none (6A82); data: 6A87', () => {
    toDf();
    expect(send(card, '00 A4 03 04')).toBe('620A82013883023F008A01059000');
    expect(send(card, '00 A4 03 0C')).toBe('6A82');
    expect(send(card, '00 A4 03 0C 02 3F00')).toBe('6A87');
  });

  it('P1 04 by DF name (exact), 6A82 for an unknown name (no applet has it either)', () => {
    expect(send(card, '00 A4 04 00 09 F04A43564D4653DF01')).toBe('6F15820138830250008409F04A43564D4653DF018A01059000');
    expect(send(card, '00 A4 04 0C 09 F04A43564D4653DF02')).toBe('9000');
    expect(send(card, '00 A4 04 0C 05 F04A43564D')).toBe('6A82'); // a prefix is not a name
    expect(send(card, '00 A4 04 0C 06 A00000000099')).toBe('6A82');
  });

  it('P1 08 path from the MF (with or without 3F00), P1 09 path from the current DF', () => {
    expect(send(card, '00 A4 08 0C 04 5000 5100')).toBe('9000');
    expect(send(card, '00 A4 09 04 02 5101')).toBe('621280020004820101830251018A0105860200009000');
    expect(send(card, '00 A4 08 0C 06 3F00 5000 5001')).toBe('9000');
    expect(send(card, '00 A4 08 0C 02 3F00')).toBe('9000');
    expect(send(card, '00 A4 08 0C 02 2F01')).toBe('9000');
  });

  it('path errors: 6A82 when an element is missing or an EF is not last, 6A87 for an odd or empty path', () => {
    expect(send(card, '00 A4 08 0C 04 2F00 5000')).toBe('6A82'); // 2F00 is an EF
    expect(send(card, '00 A4 08 0C 04 5000 9999')).toBe('6A82');
    expect(send(card, '00 A4 09 0C 02 5001')).toBe('6A82'); // from the MF: no 5001
    expect(send(card, '00 A4 08 0C 03 500051')).toBe('6A87');
    expect(send(card, '00 A4 09 0C')).toBe('6A87');
  });

  it('P1 or P2 not supported: 6A86; a failed SELECT leaves the current file as it was', () => {
    send(card, '00 A4 00 0C 02 2F00');
    expect(send(card, '00 A4 05 0C 02 5000')).toBe('6A86');
    expect(send(card, '00 A4 00 02 02 5000')).toBe('6A86'); // next occurrence
    expect(send(card, '00 A4 00 1C 02 5000')).toBe('6A86');
    expect(send(card, '00 A4 00 0C 02 7777')).toBe('6A82');
    expect(send(card, '00 B0 00 00 00')).toBe('61104F09F04A43564D4653000150034653219000'); // 2F00 still current
  });

  it('P2 08 (FMD): an empty template 64', () => {
    expect(send(card, '00 A4 00 08 02 5000')).toBe('64009000');
  });

  it('FCP of a linear fixed EF: 80 size, 82 02 21 record length (2 bytes) and count, 88 SFI<<3, 86 access conditions', () => {
    toDf();
    expect(send(card, '00 A4 02 04 02 5001')).toBe('6219800200408205022100100483025001880108' + '8A0105' + '860201029000');
  });
});

describe('READ BINARY (B0)', () => {
  it('offsets in P1P2; Le 00 reads to the end; a shorter Le reads Le bytes', () => {
    send(card, '00 A4 00 0C 02 2F00');
    expect(send(card, '00 B0 00 00 00')).toBe('61104F09F04A43564D4653000150034653219000');
    expect(send(card, '00 B0 00 02 04')).toBe('4F09F04A9000');
    expect(send(card, '00 B0 00 11 00')).toBe('219000');
  });

  it('6282 when Le asks for more than the file holds past the offset', () => {
    send(card, '00 A4 00 0C 02 2F00');
    expect(send(card, '00 B0 00 10 05')).toBe('53216282');
  });

  it('a short EF identifier in P1 (b8 = 1) selects the EF and takes the offset from P2', () => {
    expect(send(card, '00 B0 81 00 02')).toBe('61109000');
    expect(send(card, '00 B0 00 02 01')).toBe('4F9000'); // 2F00 is now the current EF
  });

  it('errors: 6986 no current EF, 6A82 unknown SFI, 6A86 bad P1, 6981 a record EF, 6982 security, 6B00 offset outside, 6700 no Le', () => {
    expect(send(card, '00 B0 00 00 00')).toBe('6986');
    expect(send(card, '00 B0 83 00 00')).toBe('6A82');
    expect(send(card, '00 B0 A1 00 00')).toBe('6A86');
    expect(send(card, '00 B0 80 00 00')).toBe('6A86');
    toDf();
    expect(send(card, '00 B0 81 00 00')).toBe('6981'); // SFI 1 here is the record EF 5001
    send(card, '00 A4 00 0C 02 3F00');
    expect(send(card, '00 B0 82 00 00')).toBe('6982'); // 2F01 needs the MF PIN
    verifyMf();
    expect(send(card, '00 B0 82 00 00').length).toBe(2 * 32 + 4);
    expect(send(card, '00 B0 00 20 00')).toBe('6B00'); // offset 32 = size
    expect(send(card, '00 B0 7F FF 01')).toBe('6B00');
    expect(send(card, '00 B0 00 00')).toBe('6700');
    expect(send(card, '00 B0 00 00 01 00')).toBe('6700'); // command data
  });
});

describe('UPDATE BINARY (D6)', () => {
  it('writes at an offset; the bytes read back', () => {
    verifyMf();
    send(card, '00 A4 00 0C 02 2F01');
    expect(send(card, '00 D6 00 1E 02 ABCD')).toBe('9000');
    expect(send(card, '00 B0 00 1C 00')).toBe('0000ABCD9000');
    expect(send(card, '00 D6 82 00 01 4B')).toBe('9000'); // by SFI
    expect(send(card, '00 B0 00 00 02')).toBe('4B6F9000');
  });

  it('errors: 6982 write condition, 6A84 past the end, 6B00 offset outside, 6700 no data, 6981 record EF, 6986 no EF', () => {
    expect(send(card, '00 D6 00 00 01 00')).toBe('6986');
    send(card, '00 A4 00 0C 02 2F00');
    expect(send(card, '00 D6 00 00 01 00')).toBe('6982'); // 2F00: never
    send(card, '00 A4 00 0C 02 2F01');
    expect(send(card, '00 D6 00 00 01 00')).toBe('6982'); // needs the PIN
    verifyMf();
    expect(send(card, '00 D6 00 1F 02 0102')).toBe('6A84');
    expect(send(card, '00 D6 00 20 01 01')).toBe('6B00');
    expect(send(card, '00 D6 00 00')).toBe('6700');
    toDf();
    expect(send(card, '00 D6 81 00 01 00')).toBe('6981');
  });
});

describe('READ RECORD (B2) and UPDATE RECORD (DC)', () => {
  it('record P1 of the current EF or of the EF named by the SFI in P2', () => {
    toDf();
    verifyDf();
    expect(send(card, '00 B2 01 0C 00')).toBe('01010000000000000000000000000000' + '9000');
    expect(send(card, '00 B2 02 04 00')).toBe('02020000000000000000000000000000' + '9000');
    expect(send(card, '00 B2 04 04 04')).toBe('000000009000'); // Le shorter than the record
    expect(send(card, '00 B2 03 04 20')).toBe('00000000000000000000000000000000' + '6282');
  });

  it('UPDATE RECORD replaces a whole record once the write state (the DF key) is reached', () => {
    toDf();
    verifyDf();
    const r = '112233445566778899AABBCCDDEEFF00';
    expect(send(card, `00 DC 03 0C 10 ${r}`)).toBe('6982'); // state 1, write needs 2
    const challenge = fromHex(send(card, '00 84 00 00 10').slice(0, 32));
    expect(send(card, `00 82 00 82 10 ${aes('2B7E151628AED2A6ABF7158809CF4F3C', challenge)}`)).toBe('9000');
    expect(send(card, `00 DC 03 0C 10 ${r}`)).toBe('9000');
    expect(send(card, '00 B2 03 0C 00')).toBe(r + '9000');
  });

  it('errors: 6A83 record not found, 6700 wrong length, 6A86 mode or SFI, 6981 transparent EF, 6982, 6986, 6A82', () => {
    expect(send(card, '00 B2 01 04 00')).toBe('6986');
    expect(send(card, '00 B2 01 0C 00')).toBe('6981'); // SFI 1 in the MF: the transparent 2F00
    expect(send(card, '00 B2 01 1C 00')).toBe('6A82'); // SFI 3: none
    toDf();
    expect(send(card, '00 B2 01 0C 00')).toBe('6982');
    verifyDf();
    expect(send(card, '00 B2 00 0C 00')).toBe('6A83');
    expect(send(card, '00 B2 05 0C 00')).toBe('6A83');
    expect(send(card, '00 B2 01 0D 00')).toBe('6A86'); // mode 05
    expect(send(card, '00 B2 01 FC 00')).toBe('6A86'); // SFI 31
    expect(send(card, '00 B2 01 0C')).toBe('6700');
    expect(send(card, '00 DC 01 0C 02 0102')).toBe('6982'); // checked before the length
    const challenge = fromHex(send(card, '00 84 00 00 10').slice(0, 32));
    send(card, `00 82 00 82 10 ${aes('2B7E151628AED2A6ABF7158809CF4F3C', challenge)}`);
    expect(send(card, '00 DC 01 0C 02 0102')).toBe('6700');
    expect(send(card, '00 DC 09 0C 10 00000000000000000000000000000000')).toBe('6A83');
  });
});

describe('VERIFY (20)', () => {
  it('no data: 63Cx tries left; a wrong PIN 63Cx (one less); the right one 9000 and the counter back to its maximum', () => {
    expect(send(card, '00 20 00 01')).toBe('63C3');
    expect(send(card, '00 20 00 01 04 31323335')).toBe('63C2');
    expect(send(card, '00 20 00 01 03 313233')).toBe('63C1'); // a prefix
    expect(verifyMf()).toBe('9000');
    expect(send(card, '00 20 00 01')).toBe('63C3');
  });

  it('blocked after the last try: 63C0, then 6983 even for the right PIN and for an empty VERIFY', () => {
    for (const sw of ['63C2', '63C1', '63C0']) expect(send(card, '00 20 00 01 01 00')).toBe(sw);
    expect(verifyMf()).toBe('6983');
    expect(send(card, '00 20 00 01')).toBe('6983');
  });

  it('P2 b8 = 1: the PIN of the current DF; errors 6A88 unknown reference (or a key), 6A86 P1/P2', () => {
    toDf();
    expect(verifyDf()).toBe('9000');
    expect(send(card, '00 20 00 81 04 31323334')).toBe('63C2'); // the MF PIN is not the DF's
    expect(send(card, '00 20 00 03 01 00')).toBe('6A88');
    expect(send(card, '00 20 00 02 01 00')).toBe('6A88'); // reference 2 is a key
    expect(send(card, '00 20 01 01 01 00')).toBe('6A86');
    expect(send(card, '00 20 00 00 01 00')).toBe('6A86');
    expect(send(card, '00 20 00 41 01 00')).toBe('6A86');
  });
});

describe('GET CHALLENGE (84), INTERNAL AUTHENTICATE (88), EXTERNAL AUTHENTICATE (82)', () => {
  it('INTERNAL AUTHENTICATE answers AES-128 of the 16-byte challenge with the directory key', () => {
    const challenge = '00112233445566778899AABBCCDDEEFF';
    expect(send(card, `00 88 00 02 10 ${challenge} 00`)).toBe(aes('000102030405060708090A0B0C0D0E0F', fromHex(challenge)) + '9000');
  });

  it('INTERNAL AUTHENTICATE errors: 6982 entry state (the DF key needs the DF PIN), 6700 length, 6A88, 6A86', () => {
    toDf();
    expect(send(card, '00 88 00 82 10 00112233445566778899AABBCCDDEEFF')).toBe('6982');
    verifyDf();
    expect(swOf(send(card, '00 88 00 82 10 00112233445566778899AABBCCDDEEFF'))).toBe('9000');
    expect(send(card, '00 88 00 82 08 0011223344556677')).toBe('6700');
    expect(send(card, '00 88 00 81 10 00112233445566778899AABBCCDDEEFF')).toBe('6A88'); // a PIN
    expect(send(card, '00 88 01 82 10 00112233445566778899AABBCCDDEEFF')).toBe('6A86');
  });

  it('EXTERNAL AUTHENTICATE: the challenge encrypted sets the success state; a wrong one counts a try', () => {
    let challenge = fromHex(send(card, '00 84 00 00 10').slice(0, 32));
    expect(send(card, `00 82 00 02 10 ${aes('000102030405060708090A0B0C0D0E0F', challenge)}`)).toBe('9000');
    expect(send(card, '00 A4 00 0C 02 2F01')).toBe('9000');
    expect(swOf(send(card, '00 B0 00 00 00'))).toBe('9000'); // state 2 >= 1
    challenge = fromHex(send(card, '00 84 00 00 00').slice(0, 32));
    expect(send(card, '00 82 00 02 10 00000000000000000000000000000000')).toBe('63C4');
    expect(send(card, '00 B0 00 00 00')).toBe('6982'); // failure state 0
  });

  it('errors: 6985 without a challenge just before, 6700, 6A86; GET CHALLENGE 6700 for Le other than 16', () => {
    expect(send(card, '00 82 00 02 10 00000000000000000000000000000000')).toBe('6985');
    send(card, '00 84 00 00 10');
    send(card, '00 A4 00 0C'); // the challenge lasts one command
    expect(send(card, '00 82 00 02 10 00000000000000000000000000000000')).toBe('6985');
    send(card, '00 84 00 00 10');
    expect(send(card, '00 82 00 02 08 0000000000000000')).toBe('6700');
    expect(send(card, '00 84 00 00 08')).toBe('6700');
    expect(send(card, '00 84 00 00')).toBe('6700');
    expect(send(card, '00 84 01 00 10')).toBe('6A86');
    expect(send(card, '00 84 00 00 10').length).toBe(36);
  });
});

describe('class and instruction', () => {
  it('6D00 unknown INS, 6E00 proprietary class, 6882 secure messaging, 6884 chaining, 6700 extended length', () => {
    expect(send(card, '00 CA 00 00 00')).toBe('6D00');
    expect(send(card, '80 B0 00 00 00')).toBe('6E00');
    expect(send(card, '0C B0 00 00 00')).toBe('6882');
    expect(send(card, '10 B0 00 00 00')).toBe('6884');
    expect(send(card, '00 B0 00 00 00 00 10')).toBe('6700');
  });
});
