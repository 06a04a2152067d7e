// Every test of test/vm again with the JIT on: Card is replaced by one whose `jit` option
// defaults to true, then the test files are imported (their describe blocks register here).
// Tests that trace run on the interpreter (the trace option turns the JIT off). Every method
// these tests call must have been compiled, unless it is code the converter never produces.

import { readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../runtime/card.ts', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../runtime/card.ts')>();
  class JitCard extends mod.Card {
    constructor(options: import('../../runtime/card.ts').CardOptions = {}) {
      super({ ...options, jit: true });
    }
  }
  return { ...mod, Card: JitCard };
});

const dir = new URL('../vm/', import.meta.url);
for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort()) {
  await import(new URL(file, dir).href);
}

const { Card } = await import('../../runtime/card.ts');
const { jitStats } = await import('../../vm/jit/index.ts');

describe('the test/vm tests above ran with the JIT', () => {
  it('new Card() has the JIT on', () => {
    expect(new Card().jcre.vm.jit).toBe(true);
  });
  it('methods were compiled, none left to the interpreter but code the converter never produces', () => {
    expect(jitStats.compiled).toBeGreaterThan(500);
    // An int local read as shorts, or one whose half was overwritten (test/vm/cases/locals.ts).
    const others = jitStats.refusals.filter((r) => !/^\w+ at \d+ reads local \d+ of type \[\w+\]$/.test(r.reason));
    expect(others).toEqual([]);
    expect(jitStats.refused).toBeLessThan(10);
  });
});
