// javacard.security and javacardx.crypto natives: see runtime/api/crypto/.

export { cryptoNatives as securityNatives, type CryptoOptions } from './crypto/index.ts';
