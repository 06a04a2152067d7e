// Block cipher primitives on node:crypto for the symmetric Cipher and Signature (MAC)
// algorithms: the node cipher name for a key, and the paddings of the API (Cipher.PAD_*):
// ISO/IEC 9797-1 methods 1 and 2, PKCS#5.

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { PAD } from './consts.ts';
import { F } from './keys.ts';

/** Block length in bytes of a secret key family's cipher. */
export function blockLength(family: number): number {
  return family === F.DES ? 8 : 16;
}

/** Key bytes as node expects them (single and two-key DES as three-key EDE). */
export function nodeKey(family: number, key: Uint8Array): Uint8Array {
  if (family !== F.DES) return key;
  if (key.length === 8) return Uint8Array.from([...key, ...key, ...key]);
  if (key.length === 16) return Uint8Array.from([...key, ...key.subarray(0, 8)]);
  return key;
}

/** node cipher name for a family, key and mode ('ecb' | 'cbc' | 'ctr' | 'cfb' | 'gcm' | 'ccm'). */
export function nodeCipherName(family: number, keyLen: number, mode: string): string {
  if (family === F.DES) return mode === 'ecb' ? 'des-ede3-ecb' : 'des-ede3-cbc';
  if (family === F.SM4) return `sm4-${mode}`;
  return `aes-${keyLen * 8}-${mode}`;
}

/** One-shot ECB/CBC over whole blocks, no padding. */
export function blockCrypt(family: number, key: Uint8Array, mode: 'ecb' | 'cbc', encrypt: boolean, iv: Uint8Array | null, data: Uint8Array): Uint8Array {
  const name = nodeCipherName(family, key.length, mode);
  const k = nodeKey(family, key);
  const c = encrypt ? createCipheriv(name, k, mode === 'ecb' ? null : iv) : createDecipheriv(name, k, mode === 'ecb' ? null : iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

/** Pads `data` to whole blocks (ILLEGAL_USE is the caller's: null when NOPAD and not aligned). */
export function pad(padding: number, data: Uint8Array, bs: number): Uint8Array | null {
  const rem = data.length % bs;
  switch (padding) {
    case PAD.NOPAD:
    case PAD.NULL:
      return rem === 0 ? data : null;
    case PAD.ISO9797_M1:
    case PAD.ISO9797_1_M1_ALG3: {
      if (rem === 0 && data.length > 0) return data;
      const out = new Uint8Array(data.length + (bs - rem));
      out.set(data);
      return out;
    }
    case PAD.ISO9797_M2:
    case PAD.ISO9797_1_M2_ALG3: {
      const out = new Uint8Array(data.length + (bs - rem));
      out.set(data);
      out[data.length] = 0x80;
      return out;
    }
    case PAD.PKCS5: {
      const n = bs - rem;
      const out = new Uint8Array(data.length + n);
      out.set(data);
      out.fill(n, data.length);
      return out;
    }
    default:
      return null;
  }
}

/** Removes padding after decryption; null when the padding is malformed. */
export function unpad(padding: number, data: Uint8Array, bs: number): Uint8Array | null {
  switch (padding) {
    case PAD.ISO9797_M2: {
      let i = data.length - 1;
      while (i >= 0 && data[i] === 0 && data.length - i <= bs) i--;
      if (i < 0 || data[i] !== 0x80 || data.length - i > bs) return null;
      return data.subarray(0, i);
    }
    case PAD.PKCS5: {
      const n = data[data.length - 1];
      if (n === undefined || n < 1 || n > bs) return null;
      for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return null;
      return data.subarray(0, data.length - n);
    }
    default:
      return data; // NOPAD, and ISO 9797 method 1 (zeros cannot be told from data)
  }
}
