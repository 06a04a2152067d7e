import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedOutputPath, installData, readSuite, runSuite } from '../../runtime/script/suite.ts';
import type { ApduCard } from '../../runtime/script/types.ts';
import { CORPUS_DIR, corpusSuites } from '../corpus.ts';
import { cardFromExpected } from './fake-card.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

describe('readSuite', () => {
  const files = corpusSuites().flatMap((s) => [resolve(CORPUS_DIR, s, 'suite.json'), resolve(CORPUS_DIR, s, 'suite-3.1.json')]);
  it.each(files)('%s resolves every path', (file) => {
    const suite = readSuite(file);
    expect(suite.load.length).toBeGreaterThan(0);
    expect(suite.scripts.length).toBeGreaterThan(0);
    for (const cap of suite.load) expect(cap.startsWith(suite.dir + (file.endsWith('-3.1.json') ? '/cap-3.1/' : '/'))).toBe(true);
    for (const script of suite.scripts) expect(Object.keys(suite.apdus)).toContain(script.slice(suite.dir.length + 1));
  });
  it('decodes the install entries (firewall: two instances, lifecycle: params)', () => {
    const fw = readSuite(resolve(CORPUS_DIR, 'firewall/suite-3.1.json'));
    expect(fw.name).toBe('firewall');
    expect(fw.load.map((p) => p.slice(fw.dir.length + 1))).toEqual(['cap-3.1/fwlib.cap', 'cap-3.1/fwserver.cap', 'cap-3.1/fwclient.cap']);
    expect(fw.install.map((i) => [hex(i.packageAid), hex(i.appletAid), hex(i.instanceAid)])).toEqual([
      ['F04A43564D0720', 'F04A43564D072001', 'F04A43564D072001'],
      ['F04A43564D0730', 'F04A43564D073001', 'F04A43564D073001'],
    ]);
    const lc = readSuite(resolve(CORPUS_DIR, 'lifecycle/suite.json'));
    expect(lc.install.map((i) => [hex(i.instanceAid), hex(i.params)])).toEqual([
      ['F04A43564D0A81', '010203'],
      ['F04A43564D0A82', 'AABBCCDDEE'],
    ]);
    expect(lc.install[0]!.className).toMatch(/^conformance\.lifecycle\./);
    expect(readSuite(resolve(CORPUS_DIR, 'apdu-ext/suite.json')).requires).toEqual(['extended-length']);
  });
  it('refuses a suite naming a missing file or a bad AID, naming the suite file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'suite-'));
    const file = join(dir, 'suite.json');
    writeFileSync(file, JSON.stringify({ load: ['nope.cap'], install: [], scripts: [] }));
    expect(() => readSuite(file)).toThrow(`${file}: "load" names nope.cap, which does not exist`);
    writeFileSync(file, JSON.stringify({ load: [], install: [{ package: 'F0', applet: 'XYZ', instance: '' }], scripts: [] }));
    expect(() => readSuite(file)).toThrow(`${file}: install[0].applet: not an even-length hex string: "XYZ"`);
    writeFileSync(file, '{');
    expect(() => readSuite(file)).toThrow(`${file}: cannot read the suite`);
  });
});

describe('installData', () => {
  it('lays out [Li][instance AID][00][La][params]', () => {
    const aid = Uint8Array.from(Buffer.from('F04A43564D0A81', 'hex'));
    expect(hex(installData(aid, Uint8Array.of(1, 2, 3)))).toBe('07F04A43564D0A81' + '00' + '03' + '010203');
    expect(hex(installData(aid, new Uint8Array(0)))).toBe('07F04A43564D0A810000');
  });
  it('refuses an AID of the wrong size', () => {
    expect(() => installData(new Uint8Array(4), new Uint8Array(0))).toThrow('an instance AID has 5 to 16 bytes, not 4');
  });
});

describe('runSuite', () => {
  // The fake card knows which script is running from the order of makeCard calls.
  function fakeMaker(): (suite: ReturnType<typeof readSuite>) => Promise<ApduCard> {
    let n = 0;
    return async (suite) => cardFromExpected(readFileSync(expectedOutputPath(suite.scripts[n++]!), 'utf8'));
  }
  it.each(corpusSuites())('%s passes on a card that gives the expected answers', async (name) => {
    const result = await runSuite(resolve(CORPUS_DIR, name, 'suite.json'), fakeMaker());
    expect(result.scripts.map((s) => s.error)).toEqual(result.scripts.map(() => undefined));
    expect(result.passed).toBe(true);
  });
  it('gives a fresh card to each script and reports the first differing line', async () => {
    let cards = 0;
    const result = await runSuite(resolve(CORPUS_DIR, 'objects/suite.json'), async () => {
      cards++;
      return { powerOn: () => new Uint8Array(0), powerOff: () => {}, transmit: () => Uint8Array.of(0x6f, 0x00) };
    });
    expect(cards).toBe(2);
    expect(result.passed).toBe(false);
    const first = result.scripts[0]!;
    expect(first.script).toBe(resolve(CORPUS_DIR, 'objects/objects-classes.scr'));
    expect(first.firstDiff).toMatchObject({ line: 1, actual: expect.stringMatching(/SW1: 6f, SW2: 00$/) });
    expect(first.lines).toHaveLength(20);
  });
  it('records a card that throws as an error of that script, with the lines printed before', async () => {
    let sent = 0;
    const result = await runSuite(resolve(CORPUS_DIR, 'echo/suite.json'), async () => ({
      powerOn: () => new Uint8Array(0),
      powerOff: () => {},
      transmit: () => {
        if (++sent === 3) throw new Error('VM crashed');
        return Uint8Array.of(0x90, 0x00);
      },
    }));
    const [echo] = result.scripts;
    expect(echo).toMatchObject({ passed: false, error: 'echo.scr:13: VM crashed' });
    expect(echo!.lines).toHaveLength(2);
  });
});
