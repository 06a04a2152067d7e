// GPSystem.getCVM(CVM_GLOBAL_PIN) (issue 6 point 5): the card's global PIN, driven over APDUs
// by two instances of a probe applet importing org.globalplatform — one with the CVM
// Management privilege sets the PIN, the other verifies it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../loader/bytes.ts';
import { Card } from '../../../runtime/card.ts';
import { cvmCanonical, CvmFormat } from '../../../runtime/gp/cvm.ts';
import { AppState, Privilege } from '../../../runtime/gp/registry.ts';
import { cp, PROBE_AID, PROBE_PKG, probeCap, type ProbeApplet } from '../api/probe.ts';
import { select, tx } from '../helpers.ts';

const CVM = '.classRef 2.1;';
const GET_CVM = 'staticMethodRef 2.3.3(B)Lorg/globalplatform/CVM;;\n\t\t\t.descriptor\tLorg/globalplatform/CVM;\t2.1;';
const GLOBAL_PIN = 'bspush 17;';

/** update (token 5) or verify (token 10) of the command data, format P1; the result byte at buf[0]. */
const withData = (token: number): string => `
				aload_1;
				invokevirtual ${cp('setIncomingAndReceive')};
				sstore_3;
				aload_2;
				sconst_0;
				${GLOBAL_PIN}
				invokestatic @{${GET_CVM}};
				aload_2;
				sconst_5;
				sload_3;
				s2b;
				aload_2;
				sconst_2;
				baload;
				invokeinterface 5 @{${CVM}} ${token};
				${token === 10 ? 's2b;' : ''}
				bastore;
				sconst_1;
				sreturn;`;
/** A method of no argument but `this` (and P1 for setTryLimit) whose result goes to buf[0]. */
const call = (token: number, p1 = false): string =>
  `aload_2; sconst_0; ${GLOBAL_PIN} invokestatic @{${GET_CVM}}; ${p1 ? 'aload_2; sconst_2; baload; ' : ''}invokeinterface ${p1 ? 2 : 1} @{${CVM}} ${token}; bastore; sconst_1; sreturn;`;

const APPLET: ProbeApplet = {
  imports: ['0xA0:0x0:0x0:0x1:0x51:0x0 1.0;\t\t//org/globalplatform'],
  instanceAid: true,
  probes: [
    { ins: 0x90, code: withData(5), locals: 1, stack: 8 },
    { ins: 0x91, code: withData(10), locals: 1, stack: 8 },
    {
      ins: 0x92, // isActive, isSubmitted, isVerified, isBlocked, getTriesRemaining
      locals: 1,
      code: `${GLOBAL_PIN} invokestatic @{${GET_CVM}}; astore_3;
				${[0, 1, 2, 3, 4].map((i) => `aload_2; sconst_${i}; aload_3; invokeinterface 1 @{${CVM}} ${i}; bastore;`).join('\n\t\t\t\t')}
				sconst_5; sreturn;`,
    },
    { ins: 0x93, code: call(9, true), stack: 5 },
    { ins: 0x94, code: call(6) },
    { ins: 0x95, code: call(7) },
    { ins: 0x96, code: call(8) },
    {
      ins: 0x97, // getCVM(P1) != null
      code: `aload_2; sconst_0; aload_2; sconst_2; baload; invokestatic @{${GET_CVM}}; ifnull L0; sconst_1; goto L1; L0: sconst_0; L1: bastore; sconst_1; sreturn;`,
    },
  ],
};

const MANAGER = PROBE_AID;
const USER = PROBE_AID.slice(0, -2) + '02';

function cvmCard(cardFile?: string): Card {
  const card = new Card({ gp: true, ...(cardFile ? { cardFile } : {}) });
  card.load(probeCap(APPLET));
  for (const aid of [MANAGER, USER]) card.install(fromHex(PROBE_PKG), fromHex(PROBE_AID), fromHex(aid));
  const reg = card.cardManager!.registry;
  reg.setApp({ aid: fromHex(MANAGER), lifeCycle: AppState.SELECTABLE, privileges: Privilege.CVM_MANAGEMENT });
  reg.save();
  card.powerOn();
  return card;
}

const lc = (data: string): string => (data.length / 2).toString(16).padStart(2, '0').toUpperCase() + data;
const update = (card: Card, data: string, format: number = CvmFormat.ASCII) => tx(card, `8090${format.toString(16).padStart(2, '0')}00${lc(data)}`);
const verify = (card: Card, data: string, format: number = CvmFormat.ASCII) => tx(card, `8091${format.toString(16).padStart(2, '0')}00${lc(data)}`);
/** active submitted verified blocked tries, SW */
const status = (card: Card) => tx(card, '80920000');
const OK = '019000', NO = '009000', SUCCESS = '009000', FAILURE = 'FF9000';

describe('GPSystem.getCVM: the global PIN', () => {
  it('is there for CVM_GLOBAL_PIN only; inactive until a value is set', () => {
    const card = cvmCard();
    select(card, USER);
    expect(tx(card, '80971100')).toBe(OK);
    expect(tx(card, '80971200')).toBe(NO);
    expect(status(card)).toBe('0000000000' + '9000');
    expect(verify(card, '1234')).toBe(FAILURE);
  });

  it('a CVM Management applet sets it; another verifies it: tries, VALIDATED, INVALID_SUBMISSION, BLOCKED', () => {
    const card = cvmCard();
    select(card, USER);
    expect(update(card, '1234')).toBe(NO); // no CVM Management
    expect(tx(card, '80930500')).toBe(NO);
    expect(tx(card, '80960000')).toBe(NO);
    select(card, MANAGER);
    expect(update(card, '31323334')).toBe(OK);
    expect(status(card)).toBe('0100000003' + '9000'); // default try limit 3
    select(card, USER);
    expect(verify(card, '31323334')).toBe(SUCCESS);
    expect(status(card)).toBe('0101010003' + '9000');
    // the same digits in BCD (F padded) compare equal; a wrong one counts
    expect(verify(card, '1234FF', CvmFormat.BCD)).toBe(SUCCESS);
    expect(verify(card, '31323335')).toBe(FAILURE);
    expect(status(card)).toBe('0101000002' + '9000'); // INVALID_SUBMISSION
    expect(verify(card, '12', CvmFormat.HEX)).toBe(FAILURE); // HEX 12 is not the digits 1234
    expect(tx(card, '80940000')).toBe(OK); // resetState: ACTIVE
    expect(status(card)).toBe('0100000001' + '9000');
    expect(verify(card, '31323334')).toBe(SUCCESS); // the counter back at the limit
    expect(status(card)).toBe('0101010003' + '9000');
    for (let i = 0; i < 3; i++) expect(verify(card, '39')).toBe(FAILURE);
    expect(status(card)).toBe('0100000100' + '9000'); // BLOCKED
    expect(verify(card, '31323334')).toBe(FAILURE);
    expect(tx(card, '80940000')).toBe(NO); // resetState cannot unblock
    expect(tx(card, '80960000')).toBe(NO); // nor can the user
    select(card, MANAGER);
    expect(tx(card, '80960000')).toBe(OK);
    expect(tx(card, '80930500')).toBe(OK); // setTryLimit(5)
    expect(tx(card, '80930000')).toBe(NO);
    select(card, USER);
    expect(status(card)).toBe('0100000005' + '9000');
    expect(tx(card, '80950000')).toBe(OK); // any applet may block it
    expect(status(card)).toBe('0100000105' + '9000');
    expect(verify(card, '31323334')).toBe(FAILURE);
    select(card, MANAGER);
    expect(update(card, '3132')).toBe(OK); // a new value does not unblock
    expect(status(card)).toBe('0100000105' + '9000');
    expect(update(card, '3A', CvmFormat.ASCII)).toBe(NO); // not digits
    expect(update(card, '1F2F', CvmFormat.BCD)).toBe(NO); // digit after padding
    expect(update(card, '31', 7)).toBe(NO); // no such format
    expect(tx(card, '80960000')).toBe(OK);
    select(card, USER);
    expect(verify(card, '3132')).toBe(SUCCESS);
  });

  it('verified state lasts the card session; the value and the counter survive power cycles and the card image', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-cvm-'));
    try {
      const file = join(dir, 'card.jcard');
      const card = cvmCard(file);
      select(card, MANAGER);
      expect(update(card, 'A1B2', CvmFormat.HEX)).toBe(OK);
      select(card, USER);
      expect(verify(card, 'A1B2', CvmFormat.HEX)).toBe(SUCCESS);
      expect(verify(card, 'A1B3', CvmFormat.HEX)).toBe(FAILURE);
      expect(verify(card, 'A1B2', CvmFormat.HEX)).toBe(SUCCESS);
      expect(status(card)).toBe('0101010003' + '9000');
      card.reset();
      select(card, USER);
      expect(status(card)).toBe('0100000003' + '9000'); // VALIDATED is over
      expect(verify(card, '00', CvmFormat.HEX)).toBe(FAILURE);
      const again = new Card({ gp: true, cardFile: file });
      again.powerOn();
      select(again, USER);
      expect(status(again)).toBe('0100000002' + '9000');
      expect(verify(again, 'A1B2', CvmFormat.HEX)).toBe(SUCCESS);
      expect(status(again)).toBe('0101010003' + '9000');
      again.reset(); // the session array, restored from the image, is cleared at reset too
      select(again, USER);
      expect(status(again)).toBe('0100000003' + '9000');
      select(again, MANAGER);
      expect(tx(again, '80950000')).toBe(OK);
      const third = new Card({ gp: true, cardFile: file });
      third.powerOn();
      select(third, USER);
      expect(status(third)).toBe('0100000103' + '9000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a wrong verify torn at every write: the counter after recovery is never above the counter before', () => {
    const card = cvmCard();
    select(card, MANAGER);
    expect(update(card, '31323334')).toBe(OK);
    select(card, USER);
    expect(verify(card, '30')).toBe(FAILURE); // 2 left
    const w0 = card.persistentWrites;
    expect(verify(card, '30')).toBe(FAILURE);
    const writes = card.persistentWrites - w0;
    expect(writes).toBe(1); // the decrement
    for (let t = 0; t < writes; t++) {
      select(card, MANAGER);
      expect(tx(card, '80960000')).toBe(OK); // 3
      select(card, USER);
      expect(verify(card, '30')).toBe(FAILURE); // 2
      card.tearAt(t);
      expect(() => verify(card, '30')).toThrow(/power/i);
      card.powerOn();
      select(card, USER);
      const tries = parseInt(status(card).slice(8, 10), 16);
      expect(tries).toBeLessThanOrEqual(2);
      expect(tries).toBe(t === 0 ? 2 : 1);
    }
  });

  it('formats: ASCII and BCD digits compare equal, HEX bytes only with HEX', () => {
    expect(cvmCanonical(Uint8Array.from([0x31, 0x32]), CvmFormat.ASCII)).toEqual({ kind: 0, bytes: Uint8Array.from([1, 2]) });
    expect(cvmCanonical(Uint8Array.from([0x12, 0xff]), CvmFormat.BCD)).toEqual({ kind: 0, bytes: Uint8Array.from([1, 2]) });
    expect(cvmCanonical(Uint8Array.from([0x1f]), CvmFormat.BCD)).toEqual({ kind: 0, bytes: Uint8Array.from([1]) });
    expect(cvmCanonical(Uint8Array.from([0x1a]), CvmFormat.BCD)).toBeNull();
    expect(cvmCanonical(Uint8Array.from([0x12]), CvmFormat.HEX)).toEqual({ kind: 1, bytes: Uint8Array.from([0x12]) });
    expect(cvmCanonical(Uint8Array.from([0x12]), 4)).toBeNull();
  });
});
