// A probe applet for API tests, written in JCA (the syntax of the corpus .jca files) and
// assembled on the fly. Each probe is one private method `(APDU apdu, byte[] buf) -> short`
// selected by INS (CLA is not checked); it returns the number of response bytes it left at
// buf[0..], or -1 when it sent its response itself. process() maps exceptions that leave a
// probe to status words (the corpus convention, extended):
//
//   6A01 ArithmeticException   6A02 ArrayIndexOutOfBoundsException   6A03 NullPointerException
//   6A04 ClassCastException    6A05 NegativeArraySizeException       6A06 SecurityException
//   6A07 ArrayStoreException   6A2r TransactionException reason r    6A4r SystemException reason r
//   6A5r APDUException reason r   6A6r PINException reason r         ISOException: its reason
//
// In probe code, constant pool entries are written inline as @{entry}, e.g.
// `invokestatic @{staticMethodRef 0.16.1([BS[BSS)S;};` (package 0 = javacard.framework 1.6,
// 1 = java.lang); the builder numbers them. Locals 0-2 are this, apdu and buf; a probe's own
// locals start at 3 (`locals` counts them).

import type { CapFile } from '../../../loader/cap/components.ts';
import { decodeCap } from '../../../loader/cap/decode.ts';
import { assembleJca } from '../../../loader/jca/assemble.ts';
import type { Card, CardOptions } from '../../../runtime/card.ts';
import { jcaCard } from '../helpers.ts';

export const PROBE_PKG = 'F04A43564D7F';
export const PROBE_AID = 'F04A43564D7F01';

export interface Probe {
  ins: number;
  code: string;
  /** Locals beyond this, apdu, buf. */
  locals?: number;
  stack?: number;
}

export interface ProbeApplet {
  probes: Probe[];
  /** Instance fields, e.g. `byte[] tmp` or `0.9 pin` (OwnerPIN); tokens are given in order. */
  fields?: string[];
  /** Code run in the constructor after Applet.<init>() and before register() (locals: 0 = this). */
  init?: string;
  initStack?: number;
  /** JCA of deselect()V, if the applet overrides it. */
  deselect?: string;
  /** Static fields of the class, e.g. `static byte[] sref` (constant pool: `staticFieldRef byte[] Probe/sref;`). */
  statics?: string[];
  /** Package name (slashes), package AID and applet class AID (hex); default jcvmtest/probe, PROBE_PKG, PROBE_AID. */
  pkgName?: string;
  pkgAid?: string;
  appletAid?: string;
  /** More imports after javacard/framework (0) and java/lang (1), as JCA lines: `0xF0:0x4A:... 1.0;`. */
  imports?: string[];
  /** install() registers the instance AID of its install data (register(bArray, off, len)) instead of the class AID. */
  instanceAid?: boolean;
  /**
   * The applet implements a Shareable interface of an imported package (`iface`, e.g. '2.0'):
   * `methods` in the interface's token order (public virtual tokens 8, 9...), and the code of
   * getShareableInterfaceObject(AID clientAID, byte parameter) (locals: 0 this, 1 AID, 2 parameter).
   */
  shareable?: { iface: string; methods: { sig: string; code: string; stack?: number; locals?: number; descriptors?: string[] }[]; sio: string };
}

/** Constant pool entries of the API, by a short name. */
export const API = {
  // javacard.framework.Applet / ISOException
  appletInit: 'staticMethodRef 0.3.0()V;',
  register: 'virtualMethodRef 0.3.1()V;',
  selectingApplet: 'virtualMethodRef 0.3.3()Z;',
  throwIt: 'staticMethodRef 0.7.1(S)V;',
  getReason: 'virtualMethodRef 0.5.1()S;', // CardRuntimeException.getReason
  // APDU
  getBuffer: 'virtualMethodRef 0.10.1()[B;',
  receiveBytes: 'virtualMethodRef 0.10.3(S)S;',
  sendBytes: 'virtualMethodRef 0.10.4(SS)V;',
  sendBytesLong: 'virtualMethodRef 0.10.5([BSS)V;',
  setIncomingAndReceive: 'virtualMethodRef 0.10.6()S;',
  setOutgoing: 'virtualMethodRef 0.10.7()S;',
  setOutgoingAndSend: 'virtualMethodRef 0.10.8(SS)V;',
  setOutgoingLength: 'virtualMethodRef 0.10.9(S)V;',
  setOutgoingNoChaining: 'virtualMethodRef 0.10.10()S;',
  getCurrentState: 'virtualMethodRef 0.10.11()B;',
  getIncomingLength: 'virtualMethodRef 0.10.15()S;',
  getOffsetCdata: 'virtualMethodRef 0.10.16()S;',
  // Util
  arrayCompare: 'staticMethodRef 0.16.0([BS[BSS)B;',
  arrayCopy: 'staticMethodRef 0.16.1([BS[BSS)S;',
  arrayCopyNonAtomic: 'staticMethodRef 0.16.2([BS[BSS)S;',
  arrayFillNonAtomic: 'staticMethodRef 0.16.3([BSSB)S;',
  getShort: 'staticMethodRef 0.16.4([BS)S;',
  makeShort: 'staticMethodRef 0.16.5(BB)S;',
  setShort: 'staticMethodRef 0.16.6([BSS)S;',
  arrayFill: 'staticMethodRef 0.16.7([BSSB)S;',
  // JCSystem
  makeTransientByteArray: 'staticMethodRef 0.8.13(SB)[B;',
  makeTransientShortArray: 'staticMethodRef 0.8.15(SB)[S;',
  makeTransientBooleanArray: 'staticMethodRef 0.8.12(SB)[Z;',
  makeTransientObjectArray: 'staticMethodRef 0.8.14(SB)[Ljava/lang/Object;;\n\t\t\t.descriptor\tLjava/lang/Object;\t1.0;',
  isTransient: 'staticMethodRef 0.8.10(Ljava/lang/Object;)B;\n\t\t\t.descriptor\tLjava/lang/Object;\t1.0;',
  getAID: 'staticMethodRef 0.8.3()Ljavacard/framework/AID;;\n\t\t\t.descriptor\tLjavacard/framework/AID;\t0.6;',
  lookupAID: 'staticMethodRef 0.8.11([BSB)Ljavacard/framework/AID;;\n\t\t\t.descriptor\tLjavacard/framework/AID;\t0.6;',
  getVersion: 'staticMethodRef 0.8.9()S;',
  isObjectDeletionSupported: 'staticMethodRef 0.8.17()Z;',
  requestObjectDeletion: 'staticMethodRef 0.8.18()V;',
  beginTransaction: 'staticMethodRef 0.8.1()V;',
  abortTransaction: 'staticMethodRef 0.8.0()V;',
  commitTransaction: 'staticMethodRef 0.8.2()V;',
  getTransactionDepth: 'staticMethodRef 0.8.7()B;',
  getAvailableMemory: 'staticMethodRef 0.8.16(B)S;',
  isAppletActive: 'staticMethodRef 0.8.20(Ljavacard/framework/AID;)Z;\n\t\t\t.descriptor\tLjavacard/framework/AID;\t0.6;',
  // AID
  aidClass: '.classRef 0.6;',
  aidInit: 'staticMethodRef 0.6.0([BSB)V;',
  aidEqualsObject: 'virtualMethodRef 0.6.0(Ljava/lang/Object;)Z;\n\t\t\t.descriptor\tLjava/lang/Object;\t1.0;',
  aidRIDEquals: 'virtualMethodRef 0.6.1(Ljavacard/framework/AID;)Z;\n\t\t\t.descriptor\tLjavacard/framework/AID;\t0.6;',
  aidEquals: 'virtualMethodRef 0.6.2([BSB)Z;',
  aidGetBytes: 'virtualMethodRef 0.6.3([BS)B;',
  aidPartialEquals: 'virtualMethodRef 0.6.4([BSB)Z;',
  aidGetPartialBytes: 'virtualMethodRef 0.6.5(S[BSB)B;',
  // OwnerPIN
  pinClass: '.classRef 0.9;',
  pinInit: 'staticMethodRef 0.9.0(BB)V;',
  pinCheck: 'virtualMethodRef 0.9.1([BSB)Z;',
  pinGetTriesRemaining: 'virtualMethodRef 0.9.2()B;',
  pinGetValidatedFlag: 'virtualMethodRef 0.9.3()Z;',
  pinIsValidated: 'virtualMethodRef 0.9.4()Z;',
  pinReset: 'virtualMethodRef 0.9.5()V;',
  pinResetAndUnblock: 'virtualMethodRef 0.9.6()V;',
  pinSetValidatedFlag: 'virtualMethodRef 0.9.7(Z)V;',
  pinUpdate: 'virtualMethodRef 0.9.8([BSB)V;',
  // exceptions
  sysExThrowIt: 'staticMethodRef 0.13.1(S)V;',
  apduExThrowIt: 'staticMethodRef 0.12.1(S)V;',
  pinExThrowIt: 'staticMethodRef 0.11.1(S)V;',
  crExThrowIt: 'staticMethodRef 0.5.1(S)V;',
  isoExClass: '.classRef 0.7;',
  isoExInit: 'staticMethodRef 0.7.0(S)V;',
  sysExClass: '.classRef 0.13;',
  sysExInit: 'staticMethodRef 0.13.0(S)V;',
  setReason: 'virtualMethodRef 0.5.2(S)V;', // CardRuntimeException.setReason
  aioobeClass: '.classRef 1.5;',
  aioobeInit: 'staticMethodRef 1.5.0()V;',
  runtimeExClass: '.classRef 1.3;',
  runtimeExInit: 'staticMethodRef 1.3.0()V;',
} as const;

/** `@{entry}` for an API entry by name. */
export const cp = (name: keyof typeof API): string => `@{${API[name]}}`;
/** `@{entry}` for a field of the probe applet (declared in `fields`). */
export const field = (decl: string): string => {
  const [type, name] = decl.trim().split(/\s+/) as [string, string];
  return `@{instanceFieldRef ${type} Probe/${name};}`;
};

/** Exception handlers of process(), in order: catch type, and the SW base (| reason for reason exceptions). */
const HANDLERS: { type: string; sw: number; reason: boolean }[] = [
  { type: '.classRef 1.9;', sw: 0x6a01, reason: false }, // ArithmeticException
  { type: '.classRef 1.5;', sw: 0x6a02, reason: false }, // ArrayIndexOutOfBoundsException
  { type: '.classRef 1.7;', sw: 0x6a03, reason: false }, // NullPointerException
  { type: '.classRef 1.8;', sw: 0x6a04, reason: false }, // ClassCastException
  { type: '.classRef 1.6;', sw: 0x6a05, reason: false }, // NegativeArraySizeException
  { type: '.classRef 1.10;', sw: 0x6a06, reason: false }, // SecurityException
  { type: '.classRef 1.11;', sw: 0x6a07, reason: false }, // ArrayStoreException
  { type: '.classRef 0.14;', sw: 0x6a20, reason: true }, // TransactionException
  { type: '.classRef 0.13;', sw: 0x6a40, reason: true }, // SystemException
  { type: '.classRef 0.12;', sw: 0x6a50, reason: true }, // APDUException
  { type: '.classRef 0.11;', sw: 0x6a60, reason: true }, // PINException
];

const PROBE_SIG = '(Ljavacard/framework/APDU;[B)S';
const APDU_BINDING = '.descriptor\tLjavacard/framework/APDU;\t0.10;';

/** The JCA text of the probe applet. */
export function probeJca(applet: ProbeApplet): string {
  const entries: string[] = [];
  const index = (entry: string): number => {
    const e = entry.trim();
    let i = entries.indexOf(e);
    if (i < 0) i = entries.push(e) - 1;
    return i;
  };
  const fill = (code: string): string => code.replace(/@\{([^{}]*)\}/g, (_, e: string) => String(index(e)));

  const probeName = (p: Probe): string => `m${p.ins.toString(16).padStart(2, '0')}`;
  const methods: string[] = [];
  const fieldDecls = (applet.fields ?? []).map((f, i) => `\t\t\tprivate ${f.trim()} ${i};`);

  methods.push(`
		.method private <init>()V {
			.stack ${applet.initStack ?? 6};
			.locals 0;
				aload_0;
				invokespecial ${index(API.appletInit)};
${fill(applet.init ?? '')}
${applet.instanceAid ? '' : `				aload_0;
				invokevirtual ${index(API.register)};`}
				return;
		}`);
  const registerInstance = `				dup;
				aload_0;
				sload_1;
				sconst_1;
				sadd;
				aload_0;
				sload_1;
				baload;
				invokevirtual ${index('virtualMethodRef 0.3.2([BSB)V;')};`;
  methods.push(`
		.method public static install([BSB)V 0 {
			.stack 6;
			.locals 0;
				new ${index('.classRef Probe;')};
				dup;
				invokespecial ${index('staticMethodRef Probe/<init>()V;')};
${applet.instanceAid ? registerInstance : ''}
				pop;
				return;
		}`);
  const sh = applet.shareable;
  if (sh) {
    methods.push(`
		.method public getShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable; 5 {
			.stack 6;
			.locals 2;
			.descriptor	Ljavacard/framework/AID;	0.6;
			.descriptor	Ljavacard/framework/Shareable;	0.2;
${fill(sh.sio)}
		}`);
    sh.methods.forEach((m, i) => {
      methods.push(`
		.method public ${m.sig} ${8 + i} {
			.stack ${m.stack ?? 6};
			.locals ${m.locals ?? 2};
${(m.descriptors ?? []).map((d) => `\t\t\t.descriptor\t${d};`).join('\n')}
${fill(m.code)}
		}`);
    });
  }
  if (applet.deselect) {
    methods.push(`
		.method public deselect()V 4 {
			.stack 6;
			.locals 0;
${fill(applet.deselect)}
		}`);
  }

  // process(): dispatch on INS to the probes; the try range covers the dispatch.
  const sorted = [...applet.probes].sort((a, b) => (a.ins << 24 >> 24) - (b.ins << 24 >> 24));
  const cases = sorted.map((p) => `${p.ins << 24 >> 24} C${probeName(p)}`).join(' ');
  const calls = sorted
    .map((p) => {
      const ref = index(`staticMethodRef Probe/${probeName(p)}${PROBE_SIG};\n\t\t\t${APDU_BINDING}`);
      return `			C${probeName(p)}:	aload_0;
				aload_1;
				aload_2;
				invokespecial ${ref};
				sstore_3;
				goto_w TEND;`;
    })
    .join('\n');
  const throwIt = index(API.throwIt);
  const getReason = index(API.getReason);
  const handlers = HANDLERS.map((h, i) => {
    const body = h.reason
      ? `sspush ${h.sw};
				aload 4;
				invokevirtual ${getReason};
				sor;`
      : `sspush ${h.sw};`;
    return `			H${i}:	astore 4;
				${body}
				invokestatic ${throwIt};`;
  }).join('\n');
  const table = HANDLERS.map((h, i) => `				TSTART TEND H${i} ${index(h.type)};`).join('\n');
  methods.push(`
		.method public process(Ljavacard/framework/APDU;)V 7 {
			.stack 4;
			.locals 3;
			${APDU_BINDING}
				aload_0;
				invokevirtual ${index(API.selectingApplet)};
				ifeq NOTSEL;
				return;
			NOTSEL:	aload_1;
				invokevirtual ${index(API.getBuffer)};
				astore_2;
			TSTART:	aload_2;
				sconst_1;
				baload;
				slookupswitch CDEF ${sorted.length} ${cases};
${calls}
			CDEF:	sspush 27904;
				invokestatic ${throwIt};
			TEND:	sload_3;
				iflt DONE;
				aload_1;
				sconst_0;
				sload_3;
				invokevirtual ${index(API.setOutgoingAndSend)};
			DONE:	return;
${handlers}
			.exceptionTable {
${table}
			}
		}`);

  for (const p of sorted) {
    methods.push(`
		.method private ${probeName(p)}${PROBE_SIG} {
			.stack ${p.stack ?? 8};
			.locals ${p.locals ?? 4};
			${APDU_BINDING}
${fill(p.code)}
		}`);
  }

  const cpText = entries.map((e, i) => `\t\t// ${i}\n\t\t${e}`).join('\n');
  const jcaAid = (h: string): string => h.match(/../g)!.map((b) => '0x' + parseInt(b, 16).toString(16).toUpperCase()).join(':');
  return `.package ${applet.pkgName ?? 'jcvmtest/probe'} {
	.aid ${jcaAid(applet.pkgAid ?? PROBE_PKG)};
	.version 1.0;

	.imports {
		0xA0:0x0:0x0:0x0:0x62:0x1:0x1 1.6;		//javacard/framework
		0xA0:0x0:0x0:0x0:0x62:0x0:0x1 1.0;		//java/lang
${(applet.imports ?? []).map((l) => '\t\t' + l).join('\n')}
	}

	.applet {
		${jcaAid(applet.appletAid ?? PROBE_AID)} Probe;
	}

	.constantPool {
${cpText}
	}

	.class public Probe 0 extends 0.3 {

		.fields {
${fieldDecls.join('\n')}
${(applet.statics ?? []).map((f) => `\t\t\t${f.trim()};`).join('\n')}
		}

${sh ? '\t\t.shareable;\n' : ''}
		.publicMethodTable ${applet.deselect ? 4 : sh ? 5 : 7} {
			equals(Ljava/lang/Object;)Z;
			register()V;
			register([BSB)V;
			selectingApplet()Z;
			deselect()V;
			getShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;;
			select()Z;
			process(Ljavacard/framework/APDU;)V;
${(sh?.methods ?? []).map((m) => `\t\t\t${m.sig};`).join('\n')}
		}

		.packageMethodTable 0 {
		}
${sh ? `
		.implementedInterfaceInfoTable {
			.interface 0.2 {
			}
			.interface ${sh.iface} {
${sh.methods.map((_, i) => `\t\t\t\t${8 + i};`).join('\n')}
			}
		}` : ''}
${methods.join('\n')}
	}
}
`;
}

/** The probe package, assembled and decoded (to load on a card of one's own). */
export function probeCap(applet: ProbeApplet): CapFile {
  const asm = assembleJca(probeJca(applet), { fileName: 'probe.jca' });
  const cap = decodeCap(asm.components);
  cap.packagePath = asm.packagePath;
  return cap;
}

/** A powered card with the probe applet installed and selected. */
export function probeCard(applet: ProbeApplet, options: CardOptions = {}): Card {
  const text = probeJca(applet);
  try {
    return jcaCard(text, PROBE_PKG, PROBE_AID, options);
  } catch (e) {
    const numbered = text.split('\n').map((l, i) => `${String(i + 1).padStart(4)} ${l}`).join('\n');
    throw new Error(`${(e as Error).message}\n--- probe JCA ---\n${numbered}`, { cause: e });
  }
}
