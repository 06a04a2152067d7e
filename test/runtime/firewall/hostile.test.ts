// Hostile code: packages a verifier would refuse, written with the JCA assembler. None may read
// or write another context's objects or the JCRE's, or another context's stack words: each
// attempt ends in a Java Card exception (or 6F00), or the load is refused; never a host error
// (the transmit would throw) and never a successful access.
//
// Stack words: a call that switches context runs on a fresh stack of its own, and the stack is
// cleared whenever the JCRE enters another context than the last one; frames are not
// bounds-checked or zeroed (vm/README.md, "The firewall").

import { describe, expect, it } from 'vitest';
import { CapFormatError } from '../../../loader/bytes.ts';
import { decodeCap } from '../../../loader/cap/decode.ts';
import { assembleJca } from '../../../loader/jca/assemble.ts';
import { probeJca, type ProbeApplet } from '../api/probe.ts';
import { select, tx } from '../helpers.ts';
import { applet, FOREIGN } from './access-probe.ts';
import { cmd, firewallCard, h16, snapshot } from './setup.ts';
import { CLIENT, GOOD_METHODS, SERVER_B1, serverB, vendorsCard } from './vendors.ts';

const pops = (n: number): string => 'pop; '.repeat(n);

/** A vendor B server whose FwService methods reach below and beyond their frames. */
const EVIL = serverB([
  // add: pops below its frame, writes there, returns 7
  { sig: 'add(SS)S', code: `${pops(10)} ${'sspush 26214; '.repeat(6)} bspush 7; sreturn;` },
  // peek: a local far beyond its frame
  { sig: 'peek([BS)B', code: 'sload 200; sreturn;' },
  GOOD_METHODS[2]!,
  // whoCalls: returns a word from below its frame
  { sig: 'whoCalls([BS)S', code: `${pops(12)} sreturn;` },
]);
// INS 31: leave a word in local 100 (beyond the frame); INS 32: read local 100
EVIL.probes.push({ ins: 0x31, code: 'sspush 24258; sstore 100; sconst_0; sreturn;' }, { ins: 0x32, code: 'aload_2; sconst_0; sload 100; invokestatic @{staticMethodRef 0.16.6([BSS)S;}; sreturn;' });

for (const jit of [true, false]) {
  describe(`hostile code (${jit ? 'JIT' : 'interpreter'})`, () => {
    it('handles that name no object (out of range, negative, freed): NullPointerException or SecurityException, never a host error', async () => {
      const f = await firewallCard(applet, { jit });
      const freed = f.card.jcre.heap.newArray(11, 1, f.probeContext);
      f.card.jcre.heap.release(freed);
      const before = snapshot(f.card, f.serverContext);
      for (const h of [0x7fff, 0xffff, 0x8000, freed]) {
        for (const [name, c] of Object.entries(FOREIGN)) {
          const r = tx(f.card, cmd(c.ins, h16(h)));
          expect(['6A03', '6A06'], `${name} on ${h16(h)}`).toContain(r);
        }
      }
      expect(snapshot(f.card, f.serverContext)).toBe(before);
    });

    it('a short used as a reference to another context\'s object: refused (see access.test.ts for every bytecode)', async () => {
      const f = await firewallCard(applet, { jit });
      expect(tx(f.card, cmd(FOREIGN.getfield_s!.ins, h16(f.serverObject)))).toBe('6A06');
      expect(tx(f.card, cmd(FOREIGN.baload!.ins, h16(f.serverSecret)))).toBe('6A06');
    });

    it('getfield on an array: another context\'s or a global one refused; putfield on any array refused', async () => {
      const f = await firewallCard(applet, { jit });
      expect(tx(f.card, cmd(FOREIGN.getfield_s!.ins, h16(f.serverSecret)))).toBe('6A06');
      expect(tx(f.card, cmd(FOREIGN.getfield_s!.ins, h16(f.card.jcre.apduBufferHandle)))).toBe('6A06');
      const own = f.card.jcre.heap.newArray(11, 4, f.probeContext);
      expect(tx(f.card, cmd(FOREIGN.putfield_s!.ins, h16(own)))).toBe('6A06');
      expect(tx(f.card, cmd(FOREIGN.getfield_s!.ins, h16(own)))).toBe('9000'); // its own array: no firewall matter
    });

    it('an invokeinterface whose argument count is not the method\'s: SecurityException', async () => {
      const card = await vendorsCard({ jit });
      tx(card, cmd(0x40, SERVER_B1, 1));
      expect(tx(card, cmd(0x46, '', 1))).toBe('6A06');
    });

    it('a callee that pops below its frame or reads beyond its locals sees nothing of its caller, and writes nothing there', async () => {
      const card = await vendorsCard({ jit, server: EVIL });
      expect(tx(card, cmd(0x40, SERVER_B1, 1))).toBe('019000');
      // add: the client's sentinel local (1234) survives the writes below the server's frame
      expect(tx(card, cmd(0x41, '0005', 1))).toBe('000712349000');
      // peek: local 200 of the server's frame reads 0, not a word of the client's
      expect(tx(card, '80470103')).toBe('009000');
      // whoCalls: a word from below the server's frame is 0: no response data
      expect(tx(card, cmd(0x42, '', 1))).toBe('9000');
      expect(tx(card, cmd(0x45))).toBe('00019000');
    });

    it('stale stack words: a context does not see what another left on the stack', async () => {
      const card = await vendorsCard({ jit, server: EVIL });
      expect(select(card, SERVER_B1)).toBe('9000');
      expect(tx(card, '80310000')).toBe('9000');
      expect(tx(card, '80320000')).toBe('5EC29000'); // its own leftovers: the same context
      expect(tx(card, '80310000')).toBe('9000');
      expect(select(card, CLIENT)).toBe('9000');
      // The client's probe frame is where the server's was: local 100 is the same word, cleared.
      expect(tx(card, '80480000')).toBe('00009000');
    });

    it('a ret to a forged address: 6F00, the card goes on', async () => {
      const f = await firewallCard({ ...applet, probes: [...applet.probes, { ins: 0x20, code: 'sspush 30000; sstore_3; ret 3;' }] }, { jit });
      expect(tx(f.card, '80200000')).toBe('6F00');
      expect(tx(f.card, cmd(0x46))).toBe('212C9000');
    });

    it('a jump outside the method: the load is refused (CapFormatError), the card unchanged', async () => {
      const f = await firewallCard(applet, { jit });
      const evil: ProbeApplet = { pkgName: 'evil/jump', pkgAid: 'F0564E444209', appletAid: 'F0564E44420901', probes: [{ ins: 0x20, code: 'sspush 30583; pop; goto L; L: sconst_0; sreturn;' }] };
      const asm = assembleJca(probeJca(evil), { fileName: 'evil.jca' });
      const method = asm.components.get(7)!;
      // sspush 7777; pop; goto +2  ->  goto +127
      const at = Buffer.from(method).indexOf(Buffer.from([0x11, 0x77, 0x77, 0x3b, 0x70, 0x02]));
      expect(at).toBeGreaterThan(0);
      method[at + 5] = 0x7f;
      const before = { packages: f.card.packages(), applets: f.card.applets(), objects: f.card.jcre.heap.count, eeprom: f.card.jcre.memory.eeprom.largestFree };
      expect(() => f.card.load(decodeCap(asm.components))).toThrow(CapFormatError);
      expect({ packages: f.card.packages(), applets: f.card.applets(), objects: f.card.jcre.heap.count, eeprom: f.card.jcre.memory.eeprom.largestFree }).toEqual(before);
    });
  });
}
