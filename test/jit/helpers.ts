// Test packages for the JIT, built like test/vm's (our assembler, the CAP decoder, the linker)
// but on a card with the JIT on or off.

import { decodeCap } from '../../loader/cap/decode.ts';
import { assembleJca } from '../../loader/jca/index.ts';
import { Card } from '../../runtime/card.ts';
import { Loaded, packageJca, runMethodJca, type RunOptions } from '../vm/harness.ts';

export function loadRunOn(jit: boolean, body: string, o: RunOptions = {}): Loaded {
  const jca = packageJca({ ...o, runMethod: runMethodJca(body, o) });
  const asm = assembleJca(jca, { fileName: 'test-jit.jca' });
  const cap = decodeCap(asm.components);
  const card = new Card({ jit });
  card.load(cap);
  return new Loaded(card, asm, cap, jca);
}

/** Calls a method of a loaded package with a fresh budget; a Java Card exception comes back as its class name. */
export function callOn(loaded: Loaded, key: string, words: readonly number[], budget = 1_000_000): number | string {
  try {
    return loaded.callWords(key, words, budget);
  } catch (e) {
    if (e instanceof Error && e.name === 'UncaughtJavaCard') return e.message;
    throw e;
  }
}
