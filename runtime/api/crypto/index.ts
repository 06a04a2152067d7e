// The natives of javacard.security and javacardx.crypto (Java Card 3.1 API), bound once the
// API registry exists (the concrete classes behind the abstract API classes and the key
// interfaces are defined on it). docs/crypto.md lists every algorithm constant and whether
// jcvm provides it; an algorithm it does not provide answers NO_SUCH_ALGORITHM, as a card does.

import type { Jcre } from '../../jcre.ts';
import type { NativeTable } from '../registry.ts';
import { agreementNatives } from './agreement.ts';
import { checksumNatives } from './checksum.ts';
import { cipherNatives } from './cipher.ts';
import { CryptoContext } from './context.ts';
import { digestNatives } from './digest.ts';
import { keyPairNatives } from './keypair.ts';
import { Keys } from './keys.ts';
import { randomNatives } from './random.ts';
import { signatureNatives } from './signature.ts';

export interface CryptoOptions {
  /** Makes the card's random source deterministic (RandomData, key generation, nonces, padding). */
  randomSeed?: string;
}

export function cryptoNatives(rt: Jcre, options: CryptoOptions = {}): NativeTable {
  const ctx = new CryptoContext(rt, options.randomSeed);
  const keys = new Keys(ctx);
  return {
    ...keys.builderNatives(),
    ...digestNatives(ctx),
    ...randomNatives(ctx),
    ...checksumNatives(ctx),
    ...cipherNatives(ctx, keys),
    ...signatureNatives(ctx, keys),
    ...agreementNatives(ctx, keys),
    ...keyPairNatives(ctx, keys),
  };
}
