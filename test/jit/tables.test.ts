// Every opcode case table of test/vm (test/vm/cases/*.ts) again, on a card with the JIT on:
// each row must give the same value or the same uncaught exception as the interpreter's
// expectation, and the method under test must have been compiled (a row whose method the
// JIT refused would test the interpreter twice).

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCap } from '../../loader/cap/decode.ts';
import { assembleJca } from '../../loader/jca/index.ts';
import { Card } from '../../runtime/card.ts';
import { refusalOf } from '../../vm/jit/index.ts';
import { argWords, Loaded, packageJca, runMethodJca, UncaughtJavaCard, type RunOptions, type Table, type Expected } from '../vm/harness.ts';

const CASES = new URL('../vm/cases/', import.meta.url);

const tables: { file: string; tables: readonly Table[] }[] = [];
for (const file of readdirSync(CASES).filter((f) => f.endsWith('.ts')).sort()) {
  const mod = (await import(new URL(file, CASES).href)) as { tables?: readonly Table[] };
  if (mod.tables) tables.push({ file, tables: mod.tables });
}

function descriptorOf(ret: string): string {
  return ret === 'A' ? 'Ljava/lang/Object;' : ret;
}

/** The harness's loadRun, on a card with the JIT on. */
function loadRunJit(body: string, o: RunOptions): Loaded {
  const jca = packageJca({ ...o, runMethod: runMethodJca(body, o) });
  const asm = assembleJca(jca, { fileName: 'test-jit.jca' });
  const cap = decodeCap(asm.components);
  const card = new Card({ jit: true });
  card.load(cap);
  return new Loaded(card, asm, cap, jca);
}

/** The harness's checkRow with the JIT on; also checks that `run` was compiled. */
function checkRowJit(options: RunOptions, body: string, args: readonly number[], expected: Expected): void {
  const o = { ...options, args };
  const loaded = loadRunJit(body, o);
  const params = o.params ?? 'S'.repeat(args.length);
  const ret = o.returns ?? 'S';
  const key = `T.run(${params})${descriptorOf(ret)}`;
  let got: { value: number } | { thrown: string; reason: number | null };
  try {
    const v = loaded.callWords(key, argWords(params, args), o.budget);
    got = { value: ret === 'A' ? v & 0xffff : v };
  } catch (e) {
    if (!(e instanceof UncaughtJavaCard)) throw e;
    got = { thrown: e.className, reason: e.reason };
  }
  const run = loaded.method(key);
  if (run.compiled === null) {
    // Only code the converter never produces may be left to the interpreter: an int local
    // read as shorts or overwritten by halves.
    expect(refusalOf(run)).toMatch(/^\w+ at \d+ reads local \d+ of type \[\w+\]$/);
  } else {
    expect(typeof run.compiled, 'run was not compiled').toBe('function');
  }
  if (typeof expected === 'function') {
    if ('thrown' in got) throw new Error(`unexpected ${got.thrown}`);
    expected(got.value, loaded);
  } else if (typeof expected === 'number') {
    expect(got).toEqual({ value: expected });
  } else if (expected.reason === undefined) {
    expect('thrown' in got ? got.thrown : got).toEqual(expected.throws);
  } else {
    expect(got).toEqual({ thrown: expected.throws, reason: expected.reason });
  }
}

describe('JIT: the opcode tables of test/vm', () => {
  it('finds the tables', () => {
    expect(tables.length).toBeGreaterThanOrEqual(5);
  });
  for (const { file, tables: ts } of tables) {
    for (const t of ts) {
      describe(`${file}: ${t.title}`, () => {
        it.each(t.rows)('%s', (_description, body, args, expected) => {
          checkRowJit(t.options, body, args, expected);
        });
      });
    }
  }
});
