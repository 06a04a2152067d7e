// Limits: the instruction budget (BudgetExhausted, which applet code cannot catch), frame and
// stack exhaustion by recursion (SystemException.NO_RESOURCE, catchable, never a host crash),
// and int bytecodes in a package without ACC_INT (refused by the decoder and, independently,
// by the linker, naming the opcode).

import { describe, expect, it } from 'vitest';
import { decodeCap } from '../../loader/cap/decode.ts';
import { LinkError } from '../../loader/link.ts';
import { Card } from '../../runtime/card.ts';
import { BudgetExhausted, SystemReason, Thrown } from '../../vm/errors.ts';
import { OPCODES, type OpInfo } from '../../vm/opcodes.ts';
import { assembleJca } from '../../loader/jca/index.ts';
import { load, loadRun, packageJca, runStatic, UncaughtJavaCard } from './harness.ts';

describe('instruction budget', () => {
  it('an infinite loop with a small budget throws BudgetExhausted', () => {
    expect(() => runStatic('L0: goto L0;', { returns: 'V', budget: 50 })).toThrow(BudgetExhausted);
  });

  it('the budget counts instructions: 2 instructions run with a budget of 2, not 1', () => {
    expect(runStatic('sconst_2; sreturn;', { budget: 2 })).toBe(2);
    expect(() => runStatic('sconst_2; sreturn;', { budget: 1 })).toThrow(BudgetExhausted);
  });

  it('a loop of 1000 iterations fits a budget of 10 000 and not of 1 000', () => {
    const body = 'sconst_0; sstore_0; L1: sinc 0 1; sload_0; sspush 1000; if_scmplt L1; sload_0; sreturn;';
    expect(runStatic(body, { budget: 10_000, locals: 1 })).toBe(1000);
    expect(() => runStatic(body, { budget: 1_000, locals: 1 })).toThrow(BudgetExhausted);
  });

  it('a catch-all handler does not catch BudgetExhausted', () => {
    const body = 'L0: goto L0; L1: pop; sconst_1; sreturn;';
    expect(() => runStatic(body, { handlers: ['L0 L1 L1 0'], budget: 100 })).toThrow(BudgetExhausted);
  });

  it('budget exhausted in a callee unwinds every frame; the VM runs again afterwards', () => {
    const loaded = loadRun('sload_0; invokestatic 0; sreturn;', {
      params: 'S',
      cp: ['staticMethodRef T/spin(S)S'],
      methods: `
		.method static spin(S)S {
			.stack 2;
			.locals 0;
			L0:	sload_0;
				ifne L0;
				bspush 42;
				sreturn;
		}`,
    });
    const vm = loaded.card.jcre.vm;
    vm.budget = 1000;
    expect(() => vm.call(loaded.method('run'), [1])).toThrow(BudgetExhausted);
    expect(vm.budget).toBe(0);
    expect(vm.frameDepth).toBe(0);
    expect(vm.sp).toBe(0);
    vm.budget = 1000;
    expect(vm.call(loaded.method('run'), [0])).toBe(42);
  });
});

describe('recursion', () => {
  // rec(n): n <= 0 ? 0 : rec(n - 1) + 1, with `locals` extra cells per frame.
  const recursive = (locals: number) => ({
    params: 'S',
    cp: ['staticMethodRef T/rec(S)S', '.classRef 1.13', 'virtualMethodRef 1.13.1()S'], // SystemException, getReason()
    methods: `
		.method static rec(S)S {
			.stack 2;
			.locals ${locals};
				sload_0;
				ifgt L1;
				sconst_0;
				sreturn;
			L1:	sload_0;
				sconst_1;
				ssub;
				invokestatic 0;
				sconst_1;
				sadd;
				sreturn;
		}`,
    budget: 1_000_000,
  });

  it('recursion 100 frames deep returns normally', () => {
    expect(runStatic('sload_0; invokestatic 0; sreturn;', { ...recursive(0), args: [100] })).toBe(100);
  });

  it('unbounded recursion with small frames runs out of frames: SystemException NO_RESOURCE', () => {
    let e: unknown;
    try {
      runStatic('sload_0; invokestatic 0; sreturn;', { ...recursive(0), args: [30000] });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(UncaughtJavaCard);
    expect((e as UncaughtJavaCard).className).toBe('javacard/framework/SystemException');
    expect((e as UncaughtJavaCard).reason).toBe(SystemReason.NO_RESOURCE);
  });

  it('unbounded recursion with large frames runs out of stack words: SystemException NO_RESOURCE', () => {
    let e: unknown;
    try {
      runStatic('sload_0; invokestatic 0; sreturn;', { ...recursive(200), args: [30000] });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(UncaughtJavaCard);
    expect((e as UncaughtJavaCard).className).toBe('javacard/framework/SystemException');
    expect((e as UncaughtJavaCard).reason).toBe(SystemReason.NO_RESOURCE);
  });

  it.each([0, 200])('the outermost frame can catch NO_RESOURCE and read its reason (%i extra locals per frame)', (locals) => {
    const body = 'L0: sload_0; invokestatic 0; sreturn; L1: invokevirtual 2; sreturn;';
    expect(runStatic(body, { ...recursive(locals), args: [30000], handlers: ['L0 L1 L1 1'] })).toBe(SystemReason.NO_RESOURCE);
  });

  it('after a stack overflow the VM is back at depth 0 and runs again', () => {
    const loaded = loadRun('sload_0; invokestatic 0; sreturn;', recursive(0));
    const vm = loaded.card.jcre.vm;
    vm.budget = 1_000_000;
    expect(() => vm.call(loaded.method('run'), [30000])).toThrow(Thrown);
    expect(vm.frameDepth).toBe(0);
    expect(vm.sp).toBe(0);
    expect(vm.call(loaded.method('run'), [50])).toBe(50);
  });
});

/** One instruction using `op`, with operands that decode (branch targets at L, fields of type int). */
function instructionFor(op: OpInfo): string {
  const operands = [...op.operands].map((k) => {
    switch (k) {
      case 'U': return 'L 0 0 L';
      case 'M': return 'L 0';
      case 'c':
      case 'C': return op.name.includes('static') ? '1' : '0';
      case 'l': return '0';
      default: return '1';
    }
  });
  return `${op.name}${operands.length ? ' ' + operands.join(' ') : ''};`;
}

const INT_OPCODES = OPCODES.filter((o): o is OpInfo => o !== undefined && o.int);

describe('int bytecodes need ACC_INT', () => {
  const jcaWith = (op: OpInfo): string =>
    packageJca({
      cp: ['instanceFieldRef int T/f', 'staticFieldRef int T/sf'],
      fields: ['int f 0', 'static int sf'],
      methods: `
		.method static m(S)V {
			.stack 4;
			.locals 4;
				${instructionFor(op)}
			L:	return;
		}`,
    });

  it('the table marks 51 opcodes as int', () => {
    expect(INT_OPCODES.map((o) => o.name)).toContain('iadd');
    expect(INT_OPCODES.length).toBe(51); // iconst_m1..iconst_5 (7), bipush, sipush, iipush, iload (5), istore (5), iaload, iastore, 12 arithmetic, iinc, iinc_w, s2i, i2b, i2s, icmp, 2 switches, ireturn, 10 field and static accesses
  });

  it.each(INT_OPCODES.map((o) => [o.name, o] as const))('%s: the assembler sets ACC_INT, the decoder refuses the CAP without it', (name, op) => {
    const asm = assembleJca(jcaWith(op));
    const header = asm.components.get(1)!.slice();
    expect(header[9]! & 1).toBe(1); // tag, size (2), magic (4), minor, major, flags
    header[9]! &= ~1;
    const patched = new Map(asm.components).set(1, header);
    expect(() => decodeCap(patched)).toThrow(new RegExp(`\\b${name} uses the int type but the Header has no ACC_INT`));
  });

  it.each(INT_OPCODES.map((o) => [o.name, o] as const))('%s: the linker refuses a package without ACC_INT, naming the opcode', (name, op) => {
    const cap = decodeCap(assembleJca(jcaWith(op)).components);
    const card = new Card();
    cap.header.flags &= ~1;
    let e: unknown;
    try {
      card.load(cap);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(LinkError);
    expect((e as Error).message).toMatch(new RegExp(`pc 0: ${name} needs int support but the Header lacks ACC_INT`));
    expect(card.jcre.packages.length).toBe(0);
    cap.header.flags |= 1;
    card.load(cap);
    expect(card.jcre.packages.length).toBe(1);
  });

  it('a package without int bytecodes, fields or signatures has no ACC_INT and loads', () => {
    const loaded = load({ methods: '\t\t.method static m()S {\n\t\t\t.stack 1;\n\t\t\t.locals 0;\n\t\t\t\tsconst_1;\n\t\t\t\tsreturn;\n\t\t}' });
    expect(loaded.headerFlags & 1).toBe(0);
    expect(loaded.card.jcre.packages[0]!.linked.pkg.intSupport).toBe(false);
  });
});
