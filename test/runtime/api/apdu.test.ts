// javacard.framework.APDU: the state machine of getCurrentState() and the APDUException
// reasons (ILLEGAL_USE 1, BUFFER_BOUNDS 2, BAD_LENGTH 3, IO_ERROR 4), through the probe
// applet, which reports APDUException reason r as 6A5r.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { pattern, tx } from '../helpers.ts';
import { cp, field, probeCard, type ProbeApplet } from './probe.ts';

const ST = 'byte[] st';
const call = (name: Parameters<typeof cp>[0]) => `invokevirtual ${cp(name)};`;
/** st[i] = apdu.getCurrentState() */
const record = (i: number) => `
				getfield_a_this ${field(ST)};
				bspush ${i};
				aload_1;
				${call('getCurrentState')}
				bastore;`;
const p1p2 = `
				aload_2;
				sconst_2;
				invokestatic ${cp('getShort')};`;
const p1 = `
				aload_2;
				sconst_2;
				baload;`;
const p2 = `
				aload_2;
				sconst_3;
				baload;`;
const done = `
				sconst_m1;
				sreturn;`;

const applet: ProbeApplet = {
  fields: [ST],
  init: `
				aload_0;
				bspush 8;
				newarray 11;
				putfield_a ${field(ST)};`,
  probes: [
    // INS 40: setOutgoingLength(2) before setOutgoing()
    { ins: 0x40, code: `aload_1; sconst_2; ${call('setOutgoingLength')} ${done}` },
    // INS 41: setOutgoing; setOutgoingLength(P1); sendBytes(0, P2)
    { ins: 0x41, code: `aload_1; ${call('setOutgoing')} pop; aload_1; ${p1} ${call('setOutgoingLength')} aload_1; sconst_0; ${p2} ${call('sendBytes')} ${done}` },
    // INS 42: setOutgoing; setOutgoingLength(P1); sendBytes(0, P2) twice
    {
      ins: 0x42,
      code: `aload_1; ${call('setOutgoing')} pop; aload_1; ${p1} ${call('setOutgoingLength')}
				aload_1; sconst_0; ${p2} ${call('sendBytes')}
				aload_1; sconst_0; ${p2} ${call('sendBytes')} ${done}`,
    },
    // INS 43: setIncomingAndReceive twice
    { ins: 0x43, code: `aload_1; ${call('setIncomingAndReceive')} pop; aload_1; ${call('setIncomingAndReceive')} pop; ${done}` },
    // INS 44: the whole life of an APDU, state recorded at each step into st[0..7]:
    // entry, setIncomingAndReceive, receiveBytes until 0, setOutgoing, setOutgoingLength(2),
    // sendBytes(0, 1), sendBytes(1, 1); st[7] = the count setIncomingAndReceive returned
    {
      ins: 0x44,
      code: `${record(0)}
				aload_1;
				${call('setIncomingAndReceive')}
				sstore_3;
				getfield_a_this ${field(ST)};
				bspush 7;
				sload_3;
				bastore;
				${record(1)}
			RX:	aload_1;
				sconst_5;
				${call('receiveBytes')}
				ifne RX;
				${record(2)}
				aload_1;
				${call('setOutgoing')}
				pop;
				${record(3)}
				aload_1;
				sconst_2;
				${call('setOutgoingLength')}
				${record(4)}
				aload_1;
				sconst_0;
				sconst_1;
				${call('sendBytes')}
				${record(5)}
				aload_1;
				sconst_1;
				sconst_1;
				${call('sendBytes')}
				${record(6)}
				${done}`,
    },
    // INS 45: st
    { ins: 0x45, code: `getfield_a_this ${field(ST)}; sconst_0; aload_2; sconst_0; bspush 8; invokestatic ${cp('arrayCopyNonAtomic')}; sreturn;` },
    // INS 46: setOutgoing twice
    { ins: 0x46, code: `aload_1; ${call('setOutgoing')} pop; aload_1; ${call('setOutgoing')} pop; ${done}` },
    // INS 47: setOutgoingLength twice
    { ins: 0x47, code: `aload_1; ${call('setOutgoing')} pop; aload_1; sconst_1; ${call('setOutgoingLength')} aload_1; sconst_1; ${call('setOutgoingLength')} ${done}` },
    // INS 48: sendBytes(0, 1) without setOutgoingLength: P1 = 0 right away, P1 = 1 after setOutgoing
    {
      ins: 0x48,
      code: `${p1} ifeq SEND; aload_1; ${call('setOutgoing')} pop;
			SEND:	aload_1; sconst_0; sconst_1; ${call('sendBytes')} ${done}`,
    },
    // INS 49: receiveBytes before setIncomingAndReceive
    { ins: 0x49, code: `aload_1; sconst_5; ${call('receiveBytes')} pop; ${done}` },
    // INS 4A: setIncomingAndReceive after setOutgoing
    { ins: 0x4a, code: `aload_1; ${call('setOutgoing')} pop; aload_1; ${call('setIncomingAndReceive')} pop; ${done}` },
    // INS 4B: setOutgoing; setOutgoingLength(P1P2); no data sent
    { ins: 0x4b, code: `aload_1; ${call('setOutgoing')} pop; aload_1; ${p1p2} ${call('setOutgoingLength')} ${done}` },
    // INS 4C: setOutgoing; setOutgoingLength(2); sendBytes(P1P2, 2)
    { ins: 0x4c, code: `aload_1; ${call('setOutgoing')} pop; aload_1; sconst_2; ${call('setOutgoingLength')} aload_1; ${p1p2} sconst_2; ${call('sendBytes')} ${done}` },
    // INS 4D: setOutgoing, then setOutgoingAndSend(0, 2)
    { ins: 0x4d, code: `aload_1; ${call('setOutgoing')} pop; aload_1; sconst_0; sconst_2; ${call('setOutgoingAndSend')} ${done}` },
    // INS 4E: setIncomingAndReceive; answers its count, getIncomingLength, getOffsetCdata
    {
      ins: 0x4e,
      code: `aload_1; ${call('setIncomingAndReceive')} sstore_3;
				aload_2; sconst_0; sload_3; invokestatic ${cp('setShort')}; pop;
				aload_2; sconst_2; aload_1; ${call('getIncomingLength')} invokestatic ${cp('setShort')}; pop;
				aload_2; sconst_4; aload_1; ${call('getOffsetCdata')} invokestatic ${cp('setShort')}; pop;
				bspush 6; sreturn;`,
    },
    // INS 4F: sendBytesLong(st or null (P1 = 1), P2 offset, 2) after setOutgoingLength(2)
    {
      ins: 0x4f,
      code: `aload_1; ${call('setOutgoing')} pop; aload_1; sconst_2; ${call('setOutgoingLength')}
				aload_1; ${p1} ifne NUL; getfield_a_this ${field(ST)}; goto GO;
			NUL:	aconst_null;
			GO:	${p2} sconst_2; ${call('sendBytesLong')} ${done}`,
    },
    // INS 50: buf[P1] (what the buffer holds at that offset when the command arrives)
    { ins: 0x50, code: `aload_2; sconst_0; aload_2; ${p1} sspush 255; sand; baload; bastore; sconst_1; sreturn;` },
    // INS 51: getCurrentState() then setOutgoingNoChaining() (Ne) then getCurrentState()
    {
      ins: 0x51,
      code: `aload_2; sconst_0; aload_1; ${call('getCurrentState')} bastore;
				aload_1; ${call('setOutgoingNoChaining')} sstore_3;
				aload_2; sconst_1; aload_1; ${call('getCurrentState')} bastore;
				aload_2; sconst_2; sload_3; invokestatic ${cp('setShort')}; pop;
				aload_1; sconst_4; ${call('setOutgoingLength')} aload_1; sconst_0; sconst_4; ${call('sendBytes')} ${done}`,
    },
  ],
};

let card: Card;
beforeAll(() => {
  card = probeCard(applet);
});

describe('APDU state machine (getCurrentState)', () => {
  it('INITIAL, FULL_INCOMING, OUTGOING, OUTGOING_LENGTH_KNOWN, PARTIAL_OUTGOING, FULL_OUTGOING', () => {
    expect(tx(card, '8044000003AABBCC')).toBe('80449000'); // the two bytes sent: CLA INS
    expect(tx(card, '8045000008')).toBe('00' + '02' + '02' + '03' + '04' + '05' + '06' + '03' + '9000');
  });

  it('PARTIAL_INCOMING when the data does not fit the APDU buffer (133 bytes)', () => {
    const small = probeCard(applet, { apduBufferSize: 133 });
    expect(tx(small, '80440000C8' + pattern(200))).toBe('80449000');
    // 128 bytes first (133 - 5), state PARTIAL_INCOMING (1); FULL_INCOMING (2) once all is in
    expect(tx(small, '8045000008')).toBe('00' + '01' + '02' + '03' + '04' + '05' + '06' + '80' + '9000');
  });

  it('setOutgoingNoChaining() answers Ne and moves to OUTGOING', () => {
    expect(tx(card, '8051000004')).toBe('0003' + '0004' + '9000');
    expect(tx(card, '8051000000')).toBe('0003' + '0100' + '9000');
  });
});

describe('APDUException ILLEGAL_USE (reason 1)', () => {
  it('setOutgoingLength before setOutgoing', () => {
    expect(tx(card, '80400000')).toBe('6A51');
  });
  it('sendBytes beyond the setOutgoingLength count, in one call or two', () => {
    expect(tx(card, '80410203')).toBe('6A51');
    expect(tx(card, '80410202')).toBe('80419000');
    expect(tx(card, '80420403')).toBe('6A51');
    expect(tx(card, '80420402')).toBe('804280429000');
  });
  it('setIncomingAndReceive twice', () => {
    expect(tx(card, '8043000002AABB')).toBe('6A51');
  });
  it('setOutgoing twice; setOutgoingLength twice', () => {
    expect(tx(card, '80460000')).toBe('6A51');
    expect(tx(card, '80470000')).toBe('6A51');
  });
  it('sendBytes without setOutgoingLength', () => {
    expect(tx(card, '80480000')).toBe('6A51');
    expect(tx(card, '80480100')).toBe('6A51');
  });
  it('receiveBytes before setIncomingAndReceive', () => {
    expect(tx(card, '8049000002AABB')).toBe('6A51');
  });
  it('setIncomingAndReceive after setOutgoing', () => {
    expect(tx(card, '804A000002AABB')).toBe('6A51');
  });
  it('setOutgoingAndSend after setOutgoing', () => {
    expect(tx(card, '804D0000')).toBe('6A51');
  });
});

describe('APDUException BUFFER_BOUNDS (2), BAD_LENGTH (3), IO_ERROR (4)', () => {
  it('sendBytes past the end of the APDU buffer or at a negative offset: BUFFER_BOUNDS', () => {
    expect(tx(card, '804C0000')).toBe('804C9000');
    expect(tx(card, '804C0104')).toBe('6A52'); // 260 + 2 > 261
    expect(tx(card, '804CFFFF')).toBe('6A52');
  });
  it('setOutgoingLength negative, or above 256 for an applet without ExtendedLength: BAD_LENGTH', () => {
    expect(tx(card, '804B0000')).toBe('9000');
    expect(tx(card, '804B0101')).toBe('6A53');
    expect(tx(card, '804BFFFF')).toBe('6A53');
  });
  it('setIncomingAndReceive on a command without data: IO_ERROR (as the reference implementation)', () => {
    expect(tx(card, '804E0000')).toBe('6A54');
    expect(tx(card, '804E000010')).toBe('6A54');
  });
});

describe('incoming data', () => {
  it('setIncomingAndReceive answers the count; getIncomingLength = Lc; getOffsetCdata = 5', () => {
    expect(tx(card, '804E000003010203')).toBe('0003' + '0003' + '0005' + '9000');
    expect(tx(card, '804E000003010203' + '00')).toBe('0003' + '0003' + '0005' + '9000');
  });
  it('the APDU buffer is zeroed before each new command (APDU class description)', () => {
    expect(tx(card, '804E0000' + 'FF' + pattern(255, () => 0xee))).toBe('00FF00FF00059000');
    expect(tx(card, '8050' + '64' + '00')).toBe('009000'); // buf[100]
    expect(tx(card, '8050' + 'FE' + '00')).toBe('009000'); // buf[254]
  });
});

describe('sendBytesLong', () => {
  it('sends from an applet array; null: NullPointerException; out of bounds: ArrayIndexOutOfBoundsException', () => {
    tx(card, '8044000003AABBCC'); // st = 00 02 02 03 04 05 06 03
    expect(tx(card, '804F0000')).toBe('00029000');
    expect(tx(card, '804F0006')).toBe('06039000');
    expect(tx(card, '804F0007')).toBe('6A02');
    expect(tx(card, '804F0100')).toBe('6A03');
  });
});

