// The crypto API driven from bytecode (bench-applet.ts): KeyPair generation in an applet's
// constructor, Signature, Cipher and MessageDigest through invokevirtual / invokeinterface,
// answers checked against node:crypto; with a seeded card, the RSA key and signature repeat.

import { createCipheriv, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tx } from '../helpers.ts';
import { benchCard } from './bench-applet.ts';

describe('crypto from bytecode', () => {
  it('RSA-2048 and ECDSA P-256 sign then verify', () => {
    const card = benchCard();
    expect(tx(card, '80200001')).toMatch(/^[0-9A-F]{64}9000$/);
    expect(tx(card, '80240000')).toBe('019000');
    expect(tx(card, '80210001')).toMatch(/^30[0-9A-F]{2}02[0-9A-F]{10}9000$/);
    expect(tx(card, '80250000')).toBe('019000');
  });

  it('AES-128 CBC and SHA-256 over 1 KiB, chained in place', () => {
    const card = benchCard();
    // buf starts as 1 KiB of zeros (CLEAR_ON_RESET): AES with a zero key and IV, in place, twice
    let buf = Buffer.alloc(1024);
    for (let i = 0; i < 2; i++) {
      const c = createCipheriv('aes-128-cbc', Buffer.alloc(16), Buffer.alloc(16));
      c.setAutoPadding(false);
      buf = Buffer.concat([c.update(buf), c.final()]);
    }
    expect(tx(card, '80220002')).toBe(buf.subarray(0, 32).toString('hex').toUpperCase() + '9000');
    for (let i = 0; i < 3; i++) createHash('sha256').update(buf).digest().copy(buf, 0);
    expect(tx(card, '80230003')).toBe(buf.subarray(0, 32).toString('hex').toUpperCase() + '9000');
  });

  it('a seeded card generates the same RSA key in install(), so the same signature', () => {
    const a = tx(benchCard({ randomSeed: 'bytecode' }), '80200001');
    const b = tx(benchCard({ randomSeed: 'bytecode' }), '80200001');
    expect(a).toBe(b);
  });
});
