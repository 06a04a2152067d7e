// Compiled code and the interpreter's exception, budget and depth rules: a throw in a nested
// call caught by the caller's handler (compiled and interpreted frames mixed in both
// directions, natives too), the budget stopping a compiled loop, and recursion running out of
// frames or stack words at exactly the depth the interpreter does.

import { describe, expect, it } from 'vitest';
import { BudgetExhausted, SystemReason } from '../../vm/errors.ts';
import { refusalOf } from '../../vm/jit/index.ts';
import { C, OBJECTS_PACKAGE } from '../vm/cases/objects.ts';
import type { Loaded, RunOptions } from '../vm/harness.ts';
import { callOn, loadRunOn } from './helpers.ts';

const S = { ...OBJECTS_PACKAGE, returns: 'S', params: 'S', stack: 6, locals: 4 } as const;

/** Code that makes the analysis refuse its method (an int local read as a short): the method runs in the interpreter. */
const REFUSED = 'iipush 0x7FFF8000; istore_2; sload_2; pop;';

function myEx(loaded: Loaded): string {
  return loaded.card.jcre.packages[0]!.linked.pkg.cp.cls[C.MyEx]!.name;
}

function compiled(loaded: Loaded, key: string): boolean {
  const m = loaded.method(key);
  if (m.compiled === undefined) throw new Error(`${key} was never called`);
  return m.compiled !== null;
}

describe('exceptions through compiled frames', () => {
  it('an exception thrown two calls down is caught by the compiled caller that has the handler', () => {
    const loaded = loadRunOn(true, `sload_0; invokestatic ${C.level2Catching}; sreturn;`, S);
    expect(callOn(loaded, 'run', [1])).toBe(-2); // ArithmeticException in thrower, caught in level2Catching
    expect(callOn(loaded, 'run', [7])).toBe(107);
    expect(callOn(loaded, 'run', [0])).toBe(myEx(loaded)); // not an ArithmeticException: uncaught
    for (const k of ['run', 'level2Catching', 'thrower']) expect(compiled(loaded, k), k).toBe(true);
  });

  it('the handler gets the thrown object, the stack holding only it', () => {
    const body = `sconst_1; sconst_2; L0: sconst_0; invokestatic ${C.thrower}; sreturn; L1: instanceof 0 ${C.MyEx}; sreturn;`;
    const loaded = loadRunOn(true, body, { ...S, handlers: [`L0 L1 L1 ${C.RuntimeException}`] });
    expect(callOn(loaded, 'run', [0])).toBe(1);
  });

  it('an ISOException thrown by a native is caught in compiled code with its reason', () => {
    const body = `L0: sload_0; invokestatic ${C.isoThrowIt}; sconst_0; sreturn; L1: invokevirtual ${C.isoGetReason}; sreturn;`;
    const loaded = loadRunOn(true, body, { ...S, handlers: [`L0 L1 L1 ${C.ISOException}`] });
    expect(callOn(loaded, 'run', [0x6a82])).toBe(0x6a82);
    expect(compiled(loaded, 'run')).toBe(true);
  });

  it('an exception from an interpreted callee is caught by a compiled caller', () => {
    const methods = `${OBJECTS_PACKAGE.methods}
		.method static divide(S)S {
			.stack 2;
			.locals 3;
				${REFUSED.split(';').filter((x) => x.trim()).map((x) => x.trim() + ';').join('\n\t\t\t\t')}
				bspush 10;
				sload_0;
				sdiv;
				sreturn;
		}`;
    const cp = [...OBJECTS_PACKAGE.cp!, 'staticMethodRef T/divide(S)S'];
    const divide = cp.length - 1;
    const body = `L0: sload_0; invokestatic ${divide}; sreturn; L1: pop; bspush -2; sreturn;`;
    const loaded = loadRunOn(true, body, { ...S, cp, methods, handlers: [`L0 L1 L1 ${C.ArithmeticException}`] });
    expect(callOn(loaded, 'run', [5])).toBe(2);
    expect(callOn(loaded, 'run', [0])).toBe(-2);
    expect(compiled(loaded, 'run')).toBe(true);
    expect(compiled(loaded, 'divide')).toBe(false);
    expect(refusalOf(loaded.method('divide'))).toMatch(/reads local 2 of type \[I\]/);
  });

  it('an exception from a compiled callee is caught by an interpreted caller', () => {
    const body = `${REFUSED} L0: sload_0; invokestatic ${C.level2}; sreturn; L1: pop; bspush -3; sreturn;`;
    const loaded = loadRunOn(true, body, { ...S, handlers: [`L0 L1 L1 ${C.RuntimeException}`] });
    expect(callOn(loaded, 'run', [0])).toBe(-3);
    expect(callOn(loaded, 'run', [5])).toBe(105);
    expect(compiled(loaded, 'run')).toBe(false);
    expect(compiled(loaded, 'level2')).toBe(true);
    expect(compiled(loaded, 'thrower')).toBe(true);
  });

  it('an exception outside every handler range propagates; the range end is exclusive', () => {
    const body = `L0: sload_0; invokestatic ${C.thrower}; L1: sconst_0; invokestatic ${C.thrower}; sreturn; L2: pop; bspush -4; sreturn;`;
    const loaded = loadRunOn(true, body, { ...S, handlers: [`L0 L1 L2 ${C.RuntimeException}`] });
    expect(callOn(loaded, 'run', [0])).toBe(-4); // thrown by the first call, in range
    expect(callOn(loaded, 'run', [5])).toBe(myEx(loaded)); // the second call is at L1: out of range
  });
});

describe('the budget in compiled code', () => {
  it('stops an infinite compiled loop; a catch-all does not catch it; the VM runs again', () => {
    const loaded = loadRunOn(true, 'L0: sinc 0 1; goto L0; L1: pop; sconst_1; sreturn;', { ...S, handlers: ['L0 L1 L1 0'] });
    const vm = loaded.card.jcre.vm;
    vm.budget = 10_000;
    expect(() => vm.call(loaded.method('run'), [0])).toThrow(BudgetExhausted);
    expect(vm.budget).toBe(0);
    expect(vm.frameDepth).toBe(0);
    expect(vm.sp).toBe(0);
    expect(compiled(loaded, 'run')).toBe(true);
  });

  it('stops a loop in a compiled callee of an interpreted caller, unwinding both', () => {
    const methods = `${OBJECTS_PACKAGE.methods}
		.method static spin(S)S {
			.stack 2;
			.locals 0;
			L0:	sload_0;
				ifne L0;
				bspush 42;
				sreturn;
		}`;
    const cp = [...OBJECTS_PACKAGE.cp!, 'staticMethodRef T/spin(S)S'];
    const loaded = loadRunOn(true, `${REFUSED} sload_0; invokestatic ${cp.length - 1}; sreturn;`, { ...S, cp, methods });
    const vm = loaded.card.jcre.vm;
    vm.budget = 1000;
    expect(() => vm.call(loaded.method('run'), [1])).toThrow(BudgetExhausted);
    expect(vm.budget).toBe(0);
    expect(vm.frameDepth).toBe(0);
    vm.budget = 1000;
    expect(vm.call(loaded.method('run'), [0])).toBe(42);
    expect(compiled(loaded, 'run')).toBe(false);
    expect(compiled(loaded, 'spin')).toBe(true);
  });

  it('counts about what the interpreter counts: 1000 iterations fit 10 000, not 1000', () => {
    const body = 'sconst_0; sstore_0; L1: sinc 0 1; sload_0; sspush 1000; if_scmplt L1; sload_0; sreturn;';
    for (const jit of [false, true]) {
      const loaded = loadRunOn(jit, body, { locals: 1 });
      expect(callOn(loaded, 'run', [], 10_000)).toBe(1000);
      expect(() => callOn(loaded, 'run', [], 1_000)).toThrow(BudgetExhausted);
    }
  });

  it('charges what a callee ran before it threw: a loop of catching calls stops where the interpreter does', () => {
    // spin(): 100 rounds of a loop, then it throws a new RuntimeException (no native runs in
    // between, which would bring vm.budget up to date); run calls it forever, catching it.
    const o: RunOptions = {
      params: '',
      returns: 'V',
      fields: ['static short calls'],
      cp: ['staticFieldRef short T/calls', 'staticMethodRef T/spin()V', '.classRef 0.3', 'staticMethodRef 0.3.0()V'],
      methods: `
		.method static spin()V {
			.stack 2;
			.locals 1;
				sconst_0;
				sstore_0;
			L0:	sinc 0 1;
				sload_0;
				bspush 100;
				if_scmplt L0;
				new 2;
				athrow;
		}`,
      handlers: ['L1 L2 L3 0'],
    };
    const body = 'L0: getstatic_s 0; sconst_1; sadd; putstatic_s 0; L1: invokestatic 1; L2: goto L0; L3: pop; goto L0;';
    const calls = [false, true].map((jit) => {
      const loaded = loadRunOn(jit, body, o);
      expect(() => callOn(loaded, 'run', [], 100_000)).toThrow(BudgetExhausted);
      const img = loaded.card.jcre.packages[0]!.linked.pkg.staticImage;
      return (img[0]! << 8) | img[1]!;
    });
    expect(calls[0]).toBeGreaterThan(100);
    expect(Math.abs(calls[1]! - calls[0]!)).toBeLessThanOrEqual(1);
  });
});

describe('recursion limits', () => {
  // rec(n) counts its frames in a static field and recurses forever; run catches what stops it.
  const recursive = (locals: number, viaInterpreter: boolean): RunOptions => ({
    params: 'S',
    fields: ['static short depth'],
    cp: ['staticMethodRef T/rec(S)S', '.classRef 1.13', 'virtualMethodRef 1.13.1()S', 'staticFieldRef short T/depth', 'staticMethodRef T/hop(S)S'],
    methods: `
		.method static rec(S)S {
			.stack 2;
			.locals ${locals};
				getstatic_s 3;
				sconst_1;
				sadd;
				putstatic_s 3;
				sload_0;
				invokestatic ${viaInterpreter ? 4 : 0};
				sreturn;
		}
		.method static hop(S)S {
			.stack 2;
			.locals 2;
				iipush 0x7FFF8000;
				istore_0;
				sload_0;
				pop;
				sload_0;
				invokestatic 0;
				sreturn;
		}`,
    handlers: ['L0 L1 L1 1'],
    budget: 10_000_000,
  });
  const body = 'L0: sload_0; invokestatic 0; sreturn; L1: invokevirtual 2; sspush 1000; smul; getstatic_s 3; sadd; sreturn;';

  it.each([
    ['small frames (frame limit)', 0, false],
    ['large frames (stack words)', 200, false],
    ['small frames, every other frame interpreted', 0, true],
    ['large frames, every other frame interpreted', 200, true],
  ] as const)('%s: NO_RESOURCE at the same depth as the interpreter', (_name, locals, hop) => {
    const o = recursive(locals, hop);
    const results = [false, true].map((jit) => {
      const loaded = loadRunOn(jit, body, o);
      const r = callOn(loaded, 'run', [0], o.budget);
      expect(loaded.card.jcre.vm.frameDepth).toBe(0);
      return r;
    });
    expect(results[1]).toBe(results[0]);
    expect(Math.floor((results[0] as number) / 1000)).toBe(SystemReason.NO_RESOURCE);
    expect((results[0] as number) % 1000).toBeGreaterThan(1);
  });
});

describe('the host stack', () => {
  it('a VM allowing more frames than JS recursion can nest runs everything in the interpreter', async () => {
    const { Vm } = await import('../../vm/interpreter.ts');
    const { compileMethod, MAX_JS_FRAMES, refusalOf: why } = await import('../../vm/jit/index.ts');
    const loaded = loadRunOn(false, 'sconst_1; sreturn;');
    const jcre = loaded.card.jcre;
    const vm = new Vm(jcre.heap, jcre, { jit: true, maxFrames: MAX_JS_FRAMES * 10 });
    expect(compileMethod(vm, loaded.method('run'))).toBe(false);
    expect(why(loaded.method('run'))).toMatch(/frames/);
  });
});
