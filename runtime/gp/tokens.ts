// Delegated Management (GPCS 2.3 §9.2.2, Annex C.4 and C.5): the tokens by which the card issuer
// authorizes one card content management command of a security domain with the Delegated
// Management privilege, and the receipts by which the card confirms it. Both sides use these:
// the card to verify tokens and compute receipts, the host (client.ts) to sign tokens and check
// receipts.
//
// Token (C.4.1): the signature, with the issuer's private key, of P1 ‖ P2 ‖ the length of the
// data that follows ‖ the command data without the token — for INSTALL and the last fields'
// token length byte and token excluded (the LV fields before them); for DELETE the data without
// its '9E' token TLV. The card verifies it with the Token Verification key (KVN '70') of the ISD
// (or of the SSD with Token Verification), an RSA public key (crypto.ts rsaVerify: GPCS B.3).
//
// Receipt (C.5): a MAC, with the Receipt Generation key (KVN '71') of the ISD (or of the SSD with
// Receipt Generation), over the confirmation data ‖ the receipt data of the command.
// Confirmation data: confirmation counter length (02) ‖ counter (2, incremented for each receipt)
// ‖ SD unique data length ‖ SD unique data (that domain's IIN ‖ CIN, tags 42 and 45). A DES key
// gives the "single DES plus final triple DES" MAC of B.1.2.2 (ICV zero, 8 bytes), an AES key the
// AES-CMAC (16 bytes). The response data of the command is receipt length ‖ receipt ‖
// confirmation data.

import type { DomainKey } from './keys.ts';
import { aesCmac, concat, retailMac, rsaSign, rsaVerify, sameBytes } from './crypto.ts';
import type { KeyObject } from 'node:crypto';

/**
 * The data a token signs: P1 ‖ P2 ‖ length ‖ `fields` (the command data without the token). The
 * length is one byte; past 255 bytes (an extended-length command) it is written as an extended
 * Lc, 00 ‖ two bytes (a decision: C.4.1 shows the one-byte form only).
 */
export function tokenSignedData(p1: number, p2: number, fields: Uint8Array): Uint8Array {
  const length = fields.length <= 0xff ? [fields.length] : [0x00, fields.length >>> 8, fields.length & 0xff];
  return concat([p1, p2], length, fields);
}

/** Whether `token` is a valid token of `signed` under the Token Verification key `key` (an RSA public key). */
export function verifyToken(key: DomainKey | undefined, signed: Uint8Array, token: Uint8Array): boolean {
  return key?.type === 'RSA' && rsaVerify(key.modulus, key.exponent, signed, token);
}

/** The host's token: the signature of the signed data with the issuer's private key. */
export function signToken(privateKey: KeyObject, signed: Uint8Array): Uint8Array {
  return rsaSign(privateKey, signed);
}

/** The receipt data each command confirms (C.5), after the confirmation data. */
export const ReceiptData = {
  /** LOAD (last block): Load File AID, the security domain it is associated with. */
  load: (loadFile: Uint8Array, sd: Uint8Array): Uint8Array => concat([loadFile.length], loadFile, [sd.length], sd),
  /** INSTALL [for install], [for make selectable]: Executable Load File AID, application AID. */
  install: (loadFile: Uint8Array, app: Uint8Array): Uint8Array => concat([loadFile.length], loadFile, [app.length], app),
  /** INSTALL [for extradition] and [for registry update]: the domain before, the AID, the domain after. */
  extradition: (from: Uint8Array, aid: Uint8Array, to: Uint8Array): Uint8Array => concat([from.length], from, [aid.length], aid, [to.length], to),
  /** DELETE: the AID deleted. */
  delete: (aid: Uint8Array): Uint8Array => concat([aid.length], aid),
};

/** Confirmation data: counter length (2) ‖ counter ‖ SD unique data length ‖ SD unique data. */
export function confirmationData(counter: number, sdUniqueData: Uint8Array): Uint8Array {
  return concat([2, (counter >>> 8) & 0xff, counter & 0xff, sdUniqueData.length], sdUniqueData);
}

/** The receipt MAC of `input` with a DES (B.1.2.2, 8 bytes) or AES (CMAC, 16 bytes) Receipt Generation key; null for another key type. */
export function receiptMac(key: DomainKey, input: Uint8Array): Uint8Array | null {
  if (key.type === 'DES3') return retailMac(key.key, new Uint8Array(8), input);
  if (key.type === 'AES') return aesCmac(key.key, input);
  return null;
}

/** The response data with a receipt: receipt length ‖ receipt ‖ confirmation data. */
export function receiptResponse(key: DomainKey, confirmation: Uint8Array, receiptData: Uint8Array): Uint8Array | null {
  const mac = receiptMac(key, concat(confirmation, receiptData));
  return mac && concat([mac.length], mac, confirmation);
}

/** A response with a receipt, split; null when it is not one. */
export function parseReceipt(response: Uint8Array): { receipt: Uint8Array; confirmation: Uint8Array; counter: number; sdUniqueData: Uint8Array } | null {
  const n = response[0];
  if (n === undefined || n === 0 || 1 + n + 4 > response.length) return null;
  const receipt = response.subarray(1, 1 + n);
  const confirmation = response.subarray(1 + n);
  if (confirmation[0] !== 2 || 4 + confirmation[3]! !== confirmation.length) return null;
  return { receipt, confirmation, counter: (confirmation[1]! << 8) | confirmation[2]!, sdUniqueData: confirmation.subarray(4) };
}

/** Whether `response` carries a receipt of `receiptData` under the Receipt Generation key `key`. */
export function verifyReceipt(key: DomainKey, response: Uint8Array, receiptData: Uint8Array): boolean {
  const r = parseReceipt(response);
  const mac = r && receiptMac(key, concat(r.confirmation, receiptData));
  return !!mac && sameBytes(mac, r.receipt);
}
