// The file system's defences: security states (reached by VERIFY / EXTERNAL AUTHENTICATE,
// checked before a command runs, kept for the MF and the current DF only, cleared at
// power-up and deselection), blocked secrets, the internal secret EF that nothing selects or
// reads, power loss at every write of VERIFY (issue 8, item 7: never a free try) and of
// UPDATE BINARY (all or nothing), object deletion and the card image.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Card } from '../../../runtime/card.ts';
import { loadFileSystem } from '../../../runtime/fs/personalise.ts';
import { PowerLoss } from '../../../runtime/memory/eeprom.ts';
import { tearScript } from '../../../runtime/memory/tearing.ts';
import { AID, corpusCard, install, select, tx } from '../helpers.ts';
import { fsCard, sample, SELECT_FS, send } from './fs-helpers.ts';

const triesOf = (card: Card, p2 = '01'): number => {
  const r = send(card, `00 20 00 ${p2}`);
  return r === '6983' ? 0 : parseInt(r.slice(3), 16);
};

describe('security states', () => {
  it('an EF whose read condition is the DF state needs the DF PIN, verified in that DF', () => {
    const card = fsCard();
    send(card, '00 A4 00 0C 02 5000');
    send(card, '00 A4 02 0C 02 5001');
    expect(send(card, '00 B2 01 04 00')).toBe('6982');
    expect(send(card, '00 20 00 01 04 31323334')).toBe('9000'); // the MF PIN: MF state 1, not the DF's
    expect(send(card, '00 B2 01 04 00')).toBe('6982');
    expect(send(card, '00 20 00 81 04 30303030')).toBe('9000');
    expect(send(card, '00 B2 01 04 02')).toBe('01019000');
  });

  it('the DF state is dropped when another DF becomes current; the MF state stays', () => {
    const card = fsCard();
    send(card, '00 20 00 01 04 31323334');
    send(card, '00 A4 08 0C 02 5000');
    send(card, '00 20 00 81 04 30303030');
    send(card, '00 A4 00 0C 02 5100'); // the child DF
    send(card, '00 A4 03 0C'); // back to 5000: its state is gone
    expect(send(card, '00 B2 01 0C 02')).toBe('6982');
    expect(send(card, '00 A4 02 0C 02 5002')).toBe('9000');
    expect(send(card, '00 B0 00 00 03')).toBe('C0FFEE9000'); // needs the MF state: still 1
  });

  it('a failed VERIFY sets the failure state (0): what the PIN opened is closed again', () => {
    const card = fsCard();
    send(card, '00 20 00 01 04 31323334');
    send(card, '00 A4 00 0C 02 2F01');
    expect(send(card, '00 B0 00 00 02')).toBe('4A6F9000');
    expect(send(card, '00 20 00 01 01 00')).toBe('63C2');
    expect(send(card, '00 B0 00 00 02')).toBe('6982');
  });

  it('states are cleared at power-up, and when the application is deselected', async () => {
    const card = await corpusCard([['echo', 'echo.cap']]);
    install(card, AID.echoPkg, AID.echo);
    loadFileSystem(card, sample());
    card.powerOn();
    send(card, SELECT_FS);
    send(card, '00 20 00 01 04 31323334');
    send(card, '00 A4 00 0C 02 2F01');
    expect(send(card, '00 B0 00 00 02')).toBe('4A6F9000');
    card.powerOff();
    card.powerOn();
    expect(send(card, '00 B0 00 00 02')).toBe('6999'); // nothing selected after power-up
    send(card, SELECT_FS);
    send(card, '00 A4 00 0C 02 2F01');
    expect(send(card, '00 B0 00 00 02')).toBe('6982');
    send(card, '00 20 00 01 04 31323334');
    expect(select(card, AID.echo)).toBe('9000'); // an applet's SELECT leaves the FS for the applet
    expect(tx(card, '8010000000').slice(-4)).toBe('9000'); // the echo applet answers
    expect(card.jcre.selectedNative).toBeNull();
    send(card, SELECT_FS);
    send(card, '00 A4 00 0C 02 2F01');
    expect(send(card, '00 B0 00 00 02')).toBe('6982');
  });
});

describe('blocked secrets', () => {
  it('a blocked PIN answers 6983, and stays blocked across power cycles', () => {
    const card = fsCard();
    for (let i = 0; i < 3; i++) send(card, '00 20 00 01 01 00');
    expect(send(card, '00 20 00 01 04 31323334')).toBe('6983');
    card.powerOff();
    card.powerOn();
    send(card, SELECT_FS);
    expect(send(card, '00 20 00 01 04 31323334')).toBe('6983');
    expect(send(card, '00 20 00 01')).toBe('6983');
  });

  it('a key blocked by wrong EXTERNAL AUTHENTICATEs is refused by INTERNAL AUTHENTICATE too (6983)', () => {
    const card = fsCard();
    for (let i = 0; i < 5; i++) {
      send(card, '00 84 00 00 10');
      send(card, '00 82 00 02 10 00000000000000000000000000000000');
    }
    expect(send(card, '00 88 00 02 10 00112233445566778899AABBCCDDEEFF')).toBe('6983');
    send(card, '00 84 00 00 10');
    expect(send(card, '00 82 00 02 10 00000000000000000000000000000000')).toBe('6983');
  });
});

describe('the internal secret EF', () => {
  it('no file identifier, path or short EF identifier reaches it, in the MF or a DF', () => {
    const card = fsCard();
    const known = new Set(['3F00', '2F00', '2F01', '5000', '5001', '5002', '5100', '5101']);
    for (const df of ['3F00', '5000']) {
      send(card, `00 A4 08 0C 02 ${df}`);
      for (let fid = 0; fid <= 0xffff; fid++) {
        const id = fid.toString(16).toUpperCase().padStart(4, '0');
        if (send(card, `00 A4 00 0C 02 ${id}`) === '9000') {
          expect(known.has(id)).toBe(true);
          send(card, `00 A4 08 0C 02 ${df}`);
        }
      }
      for (const p1 of ['02', '09']) expect(send(card, `00 A4 ${p1} 0C 02 FFFF`)).toBe('6A82');
      for (let sfi = 1; sfi <= 30; sfi++) {
        const r = send(card, `00 B0 ${(0x80 | sfi).toString(16).toUpperCase()} 00 00`);
        expect(['6A82', '6981', '6982'].includes(r.slice(-4)) || r.endsWith('9000')).toBe(true);
        if (r.endsWith('9000')) expect(r).not.toContain('31323334'); // never a PIN
      }
    }
    expect(send(card, '00 A4 08 0C 04 3F00 FFFF')).toBe('6A82');
  });
});

describe('power loss during VERIFY (issue 8, item 7)', () => {
  for (const [what, pin] of [['a wrong PIN', '31323335'], ['the right PIN', '31323334']] as const) {
    it(`${what}: torn at every write, the try counter after recovery is never above the counter before`, () => {
      const probe = fsCard();
      send(probe, '00 20 00 01 01 00'); // 2 tries left
      const w0 = probe.persistentWrites;
      send(probe, `00 20 00 01 04 ${pin}`);
      const writes = probe.persistentWrites - w0;
      expect(writes).toBe(pin === '31323334' ? 2 : 1);
      for (let t = 0; t < writes; t++) {
        const card = fsCard();
        send(card, '00 20 00 01 01 00');
        expect(triesOf(card)).toBe(2);
        card.tearAt(t);
        expect(() => send(card, `00 20 00 01 04 ${pin}`)).toThrow(PowerLoss);
        card.powerOn();
        send(card, SELECT_FS);
        const tries = triesOf(card);
        expect(tries).toBeLessThanOrEqual(2);
        // torn at the decrement itself: no comparison was made; torn later: the try is spent
        expect(tries).toBe(t === 0 ? 2 : 1);
        // and the security state is not kept across the power loss
        send(card, '00 A4 00 0C 02 2F01');
        expect(send(card, '00 B0 00 00 01')).toBe('6982');
      }
    });
  }

  it('a wrong EXTERNAL AUTHENTICATE torn at its write gives no free try either', () => {
    const card = fsCard();
    send(card, '00 84 00 00 10');
    card.tearAt(0);
    expect(() => send(card, '00 82 00 02 10 00000000000000000000000000000000')).toThrow(PowerLoss);
    card.powerOn();
    send(card, SELECT_FS);
    send(card, '00 84 00 00 10');
    expect(send(card, '00 82 00 02 10 00000000000000000000000000000000')).toBe('63C4');
  });
});

describe('power loss during UPDATE BINARY / RECORD', () => {
  it('every write index recovers to the old contents or the new, never a mix', () => {
    const probe = fsCard();
    send(probe, '00 A4 08 0C 04 5000 5100');
    send(probe, '00 A4 02 0C 02 5101');
    const w0 = probe.persistentWrites;
    expect(send(probe, '00 D6 00 00 04 01020304')).toBe('9000');
    const writes = probe.persistentWrites - w0;
    expect(writes).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (let t = 0; t < writes; t++) {
      const card = fsCard();
      send(card, '00 A4 08 0C 04 5000 5100');
      send(card, '00 A4 02 0C 02 5101');
      card.tearAt(t);
      expect(() => send(card, '00 D6 00 00 04 01020304')).toThrow(PowerLoss);
      card.powerOn();
      send(card, SELECT_FS);
      send(card, '00 A4 08 0C 04 5000 5100');
      send(card, '00 A4 02 0C 02 5101');
      const r = send(card, '00 B0 00 00 00');
      expect(['5A5A5A5A9000', '010203049000']).toContain(r);
      seen.add(r);
    }
    expect(seen.has('5A5A5A5A9000')).toBe(true);
  });
});

describe('the file system in card memory', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('survives a card image round trip: contents and try counters', () => {
    dir = mkdtempSync(join(tmpdir(), 'jcvm-fs-'));
    const file = join(dir, 'fs.card');
    const a = new Card({ cardFile: file });
    loadFileSystem(a, sample());
    a.powerOn();
    send(a, SELECT_FS);
    send(a, '00 20 00 01 01 00'); // 2 tries left
    send(a, '00 20 00 01 04 31323334');
    send(a, '00 A4 00 0C 02 2F01');
    send(a, '00 D6 00 00 03 4A414E');
    send(a, '00 20 00 01 01 00'); // 2 tries left again
    const b = new Card({ cardFile: file });
    b.powerOn();
    expect(send(b, SELECT_FS)).toBe('6F0A82013883023F008A01059000');
    expect(triesOf(b)).toBe(2);
    send(b, '00 20 00 01 04 31323334');
    send(b, '00 A4 00 0C 02 2F01');
    expect(send(b, '00 B0 00 00 04')).toBe('4A414E6E9000');
  });

  it('object deletion keeps it (a root of the collector), and a second load is refused', () => {
    const card = fsCard();
    expect(card.jcre.collectGarbage()).toBe(0);
    expect(send(card, '00 A4 00 0C 02 2F00')).toBe('9000');
    expect(send(card, '00 B0 00 00 02')).toBe('61109000');
    expect(() => loadFileSystem(card, sample())).toThrow(/already has a file system/);
  });

  it('without a file system the AID selects nothing (6A82); fileSystemAid sets the AID, null removes the application', () => {
    const bare = new Card();
    bare.powerOn();
    expect(send(bare, SELECT_FS)).toBe('6A82');
    const other = new Card({ fileSystemAid: Uint8Array.of(0xa0, 0, 0, 0, 0x99, 0x01) });
    loadFileSystem(other, sample());
    other.powerOn();
    expect(send(other, SELECT_FS)).toBe('6A82');
    expect(send(other, '00 A4 04 0C 06 A00000009901')).toBe('9000');
    const none = new Card({ fileSystemAid: null });
    expect(none.jcre.nativeApps).toHaveLength(0);
  });
});

describe('VERIFY under the tearing runner (runtime/memory/tearing.ts)', () => {
  // apdutool: the last byte is Le, 0x00 for none.
  const script = `powerup;
0x00 0xA4 0x04 0x0C 0x09 0xF0 0x4A 0x43 0x56 0x4D 0x46 0x53 0x00 0x01 0x00;
0x00 0x20 0x00 0x01 0x01 0x00 0x00;
0x00 0x20 0x00 0x01 0x04 0x31 0x32 0x33 0x35 0x00;
0x00 0x20 0x00 0x01 0x04 0x31 0x32 0x33 0x34 0x00;
`;
  const makeCard = async (): Promise<Card> => {
    const card = new Card();
    loadFileSystem(card, sample());
    return card;
  };

  it('a wrong PIN recovers to the state before (counter not yet written) or after (try spent); a right one may lose its try, never gain one', async () => {
    const rows = await tearScript(makeCard, script, 'verify.scr', [2, 3]);
    expect(rows[0]).toMatchObject({ writes: 1, before: [0], after: [], neither: [] });
    // the right PIN: decrement, then restore. Torn at the restore, the card keeps the spent
    // try (neither before nor after: one try fewer than before, the safe direction).
    expect(rows[1]).toMatchObject({ writes: 2, before: [0], after: [], neither: [1] });
  });
});
