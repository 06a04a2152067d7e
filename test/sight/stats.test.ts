// --stats (per-APDU figures) and --json output.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fromHex } from '../../loader/bytes.ts';
import { readPackageFile } from '../../loader/files.ts';
import { cli } from '../bin/cli.ts';
import { Card } from '../../runtime/card.ts';
import { measure } from '../../runtime/sight/stats.ts';
import { CORPUS_DIR } from '../corpus.ts';

const echoCap = join(CORPUS_DIR, 'echo', 'echo.cap');

describe('--stats', () => {
  it('counts the same bytecodes and transient writes with and without the JIT', async () => {
    const counts: number[][] = [];
    const transients: number[][] = [];
    for (const jit of [true, false]) {
      const card = new Card({ jit });
      card.load(await readPackageFile(join(CORPUS_DIR, 'bench', 'bench.cap')));
      card.install(fromHex('F04A43564D0B'), fromHex('F04A43564D0B01'));
      card.powerOn();
      const figures = ['00A4040007F04A43564D0B01', '80024E2002', '80010000', '8003003C02'].map((a) => measure(card, () => card.transmit(fromHex(a))).stats);
      counts.push(figures.map((f) => f.bytecodes));
      transients.push(figures.map((f) => f.transientWrites));
      // outside measure() nothing is counted
      const before = card.jcre.vm.transientWrites;
      card.transmit(fromHex('8003003C02'));
      expect(card.jcre.vm.transientWrites).toBe(before);
      expect(card.jcre.vm.countTransient).toBe(false);
    }
    expect(counts[0]).toEqual(counts[1]);
    expect(transients[0]).toEqual(transients[1]);
    expect(transients[0]![3]).toBeGreaterThan(0); // INS 03 works in a CLEAR_ON_RESET array
    expect(counts[0]![1]).toBeGreaterThan(600_000); // bench INS 02, n = 20000
  });

  it('prints bytecodes, persistent and transient writes, objects and time after each response', async () => {
    const r = await cli('run', echoCap, '--install', 'F04A43564D0101', '--stats', '--apdu', '00A4040007F04A43564D0101', '8030000002AABB');
    expect(r.code).toBe(0);
    expect(r.out.slice(-3, -1)).toEqual(['=> 80 30 00 00 02 AA BB', '<= 90 00']);
    // INS 30 stores the count and the kept bytes in the applet's persistent fields and array
    expect(r.out.at(-1)).toMatch(/^ {3}\[\d+ bytecodes, [1-9]\d* persistent writes, 1 transient writes, 0 objects, \d+\.\d\d ms\]$/); // the copy into its CLEAR_ON_DESELECT scratch array
  });

  it('tabulates a suite', async () => {
    const r = await cli('script', join(CORPUS_DIR, 'echo', 'suite.json'), '--stats');
    expect(r.code).toBe(0);
    const head = r.out.findIndex((l) => l.includes('bytecodes  p.writes  t.writes  objects'));
    expect(head).toBeGreaterThan(0);
    expect(r.out[head + 1]).toMatch(/^ {2}1 {2}00A40400 {2}9000 +\d+ +0 +\d+ +0 +\d+\.\d\d$/);
    expect(r.out.at(-1)).toMatch(/^total 20 +\d+ +14 +[1-9]\d* +0 +\d+\.\d\d$/);
  });
});

describe('--json', () => {
  it('run: setup, and each exchange with its status word and figures', async () => {
    const r = await cli('run', echoCap, '--install', 'F04A43564D0101', '--json', '--stats', '--apdu', '00A4040007F04A43564D0101', '80706A8800');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.join('\n'));
    expect(j.setup).toEqual(['loaded conformance/echo (AID F04A43564D01, version 1.0), applets F04A43564D0101', 'installed conformance.echo.EchoApplet as F04A43564D0101']);
    expect(j.exchanges[1]).toMatchObject({ command: '80706A8800', response: '6A88', status: '6A88 referenced data or reference data not found' });
    expect(j.exchanges[1].stats.bytecodes).toBeGreaterThan(0);
  });

  it('script and tear: results as data', async () => {
    const s = JSON.parse((await cli('script', join(CORPUS_DIR, 'echo', 'suite.json'), '--json')).out.join('\n'));
    expect(s).toMatchObject({ suite: 'echo', passed: true });
    expect(s.scripts[0].passed).toBe(true);
    const t = await cli('tear', join(CORPUS_DIR, 'txn', 'suite.json'), '--apdu', '1', '--json');
    const tj = JSON.parse(t.out.join('\n'));
    expect(tj.passed).toBe(true);
    expect(tj.rows[0].apdu).toBe(1);
  });
});
