// The two shapes of generated control flow: structured loops and blocks for reducible flow
// graphs, a loop over a switch on the block index for the rest (and, forced, for everything:
// the opcode tables of test/vm run once more that way).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jitOptions, setJitDump } from '../../vm/jit/index.ts';
import { argWords, type Table } from '../vm/harness.ts';
import { callOn, loadRunOn } from './helpers.ts';
import { readdirSync } from 'node:fs';

function sourceOf(body: string, o: Parameters<typeof loadRunOn>[2], args: number[]): { value: number | string; source: string } {
  let source = '';
  setJitDump((_m, s) => {
    source = s; // the package has one method
  });
  try {
    const loaded = loadRunOn(true, body, o);
    const value = callOn(loaded, 'run', args);
    return { value, source };
  } finally {
    setJitDump(null);
  }
}

describe('control flow', () => {
  it('a loop becomes a labelled JS loop', () => {
    const { value, source } = sourceOf('sconst_0; sstore_1; L0: sinc 1 3; sload_1; sload_0; if_scmplt L0; sload_1; sreturn;', { params: 'S', locals: 2 }, [10]);
    expect(value).toBe(12);
    expect(source).toMatch(/L\d+: for \(;;\)/);
    expect(source).not.toMatch(/switch \(b\)/);
  });

  it('a loop entered at two places (irreducible) runs as a switch over blocks, with the interpreter\'s result', () => {
    const body = 'sconst_0; sstore_1; sload_0; ifeq L2; L1: sinc 1 1; sload_1; bspush 10; if_scmpge L3; L2: sinc 1 2; goto L1; L3: sload_1; sreturn;';
    for (const arg of [0, 1]) {
      const jit = sourceOf(body, { params: 'S', locals: 2 }, [arg]);
      expect(jit.source).toMatch(/switch \(b\)/);
      expect(jit.value).toBe(callOn(loadRunOn(false, body, { params: 'S', locals: 2 }), 'run', [arg]));
    }
  });
});

// Every opcode table again, with the switch-dispatch code generator only.
const CASES = new URL('../vm/cases/', import.meta.url);
const tables: Table[] = [];
for (const file of readdirSync(CASES).filter((f) => f.endsWith('.ts')).sort()) {
  const mod = (await import(new URL(file, CASES).href)) as { tables?: readonly Table[] };
  tables.push(...(mod.tables ?? []));
}

describe('switch dispatch everywhere: the opcode tables give the interpreter\'s results', () => {
  beforeAll(() => { jitOptions.structured = false; });
  afterAll(() => { jitOptions.structured = true; });
  for (const t of tables) {
    it(t.title, () => {
      for (const [description, body, args, expected] of t.rows) {
        if (typeof expected === 'function') continue; // checked on the heap by test/jit/vm-tests.test.ts
        const o = { ...t.options, args };
        const params = o.params ?? 'S'.repeat(args.length);
        const got = callOn(loadRunOn(true, body, o), 'run', argWords(params, args), o.budget ?? 100_000);
        if (typeof expected === 'number') expect(typeof got === 'number' && o.returns === 'A' ? got & 0xffff : got, description).toBe(expected);
        else expect(String(got).replace(/ \(reason \d+\)$/, ''), description).toBe(expected.throws);
      }
    });
  }
});
