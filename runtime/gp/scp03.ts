// SCP03, card side (GP Card Spec v2.2 Amendment D v1.1.1): the KDF in counter mode with AES-CMAC
// (4.1.5, NIST SP 800-108), session keys (6.2.1), card challenge (6.2.2.1: pseudo-random from the
// 3-byte sequence counter, or random), card and host cryptograms (6.2.2.2-3), C-MAC with the MAC
// chaining value (6.2.4), C-DECRYPTION with the counter-derived ICV (6.2.6), R-MAC (6.2.5) and
// R-ENCRYPTION (6.2.7), key decryption with the static Key-DEK (6.2.8). S8 mode, and S16 mode
// (i b1) where challenges, cryptograms and MACs are 16 bytes.

import { aesCbc, aesCmac, aesEcb, concat, pad80, sameBytes, unpad80 } from './crypto.ts';
import type { KeySet } from './keys.ts';
import {
  C_DECRYPTION, C_MAC, lcField, type Command, type OpenParams, R_ENCRYPTION, R_MAC, type ScpSession, SW,
} from './sm.ts';

/** Bits of the SCP03 option i (Amd D 5.1 Table 5-1). */
export const I03 = {
  S16: 0x01,
  PSEUDO_RANDOM_CHALLENGE: 0x10,
  RMAC_SUPPORT: 0x20,
  RENC_SUPPORT: 0x40,
} as const;

/** Derivation constants (Amd D 4.1.5 Table 4-1). */
export const DERIVE03 = {
  CARD_CRYPTOGRAM: 0x00,
  HOST_CRYPTOGRAM: 0x01,
  CARD_CHALLENGE: 0x02,
  S_ENC: 0x04,
  S_MAC: 0x06,
  S_RMAC: 0x07,
} as const;

/** Levels EXTERNAL AUTHENTICATE may ask for (Amd D 7.1.2.1 Table 7-4). */
const LEVELS = [0x00, 0x01, 0x03, 0x11, 0x13, 0x33];

export function supportsI03(i: number): boolean {
  // R-ENCRYPTION support without R-MAC support means nothing: level 33 needs both.
  return (i & ~0x71) === 0 && ((i & I03.RENC_SUPPORT) === 0 || (i & I03.RMAC_SUPPORT) !== 0);
}

/**
 * KDF in counter mode (Amd D 4.1.5): for counter 1, 2, .. the AES-CMAC of
 * label (11 × 00) ‖ constant ‖ 00 ‖ L (2 bytes, bits) ‖ counter ‖ context, concatenated and cut to L bits.
 */
export function kdf03(key: Uint8Array, constant: number, bits: number, context: Uint8Array): Uint8Array {
  const blocks = Math.ceil(bits / 128);
  const out = new Uint8Array(blocks * 16);
  for (let n = 1; n <= blocks; n++) {
    const input = concat(new Uint8Array(11), [constant, 0x00, (bits >>> 8) & 0xff, bits & 0xff, n], context);
    out.set(aesCmac(key, input), (n - 1) * 16);
  }
  return out.slice(0, bits / 8);
}

export interface Scp03Keys {
  enc: Uint8Array;
  mac: Uint8Array;
  rmac: Uint8Array;
}

/** Session keys (Amd D 6.2.1), each as long as the static key, context = host ‖ card challenge. */
export function sessionKeys03(keys: KeySet, hostChallenge: Uint8Array, cardChallenge: Uint8Array): Scp03Keys {
  const ctx = concat(hostChallenge, cardChallenge);
  const bits = keys.enc.length * 8;
  return {
    enc: kdf03(keys.enc, DERIVE03.S_ENC, bits, ctx),
    mac: kdf03(keys.mac, DERIVE03.S_MAC, bits, ctx),
    rmac: kdf03(keys.mac, DERIVE03.S_RMAC, bits, ctx),
  };
}

function seqBytes(seq: number): Uint8Array {
  return Uint8Array.of((seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff);
}

/** Pseudo-random card challenge (Amd D 6.2.2.1): KDF(Key-ENC, 02, context = counter ‖ AID). */
export function pseudoRandomChallenge03(keyEnc: Uint8Array, seq: number, aid: Uint8Array, length = 8): Uint8Array {
  return kdf03(keyEnc, DERIVE03.CARD_CHALLENGE, length * 8, concat(seqBytes(seq), aid));
}

/** Card (constant 00) or host (01) cryptogram (Amd D 6.2.2.2-3): KDF(S-MAC, context = host ‖ card challenge). */
export function cryptogram03(sMac: Uint8Array, constant: number, hostChallenge: Uint8Array, cardChallenge: Uint8Array, length = 8): Uint8Array {
  return kdf03(sMac, constant, length * 8, concat(hostChallenge, cardChallenge));
}

/** The 16-byte encryption counter block with its first byte replaced (R-ENC uses 80). */
function counterBlock(counter: number, first: number): Uint8Array {
  const b = new Uint8Array(16);
  let c = counter;
  for (let i = 15; i >= 8; i--) {
    b[i] = c & 0xff;
    c = Math.floor(c / 256);
  }
  b[0] = first;
  return b;
}

/** The card side of one SCP03 session, from INITIALIZE UPDATE on. */
export class Scp03Session implements ScpSession {
  readonly scp = 3;
  readonly initializeUpdateData: Uint8Array;
  readonly keys: Scp03Keys;
  level = 0;
  /** 8 (S8) or 16 (S16): length of challenges, cryptograms and MACs. */
  readonly macLength: number;
  private readonly hostCryptogram: Uint8Array;
  /** MAC chaining value: the full 16-byte CMAC of the last command (zero before EXTERNAL AUTHENTICATE). */
  private chain: Uint8Array = new Uint8Array(16);
  /** Encryption counter: 0 after EXTERNAL AUTHENTICATE, advanced by every command. */
  private counter = 0;

  private constructor(
    readonly keySet: KeySet,
    readonly i: number,
    readonly seq: number | null,
    readonly cardChallenge: Uint8Array,
    hostChallenge: Uint8Array,
    kdd: Uint8Array,
  ) {
    this.macLength = (i & I03.S16) !== 0 ? 16 : 8;
    this.keys = sessionKeys03(keySet, hostChallenge, cardChallenge);
    const card = cryptogram03(this.keys.mac, DERIVE03.CARD_CRYPTOGRAM, hostChallenge, cardChallenge, this.macLength);
    this.hostCryptogram = cryptogram03(this.keys.mac, DERIVE03.HOST_CRYPTOGRAM, hostChallenge, cardChallenge, this.macLength);
    // Amd D 7.1.1.1 Table 7-2: KDD (10) ‖ key information (KVN, 03, i) ‖ card challenge ‖ card
    // cryptogram ‖ sequence counter (3, only with a pseudo-random challenge).
    this.initializeUpdateData = concat(kdd, [keySet.kvn, 0x03, i], cardChallenge, card, seq === null ? [] : seqBytes(seq));
  }

  static open(p: OpenParams): Scp03Session | number {
    const len = (p.i & I03.S16) !== 0 ? 16 : 8;
    if (p.hostChallenge.length !== len) return SW.WRONG_LENGTH;
    if ((p.i & I03.PSEUDO_RANDOM_CHALLENGE) !== 0) {
      // 6.2.2.1: the counter is incremented, then the new value is used and returned.
      const seq = p.store.counter(p.keySet.kvn) + 1;
      if (seq > 0xffffff) return SW.CONDITIONS;
      p.store.setCounter(p.keySet.kvn, seq);
      const challenge = pseudoRandomChallenge03(p.keySet.enc, seq, p.aid, len);
      return new Scp03Session(p.keySet, p.i, seq, challenge, p.hostChallenge, p.kdd);
    }
    const challenge = p.random(len);
    if (challenge.length !== len) throw new Error(`SCP03 card challenge must be ${len} bytes`);
    return new Scp03Session(p.keySet, p.i, null, challenge, p.hostChallenge, p.kdd);
  }

  /** C-MAC (6.2.4): AES-CMAC (S-MAC) of chaining value ‖ CLA INS P1 P2 Lc ‖ data as sent. */
  private cmac(cmd: Command, body: Uint8Array): Uint8Array {
    const header = concat([cmd.cla, cmd.ins, cmd.p1, cmd.p2], lcField(body.length + this.macLength, cmd.extended));
    return aesCmac(this.keys.mac, concat(this.chain, header, body));
  }

  externalAuthenticate(cmd: Command): number {
    if (cmd.data.length !== 2 * this.macLength) return SW.WRONG_LENGTH;
    if (cmd.p2 !== 0 || !LEVELS.includes(cmd.p1)) return SW.WRONG_P1P2;
    if ((cmd.p1 & R_MAC) !== 0 && (this.i & I03.RMAC_SUPPORT) === 0) return SW.WRONG_P1P2;
    if ((cmd.p1 & R_ENCRYPTION) !== 0 && (this.i & I03.RENC_SUPPORT) === 0) return SW.WRONG_P1P2;
    if ((cmd.cla & 0x04) === 0) return SW.SECURITY_STATUS;
    const hc = cmd.data.subarray(0, this.macLength);
    const mac = cmd.data.subarray(this.macLength);
    if (!sameBytes(hc, this.hostCryptogram)) return SW.AUTHENTICATION_FAILED;
    const full = this.cmac(cmd, hc);
    if (!sameBytes(full.subarray(0, this.macLength), mac)) return SW.SECURITY_STATUS;
    this.chain = full;
    this.counter = 0;
    this.level = cmd.p1;
    return SW.OK;
  }

  unwrap(cmd: Command): Uint8Array | null {
    this.counter++;
    if ((cmd.cla & 0x04) === 0) return (this.level & C_MAC) !== 0 ? null : cmd.data.slice();
    if (cmd.data.length < this.macLength) return null;
    const body = cmd.data.subarray(0, cmd.data.length - this.macLength);
    const mac = cmd.data.subarray(cmd.data.length - this.macLength);
    const full = this.cmac(cmd, body);
    if (!sameBytes(full.subarray(0, this.macLength), mac)) return null;
    this.chain = full;
    if ((this.level & C_DECRYPTION) === 0 || body.length === 0) return body.slice();
    // 6.2.6: AES-CBC (S-ENC) with ICV = AES-ECB(S-ENC, counter), data ‖ 80 00.. .
    if (body.length % 16 !== 0) return null;
    const icv = aesEcb(this.keys.enc, counterBlock(this.counter, 0));
    return unpad80(aesCbc(this.keys.enc, icv, body, false), 16)?.slice() ?? null;
  }

  wrap(data: Uint8Array, sw: number): Uint8Array {
    const swb = [sw >>> 8, sw & 0xff];
    if ((this.level & R_MAC) === 0) return concat(data, swb);
    let out = data;
    if ((this.level & R_ENCRYPTION) !== 0 && data.length > 0) {
      // 6.2.7: ICV = AES-ECB(S-ENC, 80 ‖ counter of the command answered); no data, no encryption.
      const icv = aesEcb(this.keys.enc, counterBlock(this.counter, 0x80));
      out = aesCbc(this.keys.enc, icv, pad80(data, 16));
    }
    // 6.2.5: AES-CMAC (S-RMAC) of the chaining value ‖ response data ‖ SW; the chain does not move.
    const rmac = aesCmac(this.keys.rmac, concat(this.chain, out, swb)).subarray(0, this.macLength);
    return concat(out, rmac, swb);
  }

  decryptKey(ciphered: Uint8Array): Uint8Array {
    // 6.2.8: key values are AES-CBC (ICV 0) encrypted with the static Key-DEK.
    return aesCbc(this.keySet.dek, new Uint8Array(16), ciphered, false);
  }

  /** The inverse (SecureChannel.encryptData): AES-CBC, ICV 0, with the Key-DEK. */
  encryptKey(plain: Uint8Array): Uint8Array {
    return aesCbc(this.keySet.dek, new Uint8Array(16), plain, true);
  }
}
