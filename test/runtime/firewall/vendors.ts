// Packages of two vendors for the sharing and hostile-code tests, written in JCA through the
// probe generator (test/runtime/api/probe.ts):
//   vendor A (RID F04A43564D): the corpus library conformance.fwlib (the Shareable interface
//     FwService: add(SS)S, peek([BS)B, secret()[B, whoCalls([BS)S) and a client applet;
//   vendor B (RID F0564E4442): a server applet class implementing FwService, installed twice.
// The client reaches a server only through getAppletShareableInterfaceObject and FwService.

import { readPackageFile } from '../../../loader/files.ts';
import { Card, type CardOptions } from '../../../runtime/card.ts';
import { field, probeCap, type ProbeApplet } from '../api/probe.ts';
import { corpusCap, fromHex, selectApdu, swOf, tx } from '../helpers.ts';
import { fcp, FWLIB_IMPORT, HANDLE, RECEIVE } from './setup.ts';

export const SERVER_B_PKG = 'F0564E444201';
export const SERVER_B_CLASS = 'F0564E44420101';
export const SERVER_B1 = 'F0564E44420111';
export const SERVER_B2 = 'F0564E44420122';
export const CLIENT_PKG = 'F04A43564D7D';
export const CLIENT = 'F04A43564D7D01';

const SECRET = 'byte[] secret', TOTAL = 'short total';

/** FwService methods of a well-behaved server: add keeps a running total per instance. */
export const GOOD_METHODS: NonNullable<ProbeApplet['shareable']>['methods'] = [
  // add(a, b): total += a; return total
  { sig: 'add(SS)S', code: `aload_0; aload_0; getfield_s ${field(TOTAL)}; sload_1; sadd; putfield_s ${field(TOTAL)}; getfield_s_this ${field(TOTAL)}; sreturn;` },
  { sig: 'peek([BS)B', code: 'aload_1; sload_2; baload; sreturn;' },
  { sig: 'secret()[B', code: `getfield_a_this ${field(SECRET)}; areturn;` },
  // whoCalls(buf, off): [n][getPreviousContextAID][m][getAID] at off; returns n + m + 2
  {
    sig: 'whoCalls([BS)S',
    locals: 2,
    code: `invokestatic ${fcp('getPreviousContextAID')}; aload_1; sload_2; sconst_1; sadd; invokevirtual ${fcp('aidGetBytes')}; sstore_3;
				aload_1; sload_2; sload_3; bastore;
				sload_2; sload_3; sadd; sconst_1; sadd; sstore 4;
				invokestatic ${fcp('getAID')}; aload_1; sload 4; sconst_1; sadd; invokevirtual ${fcp('aidGetBytes')}; sstore_3;
				aload_1; sload 4; sload_3; bastore;
				sload 4; sload_3; sadd; sconst_1; sadd; sload_2; ssub; sreturn;`,
  },
];

/** A vendor B server: FwService granted for parameter 01 to anyone; INS 30 answers its total. */
export function serverB(methods = GOOD_METHODS): ProbeApplet {
  return {
    pkgName: 'vendorb/server',
    pkgAid: SERVER_B_PKG,
    appletAid: SERVER_B_CLASS,
    instanceAid: true,
    imports: [FWLIB_IMPORT],
    fields: [SECRET, TOTAL],
    init: `aload_0; sconst_3; newarray 11; putfield_a ${field(SECRET)};`,
    shareable: {
      iface: '2.0',
      methods,
      sio: 'sload_2; sconst_1; if_scmpne NO; aload_0; areturn; NO: aconst_null; areturn;',
    },
    probes: [{ ins: 0x30, code: `aload_2; sconst_0; getfield_s_this ${field(TOTAL)}; invokestatic ${fcp('setShort')}; sreturn;` }],
  };
}

const S1 = '2.0 s1', S2 = '2.0 s2', MINE = 'short mine';
/** The server object chosen by P1 (1: s1, else s2) on the stack. */
const SIO = `aload_2; sconst_2; baload; sconst_1; if_scmpne S2_; getfield_a_this ${field(S1)}; goto SD_; S2_: getfield_a_this ${field(S2)}; SD_:`;

/** Vendor A's client. */
export const CLIENT_APPLET: ProbeApplet = {
  pkgName: 'vendora/client',
  pkgAid: CLIENT_PKG,
  appletAid: CLIENT,
  imports: [FWLIB_IMPORT],
  fields: [S1, S2, MINE],
  probes: [
    // INS 40: s<P1> = (FwService) getAppletShareableInterfaceObject(lookupAID(data), 1) -> [not null]
    {
      ins: 0x40,
      locals: 4,
      code: `${RECEIVE} aload_2; sconst_5; sload_3; s2b; invokestatic ${fcp('lookupAID')}; sconst_1; invokestatic ${fcp('getSIO')}; checkcast 0 ${fcp('fwService')}; astore 4;
				aload_2; sconst_2; baload; sconst_1; if_scmpne TWO; aload_0; aload 4; putfield_a ${field(S1)}; goto DONE;
			TWO: aload_0; aload 4; putfield_a ${field(S2)};
			DONE: aload_2; sconst_0; aload 4; instanceof 0 ${fcp('fwService')}; bastore; sconst_1; sreturn;`,
    },
    // INS 41: s<P1>.add(data short, 0) -> 2 bytes; local 5 holds a sentinel 1234 across the call: [result][local 5]
    {
      ins: 0x41,
      locals: 4,
      code: `${RECEIVE} sspush 4660; sstore 5;
				aload_2; sconst_0; ${SIO} ${HANDLE} sconst_0; invokeinterface 3 ${fcp('fwService')} 0; invokestatic ${fcp('setShort')}; pop;
				aload_2; sconst_2; sload 5; invokestatic ${fcp('setShort')}; sreturn;`,
    },
    // INS 42: s<P1>.whoCalls(buf, 0)
    { ins: 0x42, code: `${SIO} aload_2; sconst_0; invokeinterface 3 ${fcp('fwService')} 3; sreturn;` },
    // INS 43: read a field of s<P1> directly (the client's own field reference, cell 1): refused
    { ins: 0x43, code: `${SIO} getfield_a ${field(S2)}; pop; sconst_0; sreturn;` },
    // INS 44: s<P1>.secret()[0]: getting the reference is allowed, reading it is not
    { ins: 0x44, code: `aload_2; sconst_0; ${SIO} invokeinterface 1 ${fcp('fwService')} 2; sconst_0; baload; bastore; sconst_1; sreturn;` },
    // INS 45: the client's own state: ++mine
    {
      ins: 0x45,
      code: `aload_0; aload_0; getfield_s ${field(MINE)}; sconst_1; sadd; putfield_s ${field(MINE)};
				aload_2; sconst_0; getfield_s_this ${field(MINE)}; invokestatic ${fcp('setShort')}; sreturn;`,
    },
    // INS 46: s<P1>.add with a wrong argument count in the instruction (2 instead of 3): refused
    { ins: 0x46, code: `aload_2; sconst_0; ${SIO} sconst_1; invokeinterface 2 ${fcp('fwService')} 0; invokestatic ${fcp('setShort')}; sreturn;` },
    // INS 48: local 100, beyond the frame (hostile: a verifier would refuse it)
    { ins: 0x48, code: `aload_2; sconst_0; sload 100; invokestatic ${fcp('setShort')}; sreturn;` },
    // INS 47: s<P1>.peek(buf, P2)
    { ins: 0x47, code: `aload_2; sconst_0; ${SIO} aload_2; aload_2; sconst_3; baload; invokeinterface 3 ${fcp('fwService')} 1; bastore; sconst_1; sreturn;` },
  ],
};

/** fwlib, vendor B's server (instances B1 and B2) and vendor A's client, loaded, installed, powered, the client selected. */
export async function vendorsCard(options: CardOptions & { server?: ProbeApplet } = {}): Promise<Card> {
  const card = new Card(options);
  card.load(await readPackageFile(corpusCap('firewall', 'fwlib.cap')));
  card.load(probeCap(options.server ?? serverB()));
  card.load(probeCap(CLIENT_APPLET));
  card.install(fromHex(SERVER_B_PKG), fromHex(SERVER_B_CLASS), fromHex(SERVER_B1));
  card.install(fromHex(SERVER_B_PKG), fromHex(SERVER_B_CLASS), fromHex(SERVER_B2));
  card.install(fromHex(CLIENT_PKG), fromHex(CLIENT));
  card.powerOn();
  const r = tx(card, selectApdu(CLIENT));
  if (swOf(r) !== '9000') throw new Error(`SELECT of the client answered ${r}`);
  return card;
}
