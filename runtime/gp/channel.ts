// The card side of a GlobalPlatform secure channel session (GPCS 10.2-10.6, 11.11 INITIALIZE
// UPDATE / EXTERNAL AUTHENTICATE; Appendix E for SCP02, Amendment D for SCP03): a state machine
// the security domain drives with its commands and responses.
//
//   none --INITIALIZE UPDATE--> initiated --EXTERNAL AUTHENTICATE ok--> open (at P1's level)
//   initiated --anything else, failed EXTERNAL AUTHENTICATE--> none
//   open --C-MAC / decryption failure, unprotected command at a C-MAC level--> none
//   any --INITIALIZE UPDATE--> initiated (a new session replaces the old one)
//
// The key set's type picks the protocol: DES3 sets run SCP02, AES sets run SCP03.

import { randomBytes } from 'node:crypto';
import { concat } from './crypto.ts';
import type { KeySet } from './keys.ts';
import { Scp02Session, supportsI02 } from './scp02.ts';
import { Scp03Session, supportsI03 } from './scp03.ts';
import { buildCommand, type ScpSession, type ScpStore, splitCommand, SW, swBytes, isProtectedStatus } from './sm.ts';

export interface SecureChannelOptions {
  /** AID of the security domain (enters the pseudo-random card challenges). */
  aid: Uint8Array;
  /** Key diversification data returned by INITIALIZE UPDATE (10 bytes). */
  kdd: Uint8Array;
  /** The key diversification data in force (STORE DATA may replace it); default `kdd`. */
  kddOf?: () => Uint8Array;
  /** The security domain's key sets, read at every INITIALIZE UPDATE; the first is the default (P1 = 00). */
  keySets: () => readonly KeySet[];
  /** The persistent sequence counters. */
  store: ScpStore;
  /** SCP02 option i for DES3 key sets (default 55); null: the domain does not offer SCP02. */
  scp02i?: number | null;
  /** SCP03 option i for AES key sets (default 70); null: the domain does not offer SCP03. */
  scp03i?: number | null;
  /** Random card challenges (SCP02 without b7, SCP03 without b5). */
  random?: (n: number) => Uint8Array;
}

/** The plain command, or the status word the card answers instead. */
export type Unwrapped = { apdu: Uint8Array; sw?: undefined } | { sw: number; apdu?: undefined };

export type ChannelState = 'none' | 'initiated' | 'open';

export class SecureChannel {
  private session: ScpSession | null = null;
  private opened = false;
  /** Whether the next wrap() answers a command unwrap() let through in the open session. */
  private answering = false;
  private readonly scp02i: number | null;
  private readonly scp03i: number | null;
  private readonly random: (n: number) => Uint8Array;

  constructor(private readonly options: SecureChannelOptions) {
    if (options.kdd.length !== 10) throw new Error(`key diversification data of ${options.kdd.length} bytes (10 expected)`);
    this.scp02i = options.scp02i === undefined ? 0x55 : options.scp02i;
    this.scp03i = options.scp03i === undefined ? 0x70 : options.scp03i;
    if (this.scp02i !== null && !supportsI02(this.scp02i)) throw new Error(`SCP02 i=${this.scp02i.toString(16)} is not supported`);
    if (this.scp03i !== null && !supportsI03(this.scp03i)) throw new Error(`SCP03 i=${this.scp03i.toString(16)} is not supported`);
    this.random = options.random ?? ((n) => new Uint8Array(randomBytes(n)));
  }

  get state(): ChannelState {
    return this.session === null ? 'none' : this.opened ? 'open' : 'initiated';
  }

  /** The current security level (0 unless a session is open). */
  get securityLevel(): number {
    return this.opened ? this.session!.level : 0;
  }

  /** The SCP of the initiated or open session, or null. */
  get scp(): 2 | 3 | null {
    return this.session?.scp ?? null;
  }

  /** The key set of the initiated or open session, or null. */
  get keySet(): KeySet | null {
    return this.session?.keySet ?? null;
  }

  /** Ends the session (deselection, reset, a failure the card manager detects). */
  close(): void {
    this.session = null;
    this.opened = false;
    this.answering = false;
  }

  private keySetFor(kvn: number): KeySet | undefined {
    const usable = this.options.keySets().filter((k) => (k.type === 'DES3' ? this.scp02i : this.scp03i) !== null);
    return kvn === 0 ? usable[0] : usable.find((k) => k.kvn === kvn);
  }

  /** INITIALIZE UPDATE (GPCS E.5.1, Amd D 7.1.1): the response, data ‖ SW. */
  initializeUpdate(apdu: Uint8Array): Uint8Array {
    this.close();
    const cmd = splitCommand(apdu);
    if (cmd === null || cmd.data.length === 0) return swBytes(SW.WRONG_LENGTH);
    if (cmd.p2 !== 0) return swBytes(SW.WRONG_P1P2);
    const keySet = this.keySetFor(cmd.p1);
    if (keySet === undefined) return swBytes(SW.REFERENCED_DATA_NOT_FOUND);
    const params = {
      keySet,
      aid: this.options.aid,
      kdd: this.options.kddOf?.() ?? this.options.kdd,
      hostChallenge: cmd.data,
      store: this.options.store,
      random: this.random,
    };
    const s = keySet.type === 'DES3' ? Scp02Session.open({ ...params, i: this.scp02i! }) : Scp03Session.open({ ...params, i: this.scp03i! });
    if (typeof s === 'number') return swBytes(s);
    this.session = s;
    return concat(s.initializeUpdateData, swBytes(SW.OK));
  }

  /** EXTERNAL AUTHENTICATE (GPCS E.5.2, Amd D 7.1.2): 9000, or an error that ends the session. */
  externalAuthenticate(apdu: Uint8Array): Uint8Array {
    const s = this.session;
    const cmd = splitCommand(apdu);
    if (s === null || this.opened) {
      this.close();
      return swBytes(SW.SECURITY_STATUS);
    }
    const sw = cmd === null ? SW.WRONG_LENGTH : s.externalAuthenticate(cmd);
    if (sw === SW.OK) this.opened = true;
    else this.close();
    return swBytes(sw);
  }

  /**
   * A command for the security domain other than INITIALIZE UPDATE and EXTERNAL AUTHENTICATE.
   * In an open session: checks the C-MAC, decrypts, and returns the plain command (CLA b3
   * cleared, Lc of the plain data, Le kept); a failure ends the session with 6982. Outside one,
   * a command without secure messaging passes unchanged and one with it gets 6982.
   * `required`: security level bits the command needs (e.g. C_MAC | C_DECRYPTION for a command
   * the domain only takes encrypted); 6982 when the session does not have them.
   */
  unwrap(apdu: Uint8Array, required = 0): Unwrapped {
    this.answering = false;
    if (this.session !== null && !this.opened) this.close(); // GPCS: only EXTERNAL AUTHENTICATE may follow INITIALIZE UPDATE
    const cmd = splitCommand(apdu);
    if (cmd === null) return { sw: SW.WRONG_LENGTH };
    const s = this.session;
    if (s === null) {
      if ((cmd.cla & 0x04) !== 0 || required !== 0) return { sw: SW.SECURITY_STATUS };
      return { apdu: apdu.slice() };
    }
    const plain = s.unwrap(cmd);
    if (plain === null) {
      this.close();
      return { sw: SW.SECURITY_STATUS };
    }
    if ((s.level & required) !== required) return { sw: SW.SECURITY_STATUS };
    this.answering = true;
    return { apdu: buildCommand(cmd.cla & ~0x04, cmd, plain) };
  }

  /**
   * The response (data ‖ SW) to the last command unwrap() let through in the open session,
   * with R-MAC and R-ENCRYPTION per the security level; any other response passes unchanged.
   * Error status words (other than 9000, 62xx, 63xx) are not protected.
   */
  wrap(response: Uint8Array): Uint8Array {
    if (response.length < 2) throw new Error('a response ends with a status word');
    const answering = this.answering;
    this.answering = false;
    const s = this.session;
    const sw = (response[response.length - 2]! << 8) | response[response.length - 1]!;
    if (!answering || s === null || !this.opened || !isProtectedStatus(sw)) return response.slice();
    return s.wrap(response.subarray(0, response.length - 2), sw);
  }

  /**
   * Decrypts a key value of PUT KEY with this session's DEK (SCP02: session DEK, 3DES-ECB;
   * SCP03: static Key-DEK, AES-CBC ICV 0). Only in an open session.
   */
  decryptKey(ciphered: Uint8Array): Uint8Array {
    if (!this.opened) throw new Error('no open secure channel session');
    return this.session!.decryptKey(ciphered);
  }

  encryptKey(plain: Uint8Array): Uint8Array {
    if (!this.opened) throw new Error('no open secure channel session');
    return this.session!.encryptKey(plain);
  }
}
