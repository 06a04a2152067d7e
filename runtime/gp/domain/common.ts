// What every command module of a security domain shares: the card manager's status words, the
// answer form, the length-value fields of INSTALL and the AIDs of the security domain load file.

import { concat } from '../crypto.ts';
import { Privilege } from '../registry.ts';

/** Status words of the card manager (GPCS 11.1.3 and each command's table). */
export const GpSw = {
  OK: 0x9000,
  MORE_DATA: 0x6310,
  WRONG_LENGTH: 0x6700,
  SECURITY: 0x6982,
  CONDITIONS: 0x6985,
  WRONG_DATA: 0x6a80,
  NOT_ENOUGH_MEMORY: 0x6a84,
  WRONG_P1P2: 0x6a86,
  NOT_FOUND: 0x6a88,
  FILE_NOT_FOUND: 0x6a82,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

/** A response APDU: data ‖ SW1 SW2. */
export type Response = Uint8Array;

export function ok(data: ArrayLike<number> = []): Response {
  return concat(data, [0x90, 0x00]);
}

/** Length-value fields (GPCS 11.5.2.3): each one length byte then its bytes; null when they run past the end. */
export function lvFields(data: Uint8Array, count: number): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at >= data.length) return null;
    const n = data[at++]!;
    if (at + n > data.length) return null;
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return at === data.length ? out : null;
}

export const validAid = (aid: Uint8Array): boolean => aid.length >= 5 && aid.length <= 16;

/** The Delegated Management bit alone (the privilege's value includes Security Domain). */
export const DM_BIT = Privilege.DELEGATED_MANAGEMENT & ~Privilege.SECURITY_DOMAIN;

/**
 * The executable load file and module a supplementary security domain is installed from (the
 * ISD's own, native: GPCS uses these AIDs for the Security Domain package and class). INSTALL
 * [for install] naming them with the Security Domain privilege creates an SSD.
 */
export const SD_LOAD_FILE = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50);
export const SD_MODULE = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x53, 0x50, 0x41);
