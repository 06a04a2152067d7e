// The block-cipher primitives of the GlobalPlatform secure channels, on node:crypto only:
// DES / 3DES (ECB, CBC), AES (ECB, CBC), AES-CMAC (NIST SP 800-38B, RFC 4493), the DES MACs of
// GPCS Appendix B.1.2 (full 3DES MAC, retail MAC) and the '80 00..' padding of B.1.3 / ISO 9797-1
// method 2. The ciphers and the CMAC are the Java Card crypto API's (runtime/api/crypto: blockCrypt
// runs single DES as 3DES with K1 = K2 = K3, OpenSSL 3 keeping single DES in its legacy provider).

import { constants, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { blockCrypt, pad, unpad } from '../api/crypto/blocks.ts';
import { PAD } from '../api/crypto/consts.ts';
import { F } from '../api/crypto/keys.ts';

function checkBlocks(data: Uint8Array, bs: number): void {
  if (data.length % bs !== 0) throw new Error(`data of ${data.length} bytes is not a whole number of ${bs}-byte blocks`);
}

function checkDesKey(key: Uint8Array): void {
  if (key.length !== 8 && key.length !== 16 && key.length !== 24) throw new Error(`DES key of ${key.length} bytes (8, 16 or 24 expected)`);
}

function checkAesKey(key: Uint8Array): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new Error(`AES key of ${key.length} bytes`);
}

/** DES (8-byte key) or 3DES (16/24) in ECB mode, whole blocks, no padding. */
export function desEcb(key: Uint8Array, data: Uint8Array, encrypt = true): Uint8Array {
  checkBlocks(data, 8);
  checkDesKey(key);
  return blockCrypt(F.DES, key, 'ecb', encrypt, null, data);
}

/** DES (8-byte key) or 3DES (16/24) in CBC mode, whole blocks, no padding. */
export function desCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt = true): Uint8Array {
  checkBlocks(data, 8);
  checkDesKey(key);
  return blockCrypt(F.DES, key, 'cbc', encrypt, iv, data);
}

/** AES in ECB mode, whole blocks, no padding. */
export function aesEcb(key: Uint8Array, data: Uint8Array, encrypt = true): Uint8Array {
  checkBlocks(data, 16);
  checkAesKey(key);
  return blockCrypt(F.AES, key, 'ecb', encrypt, null, data);
}

/** AES in CBC mode, whole blocks, no padding. */
export function aesCbc(key: Uint8Array, iv: Uint8Array, data: Uint8Array, encrypt = true): Uint8Array {
  checkBlocks(data, 16);
  checkAesKey(key);
  return blockCrypt(F.AES, key, 'cbc', encrypt, iv, data);
}

/** AES-CMAC (SP 800-38B): the full 16-byte tag; the Signature API's (ALG_AES_CMAC_128). */
export { aesCmac } from '../api/crypto/signature.ts';

/** `data` ‖ 80 ‖ 00.. up to a multiple of `bs` (GPCS B.1.3; always adds at least the 80). */
export function pad80(data: Uint8Array, bs: number): Uint8Array {
  return pad(PAD.ISO9797_M2, data, bs)!;
}

/** Removes '80 00..' padding of at most one block; null when it is not there. */
export function unpad80(data: Uint8Array, bs: number): Uint8Array | null {
  return unpad(PAD.ISO9797_M2, data, bs);
}

/**
 * Full triple DES MAC (GPCS B.1.2.1; ISO 9797-1 algorithm 1 with 3DES): 3DES-CBC of the padded
 * message, last block. `message` is padded here.
 */
export function fullDes3Mac(key: Uint8Array, icv: Uint8Array, message: Uint8Array): Uint8Array {
  const c = desCbc(key, icv, pad80(message, 8));
  return c.slice(c.length - 8);
}

/**
 * Retail MAC (GPCS B.1.2.2, "single DES plus final triple DES"; ISO 9797-1 algorithm 3): single
 * DES-CBC with the left key half over every block but the last, 3DES on the last. `message` is
 * padded here.
 */
export function retailMac(key: Uint8Array, icv: Uint8Array, message: Uint8Array): Uint8Array {
  const padded = pad80(message, 8);
  let h = icv;
  if (padded.length > 8) {
    const head = desCbc(key.subarray(0, 8), icv, padded.subarray(0, padded.length - 8));
    h = head.subarray(head.length - 8);
  }
  const last = new Uint8Array(8);
  for (let i = 0; i < 8; i++) last[i] = h[i]! ^ padded[padded.length - 8 + i]!;
  return desEcb(key, last);
}

// Byte-string helpers shared with the rest of the card (one implementation each).
export { concat } from '../../loader/bytes.ts';
export { sameBytes } from '../constant-time.ts';

// --- RSA signatures (GPCS 2.3 Appendix B.3), on node:crypto ---

/** An RSA public key from its modulus and public exponent (big-endian, as PUT KEY 'A1' / 'A0' carry them). */
export function rsaPublicKey(modulus: Uint8Array, exponent: Uint8Array): KeyObject {
  const b64 = (b: Uint8Array): string => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    return Buffer.from(b.subarray(i)).toString('base64url');
  };
  return createPublicKey({ key: { kty: 'RSA', n: b64(modulus), e: b64(exponent) }, format: 'jwk' });
}

/**
 * Verifies an RSA signature of `message` (GPCS B.3): keys up to 1024 bits use Scheme 1,
 * RSASSA-PKCS1-v1_5 — with SHA-1 (GPCS), SHA-256 also taken (B.3.1 allows it) —, longer keys
 * Scheme 2, RSASSA-PSS with SHA-256 (MGF1-SHA-256, 32-byte salt). False for a key that does not
 * parse.
 */
export function rsaVerify(modulus: Uint8Array, exponent: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  let key: KeyObject;
  try {
    key = rsaPublicKey(modulus, exponent);
  } catch {
    return false;
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (signature.length !== Math.ceil(bits / 8)) return false;
  if (bits <= 1024) return ['sha1', 'sha256'].some((h) => verify(h, message, key, signature));
  return verify('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
}

/** The host's side of rsaVerify: the signature of `message` with an RSA private key (SHA-1 for keys up to 1024 bits). */
export function rsaSign(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits <= 1024) return new Uint8Array(sign('sha1', message, privateKey));
  return new Uint8Array(sign('sha256', message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
}
