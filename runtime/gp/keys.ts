// Secure channel key sets (GPCS 11.1.8 key types, Amd D 6.1 / GPCS E.1.3 key usage) and key check
// values (GPCS B.6, Amd D 7.2.2). A key set holds the three static keys of one key version number:
// Key-ENC (key id 1), Key-MAC (2), Key-DEK (3). The key type decides the protocol the set serves:
// DES3 sets run SCP02, AES sets run SCP03.

import { aesEcb, desEcb } from './crypto.ts';

export type KeyType = 'DES3' | 'AES';

/** Key type bytes of PUT KEY and the key information template (GPCS 11.1.8 Table 11-16). */
export const KEY_TYPE_DES = 0x80;
export const KEY_TYPE_AES = 0x88;

export interface KeySet {
  /** Key version number, 01..7F (FF: the initial key set, GPCS 11.1.8). */
  readonly kvn: number;
  readonly type: KeyType;
  readonly enc: Uint8Array;
  readonly mac: Uint8Array;
  readonly dek: Uint8Array;
}

/** Valid static key lengths: two-key 3DES (SCP02 uses 16-byte keys), AES-128/192/256. */
export function checkKeyLength(type: KeyType, length: number): boolean {
  return type === 'DES3' ? length === 16 : length === 16 || length === 24 || length === 32;
}

/** A key set, checked: KVN in 00..FF, the three keys of one valid length for the type. */
export function makeKeySet(kvn: number, type: KeyType, enc: Uint8Array, mac: Uint8Array, dek: Uint8Array): KeySet {
  if (!Number.isInteger(kvn) || kvn < 0 || kvn > 0xff) throw new Error(`key version number ${kvn} is not a byte`);
  for (const [name, k] of [['ENC', enc], ['MAC', mac], ['DEK', dek]] as const) {
    if (!checkKeyLength(type, k.length)) throw new Error(`${type} ${name} key of ${k.length} bytes`);
  }
  return { kvn, type, enc: enc.slice(), mac: mac.slice(), dek: dek.slice() };
}

/** The well-known test key 40 41 42 .. of `length` bytes (GlobalPlatform's default key). */
export function defaultKey(length = 16): Uint8Array {
  const k = new Uint8Array(length);
  for (let i = 0; i < length; i++) k[i] = 0x40 + i;
  return k;
}

/** The default key set: ENC = MAC = DEK = 40 41 .. (16 bytes for DES3; 16, 24 or 32 for AES). */
export function defaultKeySet(type: KeyType = 'DES3', kvn = 0xff, length = 16): KeySet {
  const k = defaultKey(length);
  return makeKeySet(kvn, type, k, k, k);
}

/**
 * Key check value (GPCS B.6, Amd D 7.2.2): DES keys: 3DES-ECB of 8 × 00; AES keys: AES of
 * 16 × 01; the first `length` (3) bytes.
 */
export function keyCheckValue(type: KeyType, key: Uint8Array, length = 3): Uint8Array {
  const block = type === 'DES3' ? desEcb(key, new Uint8Array(8)) : aesEcb(key, new Uint8Array(16).fill(1));
  return block.slice(0, length);
}

// --- Keys beyond the secure channel key sets (GPCS 2.3 §11.1.8, Table 11-16 key types) ---
//
// A security domain keeps, besides its SCP key sets, single keys for the card content
// management roles: the Token Verification key ('70'), the Receipt Generation key ('71') and the
// DAP Verification key ('73') — GPCS's conventional key version numbers. Each is one key of a KVN
// and key id, of one type: a DES or AES secret (DAP by MAC, receipts) or an RSA public key
// (tokens, DAP by signature) made of its modulus ('A1') and public exponent ('A0').

/** RSA public key components of PUT KEY (GPCS Table 11-16): exponent e, modulus N. */
export const KEY_TYPE_RSA_E = 0xa0;
export const KEY_TYPE_RSA_N = 0xa1;

/** The key version numbers of the card content management keys (GPCS 2.3 §11.1.8). */
export const KVN = {
  TOKEN: 0x70,
  RECEIPT: 0x71,
  DAP: 0x73,
} as const;

/** Whether `kvn` is one of the role key versions '70'..'7F' (single typed keys, not an SCP key set). */
export function isRoleKvn(kvn: number): boolean {
  return kvn >= 0x70 && kvn <= 0x7f;
}

export type DomainKey =
  | { readonly kvn: number; readonly id: number; readonly type: KeyType; readonly key: Uint8Array }
  | { readonly kvn: number; readonly id: number; readonly type: 'RSA'; readonly modulus: Uint8Array; readonly exponent: Uint8Array };

/** The key information of one key (GPCS 11.3.3.1, Table 11-26): its components' types and lengths. */
export function keyComponents(k: DomainKey): [number, number][] {
  if (k.type === 'RSA') return [[KEY_TYPE_RSA_N, k.modulus.length], [KEY_TYPE_RSA_E, k.exponent.length]];
  return [[k.type === 'DES3' ? KEY_TYPE_DES : KEY_TYPE_AES, k.key.length]];
}
