// Every conformance suite of the shared corpus, in both builds (suite.json: CAP 2.1 from the
// 3.0.5 converter; suite-3.1.json: CAP 2.3), run on a fresh card per script exactly as the
// corpus README's "How to run a suite" describes. Suites that do not pass yet are listed in
// KNOWN_FAILING with their issue, and the test checks that they still fail: a fix makes that
// test fail and asks for the suite to move to the passing list.
// Also: `jcvm cap dump` on every corpus CAP file.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../bin/jcvm.ts';
import { hex } from '../../loader/bytes.ts';
import { readCapPath } from '../../loader/cap/archive.ts';
import { runSuite, type SuiteResult } from '../../runtime/script/suite.ts';
import { makeSuiteCard } from '../../runtime/script/suite-card.ts';
import { CORPUS_DIR, corpusCapFiles, corpusSuites } from '../corpus.ts';

/** Suites that pass today; a regression in any of them fails the test. */
const PASSING = ['echo', 'arith', 'intops', 'objects', 'txn', 'lifecycle', 'apdu-ext', 'pin', 'bench', 'crypto', 'firewall'];

/** Suites that do not pass yet, with the issue that will make them pass. */
const KNOWN_FAILING: Record<string, string> = {};

const SUITE_FILES = ['suite.json', 'suite-3.1.json'];

/** One line per failing script: its name and the first differing line, or its error. */
function describeFailures(r: SuiteResult): string {
  return r.scripts
    .filter((s) => !s.passed)
    .map((s) => {
      const name = s.script.slice(s.script.lastIndexOf('/') + 1);
      if (s.error) return `${name}: ${s.error}`;
      const d = s.firstDiff!;
      return `${name}: line ${d.line} differs\n  expected: ${d.expected}\n  actual:   ${d.actual}`;
    })
    .join('\n');
}

describe('corpus suites', () => {
  it('every suite of suites.json is either passing or known to fail (and not both)', () => {
    const all = corpusSuites();
    expect([...PASSING, ...Object.keys(KNOWN_FAILING)].sort()).toEqual([...all].sort());
    expect(PASSING.filter((s) => s in KNOWN_FAILING)).toEqual([]);
  });

  for (const name of PASSING) {
    for (const file of SUITE_FILES) {
      it(`${name}/${file} passes`, async () => {
        const path = resolve(CORPUS_DIR, name, file);
        expect(existsSync(path), `${path} is missing`).toBe(true);
        const r = await runSuite(path, (s) => makeSuiteCard(s));
        expect(r.scripts.length).toBeGreaterThan(0);
        if (!r.passed) expect.fail(`${name}/${file} fails:\n${describeFailures(r)}`);
      });
    }
  }

  for (const [name, issue] of Object.entries(KNOWN_FAILING)) {
    for (const file of SUITE_FILES) {
      it(`${name}/${file} still fails (${issue})`, async () => {
        const r = await runSuite(resolve(CORPUS_DIR, name, file), (s) => makeSuiteCard(s));
        if (r.passed) {
          expect.fail(`${name}/${file} passes now: move '${name}' from KNOWN_FAILING to PASSING (${issue})`);
        }
        // It must fail on a line of the expected output, not before any APDU could run
        // (a loading or installation error would hide the suite's real state).
        const first = r.scripts.find((s) => !s.passed)!;
        expect(first.lines.length + (first.firstDiff ? 1 : 0), describeFailures(r)).toBeGreaterThan(0);
      });
    }
  }
});

describe('jcvm cap dump', () => {
  const caps = corpusCapFiles();

  it('finds the corpus CAP files', () => {
    expect(caps.length).toBeGreaterThanOrEqual(3 * 11);
  });

  for (const path of caps) {
    const rel = path.slice(CORPUS_DIR.length + 1);
    it(`dumps ${rel}`, async () => {
      const aid = hex((await readCapPath(path)).header.package.AID);
      const lines: string[] = [];
      const code = await main(['cap', 'dump', path], (s) => lines.push(s));
      expect(code).toBe(0);
      const text = lines.join('\n');
      expect(text.length).toBeGreaterThan(0);
      // The package AID as a whole token (not as the prefix of an applet AID), in whatever
      // byte spacing or case the dump prints it.
      const bytes = aid.match(/../g)!;
      const token = new RegExp(`(^|[^0-9A-F])${bytes.join('[ :]?')}($|[^0-9A-F:])`, 'im');
      expect(text, `the dump of ${rel} does not name package AID ${aid}`).toMatch(token);
    });
  }
});
