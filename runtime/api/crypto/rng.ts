// The card's random source, behind RandomData, key generation, padding and ECDSA nonces.
// By default it is node:crypto's CSPRNG. With a seed (CardOptions.randomSeed) it is a
// deterministic generator (SHA-256 in counter mode over the seed, reseeded by setSeed), so
// that test runs and key pairs are reproducible.

import { createHash, randomBytes } from 'node:crypto';

export class CardRandom {
  private state: Buffer | null;
  private counter = 0;

  constructor(seed?: string) {
    this.state = seed === undefined ? null : createHash('sha256').update('jcvm random seed\0').update(seed).digest();
  }

  get deterministic(): boolean {
    return this.state !== null;
  }

  bytes(n: number): Uint8Array {
    if (this.state === null) return new Uint8Array(randomBytes(n));
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) {
      const ctr = Buffer.alloc(4);
      ctr.writeUInt32BE(this.counter++ >>> 0);
      const block = createHash('sha256').update(this.state).update(ctr).digest();
      out.set(block.subarray(0, Math.min(32, n - at)), at);
    }
    return out;
  }

  /** Mixes caller data into the generator (RandomData.setSeed); no effect on the OS CSPRNG. */
  mix(seed: Uint8Array): void {
    if (this.state === null) return;
    this.state = createHash('sha256').update(this.state).update(seed).digest();
  }

  /** A uniform integer in [1, max-1] (max > 2), by rejection sampling. */
  scalar(max: bigint): bigint {
    const bits = max.toString(2).length;
    const len = Math.ceil(bits / 8);
    const excess = BigInt(len * 8 - bits);
    for (;;) {
      let v = 0n;
      for (const b of this.bytes(len)) v = (v << 8n) | BigInt(b);
      v >>= excess;
      if (v >= 1n && v < max) return v;
    }
  }
}
