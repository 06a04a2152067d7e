// Forms the corpus does not exercise, in a small hand-written package: `implements` without an
// interface table, an extended method header, int switches, a finally handler, all four
// static field image segments, octal and hex operands; checked through loader/cap's decoder,
// which cross-checks the components against each other, for each CAP format.

import { describe, expect, it } from 'vitest';
import { decodeCap } from '../../../loader/cap/decode.ts';
import { assembleJca, disassembleToJca, type CapFormat } from '../../../loader/jca/index.ts';

const JCA = `
/* A package of this test */
.package test/features {
	.aid 0xA0:0x0:0x0:0x0:0x62:0x7F:0x1;
	.version 1.2;

	.imports {
		0xA0:0x0:0x0:0x0:0x62:0x0:0x1 1.0;		// java/lang
	}

	.constantPool {
		// 0
		staticMethodRef 0.0.0()V;		// java/lang/Object.<init>()V
		// 1
		staticFieldRef short Impl/counter;
		// 2
		staticFieldRef int[] Impl/TABLE;
		// 3
		classRef 0.9;			// java/lang/ArithmeticException
		// 4
		virtualMethodRef Impl/twice(S)S;
		// 5
		staticFieldRef 0.0 Impl/holder;
	}

	.interface public abstract Doubler 0 {
		.method public abstract twice(S)S 0 {
		}
		.method public abstract name()B 1 {
		}
	}

	.class public Impl 1 extends 0.0 implements Doubler {
		.fields {
			private short value 0;
			static short counter = 5;
			public static final short LIMIT = 010;
			static int[] TABLE = {1, -1, 0x7FFFFFFF};
			static byte flag;
			static 0.0 holder;
		}

		.publicMethodTable 1 {
			equals(Ljava/lang/Object;)Z;
			twice(S)S;
			name()B;
		}

		.packageMethodTable 0 {
		}

		.method public <init>()V 0 {
			.stack 1;
			.locals 0;
				L0:	aload_0;
					invokespecial 0;
					return;
		}

		.method public twice(S)S 1 {
			.stack 20;
			.locals 17;
				L0:	sload_1;
					sload_1;
					sadd;
					sreturn;
		}

		.method public name()B 2 {
			.stack 2;
			.locals 0;
				L0:	bspush 0x4E;
					sreturn;
		}

		.method public static pick(I)S 1 {
			.stack 2;
			.locals 0;
				L0:	iload_0;
					itableswitch L3 -1 0 L1 L2;
				L1:	getstatic_s 1;
					sreturn;
				L2:	iload_0;
					ilookupswitch L3 2 7 L1 100000 L2;
				L3:	getstatic_a 2;
					sconst_0;
					iaload;
					i2s;
					sreturn;
				L4:	pop;
					sconst_m1;
					sreturn;
				L5:	astore_1;
					sconst_0;
					sreturn;
			.exceptionTable {
				L0 L3 L4 3;
				L0 L4 L5 0;
			}
		}
	}
}
`;

describe('JCA features outside the corpus', () => {
  it.each(['2.1', '2.2', '2.3'] as CapFormat[])('assembles a consistent CAP %s', (format) => {
    const asm = assembleJca(JCA, { fileName: 'features.jca', format });
    const cap = decodeCap(asm.components);
    expect(cap.header.minor_version).toBe(Number(format[2]));
    expect(cap.header.flags).toBe(0x01 | 0x02); // ACC_INT (int switches), ACC_EXPORT (a library)
    expect([cap.header.package.major_version, cap.header.package.minor_version]).toEqual([1, 2]);

    const impl = cap.class.classes[0]!;
    expect(impl.interfaces).toEqual([expect.objectContaining({ index: [1, 2] })]);
    expect([impl.public_method_table_base, impl.public_method_table_count]).toEqual([1, 2]);

    // twice(S)S needs the extended header (max_stack 20, max_locals 17).
    const twice = cap.method.methods.find((m) => m.max_stack === 20)!;
    expect([twice.flags & 0x8, twice.nargs, twice.max_locals]).toEqual([0x8, 2, 17]);

    // Image: TABLE (initialised array), holder (reference), flag (default byte), counter = 5;
    // LIMIT is a compile-time constant.
    const sf = cap.staticField;
    expect([sf.image_size, sf.reference_count, sf.default_value_count]).toEqual([7, 2, 1]);
    expect(Array.from(sf.array_init[0]!.values)).toEqual([0, 0, 0, 1, 255, 255, 255, 255, 0x7f, 255, 255, 255]);
    expect(Array.from(sf.non_default_values)).toEqual([0, 5]);

    const [inner, outer] = cap.method.exception_handlers;
    expect([inner!.stop_bit, outer!.stop_bit, outer!.catch_type_index]).toEqual([false, true, 0]);
    expect(cap.export!.class_exports.map((e) => e.static_method_offsets.length)).toEqual([0, 2]);
  });

  it('disassembles back to the same components', () => {
    const asm = assembleJca(JCA, { fileName: 'features.jca', format: '2.2' });
    const again = assembleJca(disassembleToJca(asm.components, { packagePath: 'test/features' }), { format: '2.2' });
    expect(again.components).toEqual(asm.components);
  });
});

describe('packages that export nothing', () => {
  it('a library whose classes are all package-private has no Export component and no ACC_EXPORT', () => {
    const asm = assembleJca(`
.package test/hidden {
	.aid 0xA0:0x0:0x0:0x0:0x62:0x7F:0x2;
	.version 1.0;
	.imports {
		0xA0:0x0:0x0:0x0:0x62:0x0:0x1 1.0;
	}
	.constantPool {
		// 0
		staticMethodRef 0.0.0()V;
	}
	.class Hidden extends 0.0 {
		.publicMethodTable 1 {
			equals(Ljava/lang/Object;)Z;
		}
		.packageMethodTable 0 {
		}
		.method <init>()V {
			.stack 1;
			.locals 0;
				L0:	aload_0;
					invokespecial 0;
					return;
		}
	}
}`);
    expect(asm.components.has(10)).toBe(false);
    const cap = decodeCap(asm.components);
    expect(cap.header.flags & 0x02).toBe(0);
    expect(cap.export).toBeUndefined();
  });
});
