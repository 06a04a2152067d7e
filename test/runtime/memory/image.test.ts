// Card images on disk (issue 3, point 4): a card kept in a file survives across Card objects
// (and processes) with its packages, applets, objects and keys; the file is replaced
// atomically, refused with a clear error when corrupt or foreign, and left untouched then.
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Card } from '../../../runtime/card.ts';
import { Jcre } from '../../../runtime/jcre.ts';
import { CardImageError, captureDirectory, decodeImage, encodeImage, readImageFile, type CardDirectory } from '../../../runtime/memory/image.ts';
import { parseScript } from '../../../runtime/script/apdutool.ts';
import { runScript } from '../../../runtime/script/runner.ts';
import { makeSuiteCard } from '../../../runtime/script/suite-card.ts';
import { readSuite } from '../../../runtime/script/suite.ts';
import type { ApduCard } from '../../../runtime/script/types.ts';
import { CORPUS_DIR, corpusSuites } from '../../corpus.ts';
import { readPackageFile } from '../../../loader/files.ts';
import { AID, corpusCap, corpusCard, fromHex, install, select, tx } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'jcvm-image-'));
let n = 0;
const freshFile = (): string => join(dir, `card-${n++}.img`);

/**
 * A card that is reopened from its image file at every power-up, or (everyApdu) before every
 * APDU, replaying the last SELECT: a new process would see exactly this.
 */
class ReopenedCard implements ApduCard {
  private lastSelect: Uint8Array | null = null;
  reopened = 0;
  constructor(
    private card: Card,
    private readonly file: string,
    private readonly everyApdu: boolean,
  ) {}
  private reopen(): void {
    this.card = new Card({ cardFile: this.file });
    this.reopened++;
  }
  powerOn(): Uint8Array {
    this.reopen();
    this.lastSelect = null;
    return this.card.powerOn();
  }
  powerOff(): void {
    this.card.powerOff();
  }
  transmit(command: Uint8Array): Uint8Array {
    if (this.everyApdu) {
      this.reopen();
      this.card.powerOn();
      if (this.lastSelect) this.card.transmit(this.lastSelect);
    }
    if (command[1] === 0xa4 && command[2] === 0x04) this.lastSelect = command;
    return this.card.transmit(command);
  }
}

// Suites whose output does not depend on transient memory surviving between APDUs (txn, pin
// and lifecycle read CLEAR_ON_RESET data or the PIN's validated flag, which a power cycle clears).
const NO_TRANSIENT_STATE = new Set(['echo', 'arith', 'intops', 'objects', 'firewall', 'crypto', 'apdu-ext', 'bench']);

describe('a card reopened from its image', () => {
  const cases = corpusSuites().flatMap((s) => [[s, 'suite.json'] as const, [s, 'suite-3.1.json'] as const]);
  it.each(cases)('%s (%s): the same output when reopened at every power-up, and before every APDU where no transient state is read', async (name, suiteFile) => {
    const suite = readSuite(resolve(CORPUS_DIR, name, suiteFile));
    for (const script of suite.scripts) {
      const steps = parseScript(readFileSync(script, 'utf8'), script);
      const plain = runScript(await makeSuiteCard(suite), steps);
      const file = freshFile();
      const atPowerUp = new ReopenedCard(await makeSuiteCard(suite, { cardFile: file }), file, false);
      expect(runScript(atPowerUp, steps)).toEqual(plain);
      expect(atPowerUp.reopened).toBeGreaterThan(0);
      if (!NO_TRANSIENT_STATE.has(name)) continue;
      const file2 = freshFile();
      const everyApdu = new ReopenedCard(await makeSuiteCard(suite, { cardFile: file2 }), file2, true);
      expect(runScript(everyApdu, steps)).toEqual(plain);
    }
  }, 30_000);

  it('holds exactly the state saved: EEPROM bytes and directory are equal after reopening', async () => {
    const file = freshFile();
    const suite = readSuite(resolve(CORPUS_DIR, 'crypto', 'suite.json'));
    const card = await makeSuiteCard(suite, { cardFile: file });
    runScript(card, parseScript(readFileSync(suite.scripts[0]!, 'utf8'), 'crypto.scr'));
    const saved = readImageFile(file);
    const reopened = new Jcre({}, { ...saved, file });
    expect(JSON.stringify(captureDirectory(reopened, saved.directory.writesPerApdu))).toBe(JSON.stringify(captureDirectory(card.jcre, card.writesPerApdu)));
    expect(Buffer.from(reopened.memory.eeprom.bytes).equals(Buffer.from(card.jcre.memory.eeprom.bytes))).toBe(true);
    // keys, ciphers and signatures are among the objects carried over
    const records = saved.directory.objects.map((o) => (o[9] && typeof o[9] === 'object' && '$' in o[9] ? o[9].$ : null)).filter(Boolean);
    expect(records).toEqual(expect.arrayContaining(['KeyState', 'CipherState', 'SignatureState', 'DigestState']));
  });

  it('keeps the packages, applets and counters: a second Card on the file sees them', async () => {
    const file = freshFile();
    const a = await corpusCard([['txn', 'txn.cap']], { cardFile: file });
    install(a, 'F04A43564D05', 'F04A43564D0501');
    a.powerOn();
    select(a, 'F04A43564D0501');
    expect(tx(a, '80020102080102030405060708')).toBe('0102030405060708010202009000');
    expect(tx(a, '800B0000')).toBe('00019000');
    const b = new Card({ cardFile: file });
    expect(b.packages().map((p) => p.aid)).toEqual(['F04A43564D05']);
    expect(b.applets().map((x) => x.aid)).toEqual(['F04A43564D0501']);
    b.powerOn();
    select(b, 'F04A43564D0501');
    expect(tx(b, '80010000')).toBe('0102030405060708010202009000');
    expect(tx(b, '800B0000')).toBe('00029000');
    // a package loaded and an instance created after reopening are kept as well
    b.load(await readPackageFile(corpusCap('echo', 'echo.cap')));
    install(b, AID.echoPkg, AID.echo);
    const c = new Card({ cardFile: file });
    expect(c.applets().map((x) => x.aid)).toEqual(['F04A43564D0501', AID.echo]);
    c.powerOn();
    select(c, AID.echo);
    expect(tx(c, '8020030003')).toBe('0001029000');
    select(c, 'F04A43564D0501');
    expect(tx(c, '800B0000')).toBe('00039000');
  });

  it('is not rewritten by an APDU that changes nothing', async () => {
    const file = freshFile();
    const card = await corpusCard([['echo', 'echo.cap']], { cardFile: file });
    install(card, AID.echoPkg, AID.echo);
    card.powerOn();
    select(card, AID.echo);
    const before = statSync(file).ino;
    expect(tx(card, '8020030003')).toBe('0001029000');
    expect(statSync(file).ino).toBe(before); // a rewrite renames a new file over it
  });

  it('keeps a torn transaction, which the next power-up rolls back', async () => {
    const file = freshFile();
    const a = await corpusCard([['txn', 'txn.cap']], { cardFile: file });
    install(a, 'F04A43564D05', 'F04A43564D0501');
    a.powerOn();
    select(a, 'F04A43564D0501');
    const before = tx(a, '80010000');
    a.tearAt(5);
    expect(() => a.transmit(fromHex('80020102081111111111111111'))).toThrow(/power lost/);
    expect(readImageFile(file).directory.allocationLog).not.toBeNull();
    const b = new Card({ cardFile: file });
    b.powerOn();
    select(b, 'F04A43564D0501');
    expect(tx(b, '80010000')).toBe(before);
  });
});

describe('a corrupt or foreign image', () => {
  const makeImage = async (): Promise<string> => {
    const file = freshFile();
    const card = await corpusCard([['echo', 'echo.cap']], { cardFile: file });
    install(card, AID.echoPkg, AID.echo);
    return file;
  };

  /** Opening must fail with CardImageError matching `why`, and leave the file byte for byte as it was. */
  const refused = (file: string, why: RegExp): void => {
    const bytes = readFileSync(file);
    let error: unknown;
    try {
      new Card({ cardFile: file });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CardImageError);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toContain(file);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  };

  it.each([
    ['the header', 30],
    ['the EEPROM image', 40_000],
    ['the directory', -200],
    ['the checksum', -1],
  ])('a flipped byte in %s is refused (checksum)', async (_, at) => {
    const file = await makeImage();
    const bytes = readFileSync(file);
    const i = at < 0 ? bytes.length + at : at;
    bytes[i] = bytes[i]! ^ 0x01;
    writeFileSync(file, bytes);
    refused(file, /checksum mismatch/);
  });

  it('a truncated or extended file is refused', async () => {
    const file = await makeImage();
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, bytes.length - 1000));
    refused(file, /truncated or extended/);
    writeFileSync(file, Buffer.concat([bytes, Buffer.alloc(3)]));
    refused(file, /truncated or extended/);
  });

  it('a foreign file, an empty file and another format version are refused', async () => {
    const file = freshFile();
    writeFileSync(file, 'this is a text file, not a card\n'.repeat(10));
    refused(file, /not a jcvm card image/);
    writeFileSync(file, '');
    refused(file, /not a jcvm card image/);
    const image = await makeImage();
    const bytes = readFileSync(image);
    bytes.writeUInt16BE(99, 8);
    writeFileSync(image, bytes);
    refused(image, /image format 99; this jcvm reads format 1/);
  });

  /** An image whose checksum is right but whose directory was edited: each inconsistency is named. */
  const edited = async (edit: (d: CardDirectory, rt: Jcre) => void): Promise<string> => {
    const file = await makeImage();
    const saved = readImageFile(file);
    const rt = new Jcre({}, { ...saved, file });
    const d = captureDirectory(rt, []);
    edit(d, rt);
    writeFileSync(file, encodeImage(rt, JSON.stringify(d)));
    expect(() => decodeImage(readFileSync(file), file)).not.toThrow();
    return file;
  };

  it.each<[string, (d: CardDirectory, rt: Jcre) => void, RegExp]>([
    ['an object outside memory', (d) => (d.objects[3]![4] = 10_000_000), /object \d+: data at 10000000/],
    ['a repeated handle', (d) => d.objects.push(d.objects[0]!), /object \d+: bad or repeated handle/],
    ['an unknown class', (d) => (d.objects[2]![2] = 'javacard/framework/NoSuchClass'), /no API class javacard\/framework\/NoSuchClass/],
    ['an instance of the wrong size', (d) => (d.objects.find((o) => o[1] === 0 && o[5] > 0)![5] += 1), /cell\(s\)/],
    ['an applet whose object is gone', (d) => (d.applets[0]!.handle = 0x7000), /applet F04A43564D0101: handle 28672 names no object/],
    ['a native record of an unknown class', (d) => (d.objects[1]![9] = { $: 'Evil' }), /unknown native record class "Evil"/],
    ['a code block outside memory', (d) => (d.packages[0]!.code = [0x7fffff00, 10]), /package 0: code block \[2147483392,10\] is outside persistent memory/],
    ['a broken component in the code block', (d, rt) => (rt.memory.eeprom.bytes[d.packages[0]!.code[0]] = 99), /package 0: code: .*unknown component tag 99/],
  ])('%s is refused, naming where', async (_, edit, why) => {
    refused(await edited(edit), why);
  });

  it('leftover temporary files of a killed writer are not mistaken for the image', async () => {
    const file = await makeImage();
    writeFileSync(join(dir, `.${file.split('/').pop()}.999999.tmp`), 'half-written');
    const card = new Card({ cardFile: file });
    expect(card.applets()).toHaveLength(1);
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(dir).some((f) => f.includes('999999'))).toBe(false);
  });

  it('reopens an image after a package was deleted (handles freed above the highest live one)', async () => {
    const file = freshFile();
    const a = new Card({ cardFile: file });
    a.load(await readPackageFile(corpusCap('echo', 'echo.cap')));
    install(a, AID.echoPkg, AID.echo);
    a.powerOn();
    a.deleteApplet(fromHex(AID.echo));
    a.deletePackage(fromHex(AID.echoPkg));
    const b = new Card({ cardFile: file });
    expect(b.packages()).toEqual([]);
    b.load(await readPackageFile(corpusCap('echo', 'echo.cap')));
    install(b, AID.echoPkg, AID.echo);
    b.powerOn();
    expect(select(b, AID.echo)).toBe('9000');
  });
});
