// The GlobalPlatform secure channel known-answer vectors (../shared/gp/kat.json, README beside
// it), typed as far as these tests read them, and a card-side channel set up for one case.

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { resolve } from 'node:path';
import { fromHex, hex } from '../../../loader/bytes.ts';
import { SecureChannel } from '../../../runtime/gp/channel.ts';
import { makeKeySet, type KeySet, type KeyType } from '../../../runtime/gp/keys.ts';
import { keySetFromPutKey, parsePutKeyData, putKeyResponseData } from '../../../runtime/gp/putkey.ts';
import { MemoryScpStore } from '../../../runtime/gp/sm.ts';
import { REPO_ROOT } from '../../corpus.ts';

export { fromHex, hex };

export interface KatKeyField {
  key_id: string;
  key_type: string;
  ciphered_key: string;
  decrypted_key: string;
  kcv_in_command: string;
  kcv_computed_by_card: string;
}

export interface KatCommand {
  name: string;
  plain_apdu: string;
  wrapped_apdu: string;
  wrapped_apdu_as_sent_by_gppro: string;
  plain_apdu_recovered_by_card: string;
  plain_response: string;
  wrapped_response: string;
  // SCP03
  encryption_counter?: string;
  c_dec_icv?: string;
  mac_chaining_value_after?: string;
  // SCP02
  icv_encrypted?: string;
  icv_previous_c_mac?: string;
  c_mac?: string;
  r_mac_icv?: string;
  r_mac?: string;
  card_put_key_processing?: { new_key_version: string; keys_parsed_by_card: KatKeyField[] };
}

export interface KatSession {
  security_level: string;
  external_authenticate: {
    apdu: string;
    apdu_as_sent_by_gppro: string;
    c_mac: string;
    response: string;
    host_cryptogram: { value: string };
    mac_chaining_value_after?: string;
  };
  commands: KatCommand[];
}

export interface KatBlock {
  prf_input: string;
  prf_output: string;
}

export interface KatCase {
  id: string;
  i: string;
  static_keys: { key_version_number: string; key_length_bytes: number; enc: string; mac: string; dek: string; kcv_enc: string; kcv_mac: string; kcv_dek: string };
  security_domain_aid: string;
  key_diversification_data: string;
  host_challenge: string;
  sequence_counter?: string | null;
  card_challenge_given?: string;
  initialize_update: {
    command: string;
    response: string;
    response_fields: { card_challenge: string; card_cryptogram: string };
    card_challenge_derivation?: { card_challenge: string; kdf_blocks?: KatBlock[]; mac?: string };
  };
  // SCP03: hex strings; SCP02: { value, derivation_data, kcv }
  session_keys: Record<string, unknown>;
  card_cryptogram: { value: string; kdf_blocks?: KatBlock[] };
  host_cryptogram: { value: string; kdf_blocks?: KatBlock[] };
  sessions: KatSession[];
}

export interface KatTrace {
  source: string;
  inputs?: Record<string, string>;
  trace_initialize_update_response?: string;
  computed_initialize_update_response?: string;
  computed_external_authenticate?: string;
  trace_external_authenticate?: string;
  commands?: { plain_apdu: string; r_mac_icv: string; r_mac_input: string; computed_response: string; trace_response: string }[];
  computed?: Record<string, string>;
  trace_values?: Record<string, string>;
}

export interface Kat {
  scp03: KatCase[];
  scp02: KatCase[];
  trace_cross_checks: KatTrace[];
}

export const KAT = JSON.parse(readFileSync(resolve(REPO_ROOT, '../shared/gp/kat.json'), 'utf8')) as Kat;

export function katKeySet(c: KatCase, type: KeyType): KeySet {
  const k = c.static_keys;
  return makeKeySet(parseInt(k.key_version_number, 16), type, fromHex(k.enc), fromHex(k.mac), fromHex(k.dek));
}

/** A random source that hands out exactly the given bytes (the KAT's card challenge). */
export function fixedRandom(bytes: string | null): (n: number) => Uint8Array {
  return (n) => {
    if (bytes === null) throw new Error('no randomness expected here');
    const b = fromHex(bytes);
    if (b.length !== n) throw new Error(`asked for ${n} random bytes, have ${b.length}`);
    return b;
  };
}

export interface CardSetup {
  channel: SecureChannel;
  store: MemoryScpStore;
  keySets: KeySet[];
}

/** A channel in the state the case starts from: its key set, counter, AID, KDD, i. */
export function cardFor(c: KatCase, scp: 2 | 3, opts: { i?: number; counter?: number } = {}): CardSetup {
  const keySet = katKeySet(c, scp === 2 ? 'DES3' : 'AES');
  const seq = c.sequence_counter ? parseInt(c.sequence_counter, 16) : 0;
  // SCP03 increments the counter on INITIALIZE UPDATE and returns the new value; SCP02 returns the
  // current value and increments after EXTERNAL AUTHENTICATE.
  const stored = opts.counter ?? (scp === 3 && c.sequence_counter ? seq - 1 : seq);
  const store = new MemoryScpStore([[keySet.kvn, stored]]);
  const keySets = [keySet];
  const i = opts.i ?? parseInt(c.i, 16);
  const channel = new SecureChannel({
    aid: fromHex(c.security_domain_aid),
    kdd: fromHex(c.key_diversification_data),
    keySets: () => keySets,
    store,
    scp02i: scp === 2 ? i : null,
    scp03i: scp === 3 ? i : null,
    random: fixedRandom(c.card_challenge_given ?? null),
  });
  return { channel, store, keySets };
}

/** Unwraps and expects a plain command back. */
export function unwrapOk(channel: SecureChannel, apdu: string, required = 0): string {
  const r = channel.unwrap(fromHex(apdu), required);
  if (r.apdu === undefined) throw new Error(`unwrap of ${apdu} answered ${r.sw.toString(16)}`);
  return hex(r.apdu);
}

/**
 * One command of a session as the card sees it (SCP02 and SCP03 alike): the wrapped command
 * unwrapped to the plain one, the plain response wrapped, and a PUT KEY's data parsed, its keys
 * decrypted and its response built as the vectors say. The key set a PUT KEY makes, else null.
 */
export function expectCommand(channel: SecureChannel, cmd: KatCommand): KeySet | null {
  expect(unwrapOk(channel, cmd.wrapped_apdu_as_sent_by_gppro)).toBe(cmd.plain_apdu_recovered_by_card);
  expect(cmd.plain_apdu_recovered_by_card).toBe(cmd.plain_apdu);
  expect(hex(channel.wrap(fromHex(cmd.plain_response)))).toBe(cmd.wrapped_response);
  const pk = cmd.card_put_key_processing;
  if (!pk) return null;
  const plain = fromHex(cmd.plain_apdu);
  const parsed = parsePutKeyData(plain.subarray(5, 5 + plain[4]!), (x) => channel.decryptKey(x));
  if (typeof parsed === 'number') throw new Error(`PUT KEY data refused: ${parsed.toString(16)}`);
  expect(parsed.newKvn).toBe(parseInt(pk.new_key_version, 16));
  expect(parsed.keys.map((k) => [k.typeByte, hex(k.key), hex(k.kcv)])).toEqual(
    pk.keys_parsed_by_card.map((k) => [parseInt(k.key_type, 16), k.decrypted_key, k.kcv_computed_by_card]),
  );
  expect(hex(putKeyResponseData(parsed)) + '9000').toBe(cmd.plain_response);
  return keySetFromPutKey(parsed)!;
}
