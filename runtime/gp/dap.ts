// Data Authentication Pattern verification (GPCS 2.3 §9.2.1, §11.6.2.3, Annex C.3): a Load
// File may carry, before its Load File Data Block, DAP blocks E2 { 4F security domain AID, C3
// Load File Data Block signature }. The signature is computed over the Load File Data Block hash
// that INSTALL [for load] announced (and the card checked) with the DAP key of the named
// security domain (KVN '73'): an RSA signature (GPCS B.3 schemes, crypto.ts rsaVerify), or with
// a secret key a MAC — DES: the full triple DES MAC of B.1.2.1 (ICV zero, 8 bytes); AES: the
// AES-CMAC (16 bytes).
//
// Which DAPs a load needs (§9.2.1): the one of a security domain with Mandated DAP Verification
// for every load on the card, and the one of the security domain the Load File is associated
// with when that domain has DAP Verification. Every DAP block present is checked too.

import { KeyObject } from 'node:crypto';
import { aesCmac, fullDes3Mac, rsaSign, rsaVerify, sameBytes } from './crypto.ts';
import { equalBytes } from '../../loader/bytes.ts';
import { type DomainKey, KVN } from './keys.ts';
import { DAP_BIT, MANDATED_DAP_BIT, type Registry } from './registry.ts';
import { readTlvs, tlv } from './tlv.ts';

export interface DapBlock {
  /** The security domain whose DAP this is. */
  sd: Uint8Array;
  signature: Uint8Array;
}

/** A DAP block's value (E2 contents), or null when it is not 4F AID ‖ C3 signature. */
export function parseDapBlock(value: Uint8Array): DapBlock | null {
  const t = readTlvs(value);
  if (!t || t.length !== 2 || t[0]!.tag !== 0x4f || t[1]!.tag !== 0xc3) return null;
  return { sd: t[0]!.value, signature: t[1]!.value };
}

/** A whole DAP block (E2 TLV), as the host puts it before the Load File Data Block. */
export function dapBlock(sd: Uint8Array, signature: Uint8Array): Uint8Array {
  return tlv(0xe2, tlv(0x4f, sd), tlv(0xc3, signature));
}

/** The MAC form of the DAP with a secret DAP key; null for an RSA key. */
function dapMac(key: DomainKey, hash: Uint8Array): Uint8Array | null {
  if (key.type === 'DES3') return fullDes3Mac(key.key, new Uint8Array(8), hash);
  if (key.type === 'AES') return aesCmac(key.key, hash);
  return null;
}

/** Whether `signature` is the DAP of the Load File Data Block hash `hash` under the DAP key `key`. */
export function verifyDap(key: DomainKey | undefined, hash: Uint8Array, signature: Uint8Array): boolean {
  if (!key) return false;
  if (key.type === 'RSA') return rsaVerify(key.modulus, key.exponent, hash, signature);
  const mac = dapMac(key, hash);
  return !!mac && sameBytes(mac, signature);
}

/** The host's DAP of `hash`: signed with an RSA private key, or the MAC with a secret DAP key. */
export function computeDap(key: KeyObject | DomainKey, hash: Uint8Array): Uint8Array {
  if (key instanceof KeyObject) return rsaSign(key, hash);
  const mac = dapMac(key, hash);
  if (!mac) throw new Error('an RSA DAP is signed with the private key');
  return mac;
}

/** The security domains whose DAP a Load File for `target` (null: the ISD) needs: the Mandated DAP one, the target itself when it has DAP Verification. */
export function requiredDaps(registry: Registry, target: Uint8Array | null): Uint8Array[] {
  const out = registry.state.domains.filter((d) => (d.privileges & DAP_BIT) !== 0 && (d.privileges & MANDATED_DAP_BIT) !== 0).map((d) => d.aid);
  const own = target ? registry.domain(target) : undefined;
  if (own && (own.privileges & DAP_BIT) !== 0 && !out.some((a) => equalBytes(a, own.aid))) out.push(own.aid);
  return out;
}

/**
 * Whether the DAP blocks of a Load File for `target` pass: each required DAP present, and every
 * block present naming a security domain with DAP Verification whose DAP key ('73') verifies it
 * over the Load File Data Block hash (a block for another AID: refused).
 */
export function dapsPass(registry: Registry, daps: DapBlock[], target: Uint8Array | null, hash: Uint8Array): boolean {
  for (const d of daps) {
    const sd = registry.domain(d.sd);
    if (!sd || (sd.privileges & DAP_BIT) === 0) return false;
    if (!verifyDap(registry.roleKeys(sd.aid).find((k) => k.kvn === KVN.DAP), hash, d.signature)) return false;
  }
  return requiredDaps(registry, target).every((aid) => daps.some((d) => equalBytes(d.sd, aid)));
}
