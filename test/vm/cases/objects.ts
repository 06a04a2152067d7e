// Objects, fields, statics, type tests, invocation and exceptions (JCVM 7.5): new, the
// getfield/putfield family (plain, _w and _this, all of a/b/s/i), getstatic/putstatic of every
// type (with the Static Field component's initial values), checkcast/instanceof on classes,
// interfaces, arrays and null, invokevirtual (public and package tokens), invokespecial
// (constructors, private methods, super calls), invokestatic, invokeinterface, athrow and the
// search for a handler through nested frames (catch by superclass, catch-all "finally",
// rethrow, handler order, range ends, a throw from inside a handler).
//
// All rows share one package (below): Base implements I1; Derived extends Base, overrides
// value() and pkgValue(), and implements I2; Other implements I1 only; MyEx extends
// RuntimeException. T holds the static fields and the helper methods.

import { expect } from 'vitest';
import { Kind } from '../../../vm/types.ts';
import { ARITHMETIC, ARRAY_STORE, CLASS_CAST, INDEX_OUT_OF_BOUNDS, NULL_POINTER, table, type Check, type RunOptions, type Table } from '../harness.ts';

const ENTRIES = [
  ['objectInit', 'staticMethodRef 0.0.0()V'],
  ['Base', '.classRef Base'],
  ['baseInit', 'staticMethodRef Base/<init>()V'],
  ['Derived', '.classRef Derived'],
  ['derivedInit', 'staticMethodRef Derived/<init>()V'],
  ['ref', 'instanceFieldRef Base Base/ref'],
  ['s', 'instanceFieldRef short Base/s'],
  ['b', 'instanceFieldRef byte Base/b'],
  ['z', 'instanceFieldRef boolean Base/z'],
  ['i', 'instanceFieldRef int Base/i'],
  ['t', 'instanceFieldRef short Derived/t'],
  ['value', 'virtualMethodRef Base/value()S'],
  ['get', 'virtualMethodRef Base/get()S'],
  ['superValue', 'virtualMethodRef Derived/superValue()S'],
  ['superOfValue', 'superMethodRef Derived/value()S'],
  ['pkgValue', 'virtualMethodRef Base/pkgValue()S'],
  ['I1', '.classRef I1'],
  ['I2', '.classRef I2'],
  ['Other', '.classRef Other'],
  ['otherInit', 'staticMethodRef Other/<init>()V'],
  ['Object', '.classRef 0.0'],
  ['RuntimeException', '.classRef 0.3'],
  ['ArithmeticException', '.classRef 0.9'],
  ['MyEx', '.classRef MyEx'],
  ['myExInit', 'staticMethodRef MyEx/<init>()V'],
  ['runtimeExceptionInit', 'staticMethodRef 0.3.0()V'],
  ['ss', 'staticFieldRef short T/ss'],
  ['sb', 'staticFieldRef byte T/sb'],
  ['sz', 'staticFieldRef boolean T/sz'],
  ['si', 'staticFieldRef int T/si'],
  ['sa', 'staticFieldRef 0.0 T/sa'],
  ['sInit', 'staticFieldRef short T/sInit'],
  ['bInit', 'staticFieldRef byte T/bInit'],
  ['iInit', 'staticFieldRef int T/iInit'],
  ['thrower', 'staticMethodRef T/thrower(S)S'],
  ['level2', 'staticMethodRef T/level2(S)S'],
  ['level3', 'staticMethodRef T/level3(S)S'],
  ['fillThis', 'staticMethodRef Base/fillThis(SBI)V'],
  ['sumThis', 'staticMethodRef Base/sumThis()S'],
  ['intThis', 'staticMethodRef Base/intThis()I'],
  ['NullPointerException', '.classRef 0.7'],
  ['equals', 'virtualMethodRef 0.0.0(Ljava/lang/Object;)Z;\n\t\t\t.descriptor Ljava/lang/Object; 0.0'],
  ['withFinally', 'staticMethodRef T/withFinally(S)S'],
  ['catchAndRethrow', 'staticMethodRef T/catchAndRethrow(S)S'],
  ['level2Catching', 'staticMethodRef T/level2Catching(S)S'],
  ['add', 'virtualMethodRef Base/add(SI)I'],
  ['get2', 'virtualMethodRef Derived/get2()S'],
  ['Sub', '.classRef Sub'],
  ['subInit', 'staticMethodRef Sub/<init>()V'],
  ['ISOException', '.classRef 1.7'],
  ['isoThrowIt', 'staticMethodRef 1.7.1(S)V'],
  ['isoGetReason', 'virtualMethodRef 1.7.1()S'],
  ['BA', 'staticFieldRef byte[] T/BA'],
  ['SA', 'staticFieldRef short[] T/SA'],
  ['ZA', 'staticFieldRef boolean[] T/ZA'],
  ['IA', 'staticFieldRef int[] T/IA'],
] as const;

/** Constant pool indices by name. */
export const C = Object.fromEntries(ENTRIES.map(([name], i) => [name, i])) as Record<(typeof ENTRIES)[number][0], number>;

const T_FIELDS = [
  'static 0.0 sa',
  'static short ss',
  'static byte sb',
  'static boolean sz',
  'static int si',
  'static short sInit = 1234',
  'static byte bInit = -5',
  'static int iInit = 0x12345678',
  'static byte[] BA = {1, -2, 127, -128}',
  'static final short[] SA = {100, -200, 32767, -32768}',
  'static boolean[] ZA = {true, false, true}',
  'static int[] IA = {0x12345678, -1, -2147483648}',
];

const T_METHODS = `
		// 0: throws MyEx, 1: ArithmeticException, 2: NullPointerException, else returns the argument
		.method static thrower(S)S {
			.stack 2;
			.locals 0;
				sload_0;
				stableswitch LR 0 2 L0 L1 L2;
			L0:	new ${C.MyEx};
				dup;
				invokespecial ${C.myExInit};
				athrow;
			L1:	sload_0;
				sconst_0;
				sdiv;
				sreturn;
			L2:	aconst_null;
				arraylength;
				sreturn;
			LR:	sload_0;
				sreturn;
		}
		.method static level2(S)S {
			.stack 2;
			.locals 0;
				sload_0;
				invokestatic ${C.thrower};
				bspush 100;
				sadd;
				sreturn;
		}
		.method static level3(S)S {
			.stack 2;
			.locals 0;
				sload_0;
				invokestatic ${C.level2};
				sspush 1000;
				sadd;
				sreturn;
		}
		// try { r = thrower(x); } finally { ss += 1 (normal) or 10 (exception) }
		.method static withFinally(S)S {
			.stack 2;
			.locals 2;
			L0:	sload_0;
				invokestatic ${C.thrower};
				sstore_1;
			L1:	getstatic_s ${C.ss};
				sconst_1;
				sadd;
				putstatic_s ${C.ss};
				sload_1;
				sreturn;
			L2:	astore_2;
				getstatic_s ${C.ss};
				bspush 10;
				sadd;
				putstatic_s ${C.ss};
				aload_2;
				athrow;
			.exceptionTable {
				L0 L1 L2 0;
			}
		}
		// catch (RuntimeException e) { sa = e; throw e; }
		.method static catchAndRethrow(S)S {
			.stack 2;
			.locals 0;
			L0:	sload_0;
				invokestatic ${C.level2};
				sreturn;
			L1:	dup;
				putstatic_a ${C.sa};
				athrow;
			.exceptionTable {
				L0 L1 L1 ${C.RuntimeException};
			}
		}
		// catch (ArithmeticException e) { return -2; }
		.method static level2Catching(S)S {
			.stack 2;
			.locals 0;
			L0:	sload_0;
				invokestatic ${C.thrower};
				bspush 100;
				sadd;
				sreturn;
			L1:	pop;
				bspush -2;
				sreturn;
			.exceptionTable {
				L0 L1 L1 ${C.ArithmeticException};
			}
		}`;

const CLASSES = `
	.interface abstract I1 {
		.method public abstract get()S 0 {
		}
	}

	.interface abstract I2 extends I1 {
		.method public abstract get2()S 0 {
		}
	}

	.class Base extends 0.0 {
		.fields {
			Base ref 0;
			short s 1;
			byte b 2;
			boolean z 3;
			int i 4;
		}
		.publicMethodTable 1 {
			equals(Ljava/lang/Object;)Z;
			value()S;
			get()S;
			add(SI)I;
		}
		.packageMethodTable 0 {
			pkgValue()S;
		}
		.implementedInterfaceInfoTable {
			.interface I1 {
				2;
			}
		}
		.method <init>()V {
			.stack 1;
			.locals 0;
				aload_0;
				invokespecial ${C.objectInit};
				return;
		}
		.method public value()S 1 {
			.stack 1;
			.locals 0;
				sconst_1;
				sreturn;
		}
		.method public get()S 2 {
			.stack 1;
			.locals 0;
				bspush 10;
				sreturn;
		}
		// i + s + n
		.method public add(SI)I 3 {
			.stack 4;
			.locals 0;
				getfield_i_this ${C.i};
				sload_1;
				s2i;
				iadd;
				iload_2;
				iadd;
				ireturn;
		}
		.method pkgValue()S 128 {
			.stack 1;
			.locals 0;
				bspush 100;
				sreturn;
		}
		// this.s = s; this.b = b; this.i = i; this.z = true; this.ref = this
		.method private fillThis(SBI)V {
			.stack 2;
			.locals 0;
				sload_1;
				putfield_s_this ${C.s};
				sload_2;
				putfield_b_this ${C.b};
				iload_3;
				putfield_i_this ${C.i};
				sconst_1;
				putfield_b_this ${C.z};
				aload_0;
				putfield_a_this ${C.ref};
				return;
		}
		// s + b + z, plus 1000 when ref == this
		.method private sumThis()S {
			.stack 3;
			.locals 0;
				getfield_s_this ${C.s};
				getfield_b_this ${C.b};
				sadd;
				getfield_b_this ${C.z};
				sadd;
				getfield_a_this ${C.ref};
				aload_0;
				if_acmpne L1;
				sspush 1000;
				sadd;
			L1:	sreturn;
		}
		.method private intThis()I {
			.stack 2;
			.locals 0;
				getfield_i_this ${C.i};
				ireturn;
		}
	}

	.class Derived extends Base {
		.fields {
			short t 0;
		}
		.publicMethodTable 1 {
			equals(Ljava/lang/Object;)Z;
			value()S;
			get()S;
			add(SI)I;
			superValue()S;
			get2()S;
		}
		.packageMethodTable 0 {
			pkgValue()S;
		}
		.implementedInterfaceInfoTable {
			.interface I1 {
				2;
			}
			.interface I2 {
				5;
			}
		}
		.method <init>()V {
			.stack 1;
			.locals 0;
				aload_0;
				invokespecial ${C.baseInit};
				return;
		}
		.method public value()S 1 {
			.stack 1;
			.locals 0;
				sconst_2;
				sreturn;
		}
		// super.value() * 10 + this.value()
		.method public superValue()S 4 {
			.stack 2;
			.locals 0;
				aload_0;
				invokespecial ${C.superOfValue};
				bspush 10;
				smul;
				aload_0;
				invokevirtual ${C.value};
				sadd;
				sreturn;
		}
		.method public get2()S 5 {
			.stack 1;
			.locals 0;
				bspush 20;
				sreturn;
		}
		.method pkgValue()S 128 {
			.stack 1;
			.locals 0;
				bspush 101;
				sreturn;
		}
	}

	// Sub lists no implemented interfaces itself: I1 comes from Base, get() is overridden.
	.class Sub extends Base {
		.publicMethodTable 2 {
			equals(Ljava/lang/Object;)Z;
			value()S;
			get()S;
			add(SI)I;
		}
		.packageMethodTable 0 {
			pkgValue()S;
		}
		.method <init>()V {
			.stack 1;
			.locals 0;
				aload_0;
				invokespecial ${C.baseInit};
				return;
		}
		.method public get()S 2 {
			.stack 1;
			.locals 0;
				bspush 40;
				sreturn;
		}
	}

	.class Other extends 0.0 {
		.publicMethodTable 1 {
			equals(Ljava/lang/Object;)Z;
			get()S;
		}
		.packageMethodTable 0 {
		}
		.implementedInterfaceInfoTable {
			.interface I1 {
				1;
			}
		}
		.method <init>()V {
			.stack 1;
			.locals 0;
				aload_0;
				invokespecial ${C.objectInit};
				return;
		}
		.method public get()S 1 {
			.stack 1;
			.locals 0;
				bspush 30;
				sreturn;
		}
	}

	.class MyEx extends 0.3 {
		.publicMethodTable 1 {
			equals(Ljava/lang/Object;)Z;
		}
		.packageMethodTable 0 {
		}
		.method <init>()V {
			.stack 1;
			.locals 0;
				aload_0;
				invokespecial ${C.runtimeExceptionInit};
				return;
		}
	}`;

/** Everything the object rows share: constant pool, T's statics and helpers, the classes. */
export const OBJECTS_PACKAGE: RunOptions = {
  cp: ENTRIES.map(([, line]) => line),
  fields: T_FIELDS,
  methods: T_METHODS,
  classes: CLASSES,
};

const S = { ...OBJECTS_PACKAGE, returns: 'S', params: 'S', stack: 6, locals: 4 } as const;
const I = { ...OBJECTS_PACKAGE, returns: 'I', params: 'S', stack: 6, locals: 4 } as const;
const A = { ...OBJECTS_PACKAGE, returns: 'A', params: 'S', stack: 6, locals: 4 } as const;

const newBase = `new ${C.Base}; dup; invokespecial ${C.baseInit};`;
const newDerived = `new ${C.Derived}; dup; invokespecial ${C.derivedInit};`;
const newOther = `new ${C.Other}; dup; invokespecial ${C.otherInit};`;
const newSub = `new ${C.Sub}; dup; invokespecial ${C.subInit};`;
/** Pushes 1 if the branch op is taken on what is on the stack, else 0, and returns it. */
const ret01 = (op: string): string => `${op} LT; sconst_0; sreturn; LT: sconst_1; sreturn;`;

function isInstance(cells: number): Check {
  return (handle, loaded) => {
    const o = loaded.heap.get(handle);
    expect(o?.kind).toBe(Kind.Instance);
    expect(o?.data.length).toBe(cells);
    expect(Array.from(o!.data)).toEqual(new Array(cells).fill(0));
  };
}

/** instanceof rows: [description, code pushing the object, atype, cp index, expected]. */
const INSTANCEOF: [string, string, number, number, number][] = [
  ['Base instanceof Base', newBase, 0, C.Base, 1],
  ['Derived instanceof Base', newDerived, 0, C.Base, 1],
  ['Base instanceof Derived', newBase, 0, C.Derived, 0],
  ['Other instanceof Base', newOther, 0, C.Base, 0],
  ['Base instanceof Object', newBase, 0, C.Object, 1],
  ['Base instanceof I1', newBase, 0, C.I1, 1],
  ['Derived instanceof I1 (through Base)', newDerived, 0, C.I1, 1],
  ['Derived instanceof I2', newDerived, 0, C.I2, 1],
  ['Base instanceof I2', newBase, 0, C.I2, 0],
  ['Other instanceof I1', newOther, 0, C.I1, 1],
  ['Other instanceof I2', newOther, 0, C.I2, 0],
  ['Sub instanceof I1 (declared by its superclass only)', newSub, 0, C.I1, 1],
  ['Sub instanceof Derived', newSub, 0, C.Derived, 0],
  ['MyEx instanceof RuntimeException', `new ${C.MyEx}; dup; invokespecial ${C.myExInit};`, 0, C.RuntimeException, 1],
  ['MyEx instanceof ArithmeticException', `new ${C.MyEx}; dup; invokespecial ${C.myExInit};`, 0, C.ArithmeticException, 0],
  ['null instanceof Object', 'aconst_null;', 0, C.Object, 0],
  ['null instanceof byte[]', 'aconst_null;', 11, 0, 0],
  ['null instanceof Base[]', 'aconst_null;', 14, C.Base, 0],
  ['byte[] instanceof Object', 'sconst_1; newarray 11;', 0, C.Object, 1],
  ['byte[] instanceof Base', 'sconst_1; newarray 11;', 0, C.Base, 0],
  ['byte[] instanceof I1', 'sconst_1; newarray 11;', 0, C.I1, 0],
  ['byte[] instanceof byte[]', 'sconst_1; newarray 11;', 11, 0, 1],
  ['byte[] instanceof boolean[]', 'sconst_1; newarray 11;', 10, 0, 0],
  ['boolean[] instanceof boolean[]', 'sconst_1; newarray 10;', 10, 0, 1],
  ['boolean[] instanceof byte[]', 'sconst_1; newarray 10;', 11, 0, 0],
  ['short[] instanceof short[]', 'sconst_1; newarray 12;', 12, 0, 1],
  ['short[] instanceof int[]', 'sconst_1; newarray 12;', 13, 0, 0],
  ['int[] instanceof int[]', 'sconst_1; newarray 13;', 13, 0, 1],
  ['byte[] instanceof Object[]', 'sconst_1; newarray 11;', 14, C.Object, 0],
  ['Base instanceof byte[]', newBase, 11, 0, 0],
  ['Base instanceof Object[]', newBase, 14, C.Object, 0],
  ['Base[] instanceof Base[]', `sconst_1; anewarray ${C.Base};`, 14, C.Base, 1],
  ['Derived[] instanceof Base[]', `sconst_1; anewarray ${C.Derived};`, 14, C.Base, 1],
  ['Base[] instanceof Derived[]', `sconst_1; anewarray ${C.Base};`, 14, C.Derived, 0],
  ['Base[] instanceof Object[]', `sconst_1; anewarray ${C.Base};`, 14, C.Object, 1],
  ['Base[] instanceof Object', `sconst_1; anewarray ${C.Base};`, 0, C.Object, 1],
  ['Object[] instanceof Base[]', `sconst_1; anewarray ${C.Object};`, 14, C.Base, 0],
  ['Derived[] instanceof I1[]', `sconst_1; anewarray ${C.Derived};`, 14, C.I1, 1],
  ['Other[] instanceof I2[]', `sconst_1; anewarray ${C.Other};`, 14, C.I2, 0],
  ['I2[] instanceof I1[]', `sconst_1; anewarray ${C.I2};`, 14, C.I1, 1],
  ['Base[] instanceof byte[]', `sconst_1; anewarray ${C.Base};`, 11, 0, 0],
];

export const tables: Table[] = [
  table('new', A, [
    ['new Base: an instance of 6 zeroed cells', `${newBase} areturn;`, [0], isInstance(6)],
    ['new Derived: Base cells + 1', `${newDerived} areturn;`, [0], isInstance(7)],
    ['new Other: no cells', `${newOther} areturn;`, [0], isInstance(0)],
    ['new without the constructor', `new ${C.Base}; areturn;`, [0], isInstance(6)],
  ]),
  table('instance fields', S, [
    ['putfield_s / getfield_s', `${newBase} astore_1; aload_1; sload_0; putfield_s ${C.s}; aload_1; getfield_s ${C.s}; sreturn;`, [-32768], -32768],
    ['putfield_b / getfield_b', `${newBase} astore_1; aload_1; sload_0; putfield_b ${C.b}; aload_1; getfield_b ${C.b}; sreturn;`, [-128], -128],
    ['putfield_b truncates 0x01FF to -1', `${newBase} astore_1; aload_1; sload_0; putfield_b ${C.b}; aload_1; getfield_b ${C.b}; sreturn;`, [0x1ff], -1],
    ['putfield_b truncates 0x1234 to 0x34', `${newBase} astore_1; aload_1; sload_0; putfield_b ${C.b}; aload_1; getfield_b ${C.b}; sreturn;`, [0x1234], 0x34],
    ['putfield_b / getfield_b of a boolean', `${newBase} astore_1; aload_1; sconst_1; putfield_b ${C.z}; aload_1; getfield_b ${C.z}; sreturn;`, [0], 1],
    ['putfield_a / getfield_a', `${newBase} astore_1; aload_1; aload_1; putfield_a ${C.ref}; aload_1; getfield_a ${C.ref}; aload_1; ${ret01('if_acmpeq')}`, [0], 1],
    ['getfield_a of an unset field is null', `${newBase} getfield_a ${C.ref}; ${ret01('ifnull')}`, [0], 1],
    ['fields do not overlap', `${newBase} astore_1; aload_1; sspush 0x1111; putfield_s ${C.s}; aload_1; bspush 0x22; putfield_b ${C.b}; aload_1; sconst_1; putfield_b ${C.z}; aload_1; iipush -1; putfield_i ${C.i}; aload_1; getfield_s ${C.s}; aload_1; getfield_b ${C.b}; sadd; aload_1; getfield_b ${C.z}; sadd; sreturn;`, [0], 0x1111 + 0x22 + 1],
    ['a subclass field after the superclass fields', `${newDerived} astore_1; aload_1; sspush 7; putfield_s ${C.t}; aload_1; sspush 3; putfield_s ${C.s}; aload_1; getfield_s ${C.t}; bspush 10; smul; aload_1; getfield_s ${C.s}; sadd; sreturn;`, [0], 73],
    ['two instances are independent', `${newBase} astore_1; ${newBase} astore_2; aload_1; sconst_1; putfield_s ${C.s}; aload_2; sconst_2; putfield_s ${C.s}; aload_1; getfield_s ${C.s}; sreturn;`, [0], 1],
    ['putfield_s_w / getfield_s_w', `${newBase} astore_1; aload_1; sload_0; putfield_s_w ${C.s}; aload_1; getfield_s_w ${C.s}; sreturn;`, [32767], 32767],
    ['putfield_b_w / getfield_b_w truncating', `${newBase} astore_1; aload_1; sload_0; putfield_b_w ${C.b}; aload_1; getfield_b_w ${C.b}; sreturn;`, [0x180], -128],
    ['putfield_a_w / getfield_a_w', `${newBase} astore_1; aload_1; aload_1; putfield_a_w ${C.ref}; aload_1; getfield_a_w ${C.ref}; aload_1; ${ret01('if_acmpeq')}`, [0], 1],
    ['_w and plain forms reach the same field', `${newBase} astore_1; aload_1; sload_0; putfield_s_w ${C.s}; aload_1; getfield_s ${C.s}; sreturn;`, [-2], -2],
    ['_this forms (private invokespecial)', `${newBase} astore_1; aload_1; sspush 300; bspush -5; iipush 7; invokespecial ${C.fillThis}; aload_1; invokespecial ${C.sumThis}; sreturn;`, [0], 300 - 5 + 1 + 1000],
    ['_this stores seen by plain loads', `${newBase} astore_1; aload_1; sspush 300; sspush 0x1FF; iipush 7; invokespecial ${C.fillThis}; aload_1; getfield_b ${C.b}; sreturn;`, [0], -1],
    ['getfield_s of null', `aconst_null; getfield_s ${C.s}; sreturn;`, [0], NULL_POINTER],
    ['getfield_b of null', `aconst_null; getfield_b ${C.b}; sreturn;`, [0], NULL_POINTER],
    ['getfield_a of null', `aconst_null; getfield_a ${C.ref}; pop; sconst_0; sreturn;`, [0], NULL_POINTER],
    ['getfield_i of null', `aconst_null; getfield_i ${C.i}; pop2; sconst_0; sreturn;`, [0], NULL_POINTER],
    ['getfield_s_w of null', `aconst_null; getfield_s_w ${C.s}; sreturn;`, [0], NULL_POINTER],
    ['getfield_i_w of null', `aconst_null; getfield_i_w ${C.i}; pop2; sconst_0; sreturn;`, [0], NULL_POINTER],
    ['putfield_s of null', `aconst_null; sconst_1; putfield_s ${C.s}; sconst_0; sreturn;`, [0], NULL_POINTER],
    ['putfield_b_w of null', `aconst_null; sconst_1; putfield_b_w ${C.b}; sconst_0; sreturn;`, [0], NULL_POINTER],
    ['putfield_a of null', `aconst_null; aconst_null; putfield_a ${C.ref}; sconst_0; sreturn;`, [0], NULL_POINTER],
    ['putfield_i of null', `aconst_null; iconst_1; putfield_i ${C.i}; sconst_0; sreturn;`, [0], NULL_POINTER],
    ['putfield_i_w of null', `aconst_null; iconst_1; putfield_i_w ${C.i}; sconst_0; sreturn;`, [0], NULL_POINTER],
  ]),
  table('int instance fields', I, [
    ['putfield_i / getfield_i', `${newBase} astore_1; aload_1; iipush 0x12345678; putfield_i ${C.i}; aload_1; getfield_i ${C.i}; ireturn;`, [0], 0x12345678],
    ['putfield_i / getfield_i of MIN', `${newBase} astore_1; aload_1; iipush -2147483648; putfield_i ${C.i}; aload_1; getfield_i ${C.i}; ireturn;`, [0], -0x80000000],
    ['putfield_i_w / getfield_i_w', `${newBase} astore_1; aload_1; iipush 0x0000FFFF; putfield_i_w ${C.i}; aload_1; getfield_i_w ${C.i}; ireturn;`, [0], 0xffff],
    ['putfield_i_this / getfield_i_this', `${newBase} astore_1; aload_1; sconst_0; sconst_0; iipush -65536; invokespecial ${C.fillThis}; aload_1; invokespecial ${C.intThis}; ireturn;`, [0], -65536],
    ['an int field read as its two cells', `${newBase} astore_1; aload_1; iipush 0x7FFF8000; putfield_i ${C.i}; aload_1; getfield_i ${C.i}; i2s; s2i; ireturn;`, [0], -32768],
  ]),
  table('static fields', S, [
    ['putstatic_s / getstatic_s', `sload_0; putstatic_s ${C.ss}; getstatic_s ${C.ss}; sreturn;`, [-32768], -32768],
    ['putstatic_s / getstatic_s of 0x00FF', `sload_0; putstatic_s ${C.ss}; getstatic_s ${C.ss}; sreturn;`, [0xff], 0xff],
    ['putstatic_b / getstatic_b', `sload_0; putstatic_b ${C.sb}; getstatic_b ${C.sb}; sreturn;`, [-100], -100],
    ['putstatic_b truncates 0x01FF to -1', `sload_0; putstatic_b ${C.sb}; getstatic_b ${C.sb}; sreturn;`, [0x1ff], -1],
    ['putstatic_b truncates 0x7F80 to -128', `sload_0; putstatic_b ${C.sb}; getstatic_b ${C.sb}; sreturn;`, [0x7f80], -128],
    ['putstatic_b / getstatic_b of a boolean', `sconst_1; putstatic_b ${C.sz}; getstatic_b ${C.sz}; sreturn;`, [0], 1],
    ['putstatic_a / getstatic_a', `sload_0; newarray 11; putstatic_a ${C.sa}; getstatic_a ${C.sa}; arraylength; sreturn;`, [33], 33],
    ['getstatic_a of an unset field is null', `getstatic_a ${C.sa}; ${ret01('ifnull')}`, [0], 1],
    ['statics start at zero', `getstatic_s ${C.ss}; getstatic_b ${C.sb}; sadd; getstatic_b ${C.sz}; sadd; sreturn;`, [0], 0],
    ['initial value of a short static', `getstatic_s ${C.sInit}; sreturn;`, [0], 1234],
    ['initial value of a byte static', `getstatic_b ${C.bInit}; sreturn;`, [0], -5],
    ...[[0, 1], [1, -2], [2, 127], [3, -128]].map(([k, v]) => [`initialised static byte[]: element ${k}`, `getstatic_a ${C.BA}; sload_0; baload; sreturn;`, [k!], v!] as [string, string, number[], number]),
    ...[[0, 100], [1, -200], [2, 32767], [3, -32768]].map(([k, v]) => [`initialised static final short[]: element ${k}`, `getstatic_a ${C.SA}; sload_0; saload; sreturn;`, [k!], v!] as [string, string, number[], number]),
    ...[[0, 1], [1, 0], [2, 1]].map(([k, v]) => [`initialised static boolean[]: element ${k}`, `getstatic_a ${C.ZA}; sload_0; baload; sreturn;`, [k!], v!] as [string, string, number[], number]),
    ['initialised static arrays have their lengths', `getstatic_a ${C.BA}; arraylength; getstatic_a ${C.SA}; arraylength; bspush 10; smul; sadd; getstatic_a ${C.ZA}; arraylength; bspush 100; smul; sadd; getstatic_a ${C.IA}; arraylength; sspush 1000; smul; sadd; sreturn;`, [0], 3344],
    ['an initialised static array is writable', `getstatic_a ${C.BA}; sconst_0; bspush 55; bastore; getstatic_a ${C.BA}; sconst_0; baload; sreturn;`, [0], 55],
    ['an initialised static array past its end', `getstatic_a ${C.BA}; sload_0; baload; sreturn;`, [4], INDEX_OUT_OF_BOUNDS],
    ['statics do not overlap', `sspush -1; putstatic_s ${C.ss}; sconst_1; putstatic_b ${C.sb}; iipush -1; putstatic_i ${C.si}; getstatic_b ${C.sb}; getstatic_s ${C.sInit}; sadd; getstatic_b ${C.bInit}; sadd; sreturn;`, [0], 1 + 1234 - 5],
  ]),
  table('int static fields', I, [
    ['putstatic_i / getstatic_i', `iipush 0x12345678; putstatic_i ${C.si}; getstatic_i ${C.si}; ireturn;`, [0], 0x12345678],
    ['putstatic_i / getstatic_i of MIN', `iipush -2147483648; putstatic_i ${C.si}; getstatic_i ${C.si}; ireturn;`, [0], -0x80000000],
    ['putstatic_i / getstatic_i of 0x0000FF80', `iipush 0xFF80; putstatic_i ${C.si}; getstatic_i ${C.si}; ireturn;`, [0], 0xff80],
    ['initial value of an int static', `getstatic_i ${C.iInit}; ireturn;`, [0], 0x12345678],
    ...[[0, 0x12345678], [1, -1], [2, -0x80000000]].map(([k, v]) => [`initialised static int[]: element ${k}`, `getstatic_a ${C.IA}; sload_0; iaload; ireturn;`, [k!], v!] as [string, string, number[], number]),
  ]),
  table('instanceof', S, INSTANCEOF.map(([d, push, atype, index]) => [d, `${push} instanceof ${atype} ${index}; sreturn;`, [0], INSTANCEOF.find((r) => r[0] === d)![4]])),
  table('checkcast', S, [
    ...INSTANCEOF.map(([d, push, atype, index, ok]): [string, string, number[], number | typeof CLASS_CAST] => [
      d.replace('instanceof', 'checkcast to'),
      `${push} dup; astore_1; checkcast ${atype} ${index}; aload_1; ${ret01('if_acmpeq')}`,
      [0],
      ok || d.startsWith('null') ? 1 : CLASS_CAST,
    ]),
  ]),
  table('invokevirtual / invokespecial / invokeinterface', S, [
    ['invokevirtual on Base', `${newBase} invokevirtual ${C.value}; sreturn;`, [0], 1],
    ['invokevirtual dispatches to the Derived override', `${newDerived} invokevirtual ${C.value}; sreturn;`, [0], 2],
    ['invokevirtual of an inherited method', `${newDerived} invokevirtual ${C.get}; sreturn;`, [0], 10],
    ['invokevirtual of a package method', `${newBase} invokevirtual ${C.pkgValue}; sreturn;`, [0], 100],
    ['invokevirtual of an overridden package method', `${newDerived} invokevirtual ${C.pkgValue}; sreturn;`, [0], 101],
    ['invokespecial of a super method', `${newDerived} invokevirtual ${C.superValue}; sreturn;`, [0], 12],
    ['invokevirtual passes short and int arguments', `${newBase} astore_1; aload_1; iipush 0x10000; putfield_i ${C.i}; aload_1; sload_0; iipush 0x20000; invokevirtual ${C.add}; i2s; sreturn;`, [5], 5],
    ['invokevirtual of an int method: both words', `${newBase} astore_1; aload_1; iipush 0x10000; putfield_i ${C.i}; aload_1; sload_0; iipush 0x20000; invokevirtual ${C.add}; bipush 16; iushr; i2s; sreturn;`, [5], 3],
    ['invokevirtual of java/lang/Object.equals (native) on itself', `${newBase} dup; invokevirtual ${C.equals}; sreturn;`, [0], 1],
    ['invokevirtual of Object.equals on two objects', `${newBase} ${newBase} invokevirtual ${C.equals}; sreturn;`, [0], 0],
    ['invokevirtual of Object.equals on an array', 'sconst_1; newarray 11; dup; invokevirtual ' + C.equals + '; sreturn;', [0], 1],
    ['invokeinterface I1.get on Base', `${newBase} invokeinterface 1 ${C.I1} 0; sreturn;`, [0], 10],
    ['invokeinterface I1.get on Derived (inherited implementation)', `${newDerived} invokeinterface 1 ${C.I1} 0; sreturn;`, [0], 10],
    ['invokeinterface I1.get on Other', `${newOther} invokeinterface 1 ${C.I1} 0; sreturn;`, [0], 30],
    ['invokeinterface I2.get2 on Derived', `${newDerived} invokeinterface 1 ${C.I2} 0; sreturn;`, [0], 20],
    ['invokeinterface I1.get on Sub: the superclass lists I1, the override runs', `${newSub} invokeinterface 1 ${C.I1} 0; sreturn;`, [0], 40],
    ['invokevirtual Base.get on Sub: the override runs', `${newSub} invokevirtual ${C.get}; sreturn;`, [0], 40],
    ['invokevirtual on null', `aconst_null; invokevirtual ${C.value}; sreturn;`, [0], NULL_POINTER],
    ['invokeinterface on null', `aconst_null; invokeinterface 1 ${C.I1} 0; sreturn;`, [0], NULL_POINTER],
    ['invokespecial of a private method on null', `aconst_null; invokespecial ${C.sumThis}; sreturn;`, [0], NULL_POINTER],
    ['invokestatic returns through frames', `sload_0; invokestatic ${C.level3}; sreturn;`, [5], 1105],
  ]),
  table('aastore type checks', S, [
    ['Derived into Base[]', `sconst_1; anewarray ${C.Base}; sconst_0; ${newDerived} aastore; sconst_1; sreturn;`, [0], 1],
    ['Base into Derived[]', `sconst_1; anewarray ${C.Derived}; sconst_0; ${newBase} aastore; sconst_1; sreturn;`, [0], ARRAY_STORE],
    ['Other into I1[]', `sconst_1; anewarray ${C.I1}; sconst_0; ${newOther} aastore; sconst_1; sreturn;`, [0], 1],
    ['Other into I2[]', `sconst_1; anewarray ${C.I2}; sconst_0; ${newOther} aastore; sconst_1; sreturn;`, [0], ARRAY_STORE],
    ['byte[] into Object[]', `sconst_1; anewarray ${C.Object}; sconst_0; sconst_1; newarray 11; aastore; sconst_1; sreturn;`, [0], 1],
    ['byte[] into Base[]', `sconst_1; anewarray ${C.Base}; sconst_0; sconst_1; newarray 11; aastore; sconst_1; sreturn;`, [0], ARRAY_STORE],
    ['null into Derived[]', `sconst_1; anewarray ${C.Derived}; sconst_0; aconst_null; aastore; sconst_1; sreturn;`, [0], 1],
    ['Base into Derived[] past its end: the index is checked first', `sconst_1; anewarray ${C.Derived}; sconst_1; ${newBase} aastore; sconst_1; sreturn;`, [0], INDEX_OUT_OF_BOUNDS],
    ['Base into a null Derived[]: the null is checked first', `aconst_null; sconst_5; ${newBase} aastore; sconst_1; sreturn;`, [0], NULL_POINTER],
  ]),
  table('athrow and handlers', { ...S, handlers: [`L0 L1 L1 ${C.MyEx}`] }, [
    ...[[5, 1105], [0, -1], [1, ARITHMETIC], [2, NULL_POINTER]].map(([x, r]) => [
      `a throw three frames down caught by the outermost handler (argument ${x})`,
      `L0: sload_0; invokestatic ${C.level3}; sreturn; L1: pop; sconst_m1; sreturn;`,
      [x as number],
      r!,
    ] as [string, string, number[], number]),
  ]),
  table('catch by superclass', { ...S, handlers: [`L0 L1 L1 ${C.RuntimeException}`] }, [
    ...[[5, 1105], [0, -1], [1, -1], [2, -1]].map(([x, r]) => [
      `RuntimeException catches MyEx and the VM's exceptions (argument ${x})`,
      `L0: sload_0; invokestatic ${C.level3}; sreturn; L1: pop; sconst_m1; sreturn;`,
      [x!],
      r!,
    ] as [string, string, number[], number]),
  ]),
  table('handler in a middle frame', { ...S, handlers: [`L0 L1 L1 ${C.RuntimeException}`] }, [
    ...[[5, 105], [1, -2], [0, -1], [2, -1]].map(([x, r]) => [
      `ArithmeticException caught in the middle, others outside (argument ${x})`,
      `L0: sload_0; invokestatic ${C.level2Catching}; sreturn; L1: pop; sconst_m1; sreturn;`,
      [x!],
      r!,
    ] as [string, string, number[], number]),
  ]),
  table('finally (catch-all) and rethrow', { ...S, handlers: [`L0 L1 L1 ${C.RuntimeException}`] }, [
    ...[[5, 105], [0, 10], [1, 10], [2, 10]].map(([x, r]) => [
      `the catch-all handler runs and rethrows (argument ${x})`,
      `L0: sload_0; invokestatic ${C.withFinally}; getstatic_s ${C.ss}; bspush 100; smul; sadd; sreturn; L1: pop; getstatic_s ${C.ss}; sreturn;`,
      [x!],
      r!,
    ] as [string, string, number[], number]),
    ...[[0, 1], [1, 1], [2, 1]].map(([x, r]) => [
      `a rethrow passes on the same object (argument ${x})`,
      `L0: sload_0; invokestatic ${C.catchAndRethrow}; sreturn; L1: getstatic_a ${C.sa}; ${ret01('if_acmpeq')}`,
      [x!],
      r!,
    ] as [string, string, number[], number]),
  ]),
  table('handler selection', { ...S, handlers: [`L0 L1 L1 ${C.RuntimeException}`, `L0 L1 L2 ${C.ArithmeticException}`] }, [
    ['the first matching handler in table order wins', `L0: sload_0; invokestatic ${C.thrower}; sreturn; L1: pop; sconst_1; sreturn; L2: pop; sconst_2; sreturn;`, [1], 1],
    ['a non-matching handler is skipped', `L0: sload_0; invokestatic ${C.thrower}; sreturn; L1: pop; sconst_1; sreturn; L2: pop; sconst_2; sreturn;`, [0], 1],
  ]),
  table('handler selection (reversed)', { ...S, handlers: [`L0 L1 L2 ${C.ArithmeticException}`, `L0 L1 L1 ${C.RuntimeException}`] }, [
    ['ArithmeticException: the first row matches', `L0: sload_0; invokestatic ${C.thrower}; sreturn; L1: pop; sconst_1; sreturn; L2: pop; sconst_2; sreturn;`, [1], 2],
    ['MyEx: the second row matches', `L0: sload_0; invokestatic ${C.thrower}; sreturn; L1: pop; sconst_1; sreturn; L2: pop; sconst_2; sreturn;`, [0], 1],
  ]),
  table('handler ranges', { ...S, handlers: [`L0 L1 L2 ${C.ArithmeticException}`] }, [
    ['the last instruction of the range is covered', 'sload_0; sstore_1; L0: nop; sload_1; sconst_0; sdiv; L1: sreturn; L2: pop; bspush 7; sreturn;', [1], 7],
    ['the instruction at the end offset is not covered', 'sload_0; sstore_1; L0: nop; L1: sload_1; sconst_0; sdiv; sreturn; L2: pop; bspush 7; sreturn;', [1], ARITHMETIC],
    ['an instruction before the start is not covered', 'sload_0; sconst_0; sdiv; sstore_1; L0: nop; L1: sload_1; sreturn; L2: pop; bspush 7; sreturn;', [1], ARITHMETIC],
    ['a throw inside the handler is not caught by it', 'L0: sload_0; sconst_0; sdiv; L1: sreturn; L2: pop; sload_0; sconst_0; sdiv; sreturn;', [1], ARITHMETIC],
  ]),
  table('exceptions thrown by natives', { ...S, handlers: [`L0 L1 L1 ${C.ISOException}`] }, [
    ['ISOException.throwIt caught in the same frame, reason kept', `L0: sload_0; invokestatic ${C.isoThrowIt}; sconst_0; sreturn; L1: invokevirtual ${C.isoGetReason}; sreturn;`, [0x6a82], 0x6a82],
    ['ISOException.throwIt two frames down, caught here', `L0: sload_0; invokestatic ${C.level2}; sreturn; L1: invokevirtual ${C.isoGetReason}; sreturn;`, [7], 107],
  ]),
  table('athrow', { ...S, handlers: [`L0 L1 L1 ${C.RuntimeException}`] }, [
    ['athrow of null throws NullPointerException', 'L0: aconst_null; athrow; L1: pop; sconst_m1; sreturn;', [0], -1],
    ['athrow of null, uncaught', 'L0: nop; L1: aconst_null; athrow;', [0], NULL_POINTER],
    ['athrow of a new MyEx caught by its class', `L0: new ${C.MyEx}; dup; invokespecial ${C.myExInit}; athrow; L1: astore_1; aload_1; instanceof 0 ${C.MyEx}; sreturn;`, [0], 1],
    ['the handler receives the thrown object', `sconst_3; sconst_4; L0: new ${C.MyEx}; dup; astore_1; athrow; L1: aload_1; if_acmpeq L2; sconst_0; sreturn; L2: bspush 9; sreturn;`, [0], 9],
  ]),
];
