// jcvm shell, fed lines as stdin would feed them.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runShell } from '../../bin/shell.ts';
import { Card } from '../../runtime/card.ts';
import { statusMeaning } from '../../runtime/status-words.ts';
import { CORPUS_DIR } from '../corpus.ts';

async function shell(card: Card, lines: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await runShell(card, { input: Readable.from(lines.map((l) => l + '\n')), out: (s) => out.push(s) });
  return { code, out };
}

const echoCap = join(CORPUS_DIR, 'echo', 'echo.cap');
const extCap = join(CORPUS_DIR, 'apdu-ext', 'apduext.cap');

describe('jcvm shell', () => {
  it('loads, installs, selects and sends APDUs in hex and apdutool syntax, explaining status words', async () => {
    const { code, out } = await shell(new Card(), [
      `load ${echoCap}`,
      'install F04A43564D0101',
      'list',
      'select F04A43564D0101',
      '80 20 03 00 03',
      '0x80 0x70 0x69 0x85 0x00 0x00;',
      '8099 0000',
      'quit',
      '80100000', // after quit: not read
    ]);
    expect(code).toBe(0);
    expect(out[0]).toBe("jcvm shell: a card in memory; ATR 3B 84 81 31 FE 45 6A 63 76 6D 9D; 'help' lists the commands");
    expect(out.slice(1)).toEqual([
      'loaded conformance/echo (AID F04A43564D01, version 1.0), applets F04A43564D0101',
      'installed conformance.echo.EchoApplet as F04A43564D0101',
      'package F04A43564D01 conformance/echo 1.0  applet classes F04A43564D0101',
      'applet  F04A43564D0101 conformance.echo.EchoApplet (package F04A43564D01)',
      '=> 00 A4 04 00 07 F0 4A 43 56 4D 01 01',
      '<= 90 00',
      '   9000 success (SW_NO_ERROR)',
      '=> 80 20 03 00 03',
      '<= 00 01 02 90 00',
      '   9000 success (SW_NO_ERROR)',
      '=> 80 70 69 85',
      '<= 69 85',
      '   6985 conditions of use not satisfied (SW_CONDITIONS_NOT_SATISFIED)',
      '=> 80 99 00 00',
      '<= 6D 00',
      '   6D00 instruction code not supported or invalid (SW_INS_NOT_SUPPORTED)',
    ]);
  });

  it('resets, traces, counts, reports memory and says what it did not understand', async () => {
    const card = new Card();
    const { code, out } = await shell(card, [
      `load ${echoCap}`,
      'install F04A43564D0101',
      'select F04A43564D0101',
      'reset',
      '80100000',
      'trace on',
      'stats on',
      'select F04A43564D0101',
      'trace off',
      'stats off',
      'frobnicate',
      '8010000',
      'mem',
      'help',
    ]);
    expect(code).toBe(1); // the two errors
    expect(out).toContain('reset; ATR 3B 84 81 31 FE 45 6A 63 76 6D 9D');
    expect(out).toContain('   6999 applet selection failed (SW_APPLET_SELECT_FAILED)');
    expect(out).toContain('conformance/echo/EchoApplet.method@67(L0.10;)V@6: return    stack=[]');
    expect(out.some((l) => /^ {3}\[4 bytecodes, 0 persistent writes, 0 transient writes, 0 objects, \d+\.\d\d ms\]$/.test(l))).toBe(true);
    expect(out).toContain("error: unknown command 'frobnicate' ('help' lists them)");
    expect(out).toContain("error: '8010000' has an odd number of hex digits");
    expect(out.some((l) => l.startsWith('persistent memory:'))).toBe(true);
    expect(out.some((l) => l.includes('\n  select <AID>'))).toBe(true);
    // trace off gives the JIT back
    expect(card.jcre.vm.stepFn).toBeNull();
    expect(card.jcre.vm.jit).toBe(true);
  });

  it("keeps apdutool's extended mode from line to line, and powers up and down", async () => {
    const card = new Card();
    const { out } = await shell(card, [
      `load ${extCap}`,
      'install F04A43564D0901',
      'powerdown;',
      'powerup;',
      '0x00 0xA4 0x04 0x00 0x07 0xF0 0x4A 0x43 0x56 0x4D 0x09 0x01 0x00;',
      'extended on;',
      '0x80 0x20 0x01 0x2C 0x00 0x00 0x01 0x2C;', // case 2E: 300 bytes
      'extended off;',
    ]);
    expect(out).toContain('powered down');
    expect(out).toContain('extended on');
    expect(out).toContain('=> 80 20 01 2C 00 01 2C');
    const resp = out[out.indexOf('=> 80 20 01 2C 00 01 2C') + 1]!;
    expect(resp.split(' ').length).toBe(1 + 302);
    expect(out.at(-1)).toBe('extended off');
  });

  it('keeps the card in its image file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jcvm-shell-')), 'card.jcard');
    const first = await shell(new Card({ cardFile: file }), [`load ${echoCap}`, 'install F04A43564D0101', 'select F04A43564D0101', '8030000002AABB']);
    expect(first.out.at(-1)).toBe(`card image saved to ${file}`);
    expect(existsSync(file)).toBe(true);
    const second = await shell(new Card({ cardFile: file }), ['list', 'select F04A43564D0101', '8032000000']);
    expect(second.out).toContain('applet  F04A43564D0101 conformance.echo.EchoApplet (package F04A43564D01)');
    expect(second.out).toContain('<= 00 02 AA BB 90 00');
  });
});

describe('status words', () => {
  it('names ISO 7816-4 classes and Java Card constants', () => {
    expect(statusMeaning(0x9000)).toBe('success (SW_NO_ERROR)');
    expect(statusMeaning(0x6a82)).toBe('file or application not found (SW_FILE_NOT_FOUND)');
    expect(statusMeaning(0x6110)).toMatch(/16 more byte/);
    expect(statusMeaning(0x6c00)).toMatch(/exactly 256 byte/);
    expect(statusMeaning(0x63c2)).toBe('warning: counter 2 (tries left)');
    expect(statusMeaning(0x6f00)).toMatch(/^no precise diagnosis/);
    expect(statusMeaning(0x1234)).toMatch(/application specific/);
  });
});
