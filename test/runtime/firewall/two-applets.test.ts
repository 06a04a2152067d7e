// Several applet classes in one package (one context, JCRE 6.1.2): each instance has its own
// AID (JCSystem.getAID) and its own state, and both see the package's static field.

import { describe, expect, it } from 'vitest';
import { decodeCap } from '../../../loader/cap/decode.ts';
import { assembleJca } from '../../../loader/jca/assemble.ts';
import { Card } from '../../../runtime/card.ts';
import { fromHex, select, tx } from '../helpers.ts';

/** Class `name` (token `token`): process() answers [getAID][++count][++shared]. */
function appletClass(name: string, token: number, cp: (n: string) => number): string {
  return `
	.class public ${name} ${token} extends 0.3 {
		.fields {
			private short count 0;
			static short shared;
		}
		.publicMethodTable 7 {
			equals(Ljava/lang/Object;)Z;
			register()V;
			register([BSB)V;
			selectingApplet()Z;
			deselect()V;
			getShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;;
			select()Z;
			process(Ljavacard/framework/APDU;)V;
		}
		.packageMethodTable 0 {
		}
		.method public <init>()V 0 {
			.stack 1;
			.locals 0;
				aload_0;
				invokespecial ${cp('init')};
				aload_0;
				invokevirtual ${cp('register')};
				return;
		}
		.method public static install([BSB)V 1 {
			.stack 2;
			.locals 0;
				new ${cp(name)};
				dup;
				invokespecial ${cp(name + '.init')};
				pop;
				return;
		}
		.method public process(Ljavacard/framework/APDU;)V 7 {
			.stack 5;
			.locals 2;
			.descriptor	Ljavacard/framework/APDU;	0.10;
				aload_0;
				invokevirtual ${cp('selectingApplet')};
				ifeq GO;
				return;
			GO:	aload_1;
				invokevirtual ${cp('getBuffer')};
				astore_2;
				invokestatic ${cp('getAID')};
				aload_2;
				sconst_0;
				invokevirtual ${cp('getBytes')};
				sstore_3;
				aload_0;
				aload_0;
				getfield_s ${cp(name + '.count')};
				sconst_1;
				sadd;
				putfield_s ${cp(name + '.count')};
				aload_2;
				sload_3;
				getfield_s_this ${cp(name + '.count')};
				s2b;
				bastore;
				getstatic_s ${cp('shared')};
				sconst_1;
				sadd;
				putstatic_s ${cp('shared')};
				aload_2;
				sload_3;
				sconst_1;
				sadd;
				getstatic_s ${cp('shared')};
				s2b;
				bastore;
				aload_1;
				sconst_0;
				sload_3;
				sconst_2;
				sadd;
				invokevirtual ${cp('setOutgoingAndSend')};
				return;
		}
	}`;
}

const ENTRIES: [string, string][] = [
  ['init', 'staticMethodRef 0.3.0()V;'],
  ['register', 'virtualMethodRef 0.3.1()V;'],
  ['selectingApplet', 'virtualMethodRef 0.3.3()Z;'],
  ['getBuffer', 'virtualMethodRef 0.10.1()[B;'],
  ['getAID', 'staticMethodRef 0.8.3()Ljavacard/framework/AID;;\n\t\t\t.descriptor\tLjavacard/framework/AID;\t0.6;'],
  ['getBytes', 'virtualMethodRef 0.6.3([BS)B;'],
  ['setOutgoingAndSend', 'virtualMethodRef 0.10.8(SS)V;'],
  ['shared', 'staticFieldRef short First/shared;'],
  ['First', '.classRef First;'],
  ['First.init', 'staticMethodRef First/<init>()V;'],
  ['First.count', 'instanceFieldRef short First/count;'],
  ['Second', '.classRef Second;'],
  ['Second.init', 'staticMethodRef Second/<init>()V;'],
  ['Second.count', 'instanceFieldRef short Second/count;'],
];
const cp = (n: string): number => ENTRIES.findIndex(([k]) => k === n);

const JCA = `.package jcvmtest/twoapps {
	.aid 0xF0:0x4A:0x43:0x56:0x4D:0x7C;
	.version 1.0;
	.imports {
		0xA0:0x0:0x0:0x0:0x62:0x1:0x1 1.6;
		0xA0:0x0:0x0:0x0:0x62:0x0:0x1 1.0;
	}
	.applet {
		0xF0:0x4A:0x43:0x56:0x4D:0x7C:0x1 First;
		0xF0:0x4A:0x43:0x56:0x4D:0x7C:0x2 Second;
	}
	.constantPool {
${ENTRIES.map(([, e]) => '\t\t' + e).join('\n')}
	}
${appletClass('First', 0, cp)}
${appletClass('Second', 1, cp).replace(/static short shared;/, '') /* First's static field is the package's */}
}
`;

describe('two applet classes in one package', () => {
  it('each instance answers its own AID and count; the package\'s static field is shared', () => {
    const asm = assembleJca(JCA, { fileName: 'twoapps.jca' });
    const cap = decodeCap(asm.components);
    cap.packagePath = asm.packagePath;
    const card = new Card();
    card.load(cap);
    card.install(fromHex('F04A43564D7C'), fromHex('F04A43564D7C01'));
    card.install(fromHex('F04A43564D7C'), fromHex('F04A43564D7C02'));
    card.powerOn();
    expect(select(card, 'F04A43564D7C01')).toBe('9000');
    expect(tx(card, '80000000')).toBe('F04A43564D7C01' + '0101' + '9000');
    expect(tx(card, '80000000')).toBe('F04A43564D7C01' + '0202' + '9000');
    expect(select(card, 'F04A43564D7C02')).toBe('9000');
    expect(tx(card, '80000000')).toBe('F04A43564D7C02' + '0103' + '9000');
    const [a, b] = card.jcre.applets;
    expect(a!.pkg.context).toBe(b!.pkg.context);
  });
});
