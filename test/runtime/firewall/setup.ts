// A card for the firewall tests (JCRE 3.0.5 chapter 6): the corpus library conformance.fwlib
// (the Shareable interface FwService) and server conformance.fwserver (ServerApplet, which
// grants its FwService object to the applet F04A43564D073001 for parameter 01), and a probe
// applet of a package of its own (test/runtime/api/probe.ts) whose instance has that AID.
// The probe's code reaches the server's objects either through the shareable interface or
// with a handle given in the command data and used as a reference (a verifier would refuse
// that; the firewall must stop every access it allows).

import { readPackageFile } from '../../../loader/files.ts';
import { Card, type CardOptions } from '../../../runtime/card.ts';
import type { HeapObject } from '../../../vm/types.ts';
import { API, probeCap, type ProbeApplet } from '../api/probe.ts';
import { corpusCap, fromHex, hex, selectApdu, swOf, tx } from '../helpers.ts';

export const SERVER_PKG = 'F04A43564D0720';
export const SERVER = 'F04A43564D072001';
/** The probe: the AID the server grants its shareable object to, in a package of its own. */
export const PROBE_PKG = 'F04A43564D7E';
export const PROBE = 'F04A43564D073001';

/** Constant pool entries beyond the probe's API table (package 2 = conformance.fwlib). */
export const FWAPI = {
  getSIO: 'staticMethodRef 0.8.4(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;;\n\t\t\t.descriptor\tLjavacard/framework/AID;\t0.6;\n\t\t\t.descriptor\tLjavacard/framework/Shareable;\t0.2;',
  getPreviousContextAID: 'staticMethodRef 0.8.6()Ljavacard/framework/AID;;\n\t\t\t.descriptor\tLjavacard/framework/AID;\t0.6;',
  makeGlobalArray: 'staticMethodRef 0.8.21(BS)Ljava/lang/Object;;\n\t\t\t.descriptor\tLjava/lang/Object;\t1.0;',
  fwService: '.classRef 2.0;',
  objectEquals: 'virtualMethodRef 1.0.0(Ljava/lang/Object;)Z;\n\t\t\t.descriptor\tLjava/lang/Object;\t1.0;',
  pinInterface: '.classRef 0.1;',
  appletClass: '.classRef 0.3;',
  probeInit: 'staticMethodRef Probe/<init>()V;',
  ...API,
} as const;
export const fcp = (name: keyof typeof FWAPI): string => `@{${FWAPI[name]}}`;
export const FWLIB_IMPORT = '0xF0:0x4A:0x43:0x56:0x4D:0x7:0x10 1.0;\t\t//conformance/fwlib';

/** Receives the command data (local 3 = its length). */
export const RECEIVE = `aload_1; invokevirtual ${fcp('setIncomingAndReceive')}; sstore_3;`;
/** Pushes the first two data bytes as a short, used as a reference: a forged handle. */
export const HANDLE = `aload_2; sconst_5; invokestatic ${fcp('getShort')};`;

export interface FirewallCard {
  card: Card;
  /** The server applet object (its class implements FwService) and its private byte array. */
  serverObject: number;
  serverSecret: number;
  serverContext: number;
  probeContext: number;
}

export async function firewallCard(probe: ProbeApplet, options: CardOptions = {}): Promise<FirewallCard> {
  const card = new Card(options);
  card.load(await readPackageFile(corpusCap('firewall', 'fwlib.cap')));
  card.load(await readPackageFile(corpusCap('firewall', 'fwserver.cap')));
  card.load(probeCap({ pkgName: 'jcvmtest/fwprobe', pkgAid: PROBE_PKG, appletAid: PROBE, imports: [FWLIB_IMPORT], ...probe }));
  card.install(fromHex(SERVER_PKG), fromHex(SERVER));
  card.install(fromHex(PROBE_PKG), fromHex(PROBE));
  card.powerOn();
  const r = tx(card, selectApdu(PROBE));
  if (swOf(r) !== '9000') throw new Error(`SELECT of the probe answered ${r}`);
  const jcre = card.jcre;
  const server = jcre.applets.find((a) => hex(a.aid) === SERVER)!;
  const probeInst = jcre.applets.find((a) => hex(a.aid) === PROBE)!;
  const serverObject = server.handle;
  const serverSecret = jcre.heap.get(serverObject)!.data[0]! & 0xffff;
  return { card, serverObject, serverSecret, serverContext: server.pkg.context, probeContext: probeInst.pkg.context };
}

/** Every object of a context with its contents (global arrays aside: the APDU buffer changes with every APDU), and the static field images: what must not change. */
export function snapshot(card: Card, context: number): string {
  const parts: string[] = [];
  card.jcre.heap.objects.forEach((o: HeapObject | undefined, h) => {
    if (o && o.owner === context && !(o.global && o.kind !== 0)) parts.push(`${h}:${hex(new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.byteLength))}`);
  });
  for (const p of card.jcre.packages) parts.push(hex(p.linked.pkg.staticImage));
  return parts.join(' ');
}

/** A command to the probe: INS, P1, and data (hex). */
export function cmd(ins: number, data = '', p1 = 0): string {
  const lc = data.length / 2;
  const h2 = (n: number): string => n.toString(16).padStart(2, '0');
  return `80${h2(ins)}${h2(p1)}00${lc ? h2(lc) + data : ''}`;
}

export const h16 = (n: number): string => (n & 0xffff).toString(16).padStart(4, '0').toUpperCase();
