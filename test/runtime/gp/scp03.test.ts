// SCP03 card side against ../shared/gp/kat.json (Amd D): every case and session byte for byte,
// the published traces (GPPro issues 90 and 98), and what a card must refuse.

import { describe, expect, it } from 'vitest';
import { SecureChannel } from '../../../runtime/gp/channel.ts';
import { aesCmac } from '../../../runtime/gp/crypto.ts';
import { keyCheckValue, makeKeySet } from '../../../runtime/gp/keys.ts';
import { parsePutKeyData } from '../../../runtime/gp/putkey.ts';
import { cryptogram03, DERIVE03, kdf03, pseudoRandomChallenge03, sessionKeys03 } from '../../../runtime/gp/scp03.ts';
import { C_DECRYPTION, C_MAC, MemoryScpStore, SW } from '../../../runtime/gp/sm.ts';
import { cardFor, expectCommand, fixedRandom, fromHex, hex, KAT, type KatBlock, katKeySet, unwrapOk } from './kat.ts';

/** Each KDF block of the vectors is one AES-CMAC of its PRF input. */
function checkBlocks(key: Uint8Array, blocks: KatBlock[] | undefined): void {
  for (const b of blocks ?? []) expect(hex(aesCmac(key, fromHex(b.prf_input)))).toBe(b.prf_output);
}

describe('SCP03 known answers (kat.json)', () => {
  for (const c of KAT.scp03) {
    describe(c.id, () => {
      const keys = katKeySet(c, 'AES');
      const hc = fromHex(c.host_challenge);
      const cc = fromHex(c.initialize_update.response_fields.card_challenge);

      it('static key check values', () => {
        expect(hex(keyCheckValue('AES', keys.enc))).toBe(c.static_keys.kcv_enc);
        expect(hex(keyCheckValue('AES', keys.mac))).toBe(c.static_keys.kcv_mac);
        expect(hex(keyCheckValue('AES', keys.dek))).toBe(c.static_keys.kcv_dek);
      });

      it('KDF: card challenge, session keys, cryptograms', () => {
        const d = c.initialize_update.card_challenge_derivation;
        if (c.sequence_counter) {
          checkBlocks(keys.enc, d!.kdf_blocks);
          expect(hex(pseudoRandomChallenge03(keys.enc, parseInt(c.sequence_counter, 16), fromHex(c.security_domain_aid)))).toBe(d!.card_challenge);
        }
        const s = sessionKeys03(keys, hc, cc);
        const sk = c.session_keys as Record<string, string | KatBlock[]>;
        expect(hex(s.enc)).toBe(sk.s_enc);
        expect(hex(s.mac)).toBe(sk.s_mac);
        expect(hex(s.rmac)).toBe(sk.s_rmac);
        checkBlocks(keys.enc, sk.s_enc_kdf_blocks as KatBlock[]);
        checkBlocks(keys.mac, sk.s_mac_kdf_blocks as KatBlock[]);
        checkBlocks(keys.mac, sk.s_rmac_kdf_blocks as KatBlock[]);
        checkBlocks(s.mac, c.card_cryptogram.kdf_blocks);
        checkBlocks(s.mac, c.host_cryptogram.kdf_blocks);
        expect(hex(cryptogram03(s.mac, DERIVE03.CARD_CRYPTOGRAM, hc, cc))).toBe(c.card_cryptogram.value);
        expect(hex(cryptogram03(s.mac, DERIVE03.HOST_CRYPTOGRAM, hc, cc))).toBe(c.host_cryptogram.value);
        expect(hex(kdf03(keys.enc, DERIVE03.S_ENC, keys.enc.length * 8, new Uint8Array([...hc, ...cc])))).toBe(sk.s_enc);
      });

      for (const s of c.sessions) {
        it(`session at level ${s.security_level}: INITIALIZE UPDATE, EXTERNAL AUTHENTICATE, every command and response`, () => {
          const { channel, store } = cardFor(c, 3);
          expect(hex(channel.initializeUpdate(fromHex(c.initialize_update.command)))).toBe(c.initialize_update.response);
          if (c.sequence_counter) expect(store.counter(keys.kvn)).toBe(parseInt(c.sequence_counter, 16));
          expect(channel.state).toBe('initiated');
          expect(hex(channel.externalAuthenticate(fromHex(s.external_authenticate.apdu_as_sent_by_gppro)))).toBe(s.external_authenticate.response);
          expect(channel.state).toBe('open');
          expect(channel.securityLevel).toBe(parseInt(s.security_level, 16));
          for (const cmd of s.commands) {
            expect(cmd.wrapped_apdu).toBe(cmd.wrapped_apdu_as_sent_by_gppro); // every plain command here has Le
            const ks = expectCommand(channel, cmd);
            const pk = cmd.card_put_key_processing;
            if (pk) {
              expect([ks!.kvn, ks!.type, hex(ks!.enc), hex(ks!.mac), hex(ks!.dek)]).toEqual([
                0x30, 'AES', pk.keys_parsed_by_card[0]!.decrypted_key, pk.keys_parsed_by_card[1]!.decrypted_key, pk.keys_parsed_by_card[2]!.decrypted_key,
              ]);
            }
          }
        });
      }

      it('EXTERNAL AUTHENTICATE without Le (GPCS form) is accepted too', () => {
        const { channel } = cardFor(c, 3);
        channel.initializeUpdate(fromHex(c.initialize_update.command));
        expect(hex(channel.externalAuthenticate(fromHex(c.sessions[0]!.external_authenticate.apdu)))).toBe('9000');
      });
    });
  }
});

describe('SCP03 published traces (kat.json trace_cross_checks)', () => {
  for (const id of ['issues/90', 'issues/98']) {
    const t = KAT.trace_cross_checks.find((x) => x.source.endsWith(id))!;
    it(`GPPro ${id}: INITIALIZE UPDATE response, EXTERNAL AUTHENTICATE accepted`, () => {
      const inp = t.inputs!;
      const key = fromHex(inp.key_enc_mac_dek!);
      const ks = makeKeySet(parseInt(inp.key_version_number!, 16), 'AES', key, key, key);
      const store = new MemoryScpStore([[ks.kvn, parseInt(inp.sequence_counter!, 16) - 1]]);
      const channel = new SecureChannel({
        aid: fromHex(inp.security_domain_aid!), kdd: fromHex(inp.key_diversification_data!),
        keySets: () => [ks], store, scp02i: null, scp03i: parseInt(inp.i!, 16), random: fixedRandom(null),
      });
      // P1 = 00: the default (first) key set.
      const resp = channel.initializeUpdate(fromHex(`8050000008${inp.host_challenge}00`));
      expect(hex(resp)).toBe(t.computed_initialize_update_response);
      if (t.trace_initialize_update_response) expect(hex(resp)).toBe(t.trace_initialize_update_response);
      expect(hex(resp)).toContain(t.trace_values!.card_challenge! + t.trace_values!.card_cryptogram!);
      if (t.trace_values!.s_enc) {
        const s = sessionKeys03(ks, fromHex(inp.host_challenge!), fromHex(t.trace_values!.card_challenge!));
        expect(hex(s.enc)).toBe(t.trace_values!.s_enc);
        expect(hex(s.mac)).toBe(t.trace_values!.s_mac);
        expect(t.computed!.external_authenticate).toContain(t.trace_values!.host_cryptogram!);
      }
      expect(hex(channel.externalAuthenticate(fromHex(t.computed!.external_authenticate!)))).toBe('9000');
    });
  }
});

describe('SCP03 refusals', () => {
  const c70 = KAT.scp03.find((c) => c.id === 'scp03-aes128-i70')!;
  const c10 = KAT.scp03.find((c) => c.id === 'scp03-aes128-i10')!;
  const s01 = c70.sessions.find((s) => s.security_level === '01')!;
  const s03 = c70.sessions.find((s) => s.security_level === '03')!;
  const s33 = c70.sessions.find((s) => s.security_level === '33')!;

  function opened(level = s01, c = c70): SecureChannel {
    const { channel } = cardFor(c, 3);
    channel.initializeUpdate(fromHex(c.initialize_update.command));
    expect(hex(channel.externalAuthenticate(fromHex(level.external_authenticate.apdu)))).toBe('9000');
    return channel;
  }

  it('wrong host cryptogram: 6300 and no session', () => {
    const { channel } = cardFor(c70, 3);
    channel.initializeUpdate(fromHex(c70.initialize_update.command));
    const ea = fromHex(s01.external_authenticate.apdu);
    ea[5]! ^= 0x01;
    expect(hex(channel.externalAuthenticate(ea))).toBe('6300');
    expect(channel.state).toBe('none');
    expect(channel.unwrap(fromHex(s01.commands[0]!.wrapped_apdu)).sw).toBe(SW.SECURITY_STATUS);
    // the right cryptogram is too late now: the session was closed
    expect(hex(channel.externalAuthenticate(fromHex(s01.external_authenticate.apdu)))).toBe('6982');
  });

  it('EXTERNAL AUTHENTICATE with a wrong C-MAC: 6982; without INITIALIZE UPDATE: 6982', () => {
    const { channel } = cardFor(c70, 3);
    channel.initializeUpdate(fromHex(c70.initialize_update.command));
    const ea = fromHex(s01.external_authenticate.apdu);
    ea[ea.length - 1]! ^= 0x80;
    expect(hex(channel.externalAuthenticate(ea))).toBe('6982');
    expect(channel.state).toBe('none');
    expect(hex(cardFor(c70, 3).channel.externalAuthenticate(fromHex(s01.external_authenticate.apdu)))).toBe('6982');
  });

  it('a tampered C-MAC or data: 6982, session closed, the next good command refused', () => {
    for (const at of ['mac', 'data'] as const) {
      const channel = opened(s03);
      const w = fromHex(s03.commands[0]!.wrapped_apdu);
      w[at === 'mac' ? w.length - 2 : 6]! ^= 0x01;
      expect(channel.unwrap(w).sw).toBe(SW.SECURITY_STATUS);
      expect(channel.state).toBe('none');
      expect(channel.unwrap(fromHex(s03.commands[1]!.wrapped_apdu)).sw).toBe(SW.SECURITY_STATUS);
    }
  });

  it('a replayed command fails (the MAC chaining value has moved)', () => {
    const channel = opened();
    unwrapOk(channel, s01.commands[0]!.wrapped_apdu);
    expect(channel.unwrap(fromHex(s01.commands[0]!.wrapped_apdu)).sw).toBe(SW.SECURITY_STATUS);
  });

  it('an unprotected command in a C-MAC session: 6982 and closed; outside a session it passes', () => {
    const channel = opened();
    expect(channel.unwrap(fromHex('80F28002024F0000')).sw).toBe(SW.SECURITY_STATUS);
    expect(channel.state).toBe('none');
    expect(unwrapOk(channel, '80F28002024F0000')).toBe('80F28002024F0000');
    expect(channel.unwrap(fromHex('80F28002024F0000'), C_MAC).sw).toBe(SW.SECURITY_STATUS);
  });

  it('a command needing C-DECRYPTION in a C-MAC-only session: 6982 (session stays open)', () => {
    const channel = opened();
    expect(channel.unwrap(fromHex(s01.commands[0]!.wrapped_apdu), C_MAC | C_DECRYPTION).sw).toBe(SW.SECURITY_STATUS);
    expect(channel.state).toBe('open');
    // ... and at level 03 it passes
    const c3 = opened(s03);
    expect(unwrapOk(c3, s03.commands[0]!.wrapped_apdu, C_MAC | C_DECRYPTION)).toBe(s03.commands[0]!.plain_apdu);
  });

  it('unknown key version: 6A88; P2 not 00: 6A86; host challenge not 8 bytes: 6700', () => {
    const { channel, store } = cardFor(c70, 3);
    expect(hex(channel.initializeUpdate(fromHex('8050310008A0A1A2A3A4A5A6A700')))).toBe('6A88');
    expect(hex(channel.initializeUpdate(fromHex('8050300108A0A1A2A3A4A5A6A700')))).toBe('6A86');
    expect(hex(channel.initializeUpdate(fromHex('8050300007A0A1A2A3A4A5A600')))).toBe('6700');
    expect(store.counter(0x30)).toBe(0x29); // no refused INITIALIZE UPDATE moved the counter
    // KVN 00 picks the default key set: same answer as KVN 30
    expect(hex(channel.initializeUpdate(fromHex('8050000008A0A1A2A3A4A5A6A700')))).toBe(c70.initialize_update.response);
  });

  it('level 33 needs i with R-MAC and R-ENC support (i=10: 6A86); levels outside Table 7-4: 6A86', () => {
    const { channel } = cardFor(c10, 3);
    channel.initializeUpdate(fromHex(c10.initialize_update.command));
    const ea = fromHex(c10.sessions[0]!.external_authenticate.apdu);
    ea[2] = 0x33;
    expect(hex(channel.externalAuthenticate(ea))).toBe('6A86');
    const { channel: ch2 } = cardFor(c70, 3);
    ch2.initializeUpdate(fromHex(c70.initialize_update.command));
    const ea2 = fromHex(s01.external_authenticate.apdu);
    ea2[2] = 0x02;
    expect(hex(ch2.externalAuthenticate(ea2))).toBe('6A86');
  });

  it('the sequence counter: one step per INITIALIZE UPDATE; exhausted at FFFFFF: 6985', () => {
    const { channel, store } = cardFor(c70, 3);
    channel.initializeUpdate(fromHex(c70.initialize_update.command));
    channel.initializeUpdate(fromHex(c70.initialize_update.command));
    expect(store.counter(0x30)).toBe(0x2b);
    const { channel: full } = cardFor(c70, 3, { counter: 0xffffff });
    expect(hex(full.initializeUpdate(fromHex(c70.initialize_update.command)))).toBe('6985');
  });

  it('a command other than EXTERNAL AUTHENTICATE after INITIALIZE UPDATE abandons the session', () => {
    const { channel } = cardFor(c70, 3);
    channel.initializeUpdate(fromHex(c70.initialize_update.command));
    expect(unwrapOk(channel, '80CA00E000')).toBe('80CA00E000');
    expect(hex(channel.externalAuthenticate(fromHex(s01.external_authenticate.apdu)))).toBe('6982');
  });

  it('responses not protected: EXTERNAL AUTHENTICATE answer, error status words, nothing unwrapped', () => {
    const channel = opened(s33);
    expect(hex(channel.wrap(fromHex('9000')))).toBe('9000'); // nothing unwrapped yet
    unwrapOk(channel, s33.commands[0]!.wrapped_apdu);
    expect(hex(channel.wrap(fromHex('6A88')))).toBe('6A88');
    expect(hex(channel.wrap(fromHex('9000')))).toBe('9000'); // one wrap per command
  });

  it('PUT KEY with a wrong key check value: 6A80', () => {
    const channel = opened(s33);
    for (const cmd of s33.commands.slice(0, 3)) unwrapOk(channel, cmd.wrapped_apdu);
    const plain = fromHex(unwrapOk(channel, s33.commands[3]!.wrapped_apdu));
    const data = plain.slice(5, 5 + plain[4]!);
    data[1 + 2 + 17 + 1]! ^= 0x01; // first KCV byte of the first key
    expect(parsePutKeyData(data, (x) => channel.decryptKey(x))).toBe(SW.WRONG_DATA);
  });

  it('random card challenge (i=00) comes from the injected source', () => {
    const c00 = KAT.scp03.find((c) => c.id === 'scp03-aes128-i00')!;
    const { channel, store } = cardFor(c00, 3);
    const r = channel.initializeUpdate(fromHex(c00.initialize_update.command));
    expect(hex(r)).toBe(c00.initialize_update.response);
    expect(hex(r).slice(26, 42)).toBe(c00.card_challenge_given);
    expect(store.counter(0x30)).toBe(0); // no counter with a random challenge
  });
});

describe('SCP03 S16 mode (i b1; no vectors: a round trip with the KDF and CMAC checked above)', () => {
  it('16-byte challenges, cryptograms and MACs', () => {
    const ks = makeKeySet(0x31, 'AES', fromHex('404142434445464748494A4B4C4D4E4F'), fromHex('404142434445464748494A4B4C4D4E4F'), fromHex('404142434445464748494A4B4C4D4E4F'));
    const channel = new SecureChannel({
      aid: fromHex('A000000151000000'), kdd: fromHex('00010203040506070809'), keySets: () => [ks],
      store: new MemoryScpStore(), scp02i: null, scp03i: 0x71,
    });
    const hc = fromHex('000102030405060708090A0B0C0D0E0F');
    const r = channel.initializeUpdate(fromHex(`8050310010${hex(hc)}00`));
    expect(r.length).toBe(10 + 3 + 16 + 16 + 3 + 2);
    expect(hex(r.subarray(10, 13))).toBe('310371');
    expect(hex(r.subarray(45))).toBe('0000019000');
    const cc = r.subarray(13, 29);
    expect(hex(cc)).toBe(hex(pseudoRandomChallenge03(ks.enc, 1, fromHex('A000000151000000'), 16)));
    const s = sessionKeys03(ks, hc, cc);
    expect(hex(r.subarray(29, 45))).toBe(hex(cryptogram03(s.mac, DERIVE03.CARD_CRYPTOGRAM, hc, cc, 16)));
    const host = cryptogram03(s.mac, DERIVE03.HOST_CRYPTOGRAM, hc, cc, 16);
    const head = fromHex('8482330020');
    const mac = aesCmac(s.mac, new Uint8Array([...new Uint8Array(16), ...head, ...host]));
    expect(hex(channel.externalAuthenticate(new Uint8Array([...head, ...host, ...mac])))).toBe('9000');
    // a case 2 command: C-MAC of 16 bytes over chain ‖ 84 CA 00 E0 10; R-MAC of 16 bytes on the answer
    const cmdMac = aesCmac(s.mac, new Uint8Array([...mac, ...fromHex('84CA00E010')]));
    expect(unwrapOk(channel, `84CA00E010${hex(cmdMac)}00`)).toBe('80CA00E000');
    const resp = channel.wrap(fromHex('019000'));
    expect(resp.length).toBe(16 + 16 + 2); // one encrypted block, 16-byte R-MAC, SW
    expect(hex(resp.subarray(16, 32))).toBe(hex(aesCmac(s.rmac, new Uint8Array([...cmdMac, ...resp.subarray(0, 16), 0x90, 0x00]))));
  });
});
