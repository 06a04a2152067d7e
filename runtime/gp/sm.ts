// What SCP02 and SCP03 share: the command APDU split into its fields (ISO 7816-4 5.1, short and
// extended), rebuilt after unwrapping, the security level bits (GPCS 10.6 / E.5.2.3 Table E-11,
// Amd D 7.1.2.1 Table 7-4), the status words a secure channel answers (GPCS 11.1.3), and the
// interface a protocol's session gives the channel.

import { claOnBasicChannel, parseCommand } from '../apdu.ts';
import type { KeySet } from './keys.ts';

/** Security level bits (EXTERNAL AUTHENTICATE P1). */
export const C_MAC = 0x01;
export const C_DECRYPTION = 0x02;
export const R_MAC = 0x10;
export const R_ENCRYPTION = 0x20;

/** Status words used by the secure channel (GPCS 11.1.3, 11.5.3, 11.11.3, E.5, Amd D 7.1). */
export const SW = {
  OK: 0x9000,
  /** EXTERNAL AUTHENTICATE: authentication of the host cryptogram failed. */
  AUTHENTICATION_FAILED: 0x6300,
  WRONG_LENGTH: 0x6700,
  /** Security status not satisfied: C-MAC wrong or missing, secure messaging outside a session. */
  SECURITY_STATUS: 0x6982,
  /** Conditions of use not satisfied (here: sequence counter exhausted). */
  CONDITIONS: 0x6985,
  WRONG_DATA: 0x6a80,
  WRONG_P1P2: 0x6a86,
  /** Referenced data not found: no key set with the KVN of INITIALIZE UPDATE P1. */
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
} as const;

export { swBytes } from '../apdu.ts';

/** 9000, 62xx and 63xx: the responses that carry R-MAC / R-ENCRYPTION (see README, choices). */
export function isProtectedStatus(sw: number): boolean {
  const sw1 = sw >>> 8;
  return sw === 0x9000 || sw1 === 0x62 || sw1 === 0x63;
}

/** A command APDU split into its fields. */
export interface Command {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  /** The Le field's value as encoded (00 = 256 / 65536), or null when absent. */
  le: number | null;
  extended: boolean;
}

/**
 * The fields of a command; `cla` without its logical channel number (claOnBasicChannel). Secure
 * messaging is computed over that class byte: a host wraps a command before its channel is set
 * in CLA (javax.smartcardio's CardChannel numbers it as it transmits), so the same session
 * bytes serve every channel, 4-19 included (their SM indication is b6).
 */
export function splitCommand(raw: Uint8Array): Command | null {
  const p = parseCommand(raw);
  if (!p) return null;
  let le: number | null = null;
  if (p.hasLe) le = p.extended ? (raw[raw.length - 2]! << 8) | raw[raw.length - 1]! : raw[raw.length - 1]!;
  return {
    cla: claOnBasicChannel(raw[0]!), ins: raw[1]!, p1: raw[2]!, p2: raw[3]!,
    data: raw.subarray(p.dataOffset, p.dataOffset + p.nc),
    le,
    extended: p.extended,
  };
}

/** The Lc field for `n` data bytes (1 byte short, 00 ‖ 2 bytes extended). */
export function lcField(n: number, extended: boolean): Uint8Array {
  return extended ? Uint8Array.of(0, (n >>> 8) & 0xff, n & 0xff) : Uint8Array.of(n & 0xff);
}

/** CLA INS P1 P2 [Lc data] [Le] in the short or extended form of the original command. */
export function buildCommand(cla: number, c: Command, data: Uint8Array): Uint8Array {
  const parts: number[] = [cla, c.ins, c.p1, c.p2];
  if (data.length > 0) {
    parts.push(...lcField(data.length, c.extended), ...data);
  }
  if (c.le !== null) {
    if (c.extended) {
      if (data.length === 0) parts.push(0);
      parts.push((c.le >>> 8) & 0xff, c.le & 0xff);
    } else {
      parts.push(c.le);
    }
  }
  return Uint8Array.from(parts);
}

/** What the channel needs from a protocol's session once INITIALIZE UPDATE has been answered. */
export interface ScpSession {
  readonly scp: 2 | 3;
  readonly keySet: KeySet;
  /** INITIALIZE UPDATE response data (status word not included). */
  readonly initializeUpdateData: Uint8Array;
  /** Security level set by EXTERNAL AUTHENTICATE (0 before). */
  readonly level: number;
  /** Checks EXTERNAL AUTHENTICATE; 9000 opens the session at P1's level. */
  externalAuthenticate(cmd: Command): number;
  /**
   * One command of the open session: verifies its C-MAC when `cla` has b3 set, decrypts, advances
   * the protocol's counters; returns the plain command data, or null when verification fails.
   */
  unwrap(cmd: Command): Uint8Array | null;
  /** The response to the last unwrapped command, protected per the security level. */
  wrap(data: Uint8Array, sw: number): Uint8Array;
  /** Decrypts a key value of PUT KEY (SCP02: session DEK, 3DES-ECB; SCP03: static DEK, AES-CBC). */
  decryptKey(ciphered: Uint8Array): Uint8Array;
  /** Encrypt as decryptKey decrypts (SecureChannel.encryptData). */
  encryptKey(plain: Uint8Array): Uint8Array;
}

/** Persistent sequence counters, one per key version number, kept by the card manager. */
export interface ScpStore {
  counter(kvn: number): number;
  setCounter(kvn: number, n: number): void;
}

/** An ScpStore in a Map (tests, cards without persistence). */
export class MemoryScpStore implements ScpStore {
  private readonly counters = new Map<number, number>();
  constructor(initial: Iterable<[number, number]> = []) {
    for (const [k, v] of initial) this.counters.set(k, v);
  }
  counter(kvn: number): number {
    return this.counters.get(kvn) ?? 0;
  }
  setCounter(kvn: number, n: number): void {
    this.counters.set(kvn, n);
  }
}

/** Parameters a protocol's session opens with (INITIALIZE UPDATE). */
export interface OpenParams {
  keySet: KeySet;
  /** The protocol option i. */
  i: number;
  /** AID of the security domain (pseudo-random card challenges). */
  aid: Uint8Array;
  /** Key diversification data, 10 bytes. */
  kdd: Uint8Array;
  hostChallenge: Uint8Array;
  store: ScpStore;
  random: (n: number) => Uint8Array;
}
