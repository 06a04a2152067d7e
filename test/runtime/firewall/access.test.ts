// JCRE 3.0.5 6.2.8: the access rules, one negative test per bytecode family (SecurityException,
// shown by the probe as 6A06, and nothing of the other context changed) and a positive test
// for each allowed path (shareable interface calls, entry point objects, global arrays, the
// JCRE's privileges). Every test runs with the JIT and with the interpreter alone.

import { beforeEach, describe, expect, it } from 'vitest';
import { Kind } from '../../../vm/types.ts';
import type { ProbeApplet } from '../api/probe.ts';
import { field } from '../api/probe.ts';
import { tx } from '../helpers.ts';
import { cmd, fcp, firewallCard, h16, HANDLE, RECEIVE, snapshot, SERVER, type FirewallCard } from './setup.ts';

const ARR = 'byte[] arr', OBJ = '1.0 obj', CNT = 'short cnt', BIG = 'int big';
const SREF = 'staticFieldRef byte[] Probe/sref;';
const P1 = 'aload_2; sconst_2; baload;';
const ret0 = 'sconst_0; sreturn;';
/** A forged reference (the handle in the data) in local 4. */
const FORGED = `${RECEIVE} ${HANDLE} astore 4;`;

/** Accesses to the object whose handle is the command data: each must be refused for another context's object. */
const FOREIGN: Record<string, { ins: number; code: string }> = {
  getfield_a: { ins: 0x50, code: `aload 4; getfield_a ${field(OBJ)}; pop; ${ret0}` },
  getfield_b: { ins: 0x51, code: `aload 4; getfield_b ${field(CNT)}; pop; ${ret0}` },
  getfield_s: { ins: 0x52, code: `aload 4; getfield_s ${field(CNT)}; pop; ${ret0}` },
  getfield_i: { ins: 0x53, code: `aload 4; getfield_i ${field(BIG)}; pop2; ${ret0}` },
  getfield_a_w: { ins: 0x54, code: `aload 4; getfield_a_w ${field(OBJ)}; pop; ${ret0}` },
  getfield_s_w: { ins: 0x55, code: `aload 4; getfield_s_w ${field(CNT)}; pop; ${ret0}` },
  getfield_a_this: { ins: 0x56, code: `aload 4; astore_0; getfield_a_this ${field(ARR)}; pop; ${ret0}` },
  getfield_s_this: { ins: 0x57, code: `aload 4; astore_0; getfield_s_this ${field(CNT)}; pop; ${ret0}` },
  getfield_i_this: { ins: 0x58, code: `aload 4; astore_0; getfield_i_this ${field(BIG)}; pop2; ${ret0}` },
  putfield_a: { ins: 0x59, code: `aload 4; aconst_null; putfield_a ${field(ARR)}; ${ret0}` },
  putfield_b: { ins: 0x5a, code: `aload 4; sconst_1; putfield_b ${field(CNT)}; ${ret0}` },
  putfield_s: { ins: 0x5b, code: `aload 4; sconst_1; putfield_s ${field(CNT)}; ${ret0}` },
  putfield_i: { ins: 0x5c, code: `aload 4; iconst_1; putfield_i ${field(BIG)}; ${ret0}` },
  putfield_s_w: { ins: 0x5d, code: `aload 4; sconst_1; putfield_s_w ${field(CNT)}; ${ret0}` },
  putfield_a_this: { ins: 0x5e, code: `aload 4; astore_0; aconst_null; putfield_a_this ${field(ARR)}; ${ret0}` },
  putfield_s_this: { ins: 0x5f, code: `aload 4; astore_0; sconst_1; putfield_s_this ${field(CNT)}; ${ret0}` },
  putfield_i_this: { ins: 0x60, code: `aload 4; astore_0; iconst_1; putfield_i_this ${field(BIG)}; ${ret0}` },
  baload: { ins: 0x61, code: `aload 4; sconst_0; baload; pop; ${ret0}` },
  saload: { ins: 0x62, code: `aload 4; sconst_0; saload; pop; ${ret0}` },
  aaload: { ins: 0x63, code: `aload 4; sconst_0; aaload; pop; ${ret0}` },
  iaload: { ins: 0x64, code: `aload 4; sconst_0; iaload; pop2; ${ret0}` },
  bastore: { ins: 0x65, code: `aload 4; sconst_0; sconst_1; bastore; ${ret0}` },
  sastore: { ins: 0x66, code: `aload 4; sconst_0; sconst_1; sastore; ${ret0}` },
  aastore: { ins: 0x67, code: `aload 4; sconst_0; aconst_null; aastore; ${ret0}` },
  iastore: { ins: 0x68, code: `aload 4; sconst_0; iconst_1; iastore; ${ret0}` },
  arraylength: { ins: 0x69, code: `aload 4; arraylength; pop; ${ret0}` },
  invokevirtual: { ins: 0x6a, code: `aload 4; aconst_null; invokevirtual ${fcp('objectEquals')}; pop; ${ret0}` },
  'invokeinterface (not Shareable)': { ins: 0x6b, code: `aload 4; aload_2; sconst_0; sconst_1; invokeinterface 4 ${fcp('pinInterface')} 0; pop; ${ret0}` },
  invokespecial: { ins: 0x6c, code: `aload 4; invokespecial ${fcp('probeInit')}; ${ret0}` },
  'checkcast (class)': { ins: 0x6d, code: `aload 4; checkcast 0 ${fcp('appletClass')}; pop; ${ret0}` },
  'instanceof (class)': { ins: 0x6e, code: `aload 4; instanceof 0 ${fcp('appletClass')}; pop; ${ret0}` },
  'checkcast (byte[])': { ins: 0x6f, code: `aload 4; checkcast 11 0; pop; ${ret0}` },
  'instanceof (byte[])': { ins: 0x70, code: `aload 4; instanceof 11 0; pop; ${ret0}` },
  athrow: { ins: 0x71, code: `aload 4; athrow;` },
  'Util.arrayCopyNonAtomic from it': { ins: 0x72, code: `aload 4; sconst_0; aload_2; sconst_0; sconst_1; invokestatic ${fcp('arrayCopyNonAtomic')}; pop; ${ret0}` },
  'Util.arrayFillNonAtomic of it': { ins: 0x73, code: `aload 4; sconst_0; sconst_1; sconst_0; invokestatic ${fcp('arrayFillNonAtomic')}; pop; ${ret0}` },
};

/** Stores of JCRE temporary entry points and global arrays into the probe's own fields, arrays and statics. */
const STORES: Record<string, { ins: number; code: string }> = {
  'putfield_a of the APDU buffer': { ins: 0x10, code: `aload_0; aload_2; putfield_a ${field(ARR)}; ${ret0}` },
  'putfield_a_this of the APDU object': { ins: 0x11, code: `aload_1; putfield_a_this ${field(OBJ)}; ${ret0}` },
  'putfield_a_w of the APDU buffer': { ins: 0x12, code: `aload_0; aload_2; putfield_a_w ${field(ARR)}; ${ret0}` },
  'aastore of the APDU buffer': { ins: 0x13, code: `sconst_1; anewarray @{.classRef 1.0;}; sconst_0; aload_2; aastore; ${ret0}` },
  'putstatic_a of the APDU buffer': { ins: 0x14, code: `aload_2; putstatic_a @{${SREF}}; ${ret0}` },
  'putstatic_a of a JCRE exception object': { ins: 0x15, code: `${FORGED} aload 4; putstatic_a @{${SREF}}; ${ret0}` },
  'putfield_a of a makeGlobalArray array': { ins: 0x16, code: `aload_0; sconst_2; sconst_4; invokestatic ${fcp('makeGlobalArray')}; checkcast 11 0; putfield_a ${field(ARR)}; ${ret0}` },
};

const applet: ProbeApplet = {
  fields: [ARR, OBJ, CNT, BIG],
  statics: ['static byte[] sref'],
  probes: [
    ...Object.values(FOREIGN).map((p) => ({ ins: p.ins, code: `${FORGED} ${p.code}`, locals: 4 })),
    ...Object.values(STORES).map((p) => ({ ins: p.ins, code: p.code, locals: 4 })),
    // INS 40: obj = (FwService) getAppletShareableInterfaceObject(lookupAID(data), P1) -> [obj != null]
    {
      ins: 0x40,
      code: `${RECEIVE} aload_0; aload_2; sconst_5; sload_3; s2b; invokestatic ${fcp('lookupAID')}; ${P1} invokestatic ${fcp('getSIO')};
				checkcast 0 ${fcp('fwService')}; putfield_a ${field(OBJ)};
				aload_2; sconst_0; getfield_a_this ${field(OBJ)}; instanceof 0 ${fcp('fwService')}; bastore; sconst_1; sreturn;`,
    },
    // INS 41: obj.add(data[0..1], data[2..3]) -> 2 bytes
    {
      ins: 0x41,
      code: `${RECEIVE} aload_2; sconst_0; getfield_a_this ${field(OBJ)}; aload_2; sconst_5; invokestatic ${fcp('getShort')}; aload_2; bspush 7; invokestatic ${fcp('getShort')};
				invokeinterface 3 ${fcp('fwService')} 0; invokestatic ${fcp('setShort')}; sreturn;`,
    },
    // INS 42: a global array of 4 bytes (makeGlobalArray), [1] = 0x5A, read by the server: obj.peek(it, 1) -> 1 byte
    {
      ins: 0x42,
      code: `sconst_2; sconst_4; invokestatic ${fcp('makeGlobalArray')}; checkcast 11 0; astore_3;
				aload_3; sconst_1; bspush 90; bastore;
				aload_2; sconst_0; getfield_a_this ${field(OBJ)}; aload_3; sconst_1; invokeinterface 3 ${fcp('fwService')} 1; bastore; sconst_1; sreturn;`,
    },
    // INS 43: obj.peek(buf, P1P2 as short) -> the server reads the APDU buffer; out of range: AIOOBE crosses back
    {
      ins: 0x43,
      code: `aload_2; sconst_0; getfield_a_this ${field(OBJ)}; aload_2; aload_2; sconst_2; invokestatic ${fcp('getShort')}; invokeinterface 3 ${fcp('fwService')} 1; bastore; sconst_1; sreturn;`,
    },
    // INS 44: the JCRE's AID objects are permanent entry points: stored in a field, methods called -> getAID().getBytes
    {
      ins: 0x44,
      code: `aload_0; invokestatic ${fcp('getAID')}; putfield_a ${field(OBJ)};
				getfield_a_this ${field(OBJ)}; checkcast 0 ${fcp('aidClass')}; aload_2; sconst_0; invokevirtual ${fcp('aidGetBytes')}; sreturn;`,
      locals: 4,
    },
    // INS 45: invokevirtual of a JCRE exception object's method (an entry point): getReason of the handle given
    { ins: 0x45, code: `${FORGED} aload_2; sconst_0; aload 4; invokevirtual ${fcp('getReason')}; invokestatic ${fcp('setShort')}; sreturn;`, locals: 4 },
    // INS 46: the probe's own objects: fields, arrays, a cast (the fast path) -> [arr[0]][cnt]
    {
      ins: 0x46,
      code: `aload_0; sconst_2; newarray 11; putfield_a ${field(ARR)}; getfield_a_this ${field(ARR)}; sconst_0; bspush 33; bastore;
				aload_0; bspush 44; putfield_s ${field(CNT)};
				aload_2; sconst_0; getfield_a_this ${field(ARR)}; checkcast 11 0; sconst_0; baload; bastore;
				aload_2; sconst_1; getfield_s_this ${field(CNT)}; bastore; sconst_2; sreturn;`,
      locals: 4,
    },
  ],
};

for (const jit of [true, false]) {
  describe(`firewall access rules (${jit ? 'JIT' : 'interpreter'})`, () => {
    let f: FirewallCard;
    beforeEach(async () => {
      f = await firewallCard(applet, { jit });
    });

    describe('another context\'s objects: SecurityException, nothing changed (6.2.8.2-8)', () => {
      const instanceCases = Object.keys(FOREIGN).filter((k) => !/aload|astore|arraylength|byte\[\]|Util/.test(k));
      const arrayCases = Object.keys(FOREIGN).filter((k) => /aload|astore|arraylength|byte\[\]|Util/.test(k));
      for (const name of instanceCases) {
        it(`${name} on the server's applet object`, () => {
          const before = snapshot(f.card, f.serverContext);
          expect(tx(f.card, cmd(FOREIGN[name]!.ins, h16(f.serverObject)))).toBe('6A06');
          expect(snapshot(f.card, f.serverContext)).toBe(before);
        });
      }
      for (const name of arrayCases) {
        it(`${name} on the server's byte array`, () => {
          const before = snapshot(f.card, f.serverContext);
          expect(tx(f.card, cmd(FOREIGN[name]!.ins, h16(f.serverSecret)))).toBe('6A06');
          expect(snapshot(f.card, f.serverContext)).toBe(before);
        });
      }
      it('field access to JCRE entry point objects (the APDU object, an AID, an exception) is refused too', () => {
        const jcre = f.card.jcre;
        const aid = jcre.applets.find((a) => a.pkg.context === f.serverContext)!.aidHandle;
        const exception = jcre.exceptionObject(jcre.api.cls('javacard/framework/ISOException'), 0);
        for (const h of [jcre.apduHandle, aid, exception]) {
          const before = snapshot(f.card, 0);
          for (const name of ['getfield_a', 'getfield_s', 'putfield_s', 'putfield_a_this', 'aaload', 'arraylength', 'invokespecial']) {
            expect(tx(f.card, cmd(FOREIGN[name]!.ins, h16(h))), `${name} on handle ${h}`).toBe('6A06');
          }
          expect(snapshot(f.card, 0)).toBe(before);
        }
      });
      it('field access to a global array (the APDU buffer) is refused: global arrays are arrays only', () => {
        expect(tx(f.card, cmd(FOREIGN.getfield_s!.ins, h16(f.card.jcre.apduBufferHandle)))).toBe('6A06');
        expect(tx(f.card, cmd(FOREIGN.putfield_s!.ins, h16(f.card.jcre.apduBufferHandle)))).toBe('6A06');
      });
    });

    describe('temporary entry points and global arrays cannot be stored (6.2.8.1-3)', () => {
      for (const [name, c] of Object.entries(STORES)) {
        it(name, () => {
          const jcre = f.card.jcre;
          const exception = jcre.exceptionObject(jcre.api.cls('javacard/framework/ISOException'), 0);
          const before = snapshot(f.card, f.probeContext);
          expect(tx(f.card, cmd(c.ins, h16(exception)))).toBe('6A06');
          // Nothing of the probe's persistent state changed (a made array may remain, unreferenced).
          const fields = (s: string) => s.split(' ').filter((x) => x.startsWith(`${f.card.jcre.applets[1]!.handle}:`)).join();
          expect(fields(snapshot(f.card, f.probeContext))).toBe(fields(before));
          const img = f.card.jcre.packages.find((p) => p.context === f.probeContext)!.linked.pkg.staticImage;
          expect(Array.from(img.subarray(0, 2))).toEqual([0, 0]);
        });
      }
    });

    describe('allowed paths', () => {
      it('shareable interface: the object from getAppletShareableInterfaceObject, cast to FwService, its methods called in the server\'s context', () => {
        expect(tx(f.card, cmd(0x40, SERVER, 1))).toBe('019000');
        expect(tx(f.card, cmd(0x41, '12341111'))).toBe('23459000');
        const calls = f.card.jcre.heap.get(f.serverObject)!.data[1];
        expect(calls).toBe(1); // the server's own field, written by the server's code
        expect(f.card.jcre.vm.context).toBe(0); // back to the JCRE between APDUs
      });
      it('getAppletShareableInterfaceObject: null for another parameter, and for an AID with no applet', () => {
        expect(tx(f.card, cmd(0x40, SERVER, 2))).toBe('009000');
      });
      it('global arrays: made with makeGlobalArray and read by the server; the APDU buffer read by the server', () => {
        tx(f.card, cmd(0x40, SERVER, 1));
        expect(tx(f.card, cmd(0x42))).toBe('5A9000');
        expect(tx(f.card, '80430001')).toBe('439000'); // buf[1] = INS
      });
      it('an exception thrown in the server goes back to the client in the client\'s context', () => {
        tx(f.card, cmd(0x40, SERVER, 1));
        expect(tx(f.card, '80430200')).toBe('6A02'); // peek(buf, 512): ArrayIndexOutOfBoundsException
        expect(tx(f.card, cmd(0x46))).toBe('212C9000'); // the probe's own objects are still its own
        expect(f.card.jcre.vm.context).toBe(0);
      });
      it('the JCRE\'s AID objects are permanent entry points: stored, their methods called', () => {
        expect(tx(f.card, cmd(0x44))).toBe('F04A43564D0730019000'.slice(0, 16) + '9000');
      });
      it('JCRE exception objects are entry points: their methods can be called from any context', () => {
        const jcre = f.card.jcre;
        const exception = jcre.exceptionObject(jcre.api.cls('javacard/framework/ISOException'), 0x1234);
        expect(tx(f.card, cmd(0x45, h16(exception)))).toBe('12349000');
      });
      it('the probe\'s own objects: fields, arrays, casts', () => {
        expect(tx(f.card, cmd(0x46))).toBe('212C9000');
      });
      it('the JCRE context may access every object (6.2.3)', () => {
        const jcre = f.card.jcre;
        const probePkg = jcre.packages.find((p) => p.context === f.probeContext)!;
        // The probe methods follow <init>, install and process, in INS order (signed).
        const ordered = [...applet.probes].sort((a, b) => ((a.ins << 24) >> 24) - ((b.ins << 24) >> 24));
        const method = (ins: number) => probePkg.linked.methods[3 + ordered.findIndex((p) => p.ins === ins)]!;
        const probeObject = jcre.applets.find((a) => a.pkg.context === f.probeContext)!.handle;
        const buf = jcre.heap.newArray(Kind.ByteArray, 16, 0);
        (jcre.heap.get(buf)!.data as Int8Array).set([0, 0, 0, 0, 0, f.serverSecret >> 8, f.serverSecret & 0xff]);
        const vm = jcre.vm;
        // putfield_s on the server's array... no: bastore on the server's byte array, run as the JCRE.
        const before = Array.from(jcre.heap.get(f.serverSecret)!.data);
        vm.budget = 1e6;
        vm.inContext(0, null, () => vm.call(method(FOREIGN.bastore!.ins), [probeObject, jcre.apduHandle, buf]));
        expect(Array.from(jcre.heap.get(f.serverSecret)!.data)).toEqual([1, ...before.slice(1)]);
        // The same code in the probe's context is refused.
        expect(() => vm.inContext(f.probeContext, null, () => vm.call(method(FOREIGN.bastore!.ins), [probeObject, jcre.apduHandle, buf]))).toThrow();
      });
    });
  });
}
