// CLEAR_ON_DESELECT arrays and contexts (JCRE 3.0.5 6.1.6; 6.1.5 in 2.2.x): they are made and
// used only while the active context is the context of the currently selected applet, the one
// selected on the channel of the command, even when their own applet is active on another
// channel. Else makeTransient*Array throws SystemException ILLEGAL_TRANSIENT and an access
// (load, store, arraylength, Util.arrayCopy...) SecurityException. CLEAR_ON_RESET arrays and
// persistent ones follow the ordinary firewall rules.
//
// Vendor B's server (test/runtime/firewall/vendors.ts) gets a CLEAR_ON_DESELECT array `cod`, a
// CLEAR_ON_RESET one `cor` and a persistent one `pers`, and FwService.add(value, op) runs one
// operation on them; the client calls it through the shareable interface (INS 50), the server
// runs it on itself while selected (INS 31). Probes answer 6A06 for an uncaught
// SecurityException, 6A4x for a SystemException of reason x.

import { describe, expect, it } from 'vitest';
import { readPackageFile } from '../../../loader/files.ts';
import { Card } from '../../../runtime/card.ts';
import { cp, field, probeCap, type ProbeApplet } from '../api/probe.ts';
import { corpusCap, fromHex, selectApdu, tx } from '../helpers.ts';
import { cmd, fcp, RECEIVE } from './setup.ts';
import { CLIENT, CLIENT_APPLET, CLIENT_PKG, GOOD_METHODS, SERVER_B1, SERVER_B2, SERVER_B_CLASS, SERVER_B_PKG, serverB } from './vendors.ts';

const COD = 'byte[] cod', COR = 'byte[] cor', PERS = 'byte[] pers';

/** FwService.add(SS)S as (value, op) -> result: locals 1 = value, 2 = op. */
const OPS = `
	sload_2; sconst_0; if_scmpne O1; getfield_a_this ${field(COD)}; sconst_0; baload; sreturn;
	O1: sload_2; sconst_1; if_scmpne O2; getfield_a_this ${field(COD)}; sconst_0; sload_1; bastore; sconst_0; sreturn;
	O2: sload_2; sconst_2; if_scmpne O3; getfield_a_this ${field(COD)}; arraylength; sreturn;
	O3: sload_2; sconst_3; if_scmpne O4; getfield_a_this ${field(COD)}; sconst_0; getfield_a_this ${field(PERS)}; sconst_0; sconst_1; invokestatic ${cp('arrayCopyNonAtomic')}; sreturn;
	O4: sload_2; sconst_4; if_scmpne O5; getfield_a_this ${field(COR)}; sconst_0; baload; sreturn;
	O5: sload_2; sconst_5; if_scmpne O6; sconst_1; sconst_2; invokestatic ${cp('makeTransientByteArray')}; arraylength; sreturn;
	O6: sload_2; bspush 7; if_scmpne O7; getfield_a_this ${field(COD)}; getfield_a @{instanceFieldRef byte[] Probe/secret;}; sreturn;
	O7: getfield_a_this ${field(PERS)}; sload_1; baload; sreturn;`;
/** fieldLoad: getfield on the array (hostile code: a verifier refuses it; it reads an element). */
const OP = { read: 0, write: 1, length: 2, arrayCopy: 3, readCor: 4, makeCod: 5, readPersistent: 6, fieldLoad: 7 } as const;

const server: ProbeApplet = {
  ...serverB([{ ...GOOD_METHODS[0]!, code: OPS, stack: 5 }, ...GOOD_METHODS.slice(1)]),
  fields: ['byte[] secret', 'short total', COD, COR, PERS],
  init: `aload_0; sconst_3; newarray 11; putfield_a @{instanceFieldRef byte[] Probe/secret;};
		aload_0; sconst_2; sconst_2; invokestatic ${cp('makeTransientByteArray')}; putfield_a ${field(COD)};
		aload_0; sconst_2; sconst_1; invokestatic ${cp('makeTransientByteArray')}; putfield_a ${field(COR)};
		aload_0; sconst_2; newarray 11; putfield_a ${field(PERS)};`,
  initStack: 3,
  // deselect() keeps cod[0] in pers[1]: the applet being deselected is still the selected one.
  deselect: `getfield_a_this ${field(PERS)}; sconst_1; getfield_a_this ${field(COD)}; sconst_0; baload; bastore; return;`,
  probes: [
    // INS 31: this.add(data[0], P2), the server on itself -> [result]
    {
      ins: 0x31,
      locals: 1,
      code: `${RECEIVE} aload_2; sconst_0; aload_0; aload_2; sconst_5; baload; aload_2; sconst_3; baload; invokeinterface 3 ${fcp('fwService')} 0; invokestatic ${fcp('setShort')}; sreturn;`,
    },
  ],
};

const client: ProbeApplet = {
  ...CLIENT_APPLET,
  probes: [
    ...CLIENT_APPLET.probes,
    // INS 50: s1.add(data[0], P2) -> [result]
    {
      ins: 0x50,
      locals: 1,
      code: `${RECEIVE} aload_2; sconst_0; getfield_a_this ${field('2.0 s1')}; aload_2; sconst_5; baload; aload_2; sconst_3; baload; invokeinterface 3 ${fcp('fwService')} 0; invokestatic ${fcp('setShort')}; sreturn;`,
    },
  ],
};

/** A command with P2 = op and one data byte. */
const opCmd = (ins: number, op: number, value = 0): string => `80${h2(ins)}00${h2(op)}01${h2(value)}`;
const h2 = (n: number): string => n.toString(16).padStart(2, '0');
const SELECT_B1 = `00A4040007${SERVER_B1}`;

/** fwlib, the server (B1, B2) and the client, the client selected and holding B1's FwService. */
async function card(jit: boolean): Promise<Card> {
  const c = new Card({ jit });
  c.load(await readPackageFile(corpusCap('firewall', 'fwlib.cap')));
  c.load(probeCap(server));
  c.load(probeCap(client));
  c.install(fromHex(SERVER_B_PKG), fromHex(SERVER_B_CLASS), fromHex(SERVER_B1));
  c.install(fromHex(SERVER_B_PKG), fromHex(SERVER_B_CLASS), fromHex(SERVER_B2));
  c.install(fromHex(CLIENT_PKG), fromHex(CLIENT));
  c.powerOn();
  expect(tx(c, selectApdu(CLIENT))).toBe('9000');
  expect(tx(c, cmd(0x40, SERVER_B1, 1))).toBe('019000'); // the client holds B1's FwService
  return c;
}

for (const jit of [true, false]) {
  describe(`CLEAR_ON_DESELECT arrays and contexts (${jit ? 'JIT' : 'interpreter'})`, () => {
    it('the server selected: its CLEAR_ON_DESELECT array is read, written, measured and copied', async () => {
      const c = await card(jit);
      expect(tx(c, SELECT_B1)).toBe('9000');
      expect(tx(c, opCmd(0x31, OP.write, 0x5a))).toBe('00009000');
      expect(tx(c, opCmd(0x31, OP.read))).toBe('005A9000');
      expect(tx(c, opCmd(0x31, OP.length))).toBe('00029000');
      expect(tx(c, opCmd(0x31, OP.arrayCopy))).toBe('00019000');
      expect(tx(c, opCmd(0x31, OP.readPersistent))).toBe('005A9000'); // the copy landed
      expect(tx(c, opCmd(0x31, OP.makeCod))).toBe('00019000');
      expect(tx(c, opCmd(0x31, OP.fieldLoad))).toBe('005A9000'); // cell 0: cod[0]
    });

    it('called through a Shareable interface from the selected client: every access is SecurityException, makeTransient ILLEGAL_TRANSIENT', async () => {
      const c = await card(jit);
      expect(tx(c, opCmd(0x50, OP.read))).toBe('6A06');
      expect(tx(c, opCmd(0x50, OP.write, 1))).toBe('6A06');
      expect(tx(c, opCmd(0x50, OP.length))).toBe('6A06');
      expect(tx(c, opCmd(0x50, OP.arrayCopy))).toBe('6A06'); // the native refuses it too (Vm.deref)
      expect(tx(c, opCmd(0x50, OP.makeCod))).toBe('6A43'); // SystemException.ILLEGAL_TRANSIENT
      expect(tx(c, opCmd(0x50, OP.fieldLoad))).toBe('6A06');
      // The server's other arrays are its own as ever.
      expect(tx(c, opCmd(0x50, OP.readCor))).toBe('00009000');
      expect(tx(c, opCmd(0x50, OP.readPersistent))).toBe('00009000');
      // Nothing was written: selected, the server finds its array as it was (zero).
      expect(tx(c, SELECT_B1)).toBe('9000');
      expect(tx(c, opCmd(0x31, OP.read))).toBe('00009000');
    });

    it('deselect() runs as the selected applet: it reads the array before the JCRE clears it', async () => {
      const c = await card(jit);
      expect(tx(c, SELECT_B1)).toBe('9000');
      expect(tx(c, opCmd(0x31, OP.write, 0x33))).toBe('00009000');
      expect(tx(c, selectApdu(CLIENT))).toBe('9000'); // B1 deselected
      expect(tx(c, opCmd(0x50, OP.readPersistent, 1))).toBe('00339000');
      expect(tx(c, SELECT_B1)).toBe('9000');
      expect(tx(c, opCmd(0x31, OP.read))).toBe('00009000'); // cleared at deselection
    });

    it('the server active on another logical channel does not make it the selected applet of the command', async () => {
      const c = await card(jit);
      expect(tx(c, '0070000001')).toBe('019000'); // MANAGE CHANNEL open: channel 1
      expect(tx(c, `01A4040007${SERVER_B1}`)).toBe('9000');
      expect(tx(c, `81310001015A`)).toBe('00009000'); // on channel 1 the server writes 5A
      expect(tx(c, opCmd(0x50, OP.read))).toBe('6A06'); // channel 0: the client's command
      expect(tx(c, opCmd(0x50, OP.readCor))).toBe('00009000');
      expect(tx(c, '81310000015A')).toBe('005A9000'); // channel 1: still there
    });
  });
}
