// javacard.framework.JCSystem: transient arrays (events, clearing on deselect and reset,
// isTransient), transactions (depth, TransactionException reasons, shown as 6A2r), getAID,
// lookupAID, isAppletActive, getVersion, getAvailableMemory. SystemException reason r is 6A4r.

import { beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { select, tx } from '../helpers.ts';
import { cp, field, PROBE_AID, probeCard, type ProbeApplet } from './probe.ts';

const COR = 'byte[] cor'; // CLEAR_ON_RESET
const COD = 'byte[] cod'; // CLEAR_ON_DESELECT
const P1 = 'aload_2; sconst_2; baload;';
const P2 = 'aload_2; sconst_3; baload;';
/** buf[i] = (byte) <value on the stack> ; expects the value pushed by `push` */
const put = (i: number, push: string) => `aload_2; bspush ${i}; ${push} bastore;`;
const ret = (n: number) => `bspush ${n}; sreturn;`;
const transient = (maker: Parameters<typeof cp>[0], lengthOf = 'arraylength;') => `
				${P2} ${P1} invokestatic ${cp(maker)}; astore_3;
				${put(0, `aload_3; invokestatic ${cp('isTransient')};`)}
				${put(1, `aload_3; ${lengthOf}`)}
				${ret(2)}`;

const applet: ProbeApplet = {
  fields: [COR, COD],
  init: `
				aload_0; sconst_4; sconst_1; invokestatic ${cp('makeTransientByteArray')}; putfield_a ${field(COR)};
				aload_0; sconst_4; sconst_2; invokestatic ${cp('makeTransientByteArray')}; putfield_a ${field(COD)};`,
  probes: [
    // INS 30-33: makeTransient{Byte,Short,Boolean,Object}Array(P2 length, P1 event) -> [isTransient][length]
    { ins: 0x30, code: transient('makeTransientByteArray') },
    { ins: 0x31, code: transient('makeTransientShortArray') },
    { ins: 0x32, code: transient('makeTransientBooleanArray') },
    { ins: 0x33, code: transient('makeTransientObjectArray') },
    // INS 34: isTransient of a persistent array, of null, of the applet
    {
      ins: 0x34,
      code: `
				${put(0, `sconst_2; newarray 11; invokestatic ${cp('isTransient')};`)}
				${put(1, `aconst_null; invokestatic ${cp('isTransient')};`)}
				${put(2, `aload_0; invokestatic ${cp('isTransient')};`)}
				${put(3, `getfield_a_this ${field(COR)}; invokestatic ${cp('isTransient')};`)}
				${put(4, `getfield_a_this ${field(COD)}; invokestatic ${cp('isTransient')};`)}
				${ret(5)}`,
    },
    // INS 35: cor[0] = P1, cod[0] = P2; INS 36: cor[0], cod[0]
    { ins: 0x35, code: `getfield_a_this ${field(COR)}; sconst_0; ${P1} bastore; getfield_a_this ${field(COD)}; sconst_0; ${P2} bastore; ${ret(0)}` },
    { ins: 0x36, code: `${put(0, `getfield_a_this ${field(COR)}; sconst_0; baload;`)} ${put(1, `getfield_a_this ${field(COD)}; sconst_0; baload;`)} ${ret(2)}` },
    // INS 37: beginTransaction twice; INS 38: commitTransaction; INS 39: abortTransaction
    { ins: 0x37, code: `invokestatic ${cp('beginTransaction')}; invokestatic ${cp('beginTransaction')}; ${ret(0)}` },
    { ins: 0x38, code: `invokestatic ${cp('commitTransaction')}; ${ret(0)}` },
    { ins: 0x39, code: `invokestatic ${cp('abortTransaction')}; ${ret(0)}` },
    // INS 3A: depth before, inside, after commit; inside again, after abort
    {
      ins: 0x3a,
      code: `
				${put(0, `invokestatic ${cp('getTransactionDepth')};`)}
				invokestatic ${cp('beginTransaction')};
				${put(1, `invokestatic ${cp('getTransactionDepth')};`)}
				invokestatic ${cp('commitTransaction')};
				${put(2, `invokestatic ${cp('getTransactionDepth')};`)}
				invokestatic ${cp('beginTransaction')};
				${put(3, `invokestatic ${cp('getTransactionDepth')};`)}
				invokestatic ${cp('abortTransaction')};
				${put(4, `invokestatic ${cp('getTransactionDepth')};`)}
				${ret(5)}`,
    },
    // INS 3B: beginTransaction, then return (P1 = 0) or throw ISOException 6A10 (P1 = 1)
    { ins: 0x3b, code: `invokestatic ${cp('beginTransaction')}; ${P1} ifeq RET; sspush 27152; invokestatic ${cp('throwIt')}; RET: ${ret(0)}` },
    // INS 3C: getTransactionDepth
    { ins: 0x3c, code: `${put(0, `invokestatic ${cp('getTransactionDepth')};`)} ${ret(1)}` },
    // INS 3D: [n][getAID bytes][lookupAID(those bytes) == getAID()][isAppletActive(getAID())]
    {
      ins: 0x3d,
      code: `
				invokestatic ${cp('getAID')}; astore_3;
				aload_3; aload_2; sconst_1; invokevirtual ${cp('aidGetBytes')}; sstore 4;
				${put(0, 'sload 4;')}
				sconst_0; sstore 5;
				aload_2; sconst_1; sload 4; invokestatic ${cp('lookupAID')}; aload_3; if_acmpne NOTSAME;
				sconst_1; sstore 5;
			NOTSAME:	aload_2; sload 4; sconst_1; sadd; sload 5; bastore;
				aload_3; invokestatic ${cp('isAppletActive')}; sstore 5;
				aload_2; sload 4; sconst_2; sadd; sload 5; bastore;
				sload 4; sconst_3; sadd; sreturn;`,
      locals: 4,
    },
    // INS 3E: lookupAID(data) -> 01 found / 00 null
    {
      ins: 0x3e,
      code: `aload_1; invokevirtual ${cp('setIncomingAndReceive')}; sstore_3;
				aload_2; sconst_5; sload_3; invokestatic ${cp('lookupAID')}; ifnull NONE;
				${put(0, 'sconst_1;')} ${ret(1)}
			NONE:	${put(0, 'sconst_0;')} ${ret(1)}`,
    },
    // INS 3F: getVersion; INS 40: getAvailableMemory(P1)
    { ins: 0x3f, code: `aload_2; sconst_0; invokestatic ${cp('getVersion')}; invokestatic ${cp('setShort')}; ${ret(2)}` },
    { ins: 0x40, code: `${P1} invokestatic ${cp('getAvailableMemory')}; pop; ${ret(0)}` },
  ],
};

let card: Card;
beforeEach(() => {
  card = probeCard(applet);
});

describe('JCSystem.makeTransient*Array', () => {
  it.each([
    ['Byte', '30'],
    ['Short', '31'],
    ['Boolean', '32'],
    ['Object', '33'],
  ])('makeTransient%sArray: CLEAR_ON_RESET (1) and CLEAR_ON_DESELECT (2)', (_kind, ins) => {
    expect(tx(card, `80${ins}0110`)).toBe('01109000');
    expect(tx(card, `80${ins}0205`)).toBe('02059000');
    expect(tx(card, `80${ins}0100`)).toBe('01009000');
  });

  it.each(['30', '31', '32', '33'])('INS %s: any other event is SystemException ILLEGAL_VALUE', (ins) => {
    expect(tx(card, `80${ins}0310`)).toBe('6A41');
    expect(tx(card, `80${ins}0010`)).toBe('6A41');
    expect(tx(card, `80${ins}FF10`)).toBe('6A41');
  });

  it.each(['30', '31', '32', '33'])('INS %s: a negative length is NegativeArraySizeException', (ins) => {
    expect(tx(card, `80${ins}01FF`)).toBe('6A05');
  });

  it('isTransient: NOT_A_TRANSIENT_OBJECT (0) for persistent objects and null', () => {
    expect(tx(card, '80340000')).toBe('00' + '00' + '00' + '01' + '02' + '9000');
  });
});

describe('transient memory is cleared', () => {
  it('CLEAR_ON_DESELECT on re-selection; CLEAR_ON_RESET is kept', () => {
    expect(tx(card, '80355AA5')).toBe('9000');
    expect(tx(card, '80360000')).toBe('5AA59000');
    expect(select(card, PROBE_AID)).toBe('9000');
    expect(tx(card, '80360000')).toBe('5A009000');
  });

  it('both on a power cycle', () => {
    tx(card, '80355AA5');
    card.powerOff();
    card.powerOn();
    select(card, PROBE_AID);
    expect(tx(card, '80360000')).toBe('00009000');
  });

  it('both on a reset', () => {
    tx(card, '80355AA5');
    card.reset();
    select(card, PROBE_AID);
    expect(tx(card, '80360000')).toBe('00009000');
  });
});

describe('transactions', () => {
  it('beginTransaction inside a transaction: TransactionException IN_PROGRESS', () => {
    expect(tx(card, '80370000')).toBe('6A21');
  });

  it('commit or abort without a transaction: TransactionException NOT_IN_PROGRESS', () => {
    expect(tx(card, '80380000')).toBe('6A22');
    expect(tx(card, '80390000')).toBe('6A22');
  });

  it('getTransactionDepth: 0, 1 inside, 0 after commit, 1, 0 after abort', () => {
    expect(tx(card, '803A0000')).toBe('00' + '01' + '00' + '01' + '00' + '9000');
  });

  // JCRE 3.1 7.6.2/7.6.3: a transaction still open when process() ends is aborted by the JCRE.
  it('a transaction left open by process() is aborted by the JCRE', () => {
    expect(tx(card, '803B0000')).toMatch(/^(9000|6F00)$/);
    expect(tx(card, '803C0000')).toBe('009000');
  });
  it('an uncaught exception inside a transaction aborts it', () => {
    expect(tx(card, '803B0100')).toBe('6A10');
    expect(tx(card, '803C0000')).toBe('009000');
  });
});

describe('applet identity', () => {
  it('getAID() names the instance; lookupAID of those bytes is the same object; isAppletActive', () => {
    expect(tx(card, '803D0000')).toBe('07' + 'F04A43564D7F01' + '01' + '01' + '9000');
  });

  it('lookupAID of an AID with no instance: null', () => {
    expect(tx(card, '803E000007F04A43564D7F01')).toBe('019000');
    expect(tx(card, '803E000007F04A43564D7F02')).toBe('009000');
    expect(tx(card, '803E000006F04A43564D7F')).toBe('009000'); // a prefix is not a match
  });

  it('getVersion: 3.1', () => {
    expect(tx(card, '803F0000')).toBe('03019000');
  });

  it('getAvailableMemory: MEMORY_TYPE_PERSISTENT (0), TRANSIENT_RESET (1), TRANSIENT_DESELECT (2); others ILLEGAL_VALUE', () => {
    expect(tx(card, '80400000')).toBe('9000');
    expect(tx(card, '80400100')).toBe('9000');
    expect(tx(card, '80400200')).toBe('9000');
    expect(tx(card, '80400300')).toBe('6A41');
  });
});
