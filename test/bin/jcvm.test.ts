// The command line: each command end to end, and bad input answered with one line and status 2.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli.ts';
import { CORPUS_DIR } from '../corpus.ts';

const echoCap = join(CORPUS_DIR, 'echo', 'echo.cap');

describe('jcvm run', () => {
  it('loads, installs and prints each command and response', async () => {
    const r = await cli('run', echoCap, '--install', 'F04A43564D0101', '--apdu', '00A4040007F04A43564D0101', '8020030003', '80990000');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'loaded conformance/echo (AID F04A43564D01, version 1.0), applets F04A43564D0101',
      'installed conformance.echo.EchoApplet as F04A43564D0101',
      '=> 00 A4 04 00 07 F0 4A 43 56 4D 01 01',
      '<= 90 00',
      '=> 80 20 03 00 03',
      '<= 00 01 02 90 00',
      '=> 80 99 00 00',
      '<= 6D 00',
    ]);
  });

  it('--protocol T=0 / T=1: the APDUs travel as TPDUs, --tpdu prints them', async () => {
    const t0 = await cli('run', echoCap, '--install', 'F04A43564D0101', '--protocol', 'T=0', '--tpdu', '--apdu', '00A4040007F04A43564D0101', '8040000002CAFE02');
    expect(t0.code).toBe(0);
    expect(t0.out.slice(2)).toEqual([
      '   ICC< 3B 04 6A 63 76 6D  ATR',
      '=> 00 A4 04 00 07 F0 4A 43 56 4D 01 01',
      '   IFD> 00 A4 04 00 07 F0 4A 43 56 4D 01 01',
      '   ICC< A4 90 00',
      '<= 90 00',
      '=> 80 40 00 00 02 CA FE 02',
      '   IFD> 80 40 00 00 02 CA FE',
      '   ICC< 40 61 02',
      '   IFD> 00 C0 00 00 02',
      '   ICC< C0 CA FE 90 00',
      '<= CA FE 90 00',
    ]);
    const t1 = await cli('run', echoCap, '--install', 'F04A43564D0101', '--protocol', 'T=1', '--apdu', '00A4040007F04A43564D0101', '8020030000');
    expect(t1.out.slice(2)).toEqual(['=> 00 A4 04 00 07 F0 4A 43 56 4D 01 01', '<= 90 00', '=> 80 20 03 00 00', '<= 00 01 02 90 00']);
    const t1log = await cli('run', echoCap, '--install', 'F04A43564D0101', '--protocol', 'T=1', '--tpdu', '--apdu', '80100000');
    expect(t1log.out.slice(2, 5)).toEqual(['   ICC< 3B 84 81 31 FE 45 6A 63 76 6D 9D  ATR', '   IFD> 00 C1 01 FE 3E  S(IFS request 254)', '   ICC< 00 E1 01 FE 1E  S(IFS response 254)']);
    const bad = await cli('run', echoCap, '--protocol', 'T=2');
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual(["jcvm: --protocol must be T=0 or T=1, not 'T=2'"]);
  });

  it('stops a runaway applet with the budget and says why', async () => {
    // bench INS 02 with n = 20000 runs about 620,000 bytecodes; INS 01 runs a handful
    const bench = join(CORPUS_DIR, 'bench', 'bench.cap');
    const r = await cli('run', bench, '--install', 'F04A43564D0B01', '--budget', '100000', '--apdu', '00A4040007F04A43564D0B01', '80024E2002', '80010000');
    expect(r.code).toBe(0);
    expect(r.out.slice(-5)).toEqual(['=> 80 02 4E 20 02', '<= 6F 00', '   (instruction budget exhausted)', '=> 80 01 00 00', '<= 90 00']);
  });

  it('reports an installation stopped by the budget as one line', async () => {
    const r = await cli('run', echoCap, '--install', 'F04A43564D0101', '--budget', '50');
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['jcvm: install() of F04A43564D0101 stopped: instruction budget exhausted']);
  });
});

describe('jcvm script', () => {
  it('passes a corpus suite and exits 0', async () => {
    const r = await cli('script', join(CORPUS_DIR, 'echo', 'suite.json'));
    expect(r.code).toBe(0);
    expect(r.out.at(-1)).toBe('PASS echo.scr');
  });

  it('reports the first differing line and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-'));
    const scr = join(dir, 'echo.scr');
    writeFileSync(scr, readFileSync(join(CORPUS_DIR, 'echo', 'echo.scr')));
    const expected = readFileSync(join(CORPUS_DIR, 'echo', 'echo.scr.expected.out'), 'utf8').split('\n');
    expected[1] = expected[1]!.replace('SW1: 90', 'SW1: 91');
    writeFileSync(scr + '.expected.out', expected.join('\n'));
    const r = await cli('script', scr, '--cap', echoCap, '--install', 'F04A43564D0101');
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL echo.scr: line 2 differs');
  });
});

describe('jcvm asm and cap dump', () => {
  it('assembles a sample applet and dumps the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-'));
    const cap = join(dir, 'hello.cap');
    const a = await cli('asm', 'applets/hello/hello.jca', '-o', cap);
    expect(a.code).toBe(0);
    const d = await cli('cap', 'dump', cap);
    expect(d.code).toBe(0);
    expect(d.out.join('\n')).toContain('F04A43564D5301');
  });
});

describe('jcvm tear and --tear-at', () => {
  it('tears each write of the chosen APDUs and reports PASS', async () => {
    const r = await cli('tear', join(CORPUS_DIR, 'txn', 'suite.json'), '--apdu', '3', '4');
    expect(r.code).toBe(0);
    expect(r.out[1]).toBe('APDU  writes  before  after  neither  command');
    expect(r.out.slice(2, 4).map((l) => l.trim().split(/\s+/)[0])).toEqual(['3', '4']);
    expect(r.out.at(-1)).toBe('PASS: every torn write recovered to the state before or after its APDU');
  });

  it('run --tear-at: the torn APDU has no response, the transaction is rolled back at power-up', async () => {
    const txn = join(CORPUS_DIR, 'txn', 'txn.cap');
    const r = await cli('run', txn, '--install', 'F04A43564D0501', '--tear-at', '5', '--apdu', '00A4040007F04A43564D0501', '800212340811223344556677880C', '00A4040007F04A43564D0501', '800100000C');
    expect(r.code).toBe(0);
    expect(r.out).toContain('=> 80 02 12 34 08 11 22 33 44 55 66 77 88 0C');
    expect(r.out.some((l) => /^!! power lost at persistent write \d+: no response; powering up again \(recovery\)$/.test(l))).toBe(true);
    expect(r.out.at(-1)).toBe('<= 00 00 00 00 00 00 00 00 00 00 01 00 90 00');
  });
});

describe('jcvm run and mem --card', () => {
  it('keeps the card in the image between runs; mem reports the saved card and its last session', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-'));
    const img = join(dir, 'card.img');
    const txn = join(CORPUS_DIR, 'txn', 'txn.cap');
    const first = await cli('run', '--card', img, txn, '--install', 'F04A43564D0501', '--apdu', '00A4040007F04A43564D0501', '800B0000');
    expect(first.code).toBe(0);
    expect(first.out[0]).toBe(`created card image ${img}`);
    expect(first.out.at(-1)).toBe('<= 00 01 90 00');
    // no CAP argument: the image already holds the package and the instance
    const second = await cli('run', '--card', img, '--apdu', '00A4040007F04A43564D0501', '800B0000', '800B0000');
    expect(second.code).toBe(0);
    expect(second.out[0]).toBe(`opened card image ${img}`);
    expect(second.out.slice(-2)).toEqual(['=> 80 0B 00 00', '<= 00 03 90 00']);
    const mem = await cli('mem', '--card', img);
    expect(mem.code).toBe(0);
    expect(mem.out.find((l) => l.startsWith('package conformance/txn (F04A43564D05)'))).toBeDefined();
    // the two counter increments of the last session, one persistent write each
    expect(mem.out.filter((l) => l.trim() === '800B0000: 1 writes')).toHaveLength(2);
    // loading the same package again is refused, and the image is unchanged
    const before = readFileSync(img);
    const again = await cli('run', '--card', img, txn);
    expect(again.code).toBe(2);
    expect(again.err[0]).toMatch(/already on the card/);
    expect(readFileSync(img).equals(before)).toBe(true);
  });

  it('refuses a corrupt image with one line and leaves it alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-'));
    const img = join(dir, 'card.img');
    writeFileSync(img, 'JCVMCARD but nothing after');
    const r = await cli('mem', '--card', img);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`jcvm: card image ${img}: not a jcvm card image (no JCVMCARD header)`]);
    expect(readFileSync(img, 'utf8')).toBe('JCVMCARD but nothing after');
  });
});

describe('jcvm cap jca', () => {
  it('disassembles a corpus CAP into JCA that assembles back to the same components', async () => {
    const r = await cli('cap', 'jca', echoCap);
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(/\.package conformance\/echo/);
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-'));
    writeFileSync(join(dir, 'echo.jca'), text);
    expect((await cli('asm', join(dir, 'echo.jca'), '-o', join(dir, 'echo.cap'))).code).toBe(0);
    const again = await cli('cap', 'dump', join(dir, 'echo.cap'));
    const orig = await cli('cap', 'dump', echoCap);
    // The dumps agree on every component; the applet.xml class name is not in the components
    // (the disassembler has to invent names), so that line is left out.
    const components = (lines: string[]): string[] => lines.join('\n').split('\n').slice(1).filter((l) => !l.startsWith('  applet F04A43564D0101 class'));
    expect(components(again.out)).toEqual(components(orig.out));
  });
});

describe('bad input: one line, status 2', () => {
  it.each([
    [['frobnicate'], "jcvm: unknown command 'frobnicate' (try: jcvm help)"],
    [['run', 'missing.cap'], 'jcvm: no such file: missing.cap'],
    [['run', echoCap, '--install', 'F04A43564D0199'], 'jcvm: no loaded package has an applet class with AID F04A43564D0199'],
    [['run', echoCap, '--apdu', 'XYZ'], "jcvm: APDU 'XYZ' is not hex"],
    [['run', echoCap, '--budget', '-3'], "jcvm: --budget must be a positive whole number, not '-3'"],
    [['run', echoCap, '--frob'], 'jcvm: unknown option --frob'],
    [['asm', 'applets/hello/hello.jca'], 'jcvm: usage: jcvm asm <file.jca> -o <file.cap>'],
  ])('%j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([message]);
  });

  it('a file that is not a CAP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-'));
    const bad = join(dir, 'bad.cap');
    writeFileSync(bad, 'PK\x03\x04 this is not a zip');
    const r = await cli('cap', 'dump', bad);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^jcvm: .*bad\.cap/);
  });
});
