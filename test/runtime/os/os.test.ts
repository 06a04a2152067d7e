// The native OS core (issue 8, points 1 to 3): a chip from its manufacturing record to
// completion, the EEPROM size it recognises, the power-up self-test, the memory map and the
// EEPROM wear model.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LinkError } from '../../../loader/link.ts';
import { readPackageFile } from '../../../loader/files.ts';
import { Card, CardStateError } from '../../../runtime/card.ts';
import { Jcre } from '../../../runtime/jcre.ts';
import { PowerLoss, TABLE } from '../../../runtime/memory/eeprom.ts';
import { captureDirectory, encodeImage, readImageFile } from '../../../runtime/memory/image.ts';
import { authenticityHash, completionValue, DEFAULT_CHIP, type ManufacturingRecord } from '../../../runtime/os/manufacturing.ts';
import { COMPLETION_TRIES, OsState } from '../../../runtime/os/os.ts';
import { makeRom, ROM } from '../../../runtime/os/rom.ts';
import { Kind } from '../../../vm/types.ts';
import { HeapExhausted } from '../../../vm/heap.ts';
import { AID, corpusCap, fromHex, hex, install, select, tx } from '../helpers.ts';

const SERIAL = fromHex('0102030405060708');
const BATCH_KEY = fromHex('00112233445566778899AABBCCDDEEFF');
const chip: Partial<ManufacturingRecord> = { serial: SERIAL, batchKey: BATCH_KEY };
const record = (): ManufacturingRecord => ({ ...DEFAULT_CHIP, ...chip }) as ManufacturingRecord;

function newChip(): Card {
  const card = new Card({ chip, completed: false });
  card.powerOn();
  return card;
}
const completeApdu = (value: Uint8Array, chipSpecific = false): string => `8012${chipSpecific ? '01' : '00'}0010${hex(value)}`;

describe('manufacturing and completion', () => {
  it('a manufactured chip answers only the completion commands', async () => {
    const card = newChip();
    expect(card.os.state).toBe(OsState.Manufactured);
    expect(tx(card, '00A4040007F04A43564D0101')).toBe('6985');
    expect(tx(card, '80CA9F7F00')).toBe('6985');
    expect(() => card.load({} as never)).toThrow(CardStateError);
  });

  it('the authenticity check: the host recomputes the hash from the random, the batch key and the ROM', () => {
    const card = newChip();
    const random = randomBytes(16);
    const r = tx(card, `8010000010${hex(random)}00`);
    expect(r.slice(-4)).toBe('9000');
    const answer = fromHex(r.slice(0, -4));
    expect(hex(answer.subarray(32, 40))).toBe(hex(SERIAL));
    expect(hex(answer.subarray(0, 32))).toBe(hex(authenticityHash(random, record(), ROM)));
    // a different ROM (another OS build) or another batch key gives another hash
    expect(hex(answer.subarray(0, 32))).not.toBe(hex(authenticityHash(random, record(), makeRom('jcvm-os 1.0', new Uint8Array(32)))));
    expect(hex(answer.subarray(0, 32))).not.toBe(hex(authenticityHash(random, { ...record(), batchKey: new Uint8Array(16) }, ROM)));
  });

  it('completion with the batch value: the JCRE runs afterwards', async () => {
    const card = newChip();
    expect(tx(card, completeApdu(completionValue(ROM, record(), false)))).toBe('9000');
    expect(card.os.state).toBe(OsState.Completed);
    card.load(await readPackageFile(corpusCap('echo', 'echo.cap')));
    install(card, AID.echoPkg, AID.echo);
    expect(select(card, AID.echo)).toBe('9000');
  });

  it('a chip-specific value completes only its own chip', () => {
    const other = { ...record(), serial: fromHex('0102030405060709') };
    const card = newChip();
    expect(tx(card, completeApdu(completionValue(ROM, other, true), true))).toBe('63C2');
    // the batch value sent as a chip-specific one (and vice versa) is wrong too
    expect(tx(card, completeApdu(completionValue(ROM, record(), false), true))).toBe('63C1');
    expect(tx(card, completeApdu(completionValue(ROM, record(), true), true))).toBe('9000');
    expect(card.os.completionFailures).toBe(0);
  });

  it(`a foreign value is counted; after ${COMPLETION_TRIES} the chip refuses forever, across power cycles`, () => {
    const card = newChip();
    const foreign = completionValue(ROM, { ...record(), batchKey: new Uint8Array(16) }, false);
    expect(tx(card, completeApdu(foreign))).toBe('63C2');
    card.powerOn();
    expect(card.os.completionFailures).toBe(1); // persistent
    expect(tx(card, completeApdu(foreign))).toBe('63C1');
    expect(tx(card, completeApdu(foreign))).toBe('63C0');
    expect(card.os.state).toBe(OsState.Refused);
    expect(tx(card, completeApdu(completionValue(ROM, record(), false)))).toBe('6A81');
    card.powerOn();
    expect(tx(card, '8010000010' + '00'.repeat(16) + '00')).toBe('6A81');
  });

  it('power lost at any write of a wrong completion: never a free try, never a bricked chip', () => {
    const wrong = completeApdu(new Uint8Array(16));
    let tornAt = 0;
    for (let n = 0; ; n++) {
      const card = newChip();
      expect(tx(card, wrong)).toBe('63C2');
      card.tearAt(n);
      let torn = false;
      try {
        expect(tx(card, wrong)).toBe('63C1');
      } catch (e) {
        expect(e).toBeInstanceOf(PowerLoss);
        torn = true;
      }
      card.powerOn();
      expect(card.os.selfTestFailure).toBeNull();
      // Torn before the counter write: the chip never compared; after it: the try is spent.
      expect([1, 2]).toContain(card.os.completionFailures);
      if (!torn) break;
      tornAt++;
      // the right value still completes a torn chip
      expect(tx(card, completeApdu(completionValue(ROM, record(), false)))).toBe('9000');
    }
    expect(tornAt).toBeGreaterThanOrEqual(4); // journal entry, counter, CRC, commit
  });

  it('the manufacturing record is write-once', () => {
    const card = newChip();
    expect(() => card.os.manufacture(record())).toThrow(/write-once/);
  });

  it('completion survives in the card image; jcvm card complete does the same over APDUs', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jcvm-os-')), 'chip.img');
    const a = new Card({ cardFile: file, chip, completed: false });
    a.powerOn();
    expect(tx(a, completeApdu(completionValue(ROM, record(), true), true))).toBe('9000');
    const b = new Card({ cardFile: file });
    b.powerOn();
    expect(b.os.state).toBe(OsState.Completed);
    expect(b.os.record!.serial).toEqual(SERIAL);
  });
});

describe('hardware recognition: the OS lays out the EEPROM the record gives', () => {
  it.each([[4 * 1024], [64 * 1024], [1024 * 1024]])('%i bytes', (size) => {
    const card = new Card({ chip: { eepromSize: size } });
    card.powerOn();
    const report = card.memoryReport();
    expect(report.persistent.size).toBe(size);
    expect(card.os.record!.eepromSize).toBe(size);
    // the allocator's limit is the chip's: fill persistent memory with 64-byte arrays
    const heap = card.jcre.heap;
    let n = 0;
    try {
      for (;;) {
        heap.newArray(Kind.ByteArray, 60, 1);
        n++;
      }
    } catch (e) {
      expect(e).toBeInstanceOf(HeapExhausted);
    }
    expect(n * 64).toBeGreaterThan(report.persistent.free - 128);
    expect(n * 64).toBeLessThanOrEqual(report.persistent.free + 4);
  });

  it('a 1 KiB chip completes and runs, and refuses a package that does not fit with a LinkError', async () => {
    const card = new Card({ chip: { eepromSize: 1024 } });
    card.powerOn();
    expect(card.os.operational).toBe(true);
    expect(tx(card, '00A4040007F04A43564D0101')).toBe('6A82');
    const before = hex(card.jcre.memory.eeprom.bytes);
    await expect(async () => card.load(await readPackageFile(corpusCap('bench', 'bench.cap')))).rejects.toThrow(LinkError);
    expect(hex(card.jcre.memory.eeprom.bytes)).toBe(before);
  });
});

describe('power-up self-test', () => {
  const echoCard = async (options = {}): Promise<Card> => {
    const card = new Card(options);
    card.load(await readPackageFile(corpusCap('echo', 'echo.cap')));
    install(card, AID.echoPkg, AID.echo);
    card.powerOn();
    return card;
  };

  it.each([
    ['the EEPROM size', 8],
    ['the heap start', 20],
    ['the OS state', TABLE.osState],
    ['a reserved table byte', 40],
  ])('a flipped bit in the OS tables (%s) leaves the card answering only 6581', async (_, at) => {
    const card = await echoCard();
    card.jcre.memory.eeprom.bytes[at]! ^= 0x10;
    card.powerOn();
    expect(card.os.selfTestFailure).toMatch(/OS tables/);
    expect(select(card, AID.echo)).toBe('6581');
    expect(tx(card, '8020030003')).toBe('6581');
    expect(() => install(card, AID.echoPkg, AID.echo, 'F04A43564D0102')).toThrow(/self-test/);
  });

  it('a damaged manufacturing record or ROM fails the self-test too', async () => {
    const card = await echoCard();
    card.jcre.memory.eeprom.bytes[64 + 3]! ^= 1;
    card.powerOn();
    expect(card.os.selfTestFailure).toMatch(/manufacturing record/);
    const rom = makeRom();
    rom.content[5]! ^= 1;
    const bad = await echoCard({ rom });
    expect(bad.os.selfTestFailure).toMatch(/ROM/);
    expect(select(bad, AID.echo)).toBe('6581');
  });

  it('an image whose OS tables were altered (checksum made to match) opens, and fails its self-test', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jcvm-os-')), 'card.img');
    await echoCard({ cardFile: file });
    const saved = readImageFile(file);
    const rt = new Jcre({}, { ...saved, file });
    rt.memory.eeprom.bytes[TABLE.completionFailures] = 2;
    writeFileSync(file, encodeImage(rt, JSON.stringify(captureDirectory(rt, []))));
    const card = new Card({ cardFile: file });
    card.powerOn();
    expect(card.os.selfTestFailure).toMatch(/OS tables/);
    expect(select(card, AID.echo)).toBe('6581');
    expect(readFileSync(file).length).toBeGreaterThan(0);
  });
});

describe('memory map and EEPROM wear', () => {
  it('the map shows the fixed regions and the heap by kind; wear counts page programs', async () => {
    const card = new Card({ eepromWear: true });
    card.load(await readPackageFile(corpusCap('txn', 'txn.cap')));
    install(card, 'F04A43564D05', 'F04A43564D0501');
    card.powerOn();
    select(card, 'F04A43564D0501');
    const before = card.memoryReport().eeprom!;
    for (let i = 0; i < 10; i++) tx(card, '800B0000'); // counter++: one 2-byte write each
    const r = card.memoryReport();
    const names = r.map.regions.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['OS tables', 'manufacturing record', 'commit buffer', 'objects', 'application code', 'free']));
    expect(r.map.regions.find((x) => x.name === 'application code')!.bytes).toBeGreaterThan(1000);
    expect(r.map.regions.reduce((n, x) => n + x.bytes, 0)).toBe(r.persistent.size);
    expect(r.map.picture[0]).toMatch(/^\s+0 [JTMC]/);
    const w = r.eeprom!;
    expect(w.pagesProgrammed - before.pagesProgrammed).toBe(10);
    expect(w.bytesWritten - before.bytesWritten).toBe(20);
    expect(w.simulatedMs).toBeGreaterThan(before.simulatedMs);
    expect(w.mostWorn.find(([, n]) => n >= 10)).toBeDefined(); // the counter's page
    // A transaction of 8 element writes, a short and a reference (INS 02): each write and its
    // journal entry program a page, and the journal's state word twice and used count once.
    tx(card, '80021234081122334455667788');
    const t = card.memoryReport().eeprom!;
    expect(t.pagesProgrammed - w.pagesProgrammed).toBe(2 * 10 + 3);
  });

  it('a write through the barrier outside a transaction counts every page it spans (a native writing crypto output)', () => {
    const card = new Card({ eepromWear: true });
    const e = card.jcre.memory.eeprom;
    const pages = e.pagesProgrammed, bytes = e.bytesWritten;
    card.jcre.memory.beforeWrite(60, 8); // bytes 60-67: pages 0 and 1
    expect(e.pagesProgrammed - pages).toBe(2);
    expect(e.bytesWritten - bytes).toBe(8);
  });

  it('without the option the report has no wear (the model costs a few ns a write)', () => {
    const card = new Card();
    card.powerOn();
    expect(card.memoryReport().eeprom).toBeNull();
    expect(card.jcre.memory.eeprom.pagesProgrammed).toBe(0);
  });
});
