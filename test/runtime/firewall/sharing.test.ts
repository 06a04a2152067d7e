// Two vendors' packages and three applet instances that exchange data only through a
// shareable interface (JCRE 6.2.4-6.2.7): vendor B's server class installed twice (each
// instance with its own AID and state), vendor A's client calling both through the library
// interface FwService. getAID and getPreviousContextAID as each side sees them.

import { describe, expect, it } from 'vitest';
import { select, tx } from '../helpers.ts';
import { cmd } from './setup.ts';
import { CLIENT, GOOD_METHODS, SERVER_B1, SERVER_B2, serverB, vendorsCard } from './vendors.ts';

/** A server whose add() throws: SystemException.throwIt(1) (the JCRE's instance) for a = 1, else its own new SystemException(2). */
const THROWING = serverB([
  {
    sig: 'add(SS)S',
    code: `sload_1; sconst_1; if_scmpne OWN; sconst_1; invokestatic @{staticMethodRef 0.13.1(S)V;};
			OWN: new @{.classRef 0.13;}; dup; sconst_2; invokespecial @{staticMethodRef 0.13.0(S)V;}; athrow;`,
  },
  ...GOOD_METHODS.slice(1),
]);

const lenHex = (aid: string): string => (aid.length / 2).toString(16).padStart(2, '0').toUpperCase();

for (const jit of [true, false]) {
  describe(`two vendors, three applet instances (${jit ? 'JIT' : 'interpreter'})`, () => {
    it('the client gets each server\'s shareable object and the servers keep separate state', async () => {
      const card = await vendorsCard({ jit });
      expect(tx(card, cmd(0x40, SERVER_B1, 1))).toBe('019000');
      expect(tx(card, cmd(0x40, SERVER_B2, 2))).toBe('019000');
      expect(tx(card, cmd(0x41, '0005', 1))).toBe('000512349000');
      expect(tx(card, cmd(0x41, '0003', 1))).toBe('000812349000');
      expect(tx(card, cmd(0x41, '0064', 2))).toBe('006412349000');
      expect(tx(card, cmd(0x45))).toBe('00019000'); // the client's own field
      // Each server answers its own total when selected (its own process(), its own context).
      expect(select(card, SERVER_B1)).toBe('9000');
      expect(tx(card, '80300000')).toBe('00089000');
      expect(select(card, SERVER_B2)).toBe('9000');
      expect(tx(card, '80300000')).toBe('00649000');
      expect(select(card, CLIENT)).toBe('9000');
      expect(tx(card, cmd(0x45))).toBe('00029000');
    });

    it('inside a server: getPreviousContextAID is the client, getAID the instance called', async () => {
      const card = await vendorsCard({ jit });
      tx(card, cmd(0x40, SERVER_B1, 1));
      tx(card, cmd(0x40, SERVER_B2, 2));
      expect(tx(card, cmd(0x42, '', 1))).toBe(`${lenHex(CLIENT)}${CLIENT}${lenHex(SERVER_B1)}${SERVER_B1}9000`);
      expect(tx(card, cmd(0x42, '', 2))).toBe(`${lenHex(CLIENT)}${CLIENT}${lenHex(SERVER_B2)}${SERVER_B2}9000`);
    });

    it('nothing else crosses: direct field reads, reads of a server\'s array, a wrong argument count', async () => {
      const card = await vendorsCard({ jit });
      tx(card, cmd(0x40, SERVER_B1, 1));
      expect(tx(card, cmd(0x43, '', 1))).toBe('6A06');
      expect(tx(card, cmd(0x44, '', 1))).toBe('6A06');
      expect(tx(card, cmd(0x46, '', 1))).toBe('6A06');
      // The server reads the client's APDU buffer (a global array) but not the client's arrays.
      expect(tx(card, '80470103')).toBe('039000');
      expect(tx(card, cmd(0x41, '0001', 1))).toBe('000112349000'); // the server is intact
    });

    it('exceptions cross back: the JCRE\'s instance is usable by the client, the server\'s own is not', async () => {
      const card = await vendorsCard({ jit, server: THROWING });
      tx(card, cmd(0x40, SERVER_B1, 1));
      // The client's handler reads the reason: of the JCRE's SystemException (an entry point): 6A41
      expect(tx(card, cmd(0x41, '0001', 1))).toBe('6A41');
      // of the server's own SystemException: getReason is refused in the client's context,
      // and the SecurityException leaves process(): 6F00
      expect(tx(card, cmd(0x41, '0002', 1))).toBe('6F00');
      expect(tx(card, cmd(0x45))).toBe('00019000');
      expect(card.jcre.vm.context).toBe(0);
    });

    it('a null server AID (lookupAID of an AID with no instance) is a NullPointerException', async () => {
      const card = await vendorsCard({ jit });
      expect(tx(card, cmd(0x40, 'F0564E44420133', 1))).toBe('6A03');
    });
  });
}

describe('tracing a call that switches context', () => {
  it('the trace shows the server\'s operand stack, not the client\'s (the callee runs on a stack of its own)', async () => {
    const lines: string[] = [];
    const card = await vendorsCard({ trace: (l) => lines.push(l) });
    tx(card, cmd(0x40, SERVER_B1, 1));
    lines.length = 0;
    expect(tx(card, cmd(0x41, '0005', 1))).toBe('000512349000');
    // add(a, b): aload_0; aload_0; getfield_s total; sload_1; sadd ... with total 0 and a = 5
    const sadd = lines.find((l) => /\(SS\)S@\d+: sadd/.test(l));
    expect(sadd).toMatch(/stack=\[\d+ 0 5\]$/);
  });
});
