// SCP02, card side (GPCS v2.3.1 Appendix E): session keys from the 2-byte sequence counter (E.4.1),
// card challenge (random, or the well-known pseudo-random one of E.4.2.3), card and host
// cryptograms (E.4.2.1-2), C-MAC with ICV chaining and ICV encryption (E.3.4, E.4.4), command
// decryption (E.4.6), R-MAC (E.3.2, E.4.5), key decryption with the session DEK (E.4.7).
// Explicit initiation with three keys only (i b3 = 1, b1 = 1).

import { concat, desCbc, desEcb, fullDes3Mac, retailMac, sameBytes, unpad80 } from './crypto.ts';
import type { KeySet } from './keys.ts';
import {
  C_DECRYPTION, C_MAC, lcField, type Command, type OpenParams, R_MAC, type ScpSession, SW,
} from './sm.ts';

/** Bits of the SCP02 option i (GPCS E.1.1 Table E-1). */
export const I02 = {
  THREE_KEYS: 0x01,
  CMAC_ON_UNMODIFIED_APDU: 0x02,
  EXPLICIT_INITIATION: 0x04,
  ICV_MAC_OVER_AID: 0x08,
  ICV_ENCRYPTION: 0x10,
  RMAC_SUPPORT: 0x20,
  PSEUDO_RANDOM_CHALLENGE: 0x40,
} as const;

/** Session key derivation constants (GPCS E.4.1): S-ENC, C-MAC key, R-MAC key, DEK. */
export const DERIVE02 = { ENC: 0x0182, CMAC: 0x0101, RMAC: 0x0102, DEK: 0x0181 } as const;

/** Levels EXTERNAL AUTHENTICATE may ask for (GPCS E.5.2.3 Table E-11). */
const LEVELS = [0x00, 0x01, 0x03, 0x10, 0x11, 0x13];

/** Whether this implementation runs option `i` (explicit initiation, three keys). */
export function supportsI02(i: number): boolean {
  // b4 (ICV = MAC over the AID) belongs to implicit initiation; b8 is RFU.
  return (i & ~0x77) === 0 && (i & I02.EXPLICIT_INITIATION) !== 0 && (i & I02.THREE_KEYS) !== 0;
}

/** A session key: 3DES-CBC (ICV 0) of constant ‖ sequence counter ‖ 12 × 00 (GPCS E.4.1). */
export function deriveKey02(staticKey: Uint8Array, constant: number, seq: number): Uint8Array {
  const d = new Uint8Array(16);
  d[0] = constant >>> 8; d[1] = constant & 0xff;
  d[2] = (seq >>> 8) & 0xff; d[3] = seq & 0xff;
  return desCbc(staticKey, new Uint8Array(8), d);
}

export interface Scp02Keys {
  enc: Uint8Array;
  mac: Uint8Array;
  rmac: Uint8Array;
  dek: Uint8Array;
}

export function sessionKeys02(keys: KeySet, seq: number): Scp02Keys {
  return {
    enc: deriveKey02(keys.enc, DERIVE02.ENC, seq),
    mac: deriveKey02(keys.mac, DERIVE02.CMAC, seq),
    rmac: deriveKey02(keys.mac, DERIVE02.RMAC, seq),
    dek: deriveKey02(keys.dek, DERIVE02.DEK, seq),
  };
}

function seqBytes(seq: number): Uint8Array {
  return Uint8Array.of((seq >>> 8) & 0xff, seq & 0xff);
}

/** Pseudo-random card challenge (GPCS E.4.2.3): retail MAC (S-MAC, ICV 0) over the AID, 6 leftmost bytes. */
export function pseudoRandomChallenge02(sMac: Uint8Array, aid: Uint8Array): Uint8Array {
  return retailMac(sMac, new Uint8Array(8), aid).slice(0, 6);
}

/** Card cryptogram (E.4.2.1): full 3DES MAC (S-ENC) of host challenge ‖ counter ‖ card challenge. */
export function cardCryptogram02(sEnc: Uint8Array, hostChallenge: Uint8Array, seq: number, cardChallenge: Uint8Array): Uint8Array {
  return fullDes3Mac(sEnc, new Uint8Array(8), concat(hostChallenge, seqBytes(seq), cardChallenge));
}

/** Host cryptogram (E.4.2.2): full 3DES MAC (S-ENC) of counter ‖ card challenge ‖ host challenge. */
export function hostCryptogram02(sEnc: Uint8Array, seq: number, cardChallenge: Uint8Array, hostChallenge: Uint8Array): Uint8Array {
  return fullDes3Mac(sEnc, new Uint8Array(8), concat(seqBytes(seq), cardChallenge, hostChallenge));
}

/**
 * The ICV of a C-MAC (E.3.4, explicit initiation): zero for the session's first (`previous`
 * null), else the previous C-MAC, encrypted with single DES under S-MAC's left half when i asks.
 * The card's and the host's (client.ts) side alike.
 */
export function cmacIcv02(i: number, sMac: Uint8Array, previous: Uint8Array | null): Uint8Array {
  if (previous === null) return new Uint8Array(8);
  return (i & I02.ICV_ENCRYPTION) !== 0 ? desEcb(sMac.subarray(0, 8), previous) : previous;
}

/**
 * The card side of one SCP02 session, from INITIALIZE UPDATE on. `open` answers INITIALIZE UPDATE
 * (or returns a status word); the counter in the store moves once EXTERNAL AUTHENTICATE succeeds.
 */
export class Scp02Session implements ScpSession {
  readonly scp = 2;
  readonly initializeUpdateData: Uint8Array;
  readonly keys: Scp02Keys;
  level = 0;
  private readonly hostCryptogram: Uint8Array;
  /** The last C-MAC (the next ICV before encryption); null before EXTERNAL AUTHENTICATE. */
  private lastCmac: Uint8Array | null = null;
  /** The R-MAC chain: first the EXTERNAL AUTHENTICATE C-MAC, then each R-MAC. */
  private rmacIcv: Uint8Array = new Uint8Array(8);
  /** The stripped plain command of the last unwrap, the start of the next R-MAC's input. */
  private lastCommand: Uint8Array = new Uint8Array(0);

  private constructor(
    readonly keySet: KeySet,
    readonly i: number,
    readonly seq: number,
    readonly cardChallenge: Uint8Array,
    keys: Scp02Keys,
    hostChallenge: Uint8Array,
    kdd: Uint8Array,
    private readonly onAuthenticated: () => void,
  ) {
    this.keys = keys;
    const cc = cardCryptogram02(keys.enc, hostChallenge, seq, cardChallenge);
    this.hostCryptogram = hostCryptogram02(keys.enc, seq, cardChallenge, hostChallenge);
    // GPCS E.5.1.6 Table E-8: KDD (10) ‖ key information (KVN, 02) ‖ counter (2) ‖ card challenge (6) ‖ card cryptogram (8).
    this.initializeUpdateData = concat(kdd, [keySet.kvn, 0x02], seqBytes(seq), cardChallenge, cc);
  }

  static open(p: OpenParams): Scp02Session | number {
    if (p.hostChallenge.length !== 8) return SW.WRONG_LENGTH;
    const seq = p.store.counter(p.keySet.kvn);
    if (seq >= 0xffff) return SW.CONDITIONS; // the counter could not move after this session
    const keys = sessionKeys02(p.keySet, seq);
    const challenge = (p.i & I02.PSEUDO_RANDOM_CHALLENGE) !== 0 ? pseudoRandomChallenge02(keys.mac, p.aid) : p.random(6);
    if (challenge.length !== 6) throw new Error('SCP02 card challenge must be 6 bytes');
    const onAuth = (): void => p.store.setCounter(p.keySet.kvn, seq + 1);
    return new Scp02Session(p.keySet, p.i, seq, challenge, keys, p.hostChallenge, p.kdd, onAuth);
  }

  /** C-MAC (retail MAC, S-MAC) over a command's MAC input with the given ICV. */
  private cmac(icv: Uint8Array, cla: number, cmd: Command, plain: Uint8Array): Uint8Array {
    // E.4.4: on the modified APDU, CLA with b3 set and Lc counting the C-MAC; else on the APDU as
    // it was before secure messaging.
    const header = (this.i & I02.CMAC_ON_UNMODIFIED_APDU) !== 0
      ? concat([cla & ~0x04, cmd.ins, cmd.p1, cmd.p2], plain.length > 0 ? lcField(plain.length, cmd.extended) : [])
      : concat([cla | 0x04, cmd.ins, cmd.p1, cmd.p2], lcField(plain.length + 8, cmd.extended));
    return retailMac(this.keys.mac, icv, concat(header, plain));
  }

  externalAuthenticate(cmd: Command): number {
    if (cmd.data.length !== 16) return SW.WRONG_LENGTH;
    if (cmd.p2 !== 0 || !LEVELS.includes(cmd.p1)) return SW.WRONG_P1P2;
    if ((cmd.p1 & R_MAC) !== 0 && (this.i & I02.RMAC_SUPPORT) === 0) return SW.WRONG_P1P2;
    if ((cmd.cla & 0x04) === 0) return SW.SECURITY_STATUS;
    const hc = cmd.data.subarray(0, 8);
    const mac = cmd.data.subarray(8);
    if (!sameBytes(hc, this.hostCryptogram)) return SW.AUTHENTICATION_FAILED;
    // The first C-MAC of the session: ICV zero, never encrypted (E.3.4, explicit initiation).
    if (!sameBytes(this.cmac(new Uint8Array(8), cmd.cla, cmd, hc), mac)) return SW.SECURITY_STATUS;
    this.lastCmac = mac.slice();
    this.rmacIcv = mac.slice();
    this.level = cmd.p1;
    this.onAuthenticated();
    return SW.OK;
  }

  unwrap(cmd: Command): Uint8Array | null {
    let plain = cmd.data;
    if ((cmd.cla & 0x04) !== 0) {
      if (cmd.data.length < 8) return null;
      const body = cmd.data.subarray(0, cmd.data.length - 8);
      const mac = cmd.data.subarray(cmd.data.length - 8);
      plain = body;
      if ((this.level & C_DECRYPTION) !== 0 && body.length > 0) {
        // E.4.6: 3DES-CBC with S-ENC, ICV 0, over data ‖ 80 00..; the C-MAC covers the plain data.
        if (body.length % 8 !== 0) return null;
        const p = unpad80(desCbc(this.keys.enc, new Uint8Array(8), body, false), 8);
        if (p === null) return null;
        plain = p;
      }
      const expected = this.cmac(cmacIcv02(this.i, this.keys.mac, this.lastCmac), cmd.cla, cmd, plain);
      this.lastCmac = mac.slice();
      if (!sameBytes(expected, mac)) return null;
    } else if ((this.level & C_MAC) !== 0) {
      return null;
    }
    // E.4.5: the R-MAC input starts with the command stripped of secure messaging: CLA without
    // b3, INS P1 P2, Lc (00 when there is no data), data; Le is left out.
    this.lastCommand = concat([cmd.cla & ~0x04, cmd.ins, cmd.p1, cmd.p2], lcField(plain.length, cmd.extended), plain);
    return plain.slice();
  }

  wrap(data: Uint8Array, sw: number): Uint8Array {
    if ((this.level & R_MAC) === 0) return concat(data, [sw >>> 8, sw & 0xff]);
    const input = concat(this.lastCommand, [data.length & 0xff], data, [sw >>> 8, sw & 0xff]);
    const rmac = retailMac(this.keys.rmac, this.rmacIcv, input);
    this.rmacIcv = rmac;
    return concat(data, rmac, [sw >>> 8, sw & 0xff]);
  }

  decryptKey(ciphered: Uint8Array): Uint8Array {
    // E.4.7: key values are 3DES-ECB encrypted with the session DEK.
    return desEcb(this.keys.dek, ciphered, false);
  }

  /** The inverse (SecureChannel.encryptData): 3DES-ECB with the session DEK. */
  encryptKey(plain: Uint8Array): Uint8Array {
    return desEcb(this.keys.dek, plain, true);
  }
}
