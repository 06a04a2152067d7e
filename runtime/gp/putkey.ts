// The key data of PUT KEY (GPCS 11.8.2.3 Table 11-68, basic format; Amd D 7.2.1 for AES keys):
// new KVN ‖ one key data field per key: key type ‖ length ‖ key value ‖ KCV length ‖ KCV. DES key
// values (type 80) are the ciphered key itself; AES values (type 88) are the key length (1 byte)
// ‖ the ciphered key, padded to whole blocks. The channel decrypts (SCP02: session DEK,
// 3DES-ECB; SCP03: static DEK, AES-CBC); here the fields are split and the KCVs checked
// (GPCS B.6, Amd D 7.2.2). The answer is KVN ‖ KCVs (GPCS 11.8.3.1). RSA public key components
// (types A1 modulus, A0 public exponent; Table 11-16) are not secret: their values come in clear,
// with BER lengths (GPCS 11.1.5: a 1024-bit modulus is '81 80'), and no KCV.

import { concat, rsaPublicKey } from './crypto.ts';
import { checkKeyLength, type DomainKey, KEY_TYPE_AES, KEY_TYPE_DES, KEY_TYPE_RSA_E, KEY_TYPE_RSA_N, keyCheckValue, type KeySet, type KeyType, makeKeySet } from './keys.ts';
import { SW } from './sm.ts';
import { readTlv } from './tlv.ts';

export interface PutKeyComponent {
  /** Key type byte (80 DES, 88 AES, A1 RSA modulus, A0 RSA public exponent). */
  typeByte: number;
  /** The secret key type; null for an RSA public key component. */
  type: KeyType | null;
  /** The decrypted key (or the component, in clear). */
  key: Uint8Array;
  /** The check value the card computed (3 bytes; none for RSA components). */
  kcv: Uint8Array;
}

export interface PutKeyData {
  newKvn: number;
  keys: PutKeyComponent[];
}

/**
 * Splits and decrypts PUT KEY data; a status word when it is malformed (6A80: wrong data, also
 * when a KCV sent does not match the decrypted key; 6A88 is the card manager's for P1).
 */
export function parsePutKeyData(data: Uint8Array, decrypt: (ciphered: Uint8Array) => Uint8Array): PutKeyData | number {
  if (data.length < 1) return SW.WRONG_DATA;
  const keys: PutKeyComponent[] = [];
  let o = 1;
  while (o < data.length) {
    // Key type ‖ length (one byte, or 81 xx / 82 xx xx: GPCS 11.1.5) ‖ value, then the KCV's length and value.
    const field = readTlv(data, o);
    if (field === null || field.end >= data.length) return SW.WRONG_DATA;
    const { tag: typeByte, value } = field;
    const len = value.length;
    o = field.end;
    const kcvLen = data[o++]!;
    if (o + kcvLen > data.length) return SW.WRONG_DATA;
    const kcvSent = data.subarray(o, o + kcvLen);
    o += kcvLen;

    let type: KeyType | null;
    let key: Uint8Array;
    if (typeByte === KEY_TYPE_RSA_N || typeByte === KEY_TYPE_RSA_E) {
      if (len === 0 || kcvLen !== 0) return SW.WRONG_DATA; // a public component has no check value
      keys.push({ typeByte, type: null, key: value.slice(), kcv: new Uint8Array(0) });
      continue;
    } else if (typeByte === KEY_TYPE_DES) {
      type = 'DES3';
      if (len % 8 !== 0 || !checkKeyLength(type, len)) return SW.WRONG_DATA;
      key = decrypt(value);
    } else if (typeByte === KEY_TYPE_AES) {
      type = 'AES';
      if (len < 1) return SW.WRONG_DATA;
      const keyLen = value[0]!;
      const ciphered = value.subarray(1);
      if (!checkKeyLength(type, keyLen) || ciphered.length % 16 !== 0 || ciphered.length < keyLen) return SW.WRONG_DATA;
      key = decrypt(ciphered).slice(0, keyLen);
    } else {
      return SW.WRONG_DATA; // other key types, and the extended format (FF), are not handled here
    }
    const kcv = keyCheckValue(type, key);
    if (kcvLen > 0 && (kcvLen > kcv.length || !kcvSent.every((b, i) => b === kcv[i]))) return SW.WRONG_DATA;
    keys.push({ typeByte, type, key, kcv });
  }
  return { newKvn: data[0]!, keys };
}

/** The answer data of PUT KEY: the new KVN ‖ the KCV of each key (GPCS 11.8.3.1). */
export function putKeyResponseData(p: PutKeyData): Uint8Array {
  return concat([p.newKvn], ...p.keys.map((k) => k.kcv));
}

/** A secure channel key set from the three keys ENC, MAC, DEK of one PUT KEY (key ids 1, 2, 3), or null. */
export function keySetFromPutKey(p: PutKeyData): KeySet | null {
  if (p.keys.length !== 3) return null;
  const type = p.keys[0]!.type;
  if (type === null) return null;
  if (p.keys.some((k) => k.type !== type || k.key.length !== p.keys[0]!.key.length)) return null;
  return makeKeySet(p.newKvn, type, p.keys[0]!.key, p.keys[1]!.key, p.keys[2]!.key);
}

/**
 * The one card content management key of a PUT KEY (keys.ts) as key `id`: a single secret
 * component, or an RSA public key — modulus 'A1' then exponent 'A0' — that parses; null otherwise.
 */
export function domainKeyFromPutKey(p: PutKeyData, id: number): DomainKey | null {
  const [a, b] = p.keys;
  if (p.keys.length === 1 && a!.type !== null) return { kvn: p.newKvn, id, type: a!.type, key: a!.key };
  if (p.keys.length !== 2 || a!.typeByte !== KEY_TYPE_RSA_N || b!.typeByte !== KEY_TYPE_RSA_E) return null;
  try {
    rsaPublicKey(a!.key, b!.key);
  } catch {
    return null;
  }
  return { kvn: p.newKvn, id, type: 'RSA', modulus: a!.key, exponent: b!.key };
}
