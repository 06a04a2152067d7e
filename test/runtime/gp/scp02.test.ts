// SCP02 card side against ../shared/gp/kat.json (GPCS Appendix E): every case and session byte
// for byte, the published traces (GPPro issues 169, 192, 218), and what a card must refuse.

import { describe, expect, it } from 'vitest';
import { SecureChannel } from '../../../runtime/gp/channel.ts';
import { desCbc, desEcb, pad80, retailMac } from '../../../runtime/gp/crypto.ts';
import { keyCheckValue, makeKeySet } from '../../../runtime/gp/keys.ts';
import { parsePutKeyData } from '../../../runtime/gp/putkey.ts';
import {
  cardCryptogram02, hostCryptogram02, pseudoRandomChallenge02, sessionKeys02, supportsI02,
} from '../../../runtime/gp/scp02.ts';
import { C_DECRYPTION, C_MAC, MemoryScpStore, SW } from '../../../runtime/gp/sm.ts';
import { cardFor, expectCommand, fixedRandom, fromHex, hex, KAT, type KatCase, katKeySet, unwrapOk } from './kat.ts';

type SessionKey = { value: string; derivation_data: string; kcv: string; static_key: string };

/** i of a case as the card runs it: scp02-rmac is an i=55 card that also offers R-MAC (b6, 0x20). */
function cardI(c: KatCase): number {
  return c.id === 'scp02-rmac' ? 0x75 : parseInt(c.i, 16);
}

describe('SCP02 known answers (kat.json)', () => {
  for (const c of KAT.scp02) {
    describe(c.id, () => {
      const keys = katKeySet(c, 'DES3');
      const seq = parseInt(c.sequence_counter!, 16);
      const hc = fromHex(c.host_challenge);
      const cc = fromHex(c.initialize_update.response_fields.card_challenge);

      it('static key check values, session keys, challenge, cryptograms', () => {
        expect(hex(keyCheckValue('DES3', keys.enc))).toBe(c.static_keys.kcv_enc);
        const s = sessionKeys02(keys, seq);
        const sk = c.session_keys as Record<string, SessionKey>;
        for (const [name, v] of [['s_enc', s.enc], ['s_mac', s.mac], ['s_rmac', s.rmac], ['s_dek', s.dek]] as const) {
          expect(hex(v)).toBe(sk[name]!.value);
          expect(hex(keyCheckValue('DES3', v))).toBe(sk[name]!.kcv);
          expect(hex(desCbc(fromHex(sk[name]!.static_key), new Uint8Array(8), fromHex(sk[name]!.derivation_data)))).toBe(sk[name]!.value);
        }
        const d = c.initialize_update.card_challenge_derivation;
        if (d) {
          expect(hex(retailMac(s.mac, new Uint8Array(8), fromHex(c.security_domain_aid)))).toBe(d.mac);
          expect(hex(pseudoRandomChallenge02(s.mac, fromHex(c.security_domain_aid)))).toBe(d.card_challenge);
        } else {
          expect(hex(cc)).toBe(c.card_challenge_given);
        }
        expect(hex(cardCryptogram02(s.enc, hc, seq, cc))).toBe(c.card_cryptogram.value);
        expect(hex(hostCryptogram02(s.enc, seq, cc, hc))).toBe(c.host_cryptogram.value);
      });

      for (const s of c.sessions) {
        it(`session at level ${s.security_level}: INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, every command and response`, () => {
          const { channel, store } = cardFor(c, 2, { i: cardI(c) });
          expect(hex(channel.initializeUpdate(fromHex(c.initialize_update.command)))).toBe(c.initialize_update.response);
          expect(store.counter(keys.kvn)).toBe(seq); // SCP02 moves it only after EXTERNAL AUTHENTICATE
          expect(hex(channel.externalAuthenticate(fromHex(s.external_authenticate.apdu_as_sent_by_gppro)))).toBe(s.external_authenticate.response);
          expect(store.counter(keys.kvn)).toBe(seq + 1);
          expect(channel.securityLevel).toBe(parseInt(s.security_level, 16));
          const sMac = sessionKeys02(keys, seq).mac;
          for (const cmd of s.commands) {
            // the ICV the card uses: previous C-MAC, single-DES encrypted under S-MAC's left half
            expect(hex(desEcb(sMac.subarray(0, 8), fromHex(cmd.icv_previous_c_mac!)))).toBe(cmd.icv_encrypted);
            const ks = expectCommand(channel, cmd);
            if (cmd.card_put_key_processing) expect(ks!.type).toBe('DES3');
          }
        });
      }
    });
  }
});

/** A host-side SCP02 wrapper (i=55/15 rules) for commands the vectors do not list. */
class Host02 {
  private icv: Uint8Array | null = null;
  constructor(private readonly keys: ReturnType<typeof sessionKeys02>, private readonly level: number) {}
  wrap(plainHex: string): Uint8Array {
    const p = fromHex(plainHex);
    const hasData = p.length > 5;
    const data = hasData ? p.subarray(5, 5 + p[4]!) : new Uint8Array(0);
    const le = p.length === 5 ? [p[4]!] : p.length > 5 + data.length ? [p[p.length - 1]!] : [];
    const icv = this.icv === null ? new Uint8Array(8) : desEcb(this.keys.mac.subarray(0, 8), this.icv);
    const mac = retailMac(this.keys.mac, icv, Uint8Array.from([p[0]! | 4, p[1]!, p[2]!, p[3]!, data.length + 8, ...data]));
    this.icv = mac;
    const body = (this.level & C_DECRYPTION) !== 0 && data.length > 0 ? desCbc(this.keys.enc, new Uint8Array(8), pad80(data, 8)) : data;
    return Uint8Array.from([p[0]! | 4, p[1]!, p[2]!, p[3]!, body.length + 8, ...body, ...mac, ...le]);
  }
  /** EXTERNAL AUTHENTICATE (first C-MAC, ICV zero). */
  authenticate(level: number, hostCryptogram: Uint8Array): Uint8Array {
    const head = [0x84, 0x82, level, 0x00, 0x10];
    const mac = retailMac(this.keys.mac, new Uint8Array(8), Uint8Array.from([...head, ...hostCryptogram]));
    this.icv = mac;
    return Uint8Array.from([...head, ...hostCryptogram, ...mac]);
  }
}

describe('SCP02 published traces (kat.json trace_cross_checks)', () => {
  for (const id of ['issues/218', 'issues/169', 'issues/192']) {
    const t = KAT.trace_cross_checks.find((x) => x.source.endsWith(id))!;
    it(`GPPro ${id}: INITIALIZE UPDATE response, EXTERNAL AUTHENTICATE${t.commands ? ', R-MAC' : ''}`, () => {
      const inp = t.inputs!;
      const ks = makeKeySet(parseInt(inp.key_version_number!, 16), 'DES3', fromHex(inp.enc!), fromHex(inp.mac!), fromHex(inp.dek!));
      const seq = parseInt(inp.sequence_counter!, 16);
      const store = new MemoryScpStore([[ks.kvn, seq]]);
      const level = parseInt(inp.security_level!, 16);
      const channel = new SecureChannel({
        aid: fromHex(inp.security_domain_aid!), kdd: fromHex(inp.key_diversification_data!),
        keySets: () => [ks], store, scp02i: (level & 0x10) !== 0 ? 0x75 : 0x55, scp03i: null, random: fixedRandom(null),
      });
      const resp = channel.initializeUpdate(fromHex(`8050${inp.key_version_number}0008${inp.host_challenge}00`));
      expect(hex(resp)).toBe(t.trace_initialize_update_response);
      const ea = fromHex(t.computed_external_authenticate!);
      if (t.trace_external_authenticate) expect(t.computed_external_authenticate).toBe(t.trace_external_authenticate);
      expect(hex(channel.externalAuthenticate(ea))).toBe('9000');
      if (!t.commands) return;
      // issue 218: the card's first R-MAC, on the answer to an INSTALL the host sent at level 13.
      const keys = sessionKeys02(ks, seq);
      const host = new Host02(keys, level);
      expect(hex(host.authenticate(level, ea.subarray(5, 13)))).toBe(t.computed_external_authenticate);
      for (const cmd of t.commands) {
        expect(hex(retailMac(keys.rmac, fromHex(cmd.r_mac_icv), fromHex(cmd.r_mac_input)))).toBe(cmd.trace_response.slice(2, 18));
        expect(unwrapOk(channel, hex(host.wrap(cmd.plain_apdu)))).toBe(cmd.plain_apdu);
        expect(hex(channel.wrap(fromHex('009000')))).toBe(cmd.trace_response);
      }
    });
  }
});

describe('SCP02 refusals', () => {
  const c15 = KAT.scp02.find((c) => c.id === 'scp02-i15')!;
  const c55 = KAT.scp02.find((c) => c.id === 'scp02-i55')!;
  const cr = KAT.scp02.find((c) => c.id === 'scp02-rmac')!;
  const s01 = c15.sessions.find((s) => s.security_level === '01')!;
  const s03 = c15.sessions.find((s) => s.security_level === '03')!;

  function opened(level = s01): SecureChannel {
    const { channel } = cardFor(c15, 2);
    channel.initializeUpdate(fromHex(c15.initialize_update.command));
    expect(hex(channel.externalAuthenticate(fromHex(level.external_authenticate.apdu)))).toBe('9000');
    return channel;
  }

  it('i options: explicit initiation with three keys (05, 15, 45, 55, and with R-MAC 35, 75); not implicit (0A, 1A)', () => {
    for (const i of [0x05, 0x15, 0x45, 0x55, 0x35, 0x75]) expect(supportsI02(i)).toBe(true);
    for (const i of [0x0a, 0x1a, 0x14, 0x54, 0x85]) expect(supportsI02(i)).toBe(false);
  });

  it('wrong host cryptogram: 6300, session closed, counter unchanged', () => {
    const { channel, store } = cardFor(c15, 2);
    channel.initializeUpdate(fromHex(c15.initialize_update.command));
    const ea = fromHex(s01.external_authenticate.apdu);
    ea[12]! ^= 0x01;
    expect(hex(channel.externalAuthenticate(ea))).toBe('6300');
    expect(channel.state).toBe('none');
    expect(store.counter(0x20)).toBe(0x10);
    expect(channel.unwrap(fromHex(s01.commands[0]!.wrapped_apdu)).sw).toBe(SW.SECURITY_STATUS);
  });

  it('EXTERNAL AUTHENTICATE with a wrong C-MAC: 6982, counter unchanged', () => {
    const { channel, store } = cardFor(c15, 2);
    channel.initializeUpdate(fromHex(c15.initialize_update.command));
    const ea = fromHex(s01.external_authenticate.apdu);
    ea[20]! ^= 0x01;
    expect(hex(channel.externalAuthenticate(ea))).toBe('6982');
    expect(store.counter(0x20)).toBe(0x10);
  });

  it('a tampered C-MAC or encrypted data: 6982, session closed', () => {
    for (const [level, at] of [[s01, 'mac'], [s03, 'mac'], [s03, 'data']] as const) {
      const channel = opened(level);
      const w = fromHex(level.commands[0]!.wrapped_apdu);
      w[at === 'mac' ? w.length - 2 : 5]! ^= 0x01;
      expect(channel.unwrap(w).sw).toBe(SW.SECURITY_STATUS);
      expect(channel.state).toBe('none');
      expect(channel.unwrap(fromHex(level.commands[1]!.wrapped_apdu)).sw).toBe(SW.SECURITY_STATUS);
    }
  });

  it('commands out of order break the ICV chain', () => {
    const channel = opened();
    expect(channel.unwrap(fromHex(s01.commands[1]!.wrapped_apdu)).sw).toBe(SW.SECURITY_STATUS);
  });

  it('an unprotected command in a C-MAC session: 6982 and closed', () => {
    const channel = opened();
    expect(channel.unwrap(fromHex('80F28002024F0000')).sw).toBe(SW.SECURITY_STATUS);
    expect(channel.state).toBe('none');
  });

  it('a command needing C-DECRYPTION in a C-MAC-only session: 6982', () => {
    expect(opened().unwrap(fromHex(s01.commands[0]!.wrapped_apdu), C_MAC | C_DECRYPTION).sw).toBe(SW.SECURITY_STATUS);
    expect(unwrapOk(opened(s03), s03.commands[0]!.wrapped_apdu, C_MAC | C_DECRYPTION)).toBe(s03.commands[0]!.plain_apdu);
  });

  it('unknown key version: 6A88; a DES key set when only SCP03 is offered: 6A88', () => {
    const { channel } = cardFor(c15, 2);
    expect(hex(channel.initializeUpdate(fromHex('8050210008A0A1A2A3A4A5A6A700')))).toBe('6A88');
    const ks = katKeySet(c15, 'DES3');
    const only03 = new SecureChannel({
      aid: fromHex(c15.security_domain_aid), kdd: fromHex(c15.key_diversification_data), keySets: () => [ks],
      store: new MemoryScpStore(), scp02i: null, scp03i: 0x70,
    });
    expect(hex(only03.initializeUpdate(fromHex(c15.initialize_update.command)))).toBe('6A88');
    expect(hex(only03.initializeUpdate(fromHex('8050000008A0A1A2A3A4A5A6A700')))).toBe('6A88');
  });

  it('R-MAC levels need i with R-MAC support: i=55 refuses P1=13 with 6A86', () => {
    const { channel } = cardFor(cr, 2); // i=55 as the case lists it
    expect(hex(channel.initializeUpdate(fromHex(cr.initialize_update.command)))).toBe(cr.initialize_update.response);
    expect(hex(channel.externalAuthenticate(fromHex(cr.sessions[0]!.external_authenticate.apdu)))).toBe('6A86');
    expect(channel.state).toBe('none');
  });

  it('the sequence counter at FFFF refuses INITIALIZE UPDATE with 6985', () => {
    const { channel } = cardFor(c55, 2, { counter: 0xffff });
    expect(hex(channel.initializeUpdate(fromHex(c55.initialize_update.command)))).toBe('6985');
  });

  it('R-MAC chain: each R-MAC is the next ICV, and responses are protected once per command', () => {
    const { channel } = cardFor(cr, 2, { i: 0x75 });
    channel.initializeUpdate(fromHex(cr.initialize_update.command));
    channel.externalAuthenticate(fromHex(cr.sessions[0]!.external_authenticate.apdu));
    const [a, b] = cr.sessions[0]!.commands;
    expect(b!.r_mac_icv).toBe(a!.r_mac);
    unwrapOk(channel, a!.wrapped_apdu);
    expect(hex(channel.wrap(fromHex(a!.plain_response)))).toBe(a!.wrapped_response);
    expect(hex(channel.wrap(fromHex(a!.plain_response)))).toBe(a!.plain_response);
    unwrapOk(channel, b!.wrapped_apdu);
    expect(hex(channel.wrap(fromHex(b!.plain_response)))).toBe(b!.wrapped_response);
  });

  it('random card challenge (i=15) comes from the injected source', () => {
    const { channel } = cardFor(c15, 2);
    expect(hex(channel.initializeUpdate(fromHex(c15.initialize_update.command))).slice(28, 40)).toBe(c15.card_challenge_given);
  });

  it('PUT KEY with a wrong key check value: 6A80; unknown key type: 6A80', () => {
    const channel = opened(s03);
    for (const cmd of s03.commands.slice(0, 3)) unwrapOk(channel, cmd.wrapped_apdu);
    const plain = fromHex(unwrapOk(channel, s03.commands[3]!.wrapped_apdu));
    const data = plain.slice(5, 5 + plain[4]!);
    const bad = data.slice();
    bad[1 + 2 + 16 + 1]! ^= 0x01;
    expect(parsePutKeyData(bad, (x) => channel.decryptKey(x))).toBe(SW.WRONG_DATA);
    const unknown = data.slice();
    unknown[1] = 0x81;
    expect(parsePutKeyData(unknown, (x) => channel.decryptKey(x))).toBe(SW.WRONG_DATA);
  });
});
