// PUT KEY (GPCS 11.8; Amd D 7.2): the domain's SCP key sets (add, replace, the initial set FF
// replaced by the first new one) and its card content management keys, KVN 70..7F (token,
// receipt and DAP keys, GPCS 6.6.1, 9.2). The key data format is ../putkey.ts's.

import { isRoleKvn, type KeySet, KVN, makeKeySet } from '../keys.ts';
import { domainKeyFromPutKey, parsePutKeyData, putKeyResponseData } from '../putkey.ts';
import { DAP_BIT, Privilege } from '../registry.ts';
import { swBytes } from '../sm.ts';
import { GpSw, ok, type Response } from './common.ts';
import type { DomainContext } from './context.ts';

export function putKey(ctx: DomainContext, p1: number, p2: number, data: Uint8Array): Response {
  if (data.length > 0 && isRoleKvn(data[0]!)) return putRoleKey(ctx, p1, p2, data);
  // P1 b8: more PUT KEY commands (not used); P1 FF names the initial key set FF itself.
  const replace = p1 === 0xff ? 0xff : p1 & 0x7f;
  const firstId = p2 & 0x7f;
  const keysOf = ctx.keys();
  const sets = keysOf.keySets;
  // A new key set (P1 00) takes the place of the initial key set FF when that is the only one (GPCS 11.8.2.2).
  const initialOnly = replace === 0 && sets.length === 1 && sets[0]!.kvn === 0xff ? sets[0] : undefined;
  const old = replace === 0 ? initialOnly : sets.find((k) => k.kvn === replace);
  if (replace !== 0 && !old) return swBytes(GpSw.NOT_FOUND);
  const parsed = parsePutKeyData(data, (ciphered) => ctx.session.channel.decryptKey(ciphered));
  if (typeof parsed === 'number') return swBytes(parsed);
  const n = parsed.keys.length;
  if (n === 0 || firstId < 1 || firstId + n - 1 > 3 || ((p2 & 0x80) === 0) !== (n === 1)) return swBytes(GpSw.WRONG_DATA);
  const kvn = parsed.newKvn;
  if (kvn < 0x01 || kvn > 0x7f) return swBytes(GpSw.WRONG_DATA); // GPCS 11.1.8: key version numbers 01..7F
  if (sets.some((k) => k.kvn === kvn && k !== old)) return swBytes(GpSw.CONDITIONS);
  // The new set: the keys sent, the rest from the set replaced (a new set needs all three).
  const keys: Uint8Array[] = old && !initialOnly ? [old.enc, old.mac, old.dek] : [];
  if (keys.length === 0 && (firstId !== 1 || n !== 3)) return swBytes(GpSw.WRONG_DATA);
  parsed.keys.forEach((k, i) => (keys[firstId - 1 + i] = k.key));
  const type = parsed.keys[0]!.type;
  if (type === null) return swBytes(GpSw.WRONG_DATA); // RSA keys are card content management keys ('70'..'7F')
  if (parsed.keys.some((k) => k.type !== type) || (n < 3 && old !== undefined && old.type !== type)) return swBytes(GpSw.WRONG_DATA);
  let set: KeySet;
  try {
    set = makeKeySet(kvn, type, keys[0]!, keys[1]!, keys[2]!);
  } catch {
    return swBytes(GpSw.WRONG_DATA);
  }
  if (set.enc.length !== set.mac.length || set.mac.length !== set.dek.length) return swBytes(GpSw.WRONG_DATA);
  const next = old ? sets.map((k) => (k === old ? set : k)) : [...sets, set];
  if (next.length > ctx.config.maxKeySets) return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  const counters = new Map(keysOf.counters);
  if (old) counters.delete(old.kvn);
  counters.delete(kvn); // a new or replaced key set starts its sequence counter at 0
  const before = { keySets: keysOf.keySets, counters: keysOf.counters };
  keysOf.keySets = next;
  keysOf.counters = counters;
  if (!ctx.registry.trySave()) {
    Object.assign(keysOf, before);
    return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  }
  return ok(putKeyResponseData(parsed));
}

/**
 * PUT KEY of a card content management key (KVN '70'..'7F', keys.ts): one key per command (P2
 * b8 clear), key id P2 b7-b1 (01..7F); a DES or AES secret (ciphered as the SCP keys are, KCV
 * checked) or an RSA public key, modulus 'A1' then exponent 'A0' in clear. P1 00 adds it (there
 * already: 6985), P1 = its KVN replaces it (missing: 6A88). Which domain keeps which (GPCS 6.6.1,
 * 9.2): '70' the ISD or a domain with Token Verification, '71' the ISD or one with Receipt
 * Generation, '73' one with DAP Verification — else 6985. '70' takes an RSA key (tokens are
 * signatures), '71' a DES or AES key (receipts are MACs), '73' any; '72', '74'..'7F': 6A80.
 */
function putRoleKey(ctx: DomainContext, p1: number, p2: number, data: Uint8Array): Response {
  const kvn = data[0]!, id = p2 & 0x7f;
  if ((p2 & 0x80) !== 0 || id === 0) return swBytes(GpSw.WRONG_DATA);
  const role = kvn === KVN.TOKEN ? Privilege.TOKEN_VERIFICATION : kvn === KVN.RECEIPT ? Privilege.RECEIPT_GENERATION : kvn === KVN.DAP ? DAP_BIT : null;
  if (role === null) return swBytes(GpSw.WRONG_DATA);
  if ((!ctx.isIsd || kvn === KVN.DAP) && (ctx.privileges & role) === 0) return swBytes(GpSw.CONDITIONS);
  const parsed = parsePutKeyData(data, (ciphered) => ctx.session.channel.decryptKey(ciphered));
  if (typeof parsed === 'number') return swBytes(parsed);
  const key = domainKeyFromPutKey(parsed, id);
  if (!key) return swBytes(GpSw.WRONG_DATA);
  if ((kvn === KVN.TOKEN && key.type !== 'RSA') || (kvn === KVN.RECEIPT && key.type === 'RSA')) return swBytes(GpSw.WRONG_DATA);
  const sd = ctx.isIsd ? null : ctx.aid;
  const replace = p1 & 0x7f;
  const old = ctx.registry.roleKey(sd, replace === 0 ? kvn : replace, id);
  if (replace === 0 && old) return swBytes(GpSw.CONDITIONS);
  if (replace !== 0 && !old) return swBytes(GpSw.NOT_FOUND);
  if (replace !== 0 && replace !== kvn) return swBytes(GpSw.WRONG_DATA); // a role key keeps its version
  const before = ctx.registry.state.roleKeys;
  ctx.registry.setRoleKey(sd, key);
  if (!ctx.registry.trySave()) {
    ctx.registry.state.roleKeys = before;
    return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  }
  return ok(putKeyResponseData(parsed));
}
