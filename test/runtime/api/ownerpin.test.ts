// javacard.framework.OwnerPIN: try counter, blocking, validated flag, reset, resetAndUnblock,
// update, and PINException.ILLEGAL_VALUE (reason 1, reported by the probe as 6A61).

import { beforeEach, describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { select, tx } from '../helpers.ts';
import { cp, field, PROBE_AID, probeCard, type ProbeApplet } from './probe.ts';

const PIN = '0.9 pin';
const receive = `aload_1; invokevirtual ${cp('setIncomingAndReceive')}; pop;`;
const lc = `aload_2; sconst_4; baload;`;
/** Answers [tries remaining][isValidated] after the code before it. */
const status = `
				aload_2; sconst_0; getfield_a_this ${field(PIN)}; invokevirtual ${cp('pinGetTriesRemaining')}; bastore;
				aload_2; sconst_1; getfield_a_this ${field(PIN)}; invokevirtual ${cp('pinIsValidated')}; bastore;
				sconst_2; sreturn;`;

const applet: ProbeApplet = {
  fields: [PIN],
  // new OwnerPIN(3, 8); no PIN value yet
  init: `aload_0; new ${cp('pinClass')}; dup; sconst_3; bspush 8; invokespecial ${cp('pinInit')}; putfield_a ${field(PIN)};`,
  // deselect() resets the validated flag, as the corpus pin applet does
  deselect: `getfield_a_this ${field(PIN)}; invokevirtual ${cp('pinReset')}; return;`,
  probes: [
    // INS 20: update(data)
    { ins: 0x20, code: `${receive} getfield_a_this ${field(PIN)}; aload_2; sconst_5; ${lc} invokevirtual ${cp('pinUpdate')}; ${status}` },
    // INS 21: check(data) -> [result][tries][validated]
    {
      ins: 0x21,
      code: `${receive} getfield_a_this ${field(PIN)}; aload_2; sconst_5; ${lc} invokevirtual ${cp('pinCheck')}; sstore_3;
				aload_2; sconst_2; getfield_a_this ${field(PIN)}; invokevirtual ${cp('pinIsValidated')}; bastore;
				aload_2; sconst_1; getfield_a_this ${field(PIN)}; invokevirtual ${cp('pinGetTriesRemaining')}; bastore;
				aload_2; sconst_0; sload_3; bastore;
				sconst_3; sreturn;`,
    },
    // INS 22: status
    { ins: 0x22, code: status },
    // INS 23: reset()
    { ins: 0x23, code: `getfield_a_this ${field(PIN)}; invokevirtual ${cp('pinReset')}; ${status}` },
    // INS 24: resetAndUnblock()
    { ins: 0x24, code: `getfield_a_this ${field(PIN)}; invokevirtual ${cp('pinResetAndUnblock')}; ${status}` },
    // INS 25: new OwnerPIN(P1, P2) -> 9000 or PINException
    { ins: 0x25, code: `new ${cp('pinClass')}; dup; aload_2; sconst_2; baload; aload_2; sconst_3; baload; invokespecial ${cp('pinInit')}; pop; sconst_0; sreturn;` },
    // INS 26: check(null, 0, 1) -> NullPointerException expected ... and check(buf, P1P2 offset, Lc)
    {
      ins: 0x26,
      code: `${receive} getfield_a_this ${field(PIN)}; aload_2; aload_2; sconst_2; invokestatic ${cp('getShort')}; ${lc} invokevirtual ${cp('pinCheck')}; pop; ${status}`,
    },
  ],
};

let card: Card;
beforeEach(() => {
  card = probeCard(applet);
});

const update = (pin: string): string => tx(card, `80200000${(pin.length / 2).toString(16).padStart(2, '0')}${pin}`);
const check = (pin: string): string => tx(card, `80210000${(pin.length / 2).toString(16).padStart(2, '0')}${pin}`);
const statusOf = (): string => tx(card, '80220000');

describe('OwnerPIN(3, 8)', () => {
  it('update() sets the PIN, the try counter to the limit and clears the validated flag', () => {
    expect(statusOf()).toBe('03009000');
    expect(update('31323334')).toBe('03009000');
  });

  it('check: a wrong PIN decrements the counter; the right one validates and resets it', () => {
    update('31323334');
    expect(check('31323335')).toBe('0002009000');
    expect(check('313233')).toBe('0001009000'); // a prefix: wrong length
    expect(check('31323334')).toBe('0103019000');
    expect(statusOf()).toBe('03019000');
  });

  it('a failed check clears the validated flag', () => {
    update('31323334');
    expect(check('31323334')).toBe('0103019000');
    expect(check('00')).toBe('0002009000');
  });

  it('blocked at 0 tries: even the right PIN fails, and the counter stays 0', () => {
    update('31323334');
    expect(check('00')).toBe('0002009000');
    expect(check('00')).toBe('0001009000');
    expect(check('00')).toBe('0000009000');
    expect(check('31323334')).toBe('0000009000');
    expect(check('31323334')).toBe('0000009000');
    expect(statusOf()).toBe('00009000');
  });

  it('reset(): when validated, clears the flag and restores the counter; otherwise does nothing', () => {
    update('31323334');
    expect(check('00')).toBe('0002009000');
    expect(tx(card, '80230000')).toBe('02009000'); // not validated: counter unchanged
    expect(check('31323334')).toBe('0103019000');
    expect(tx(card, '80230000')).toBe('03009000');
  });

  it('reset() does not unblock a blocked PIN', () => {
    update('31323334');
    for (let i = 0; i < 3; i++) check('00');
    expect(tx(card, '80230000')).toBe('00009000');
  });

  it('resetAndUnblock(): counter to the limit, flag cleared, even when blocked', () => {
    update('31323334');
    for (let i = 0; i < 3; i++) check('00');
    expect(tx(card, '80240000')).toBe('03009000');
    expect(check('31323334')).toBe('0103019000');
    expect(tx(card, '80240000')).toBe('03009000');
  });

  it('update() of a blocked PIN unblocks it with the new value', () => {
    update('31323334');
    for (let i = 0; i < 3; i++) check('00');
    expect(update('3838')).toBe('03009000');
    expect(check('31323334')).toBe('0002009000');
    expect(check('3838')).toBe('0103019000');
  });

  it('update() with more than maxPINSize bytes: PINException ILLEGAL_VALUE; PIN unchanged', () => {
    update('31323334');
    expect(update('313233343536373839')).toBe('6A61');
    expect(update('3132333435363738')).toBe('03009000'); // 8 bytes: fine
    expect(check('3132333435363738')).toBe('0103019000');
  });

  it('the constructor refuses a try limit or a maximum size below 1: PINException ILLEGAL_VALUE', () => {
    expect(tx(card, '80250000')).toBe('6A61');
    expect(tx(card, '80250008')).toBe('6A61');
    expect(tx(card, '80250300')).toBe('6A61');
    expect(tx(card, '80250108')).toBe('9000');
  });

  it('check with a range outside the array: ArrayIndexOutOfBoundsException', () => {
    update('31323334');
    expect(tx(card, '8026' + '0104' + '04' + '31323334')).toBe('6A02'); // 260 + 4 > 261
  });

  it('the validated flag survives other commands but not deselection (the applet calls reset() in deselect())', () => {
    update('31323334');
    check('31323334');
    expect(statusOf()).toBe('03019000');
    expect(select(card, PROBE_AID)).toBe('9000'); // re-selection: deselect() then select()
    expect(statusOf()).toBe('03009000');
  });

  it('the try counter is persistent: a power cycle does not restore it', () => {
    update('31323334');
    check('00');
    card.powerOff();
    card.powerOn();
    select(card, PROBE_AID);
    expect(statusOf()).toBe('02009000');
  });
});

// Issue 8, item 7: the try counter is written before the comparison and restored only on
// success, so a power loss at any write of a check() never gives a free try.
describe('OwnerPIN.check under tearing', () => {
  const triesAfterRecovery = (): number => {
    card.powerOn();
    select(card, PROBE_AID);
    return parseInt(statusOf().slice(0, 2), 16);
  };

  for (const [what, pin] of [['a wrong PIN', '31323335'], ['the right PIN', '31323334']] as const) {
    it(`${what}: torn at every write, the counter after recovery is never above the counter before`, () => {
      update('31323334');
      check('00'); // 2 tries left
      const w0 = card.persistentWrites;
      const clean = check(pin);
      const writes = card.persistentWrites - w0;
      expect(writes).toBe(pin === '31323334' ? 2 : 1); // decrement (+ restore on success)
      // back to 2 tries, then tear at each write index in turn
      for (let t = 0; t < writes; t++) {
        tx(card, '80240000'); // resetAndUnblock: 3
        check('00'); // 2
        card.tearAt(t);
        expect(() => check(pin)).toThrow(/power/i);
        const tries = triesAfterRecovery();
        expect(tries).toBeLessThanOrEqual(2);
        // torn at the decrement itself: nothing was compared, nothing written (2); after it: 1
        expect(tries).toBe(t === 0 ? 2 : 1);
      }
      expect(clean.slice(0, 2)).toBe(pin === '31323334' ? '01' : '00');
    });
  }
});
