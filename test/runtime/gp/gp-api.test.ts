// org.globalplatform for applets (issue 6 point 5, issue 8 setATRHistBytes): a probe applet that
// imports the GlobalPlatform API and calls GPSystem, GPRegistryEntry and SecureChannel, driven
// over APDUs (the secure channel by the host-side GpClient, as an external tool would).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../../loader/bytes.ts';
import { Card, type CardOptions } from '../../../runtime/card.ts';
import { GpClient } from '../../../runtime/gp/client.ts';
import { SD_LOAD_FILE, SD_MODULE } from '../../../runtime/gp/domain/common.ts';
import { defaultKeySet, makeKeySet } from '../../../runtime/gp/keys.ts';
import { AppState, CardState, Privilege } from '../../../runtime/gp/registry.ts';
import { cp, field, PROBE_AID, PROBE_PKG, probeCap, probeCard, type ProbeApplet } from '../api/probe.ts';
import { select, tx } from '../helpers.ts';

const SC = '.classRef 2.2;';
const ENTRY = '.classRef 2.4;';
const GET_SC = 'staticMethodRef 2.3.4()Lorg/globalplatform/SecureChannel;;\n\t\t\t.descriptor\tLorg/globalplatform/SecureChannel;\t2.2;';
const GET_ENTRY =
  'staticMethodRef 2.3.9(Ljavacard/framework/AID;)Lorg/globalplatform/GPRegistryEntry;;\n\t\t\t.descriptor\tLjavacard/framework/AID;\t0.6;\n\t\t\t.descriptor\tLorg/globalplatform/GPRegistryEntry;\t2.4;';

const processSecurity = `
				invokestatic @{${GET_SC}};
				aload_1;
				invokeinterface 2 @{${SC}} 0;
				sstore_3;
				aload_1;
				sconst_5;
				sload_3;
				invokevirtual ${cp('setOutgoingAndSend')};
				sconst_m1;
				sreturn;`;

const APPLET: ProbeApplet = {
  imports: ['0xA0:0x0:0x0:0x1:0x51:0x0 1.0;\t\t//org/globalplatform'],
  fields: ['2.2 sc'],
  probes: [
    { ins: 0x10, code: `aload_2; sconst_0; invokestatic @{staticMethodRef 2.3.2()B;}; bastore; sconst_1; sreturn;` },
    { ins: 0x50, code: processSecurity },
    { ins: 0x82, code: processSecurity },
    {
      ins: 0x20, // unwrap the command in the buffer; answer the plain command
      code: `
				aload_1;
				invokevirtual ${cp('setIncomingAndReceive')};
				pop;
				invokestatic @{${GET_SC}};
				aload_2;
				sconst_0;
				aload_2;
				sconst_4;
				baload;
				sspush 255;
				sand;
				sconst_5;
				sadd;
				invokeinterface 4 @{${SC}} 2;
				sreturn;`,
    },
    {
      ins: 0x30, // setATRHistBytes(command data)
      code: `
				aload_1;
				invokevirtual ${cp('setIncomingAndReceive')};
				sstore_3;
				aload_2;
				sconst_0;
				aload_2;
				sconst_5;
				sload_3;
				s2b;
				invokestatic @{staticMethodRef 2.3.7([BSB)Z;};
				bastore;
				sconst_1;
				sreturn;`,
    },
    { ins: 0x40, code: `aload_2; sconst_0; invokestatic @{${GET_SC}}; invokeinterface 1 @{${SC}} 6; bastore; sconst_1; sreturn;` },
    { ins: 0x60, code: `aload_2; sconst_0; invokestatic @{staticMethodRef 2.3.5()Z;}; bastore; sconst_1; sreturn;` },
    { ins: 0x61, code: `aload_2; sconst_0; invokestatic @{staticMethodRef 2.3.6()Z;}; bastore; sconst_1; sreturn;` },
    {
      ins: 0x70, // own registry entry: state, isPrivileged(CARD_LOCK = 3), privileges
      code: `
				aconst_null;
				invokestatic @{${GET_ENTRY}};
				astore_3;
				aload_2;
				sconst_0;
				aload_3;
				invokeinterface 1 @{${ENTRY}} 3;
				bastore;
				aload_2;
				sconst_1;
				aload_3;
				sconst_3;
				invokeinterface 2 @{${ENTRY}} 5;
				bastore;
				aload_3;
				aload_2;
				sconst_2;
				invokeinterface 3 @{${ENTRY}} 2;
				pop;
				sconst_5;
				sreturn;`,
    },
    { ins: 0x71, code: `aload_2; sconst_0; aconst_null; invokestatic @{${GET_ENTRY}}; aload_2; sconst_2; baload; invokeinterface 2 @{${ENTRY}} 7; bastore; sconst_1; sreturn;` },
    {
      ins: 0x72, // setCardContentState(P1), then getCardContentState
      code: `aload_2; sconst_0; aload_2; sconst_2; baload; invokestatic @{staticMethodRef 2.3.8(B)Z;}; bastore; aload_2; sconst_1; invokestatic @{staticMethodRef 2.3.1()B;}; bastore; sconst_2; sreturn;`,
    },
    { ins: 0x73, code: `aload_0; invokestatic @{${GET_SC}}; putfield_a ${field('2.2 sc')}; sconst_0; sreturn;` },
    ...[
      [0x21, 4], // encryptData(command data), answered
      [0x22, 3], // decryptData(command data), answered
    ].map(([ins, token]) => ({
      ins: ins!,
      code: `
				aload_1;
				invokevirtual ${cp('setIncomingAndReceive')};
				sstore_3;
				invokestatic @{${GET_SC}};
				aload_2;
				sconst_5;
				sload_3;
				invokeinterface 4 @{${SC}} ${token};
				sstore_3;
				aload_1;
				sconst_5;
				sload_3;
				invokevirtual ${cp('setOutgoingAndSend')};
				sconst_m1;
				sreturn;`,
    })),
  ],
};

function gpCard(options: CardOptions = {}): Card {
  return probeCard(APPLET, { gp: true, ...options });
}

function grant(card: Card, privileges: number): void {
  const reg = card.cardManager!.registry;
  reg.setApp({ aid: fromHex(PROBE_AID), lifeCycle: AppState.SELECTABLE, privileges });
  reg.save();
}

describe('org.globalplatform for applets', () => {
  it('GPSystem.getCardState: the card manager life cycle; SECURED on a card without one', () => {
    expect(tx(gpCard(), '80100000')).toBe('019000');
    expect(tx(gpCard({ gp: { lifeCycle: 'SECURED' } }), '80100000')).toBe('0F9000');
    expect(tx(probeCard(APPLET), '80100000')).toBe('0F9000');
  });

  for (const keyType of ['DES3', 'AES'] as const) {
    it(`SecureChannel.processSecurity opens an ${keyType === 'DES3' ? 'SCP02' : 'SCP03'} session; unwrap checks the C-MAC`, () => {
      const card = gpCard({ gp: { keyType } });
      const client = new GpClient((apdu) => card.transmit(apdu));
      expect(tx(card, '80400000')).toBe('009000'); // no session
      client.open(defaultKeySet(keyType, 0xff, 16));
      expect(tx(card, '80400000')).toBe('819000'); // AUTHENTICATED | C_MAC
      const r = client.send(0x80, 0x20, 0x01, 0x02, [0xca, 0xfe]);
      expect(r.sw).toBe(0x9000);
      expect(hex(r.data)).toBe('80200102' + '02CAFE');
      // A command whose MAC is wrong: 6982, and the session is over.
      expect(tx(card, '842000000BAABBCC' + '0011223344556677')).toBe('6982');
      expect(tx(card, '80400000')).toBe('009000');
    });
  }

  it('SecureChannel.encryptData and decryptData: SCP03 AES-CBC with the Key-DEK (the host agrees), SCP02 a round trip; 6985 without a session, 6700 for a partial block', async () => {
    const { createCipheriv } = await import('node:crypto');
    const plain = '00112233445566778899AABBCCDDEEFF';
    for (const keyType of ['AES', 'DES3'] as const) {
      const card = gpCard({ gp: { keyType } });
      expect(tx(card, `8021000010${plain}`)).toBe('6985');
      new GpClient((apdu) => card.transmit(apdu)).open(defaultKeySet(keyType, 0xff, 16));
      const enc = tx(card, `8021000010${plain}`);
      expect(enc.slice(-4)).toBe('9000');
      const cipher = enc.slice(0, -4);
      expect(cipher).not.toBe(plain);
      if (keyType === 'AES') {
        const c = createCipheriv('aes-128-cbc', defaultKeySet('AES', 0xff, 16).dek, Buffer.alloc(16)).setAutoPadding(false);
        expect(cipher).toBe(hex(Buffer.concat([c.update(Buffer.from(plain, 'hex')), c.final()])));
      }
      expect(tx(card, `8022000010${cipher}`)).toBe(`${plain}9000`);
      expect(tx(card, `8021000005${plain.slice(0, 10)}`)).toBe('6700');
    }
  });

  it('an applet extradited to a supplementary security domain gets that domain\'s secure channel (its keys), not the ISD\'s', () => {
    const card = gpCard({ gp: { keyType: 'AES' } });
    const host = new GpClient((apdu) => card.transmit(apdu));
    const ssd = fromHex('A00000055901AA01');
    const vendorKeys = makeKeySet(0x30, 'AES', fromHex('11'.repeat(16)), fromHex('22'.repeat(16)), fromHex('33'.repeat(16)));
    host.select();
    host.open(defaultKeySet('AES', 0xff, 16));
    expect(host.install(SD_LOAD_FILE, SD_MODULE, ssd, { privileges: fromHex('804000') }).sw).toBe(0x9000);
    expect(host.select(ssd).sw).toBe(0x9000);
    host.open(defaultKeySet('AES', 0xff, 16));
    expect(host.putKeySet(vendorKeys).sw).toBe(0x9000);
    // While the probe is associated with the ISD, processSecurity answers with the ISD's keys.
    select(card, PROBE_AID);
    expect(() => host.open(vendorKeys)).toThrow(/card cryptogram/);
    host.select();
    host.open(defaultKeySet('AES', 0xff, 16));
    expect(host.extradite(ssd, fromHex(PROBE_AID)).sw).toBe(0x9000);
    // Now the SSD's: the vendor's keys open a session through the applet, the ISD's do not.
    select(card, PROBE_AID);
    expect(() => host.open(defaultKeySet('AES', 0xff, 16))).toThrow(/card cryptogram|6A88/i);
    select(card, PROBE_AID);
    host.open(vendorKeys);
    expect(tx(card, '80400000')).toBe('819000');
    const r = host.send(0x80, 0x20, 0x01, 0x02, [0xca, 0xfe]);
    expect(hex(r.data)).toBe('80200102' + '02CAFE');
  });

  it('processSecurity with keys the host does not share fails; a reset ends the session', () => {
    const card = gpCard();
    const client = new GpClient((apdu) => card.transmit(apdu));
    expect(() => client.open({ ...defaultKeySet('DES3', 0xff, 16), enc: new Uint8Array(16) })).toThrow(/card cryptogram/);
    client.open(defaultKeySet('DES3', 0xff, 16));
    expect(tx(card, '80400000')).toBe('819000');
    card.reset();
    select(card, PROBE_AID);
    expect(tx(card, '80400000')).toBe('009000');
  });

  it('unwrap outside a session passes plain commands and refuses secure messaging', () => {
    const card = gpCard();
    expect(tx(card, '8020000001AA')).toBe('8020000001AA9000');
    expect(tx(card, '8420000001AA')).toBe('6982');
  });

  it('the SecureChannel object is a permanent entry point: an applet may keep it in a field', () => {
    expect(tx(gpCard(), '80730000')).toBe('9000');
  });

  it('setATRHistBytes: only with Card Reset; the ATR changes from the next reset and survives in the card image', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-gpapi-'));
    try {
      const file = join(dir, 'card.jcard');
      const card = new Card({ gp: true, cardFile: file });
      card.load(probeCap(APPLET));
      card.install(fromHex(PROBE_PKG), fromHex(PROBE_AID));
      const before = hex(card.powerOn());
      select(card, PROBE_AID);
      expect(tx(card, '80300000024142')).toBe('009000'); // no Card Reset privilege
      grant(card, Privilege.CARD_RESET);
      expect(tx(card, '80300000024142')).toBe('019000');
      expect(before).toBe('3B848131FE456A63766D9D');
      // "jcvm" (4 historical bytes) became "AB" (2): T0 says 2, and TCK is the XOR of T0..41 42
      expect(hex(card.atr)).toBe('3B828131FE4541428A');
      const atr = hex(card.reset());
      expect(atr).toBe('3B828131FE4541428A');
      // The SecureChannel object, kept in the applet's field, comes back with the image too.
      select(card, PROBE_AID);
      expect(tx(card, '80730000')).toBe('9000');
      expect(tx(card, '80700000')).toBe('0700040000' + '9000');
      const again = new Card({ gp: true, cardFile: file });
      expect(hex(again.powerOn())).toBe(atr);
      select(again, PROBE_AID);
      const client = new GpClient((apdu) => again.transmit(apdu));
      client.open(defaultKeySet('DES3', 0xff, 16));
      expect(tx(again, '80400000')).toBe('819000');
      expect(tx(again, '80700000')).toBe('0700040000' + '9000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('terminateCard needs Card Terminate', () => {
    const card = gpCard();
    expect(tx(card, '80610000')).toBe('009000');
    grant(card, Privilege.CARD_TERMINATE);
    expect(tx(card, '80610000')).toBe('019000');
    expect(card.cardManager!.registry.state.cardState).toBe(CardState.TERMINATED);
  });

  it('lockCard needs Card Lock and a SECURED card', () => {
    const card = gpCard({ gp: { lifeCycle: 'SECURED' } });
    expect(tx(card, '80600000')).toBe('009000');
    grant(card, Privilege.CARD_LOCK);
    expect(tx(card, '80600000')).toBe('019000');
    expect(card.cardManager!.registry.state.cardState).toBe(CardState.CARD_LOCKED);
  });

  it('GPRegistryEntry of the applet: state, privileges, setState; GPSystem card content state', () => {
    const card = gpCard();
    grant(card, Privilege.CARD_LOCK);
    expect(tx(card, '80700000')).toBe('0701100000' + '9000');
    expect(tx(card, '80720F00')).toBe('010F9000'); // application specific state 0F
    expect(tx(card, '80728300')).toBe('000F9000'); // b8 set: refused
    expect(tx(card, '80711700')).toBe('019000'); // setState to 17
    expect(tx(card, '80700000')).toBe('1701100000' + '9000');
    expect(tx(card, '80718000')).toBe('019000'); // locks itself
    expect(card.cardManager!.registry.appState(fromHex(PROBE_AID)).lifeCycle).toBe(0x97);
    expect(tx(card, '80711700')).toBe('009000'); // cannot unlock itself
  });
});
