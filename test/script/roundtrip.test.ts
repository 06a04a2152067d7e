// For every corpus script: a card that answers from the expected output must make the runner
// print exactly that output. Proves parsing, wire encoding (checked by the fake card's own
// ISO 7816-4 decoder) and apdutool's line format on all scripts.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScript } from '../../runtime/script/apdutool.ts';
import { compareOutput, runScript, splitLines } from '../../runtime/script/runner.ts';
import { CORPUS_DIR, corpusSuites } from '../corpus.ts';
import { cardFromExpected } from './fake-card.ts';

interface Case {
  readonly suite: string;
  readonly script: string;
}

const suiteScripts: Case[] = corpusSuites().flatMap((suite) => {
  const json = JSON.parse(readFileSync(resolve(CORPUS_DIR, suite, 'suite.json'), 'utf8')) as { scripts: string[] };
  return json.scripts.map((script) => ({ suite, script }));
});
const installScripts: Case[] = corpusSuites()
  .filter((suite) => existsSync(resolve(CORPUS_DIR, suite, 'install-ri.scr')))
  .map((suite) => ({ suite, script: 'install-ri.scr' }));

function roundTrip({ suite, script }: Case): void {
  const path = resolve(CORPUS_DIR, suite, script);
  const expected = readFileSync(`${path}.expected.out`, 'utf8');
  const steps = parseScript(readFileSync(path, 'utf8'), script);
  const card = cardFromExpected(expected);
  const lines = runScript(card, steps);
  expect(lines).toEqual(splitLines(expected));
  expect(compareOutput(lines, expected)).toEqual({ ok: true });
  expect(card.remaining).toBe(0);
  expect(card.powerUps).toBe(steps.filter((s) => s.kind === 'powerup').length);
}

describe('corpus scripts round-trip through parse, encode, run and format', () => {
  // The corpus README says "270 APDUs in 14 scripts", but its suites list 13 scripts
  // (holding the 270 APDUs); count what is there so a lost suite does not go unnoticed.
  it('covers the 13 suite scripts', () => {
    expect(suiteScripts).toHaveLength(13);
  });
  it.each(suiteScripts)('$suite/$script', roundTrip);
});

describe('reference-installer sessions round-trip too', () => {
  it.each(installScripts)('$suite/$script', roundTrip);
});
