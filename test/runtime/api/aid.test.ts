// javacard.framework.AID: the constructor's length check (SystemException ILLEGAL_VALUE, shown
// as 6A41), equals(Object), equals(byte[]...), partialEquals, RIDEquals, getBytes,
// getPartialBytes.

import { beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { tx } from '../helpers.ts';
import { cp, PROBE_AID, probeCard, type ProbeApplet } from './probe.ts';

const receive = `aload_1; invokevirtual ${cp('setIncomingAndReceive')}; sstore_3;`;
/** new AID(buf, 5, Lc) into local 4 */
const newAid = `new ${cp('aidClass')}; dup; aload_2; sconst_5; sload_3; invokespecial ${cp('aidInit')}; astore 4;`;
const put = (i: number, push: string) => `aload_2; bspush ${i}; ${push} bastore;`;
const me = `invokestatic ${cp('getAID')};`;

const applet: ProbeApplet = {
  probes: [
    // INS 60: new AID(data) -> getBytes at 0, returns the count
    { ins: 0x60, code: `${receive} ${newAid} aload 4; aload_2; sconst_0; invokevirtual ${cp('aidGetBytes')}; sreturn;` },
    // INS 61: new AID(data): [it.equals(getAID())][getAID().equals(it)][it.equals(null)][it.equals(buf)][it.equals(it)]
    {
      ins: 0x61,
      code: `${receive} ${newAid}
				${put(0, `aload 4; ${me} invokevirtual ${cp('aidEqualsObject')};`)}
				${put(1, `${me} aload 4; invokevirtual ${cp('aidEqualsObject')};`)}
				${put(2, `aload 4; aconst_null; invokevirtual ${cp('aidEqualsObject')};`)}
				${put(3, `aload 4; aload_2; invokevirtual ${cp('aidEqualsObject')};`)}
				${put(4, `aload 4; aload 4; invokevirtual ${cp('aidEqualsObject')};`)}
				sconst_5; sreturn;`,
    },
    // INS 62: getAID().equals(buf, 5, Lc), partialEquals(buf, 5, Lc); with P1 = 1 the array is null
    {
      ins: 0x62,
      code: `${receive}
				aload_2; astore 4;
				aload_2; sconst_2; baload; ifeq GO;
				aconst_null; astore 4;
			GO:	${put(0, `${me} aload 4; sconst_5; sload_3; invokevirtual ${cp('aidEquals')};`)}
				${put(1, `${me} aload 4; sconst_5; sload_3; invokevirtual ${cp('aidPartialEquals')};`)}
				sconst_2; sreturn;`,
    },
    // INS 63: getAID().RIDEquals(new AID(data))
    { ins: 0x63, code: `${receive} ${newAid} ${put(0, `${me} aload 4; invokevirtual ${cp('aidRIDEquals')};`)} sconst_1; sreturn;` },
    // INS 64: getAID().getPartialBytes(P1, buf, 1, P2) -> [count][bytes]
    {
      ins: 0x64,
      code: `${me} aload_2; sconst_2; baload; aload_2; sconst_1; aload_2; sconst_3; baload; invokevirtual ${cp('aidGetPartialBytes')}; sstore_3;
				aload_2; sconst_0; sload_3; bastore; sload_3; sconst_1; sadd; sreturn;`,
    },
    // INS 65: getAID().getBytes(buf, P1P2)
    { ins: 0x65, code: `${me} aload_2; aload_2; sconst_2; invokestatic ${cp('getShort')}; invokevirtual ${cp('aidGetBytes')}; pop; sconst_0; sreturn;` },
  ],
};

let card: Card;
beforeAll(() => {
  card = probeCard(applet);
});

const lc = (h: string): string => (h.length / 2).toString(16).padStart(2, '0');
const cmd = (ins: string, data: string, p1 = '00'): string => `80${ins}${p1}00${lc(data)}${data}`;

describe('new AID(bArray, offset, length)', () => {
  it('5 to 16 bytes', () => {
    expect(tx(card, cmd('60', 'F04A43564D'))).toBe('F04A43564D9000');
    const sixteen = 'F04A43564D0102030405060708090A0B';
    expect(tx(card, cmd('60', sixteen))).toBe(sixteen + '9000');
  });
  it('4 or 17 bytes: SystemException ILLEGAL_VALUE', () => {
    expect(tx(card, cmd('60', 'F04A4356'))).toBe('6A41');
    expect(tx(card, cmd('60', 'F04A43564D0102030405060708090A0B0C'))).toBe('6A41');
  });
});

describe('AID.equals(Object)', () => {
  it('same bytes in another AID object: true both ways; null and a byte array: false', () => {
    expect(tx(card, cmd('61', PROBE_AID))).toBe('0101000001' + '9000');
  });
  it('other bytes: false', () => {
    expect(tx(card, cmd('61', 'F04A43564D7F02'))).toBe('0000000001' + '9000');
    expect(tx(card, cmd('61', 'F04A43564D7F0100'))).toBe('0000000001' + '9000');
  });
});

describe('AID.equals(byte[]...) and partialEquals', () => {
  it('the whole AID: both true', () => {
    expect(tx(card, cmd('62', PROBE_AID))).toBe('01019000');
  });
  it('a prefix (the RID): partialEquals only', () => {
    expect(tx(card, cmd('62', 'F04A43564D'))).toBe('00019000');
  });
  it('longer than the AID, or different bytes: both false', () => {
    expect(tx(card, cmd('62', PROBE_AID + '00'))).toBe('00009000');
    expect(tx(card, cmd('62', 'F04A43564D7F02'))).toBe('00009000');
  });
  it('a null array: both false', () => {
    expect(tx(card, cmd('62', PROBE_AID, '01'))).toBe('00009000');
  });
});

describe('AID.RIDEquals', () => {
  it('compares the first 5 bytes only', () => {
    expect(tx(card, cmd('63', 'F04A43564D99'))).toBe('019000');
    expect(tx(card, cmd('63', 'F04A43564E7F01'))).toBe('009000');
  });
});

describe('AID.getBytes and getPartialBytes', () => {
  it('getPartialBytes(offset, dest, destOff, length): length 0 means up to the end', () => {
    expect(tx(card, '80640000')).toBe('07' + PROBE_AID + '9000');
    expect(tx(card, '80640500')).toBe('02' + '7F01' + '9000');
    expect(tx(card, '80640203')).toBe('03' + '43564D' + '9000');
    expect(tx(card, '80640010')).toBe('07' + PROBE_AID + '9000'); // more than there is: what is left
  });
  it('getBytes past the end of the destination: ArrayIndexOutOfBoundsException', () => {
    expect(tx(card, '80650000')).toBe('9000');
    expect(tx(card, '806500FE')).toBe('9000'); // 254 + 7 = 261: fits exactly
    expect(tx(card, '806500FF')).toBe('6A02'); // 255 + 7 > 261
    expect(tx(card, '8065FFFF')).toBe('6A02');
  });
});
