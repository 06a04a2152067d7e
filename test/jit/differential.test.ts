// The JIT against the interpreter on the whole corpus: every suite of suites.json, in both
// builds, makes the card print exactly the same lines with the JIT on as without (so every
// suite that passes with the interpreter passes with the JIT, and one that does not yet fails
// the same way); the suites that passed when the JIT was written must pass. The sample
// applets too. Both write persistent and transient memory as often. The bench applet's methods, the ones the benchmark times among them, must all
// have been compiled (none left to the interpreter).

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuite, type SuiteResult } from '../../runtime/script/suite.ts';
import { makeSuiteCard } from '../../runtime/script/suite-card.ts';
import { Card as CardClass, type Card } from '../../runtime/card.ts';
import { jitStats } from '../../vm/jit/index.ts';
import { CORPUS_DIR, corpusSuites, REPO_ROOT } from '../corpus.ts';

/** Suites that passed with the interpreter when the JIT was written: they must pass with it. */
const PASSING = ['echo', 'arith', 'intops', 'objects', 'lifecycle', 'apdu-ext', 'pin', 'bench', 'firewall'];
const SUITE_FILES = ['suite.json', 'suite-3.1.json'];

async function run(name: string, file: string, jit: boolean): Promise<{ result: SuiteResult; cards: Card[] }> {
  const cards: Card[] = [];
  const result = await runSuite(resolve(CORPUS_DIR, name, file), async (s) => {
    const card = await makeSuiteCard(s, { jit });
    card.jcre.vm.countTransient = true; // jcvm --stats: transient stores counted alike
    cards.push(card);
    return card;
  });
  return { result, cards };
}

function failures(r: SuiteResult): string {
  return r.scripts
    .filter((s) => !s.passed)
    .map((s) => `${s.script.slice(s.script.lastIndexOf('/') + 1)}: ${s.error ?? `line ${s.firstDiff!.line}\n  expected: ${s.firstDiff!.expected}\n  actual:   ${s.firstDiff!.actual}`}`)
    .join('\n');
}

describe('JIT: corpus suites', () => {
  for (const name of corpusSuites()) {
    for (const file of SUITE_FILES) {
      it(`${name}/${file}: the same lines with the JIT as without${PASSING.includes(name) ? ', all as expected' : ''}`, async () => {
        const interp = await run(name, file, false);
        const { result, cards } = await run(name, file, true);
        expect(result.scripts.length).toBeGreaterThan(0);
        if (PASSING.includes(name) && !result.passed) expect.fail(`${name}/${file} fails with the JIT:\n${failures(result)}`);
        expect(result.scripts.map((s) => s.lines)).toEqual(interp.result.scripts.map((s) => s.lines));
        expect(result.scripts.map((s) => s.error)).toEqual(interp.result.scripts.map((s) => s.error));
        expect(result.passed).toBe(interp.result.passed);
        // The same persistent and transient writes (the figures of --stats).
        const writes = (cs: Card[]) => cs.map((c) => [c.persistentWrites, c.jcre.vm.transientWrites]);
        expect(writes(cards)).toEqual(writes(interp.cards));
        // The suite's own packages ran compiled code.
        const methods = cards.flatMap((c) => c.jcre.packages.flatMap((p) => p.linked.methods));
        expect(methods.some((m) => typeof m.compiled === 'function')).toBe(true);
      });
    }
  }

  for (const name of ['hello', 'counter', 'wallet']) {
    it(`the ${name} sample applet passes with the JIT`, async () => {
      const cards: Card[] = [];
      const result = await runSuite(resolve(REPO_ROOT, 'applets', name, 'suite.json'), async (s) => {
        const card = await makeSuiteCard(s, { jit: true });
        cards.push(card);
        return card;
      });
      if (!result.passed) expect.fail(`applets/${name} fails with the JIT:\n${failures(result)}`);
      const methods = cards.flatMap((c) => c.jcre.packages.flatMap((p) => p.linked.methods));
      expect(methods.filter((m) => m.compiled === null).map((m) => m.toString())).toEqual([]);
    });
  }

  for (const file of SUITE_FILES) {
    it(`bench/${file}: every method the workloads call is compiled`, async () => {
      const before = { compiled: jitStats.compiled, refused: jitStats.refused };
      const { result, cards } = await run('bench', file, true);
      expect(result.passed).toBe(true);
      expect(jitStats.compiled).toBeGreaterThan(before.compiled);
      for (const card of cards) {
        const bench = card.jcre.packages.find((p) => p.linked.pkg.name.endsWith('bench'))!;
        const called = bench.linked.methods.filter((m) => m.compiled !== undefined);
        const refused = called.filter((m) => m.compiled === null).map((m) => m.toString());
        expect(refused).toEqual([]);
        // process() and the nine workload methods at least.
        expect(called.length).toBeGreaterThanOrEqual(10);
      }
    });
  }

  it('is on by default, off with jit: false, and the trace option turns it off', () => {
    expect(new CardClass().jcre.vm.jit).toBe(true);
    expect(new CardClass({ jit: false }).jcre.vm.jit).toBe(false);
    expect(new CardClass({ jit: true, trace: () => {} }).jcre.vm.jit).toBe(false);
  });

  it('counts compiled and refused methods', () => {
    expect(jitStats.compiled).toBeGreaterThan(0);
    expect(jitStats.refusals.every((r) => !r.reason.startsWith('code generation failed'))).toBe(true);
  });
});
