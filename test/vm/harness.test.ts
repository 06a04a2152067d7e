// The harness itself: rows that should fail do fail, arguments are split as the VM expects, the
// methods are found by name, and ACC_INT follows what the package uses.

import { describe, expect, it } from 'vitest';
import { ARITHMETIC, argWords, checkRow, load, outcome, paramWords, runStatic, throws, UncaughtJavaCard } from './harness.ts';

describe('test/vm harness', () => {
  it('a wrong expected value fails the row', () => {
    expect(() => checkRow({ returns: 'S' }, 'sconst_1; sreturn;', [], 2)).toThrow();
    expect(() => checkRow({ returns: 'S' }, 'sconst_1; sreturn;', [], 1)).not.toThrow();
  });

  it('an unexpected or different exception fails the row', () => {
    const div0 = 'sload_0; sload_1; sdiv; sreturn;';
    expect(() => checkRow({ params: 'SS' }, div0, [1, 0], 0)).toThrow();
    expect(() => checkRow({ params: 'SS' }, div0, [1, 0], throws('java/lang/NullPointerException'))).toThrow();
    expect(() => checkRow({ params: 'SS' }, div0, [1, 1], ARITHMETIC)).toThrow();
    expect(() => checkRow({ params: 'SS' }, div0, [1, 0], ARITHMETIC)).not.toThrow();
    expect(() => checkRow({ params: 'SS' }, div0, [1, 0], throws('java/lang/ArithmeticException', 3))).toThrow();
  });

  it('a failing check function fails the row, and an exception where a check was expected too', () => {
    expect(() => checkRow({ returns: 'S' }, 'sconst_1; sreturn;', [], (v) => expect(v).toBe(2))).toThrow();
    expect(() => checkRow({ returns: 'S' }, 'aconst_null; arraylength; sreturn;', [], () => {})).toThrow(/unexpected java\/lang\/NullPointerException/);
  });

  it('uncaught exceptions are reported with class and reason', () => {
    expect(outcome('sconst_0; sconst_0; sdiv; sreturn;')).toEqual({ thrown: 'java/lang/ArithmeticException', reason: 0 });
    expect(() => runStatic('aconst_null; athrow;')).toThrow(UncaughtJavaCard);
  });

  it('int arguments are split high word first; references and shorts take one word', () => {
    expect(argWords('ISLjava/lang/Object;[BI', [0x12345678, -1, 7, 9, -2])).toEqual([0x1234, 0x5678, -1, 7, 9, -1, 0xfffe]);
    expect(paramWords('(ISLjava/lang/Object;[B[I)V')).toBe(6);
    expect(runStatic('iload_0; ireturn;', { params: 'I', args: [-0x7ffffffe], returns: 'I' })).toBe(-0x7ffffffe);
  });

  it('methods are found by name and by class, name and signature', () => {
    const loaded = load({
      methods: `
		.method static a(I)V {
			.stack 0;
			.locals 0;
				return;
		}
		.method b(Ljava/lang/Object;)S {
			.stack 1;
			.locals 0;
			.descriptor Ljava/lang/Object; 0.0;
				sconst_1;
				sreturn;
		}`,
    });
    expect(loaded.method('a')).toBe(loaded.method('T.a(I)V'));
    expect(loaded.method('b').nargs).toBe(2);
    expect(loaded.method('a').nargs).toBe(2);
    expect(() => loaded.method('c')).toThrow(/no method c/);
  });

  it('ACC_INT is set exactly when the package uses int', () => {
    const flags = (methods: string, fields: string[] = []) => load({ methods, fields }).headerFlags & 1;
    const m = (sig: string, body: string) => `\t\t.method static m${sig} {\n\t\t\t.stack 2;\n\t\t\t.locals 2;\n${body}\n\t\t}`;
    expect(flags(m('()S', 'sconst_0; sreturn;'))).toBe(0);
    expect(flags(m('()S', 'iconst_0; i2s; sreturn;'))).toBe(1);
    expect(flags(m('(I)V', 'return;'))).toBe(1);
    expect(flags(m('()V', 'return;'), ['static int x'])).toBe(1);
  });
});
