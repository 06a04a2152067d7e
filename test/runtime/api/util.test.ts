// javacard.framework.Util through the probe applet: arrayCopy / arrayCopyNonAtomic,
// arrayFill / arrayFillNonAtomic, arrayCompare, makeShort / getShort / setShort, with their
// return values, ArrayIndexOutOfBoundsException (6A02) and NullPointerException (6A03).

import { beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { pattern, tx } from '../helpers.ts';
import { cp, field, probeCard } from './probe.ts';

const TMP = 'byte[] tmp'; // 16 persistent bytes
const receive = `
				aload_1;
				invokevirtual ${cp('setIncomingAndReceive')};
				pop;`;
/** Pushes the short at command data offset i (data starts at buf[5]). */
const arg = (i: number) => `
				aload_2;
				bspush ${5 + 2 * i};
				invokestatic ${cp('getShort')};`;
/** Response: [return value (2)][tmp (16)]. Expects the return value on the stack. */
const answerTmp = `
				sstore_3;
				aload_2;
				sconst_0;
				sload_3;
				invokestatic ${cp('setShort')};
				pop;
				getfield_a_this ${field(TMP)};
				sconst_0;
				aload_2;
				sconst_2;
				bspush 16;
				invokestatic ${cp('arrayCopyNonAtomic')};
				pop;
				bspush 18;
				sreturn;`;
/** tmp[i] = i + 0x10 */
const resetTmp = `
				sconst_0;
				sstore_3;
			RL:	getfield_a_this ${field(TMP)};
				sload_3;
				sload_3;
				bspush 16;
				sadd;
				s2b;
				bastore;
				sinc 3 1;
				sload_3;
				bspush 16;
				if_scmplt RL;`;

/** copy(buf, 5 + 6 + srcOff, tmp, dstOff, len): data = srcOff dstOff len (shorts) then source bytes. */
const copyProbe = (ins: number, method: 'arrayCopy' | 'arrayCopyNonAtomic') => ({
  ins,
  code: `${receive}${resetTmp}
				aload_2;
				${arg(0)}
				bspush 11;
				sadd;
				getfield_a_this ${field(TMP)};
				${arg(1)}
				${arg(2)}
				invokestatic ${cp(method)};
				${answerTmp}`,
});

let card: Card;
beforeAll(() => {
  card = probeCard({
    fields: [TMP],
    init: `
				aload_0;
				bspush 16;
				newarray 11;
				putfield_a ${field(TMP)};`,
    probes: [
      copyProbe(0x10, 'arrayCopy'),
      copyProbe(0x11, 'arrayCopyNonAtomic'),
      // INS 12: copy inside tmp (overlapping): arrayCopy(tmp, srcOff, tmp, dstOff, len)
      {
        ins: 0x12,
        code: `${receive}${resetTmp}
				getfield_a_this ${field(TMP)};
				${arg(0)}
				getfield_a_this ${field(TMP)};
				${arg(1)}
				${arg(2)}
				invokestatic ${cp('arrayCopy')};
				${answerTmp}`,
      },
      // INS 13: arrayCopy with a null source (P1 = 0) or a null destination (P1 = 1)
      {
        ins: 0x13,
        code: `
				aload_2;
				bspush 2;
				baload;
				ifne NULLDST;
				aconst_null;
				sconst_0;
				aload_2;
				sconst_0;
				sconst_1;
				invokestatic ${cp('arrayCopy')};
				sreturn;
			NULLDST:	aload_2;
				sconst_0;
				aconst_null;
				sconst_0;
				sconst_1;
				invokestatic ${cp('arrayCopyNonAtomic')};
				sreturn;`,
      },
      // INS 14 / 15: arrayFill / arrayFillNonAtomic(tmp, off, len, value): data = off len value(short)
      ...(['arrayFill', 'arrayFillNonAtomic'] as const).map((m, i) => ({
        ins: 0x14 + i,
        code: `${receive}${resetTmp}
				getfield_a_this ${field(TMP)};
				${arg(0)}
				${arg(1)}
				${arg(2)}
				s2b;
				invokestatic ${cp(m)};
				${answerTmp}`,
      })),
      // INS 16: arrayCompare(buf, 5 + 4, buf, 5 + 4 + len, len) after data = [srcOffDelta][len] A B
      {
        ins: 0x16,
        code: `${receive}
				aload_2;
				bspush 9;
				aload_2;
				bspush 9;
				${arg(1)}
				sadd;
				${arg(0)}
				sadd;
				${arg(1)}
				invokestatic ${cp('arrayCompare')};
				sstore_3;
				aload_2;
				sconst_0;
				sload_3;
				bastore;
				sconst_1;
				sreturn;`,
      },
      // INS 17: arrayCompare with a null array (P1 = 0: source, 1: destination)
      {
        ins: 0x17,
        code: `
				aload_2;
				bspush 2;
				baload;
				ifne NULLDST;
				aconst_null;
				sconst_0;
				aload_2;
				sconst_0;
				sconst_1;
				invokestatic ${cp('arrayCompare')};
				sreturn;
			NULLDST:	aload_2;
				sconst_0;
				aconst_null;
				sconst_0;
				sconst_1;
				invokestatic ${cp('arrayCompare')};
				sreturn;`,
      },
      // INS 18: makeShort(P1, P2) -> 2 bytes
      {
        ins: 0x18,
        code: `
				aload_2;
				sconst_2;
				baload;
				aload_2;
				sconst_3;
				baload;
				invokestatic ${cp('makeShort')};
				sstore_3;
				aload_2;
				sconst_0;
				sload_3;
				invokestatic ${cp('setShort')};
				pop;
				sconst_2;
				sreturn;`,
      },
      // INS 19: setShort(tmp, off, value) then getShort(tmp, off): data = off value; answers
      // [setShort's return (2)][getShort (2)][tmp (16)]
      {
        ins: 0x19,
        code: `${receive}${resetTmp}
				getfield_a_this ${field(TMP)};
				${arg(0)}
				${arg(1)}
				invokestatic ${cp('setShort')};
				sstore_3;
				getfield_a_this ${field(TMP)};
				${arg(0)}
				invokestatic ${cp('getShort')};
				sstore 4;
				aload_2;
				sconst_0;
				sload_3;
				invokestatic ${cp('setShort')};
				pop;
				aload_2;
				sconst_2;
				sload 4;
				invokestatic ${cp('setShort')};
				pop;
				getfield_a_this ${field(TMP)};
				sconst_0;
				aload_2;
				sconst_4;
				bspush 16;
				invokestatic ${cp('arrayCopyNonAtomic')};
				pop;
				bspush 20;
				sreturn;`,
      },
      // INS 1A: getShort(tmp, off) after resetting tmp: data = off
      {
        ins: 0x1a,
        code: `${receive}${resetTmp}
				getfield_a_this ${field(TMP)};
				${arg(0)}
				invokestatic ${cp('getShort')};
				sstore_3;
				aload_2;
				sconst_0;
				sload_3;
				invokestatic ${cp('setShort')};
				sreturn;`,
      },
    ],
  });
});

const s16 = (n: number): string => (n & 0xffff).toString(16).padStart(4, '0').toUpperCase();
const apdu = (ins: string, shorts: number[], extra = ''): string => {
  const data = shorts.map(s16).join('') + extra;
  return `80${ins}0000${(data.length / 2).toString(16).padStart(2, '0')}${data}`;
};
const TMP0 = pattern(16, (i) => i + 0x10);
/** tmp after writing `bytes` (hex) at `off` */
const tmpWith = (off: number, bytes: string): string => TMP0.slice(0, 2 * off) + bytes + TMP0.slice(2 * off + bytes.length);

describe.each([
  ['arrayCopy', '10'],
  ['arrayCopyNonAtomic', '11'],
])('Util.%s (INS %s)', (_name, ins) => {
  it('copies and returns dstOff + length', () => {
    expect(tx(card, apdu(ins, [0, 2, 4], 'AABBCCDD'))).toBe(s16(6) + tmpWith(2, 'AABBCCDD') + '9000');
    expect(tx(card, apdu(ins, [1, 12, 3], 'AABBCCDD'))).toBe(s16(15) + tmpWith(12, 'BBCCDD') + '9000');
  });
  it('copies up to the last byte of the destination', () => {
    expect(tx(card, apdu(ins, [0, 0, 16], pattern(16, (i) => 0xa0 + i)))).toBe(s16(16) + pattern(16, (i) => 0xa0 + i) + '9000');
  });
  it('length 0 copies nothing and returns dstOff', () => {
    expect(tx(card, apdu(ins, [0, 16, 0], 'AA'))).toBe(s16(16) + TMP0 + '9000');
  });
  it('negative length: ArrayIndexOutOfBoundsException', () => {
    expect(tx(card, apdu(ins, [0, 0, -1], 'AA'))).toBe('6A02');
  });
  it('negative offsets: ArrayIndexOutOfBoundsException, destination untouched', () => {
    expect(tx(card, apdu(ins, [-12, 0, 1], 'AA'))).toBe('6A02'); // source offset 11 - 12 = -1
    expect(tx(card, apdu(ins, [0, -1, 2], 'AABB'))).toBe('6A02');
    expect(tx(card, apdu(ins, [0, 0, 0]))).toBe(s16(0) + TMP0 + '9000');
  });
  it('past the end of either array: ArrayIndexOutOfBoundsException', () => {
    expect(tx(card, apdu(ins, [0, 15, 2], 'AABB'))).toBe('6A02'); // destination
    expect(tx(card, apdu(ins, [0, 0, 4], 'AABB')).slice(-4)).toBe('9000'); // source is the APDU buffer: 4 bytes are there
    expect(tx(card, apdu(ins, [0x7fff, 0, 1], 'AA'))).toBe('6A02'); // source offset far beyond
  });
});

describe('Util.arrayCopy', () => {
  it('null source or destination: NullPointerException', () => {
    expect(tx(card, '80130000')).toBe('6A03');
    expect(tx(card, '80130100')).toBe('6A03');
  });
  it('overlapping copy inside one array behaves as if through a temporary copy', () => {
    // forwards: tmp[2..10) <- tmp[0..8)
    expect(tx(card, apdu('12', [0, 2, 8]))).toBe(s16(10) + tmpWith(2, TMP0.slice(0, 16)) + '9000');
    // backwards: tmp[0..8) <- tmp[2..10)
    expect(tx(card, apdu('12', [2, 0, 8]))).toBe(s16(8) + tmpWith(0, TMP0.slice(4, 20)) + '9000');
  });
});

describe.each([
  ['arrayFill', '14'],
  ['arrayFillNonAtomic', '15'],
])('Util.%s (INS %s)', (_name, ins) => {
  it('fills and returns off + length', () => {
    expect(tx(card, apdu(ins, [3, 4, 0x5a]))).toBe(s16(7) + tmpWith(3, '5A5A5A5A') + '9000');
    expect(tx(card, apdu(ins, [0, 16, 0xff]))).toBe(s16(16) + 'FF'.repeat(16) + '9000');
    expect(tx(card, apdu(ins, [16, 0, 1]))).toBe(s16(16) + TMP0 + '9000');
  });
  it('out of bounds or negative: ArrayIndexOutOfBoundsException', () => {
    expect(tx(card, apdu(ins, [0, -1, 1]))).toBe('6A02');
    expect(tx(card, apdu(ins, [-1, 2, 1]))).toBe('6A02');
    expect(tx(card, apdu(ins, [15, 2, 1]))).toBe('6A02');
  });
});

describe('Util.arrayCompare (INS 16)', () => {
  const cmp = (a: string, b: string, delta = 0, len = a.length / 2): string => tx(card, apdu('16', [delta, len], a + b));
  it('equal: 0; the first differing byte decides', () => {
    expect(cmp('01020304', '01020304')).toBe('009000');
    expect(cmp('01020304', '01020305')).toBe('FF9000');
    expect(cmp('01030304', '01020304')).toBe('019000');
  });
  it('bytes compare as signed values (80 < 01), as the reference implementation does', () => {
    expect(cmp('80', '01')).toBe('FF9000');
    expect(cmp('01', '80')).toBe('019000');
    expect(cmp('FF', '00')).toBe('FF9000');
  });
  it('length 0: equal', () => {
    expect(cmp('', '', 0, 0)).toBe('009000');
  });
  it('negative length or out of bounds: ArrayIndexOutOfBoundsException', () => {
    expect(cmp('01', '01', 0, -1)).toBe('6A02');
    expect(cmp('01', '01', 300, 1)).toBe('6A02');
  });
  it('null arrays: NullPointerException', () => {
    expect(tx(card, '80170000')).toBe('6A03');
    expect(tx(card, '80170100')).toBe('6A03');
  });
});

describe('Util.makeShort, getShort, setShort', () => {
  it('makeShort(hi, lo) does not sign-extend the low byte', () => {
    expect(tx(card, '80181234')).toBe('12349000');
    expect(tx(card, '801800FF')).toBe('00FF9000');
    expect(tx(card, '8018FF80')).toBe('FF809000');
    expect(tx(card, '80188000')).toBe('80009000');
  });
  it('setShort writes big-endian and returns off + 2; getShort reads it back', () => {
    expect(tx(card, apdu('19', [0, 0x1234]))).toBe('0002' + '1234' + tmpWith(0, '1234') + '9000');
    expect(tx(card, apdu('19', [7, -2]))).toBe('0009' + 'FFFE' + tmpWith(7, 'FFFE') + '9000');
    expect(tx(card, apdu('19', [14, 0x8000]))).toBe('0010' + '8000' + tmpWith(14, '8000') + '9000');
  });
  it('getShort reads 2 bytes big-endian at any offset', () => {
    expect(tx(card, apdu('1A', [0]))).toBe('10119000');
    expect(tx(card, apdu('1A', [3]))).toBe('13149000');
    expect(tx(card, apdu('1A', [14]))).toBe('1E1F9000');
  });
  it('out of bounds: ArrayIndexOutOfBoundsException', () => {
    expect(tx(card, apdu('19', [15, 1]))).toBe('6A02');
    expect(tx(card, apdu('19', [-1, 1]))).toBe('6A02');
    expect(tx(card, apdu('1A', [15]))).toBe('6A02');
    expect(tx(card, apdu('1A', [16]))).toBe('6A02');
  });
});
