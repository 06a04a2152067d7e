// Tearing (issue 3): every APDU of the corpus txn script, power lost at each of its persistent
// writes in turn, then powered up again: the persistent memory must equal the state before the
// APDU or the state after it, never anything in between.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../../loader/bytes.ts';
import type { CapFile } from '../../../loader/cap/components.ts';
import { readPackageFile } from '../../../loader/files.ts';
import { Card } from '../../../runtime/card.ts';
import { formatTearTable, tearScript } from '../../../runtime/memory/tearing.ts';
import { CORPUS_DIR } from '../../corpus.ts';

describe('tearing the txn suite', () => {
  it.each([['txn.cap'], ['cap-3.1/txn.cap']])('%s: every write index recovers to the state before or after the APDU', async (file) => {
    const cap: CapFile = await readPackageFile(join(CORPUS_DIR, 'txn', file));
    const makeCard = async (): Promise<Card> => {
      const card = new Card();
      card.load(cap);
      card.install(fromHex('F04A43564D05'), fromHex('F04A43564D0501'));
      return card;
    };
    const script = readFileSync(join(CORPUS_DIR, 'txn', 'txn.scr'), 'utf8');
    const rows = await tearScript(makeCard, script, 'txn.scr');
    console.log(`tearing ${file}\n` + formatTearTable(rows).join('\n'));
    expect(rows).toHaveLength(24);
    for (const r of rows) expect(r.neither, `APDU ${r.apdu} (${r.command})`).toEqual([]);
    // The scan really tore something. A committed transaction torn anywhere, even at its
    // commit write, recovers to the state before it (APDU 2); INS 06's non-atomic copy survives
    // the abort, so tears after it recover to the state after the APDU (APDU 7).
    expect(rows[2]!.writes).toBeGreaterThan(16);
    expect(rows[2]!.before).toHaveLength(rows[2]!.writes);
    expect(rows[7]!.before.length).toBeGreaterThan(0);
    expect(rows[7]!.after.length).toBeGreaterThan(0);
    expect(rows.reduce((n, r) => n + r.writes, 0)).toBeGreaterThan(60);
  }, 60_000);
});

describe('power loss', () => {
  it('a torn APDU gives no response, leaves the card off, and powerOn recovers', async () => {
    const card = new Card();
    card.load(await readPackageFile(join(CORPUS_DIR, 'txn', 'txn.cap')));
    card.install(fromHex('F04A43564D05'), fromHex('F04A43564D0501'));
    card.powerOn();
    card.transmit(fromHex('00A4040007F04A43564D0501'));
    const state = (): string => Buffer.from(card.transmit(fromHex('8001000000'))).toString('hex');
    const before = state();
    card.tearAt(5); // inside INS 02's transaction (8 element writes, a short and a reference)
    expect(() => card.transmit(fromHex('8002123408' + '0102030405060708'))).toThrow(/power lost at persistent write/);
    expect(card.isPowered).toBe(false);
    expect(() => card.transmit(fromHex('8001000000'))).toThrow(/not powered/);
    card.powerOn();
    card.transmit(fromHex('00A4040007F04A43564D0501'));
    expect(state()).toBe(before);
  });
});

describe('commit buffer', () => {
  it('a transaction bigger than the commit buffer: TransactionException BUFFER_FULL, nothing kept', async () => {
    // INS 02 journals 8 byte elements, a short and a reference: 3 entries of 7..8 bytes each
    // would fit in 64 bytes only partly. With 40 bytes it runs out.
    const card = new Card({ commitCapacity: 40 });
    card.load(await readPackageFile(join(CORPUS_DIR, 'txn', 'txn.cap')));
    card.install(fromHex('F04A43564D05'), fromHex('F04A43564D0501'));
    card.powerOn();
    card.transmit(fromHex('00A4040007F04A43564D0501'));
    const before = Buffer.from(card.transmit(fromHex('8001000000'))).toString('hex');
    // uncaught TransactionException: 6F00, and the JCRE aborts the transaction
    expect(Buffer.from(card.transmit(fromHex('8002123408' + '0102030405060708'))).toString('hex')).toBe('6f00');
    expect(Buffer.from(card.transmit(fromHex('8001000000'))).toString('hex')).toBe(before);
    const thrown = card.jcre.heap.objects.find((o) => o?.cls?.name === 'javacard/framework/TransactionException');
    expect(thrown?.native).toBe(3); // BUFFER_FULL
  });
});

describe('tearing an OwnerPIN check', () => {
  it('a power loss during a wrong PIN never gives a free try; a right PIN never costs one', async () => {
    const cap = await readPackageFile(join(CORPUS_DIR, 'pin', 'pin.cap'));
    for (const [pinData, label] of [['39393939', 'wrong'], ['31323334', 'right']] as const) {
      for (let t = 0; ; t++) {
        const card = new Card();
        card.load(cap);
        card.install(fromHex('F04A43564D06'), fromHex('F04A43564D0601'));
        card.powerOn();
        card.transmit(fromHex('00A4040007F04A43564D0601'));
        const tries = (): number => card.transmit(fromHex('8022000002'))[0]!;
        expect(tries()).toBe(3);
        card.tearAt(t);
        let torn = false;
        try {
          card.transmit(fromHex(`8020000004${pinData}`));
        } catch {
          torn = true;
        }
        if (!torn) break;
        card.powerOn();
        card.transmit(fromHex('00A4040007F04A43564D0601'));
        // Write 0 is the decrement, before the comparison: torn there, nothing happened (3).
        // Past it the try is spent (2): a wrong PIN has no more writes, and a right PIN's
        // only other write is the one that restores the counter, so tearing it leaves 2.
        expect(tries(), `${label} PIN torn at write ${t}`).toBe(t === 0 ? 3 : 2);
      }
    }
  });
});
