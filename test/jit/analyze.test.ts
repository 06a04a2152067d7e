// The JIT's analysis (vm/jit/analyze.ts): the operand stack's shape at every pc (W a word,
// I and J the two words of an int), basic blocks, handlers entered with one word, argument
// words read as ints, and refusal of what compiled code could not reproduce.

import { describe, expect, it } from 'vitest';
import { analyze, Refusal, type Analysis } from '../../vm/jit/analyze.ts';
import { Op } from '../../vm/opcodes.ts';
import type { RunOptions } from '../vm/harness.ts';
import { loadRunOn } from './helpers.ts';

function analyzeRun(body: string, o: RunOptions = {}): Analysis {
  const loaded = loadRunOn(false, body, o);
  return analyze(loaded.methods.get('run')!);
}

function shapes(a: Analysis): string[] {
  return a.insns.map((i) => i.shape);
}

function refusal(body: string, o: RunOptions = {}): string {
  try {
    analyzeRun(body, o);
  } catch (e) {
    if (e instanceof Refusal) return e.message;
    throw e;
  }
  return 'compiled';
}

describe('stack shapes', () => {
  it('follows shorts and ints through straight-line code', () => {
    const a = analyzeRun('sconst_1; iipush 7; istore_1; sconst_2; sadd; sreturn;', { locals: 3 });
    expect(shapes(a)).toEqual(['', 'W', 'WIJ', 'W', 'WW', 'W']);
    expect(a.maxDepth).toBe(3);
    expect(a.blocks.length).toBe(1);
  });

  it('dup, dup2, dup_x and swap_x move the shape with the words', () => {
    const a = analyzeRun('sconst_1; sconst_2; iipush 3; dup_x 0x23; pop2; pop; swap_x 0x21; pop; pop2; sconst_1; dup; dup2; pop2; pop; sreturn;', { stack: 8 });
    expect(shapes(a)).toEqual(['', 'W', 'WW', 'WWIJ', 'WIJWIJ', 'WIJW', 'WIJ', 'IJW', 'IJ', '', 'W', 'WW', 'WWWW', 'WW', 'W']);
  });

  it('a join of two paths with the same depth is one block start with one shape', () => {
    const a = analyzeRun('sload_0; ifeq L1; sconst_1; goto L2; L1: sconst_2; L2: sreturn;', { args: [0] });
    expect(shapes(a)).toEqual(['', 'W', '', 'W', '', 'W']);
    expect(a.blocks.map((b) => b.insns.length)).toEqual([2, 2, 1, 1]);
  });

  it('an exception handler starts with the thrown reference alone on the stack', () => {
    const a = analyzeRun('sconst_1; L0: sload_0; sconst_0; sdiv; sadd; sreturn; L1: pop; sconst_m1; sreturn;', { args: [0], handlers: ['L0 L1 L1 0'] });
    const handler = a.method.handlers[0]!.handler;
    expect(a.insns.find((i) => i.pc === handler)!.shape).toBe('W');
    expect(a.blockAt.has(handler)).toBe(true);
  });

  it('a handler whose range holds nothing that can throw is not entered from it', () => {
    // The handler's first instruction is reached by falling through with an empty stack only.
    const a = analyzeRun('L0: nop; L1: aconst_null; athrow;', { handlers: ['L0 L1 L1 0'] });
    expect(shapes(a)).toEqual(['', '', 'W']);
  });

  it('a tableswitch makes every target a block', () => {
    const a = analyzeRun('sload_0; stableswitch L3 0 1 L1 L2; L1: sconst_1; sreturn; L2: sconst_2; sreturn; L3: sconst_3; sreturn;', { args: [0] });
    expect(a.blocks.length).toBe(4);
  });

  it('calls pop their arguments and push their result', () => {
    const a = analyzeRun('sconst_1; sconst_2; invokestatic 0; sreturn;', {
      cp: ['staticMethodRef T/add(SS)S'],
      methods: '\t\t.method static add(SS)S {\n\t\t\t.stack 2;\n\t\t\t.locals 0;\n\t\t\t\tsload_0;\n\t\t\t\tsload_1;\n\t\t\t\tsadd;\n\t\t\t\tsreturn;\n\t\t}',
    });
    expect(shapes(a)).toEqual(['', 'W', 'WW', 'W']);
    expect(a.insns[2]!.call).toMatchObject({ nargs: 2 });
  });
});

describe('argument words read as ints', () => {
  it('an int argument read with iload is joined on entry; shorts are not', () => {
    const a = analyzeRun('iload_0; i2s; sload_2; sadd; sreturn;', { params: 'IS', args: [1, 2] });
    expect(a.intArgs).toEqual([true, false, false]);
  });

  it('an argument overwritten before any iload is not an int argument', () => {
    const a = analyzeRun('iipush 5; istore_0; iload_0; i2s; sreturn;', { params: 'SS', args: [1, 2] });
    expect(a.intArgs).toEqual([false, false]);
  });
});

describe('refusals: left to the interpreter', () => {
  it('two depths at one pc', () => {
    expect(refusal('sload_0; ifeq L1; sconst_1; L1: sconst_2; sreturn;', { args: [0] })).toMatch(/stack shape at \d+ is both \[\] and \[W\]/);
  });

  it('an int returned as a short', () => {
    expect(refusal('iipush 1; sreturn;')).toMatch(/sreturn at \d+ pops \[J\], expects \[W\]/);
  });

  it('an int local read as two shorts', () => {
    expect(refusal('iipush 0x7FFF8000; istore_0; sload_0; sload_1; sadd; sreturn;')).toMatch(/sload_0 at \d+ reads local 0 of type \[I\]/);
  });

  it('an int local whose second word was overwritten', () => {
    expect(refusal('iipush 1; istore_0; sconst_2; sstore_1; iload_0; i2s; sreturn;')).toMatch(/iload_0 at \d+ reads local 0 of type \[XW\]/);
  });

  it('converter-style code is accepted', () => {
    expect(refusal('sconst_0; sstore_1; L0: sinc 1 1; sload_1; bspush 10; if_scmplt L0; sload_1; sreturn;', { locals: 2 })).toBe('compiled');
  });
});

describe('interface methods of another package', () => {
  it('the return type of a shareable interface method implemented elsewhere is told by the code after the call', async () => {
    const { readSuite } = await import('../../runtime/script/suite.ts');
    const { makeSuiteCard } = await import('../../runtime/script/suite-card.ts');
    const { CORPUS_DIR } = await import('../corpus.ts');
    const { RetKind } = await import('../../vm/types.ts');
    const card = await makeSuiteCard(readSuite(`${CORPUS_DIR}/firewall/suite.json`));
    const client = card.jcre.packages.find((p) => p.linked.pkg.name === 'conformance/fwclient')!;
    const calls = client.linked.methods
      .filter((m) => !m.isAbstract)
      .map((m) => analyze(m))
      .flatMap((a) => a.insns.filter((i) => i.op === Op.INVOKEINTERFACE).map((i) => i.call!));
    // FwService: add(SS)S, peek([BS)B, secret()[B, whoCalls([BS)S: one word each.
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.every((c) => c.ret === RetKind.Word)).toBe(true);
  });
});
