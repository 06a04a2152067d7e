// JCRE 3.0.5 6.2.8: the access rules, one negative test per bytecode family (SecurityException,
// shown by the probe as 6A06, and nothing of the other context changed) and a positive test
// for each allowed path (shareable interface calls, entry point objects, global arrays, the
// JCRE's privileges). Every test runs with the JIT and with the interpreter alone.

import { beforeEach, describe, expect, it } from 'vitest';
import { Kind } from '../../../vm/types.ts';
import { tx } from '../helpers.ts';
import { applet, FOREIGN, STORES } from './access-probe.ts';
import { cmd, firewallCard, h16, snapshot, SERVER, type FirewallCard } from './setup.ts';

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
      it('static fields and static methods of another package are not checked', () => {
        expect(tx(f.card, cmd(0x47))).toBe('00029000');
        expect(tx(f.card, cmd(0x47))).toBe('00049000');
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
