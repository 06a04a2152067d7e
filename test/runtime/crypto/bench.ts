// Operations per second of the crypto API through an applet (bench-applet.ts), on one card:
// RSA-2048 sign, ECDSA P-256 sign, AES-128 CBC over 1 KiB, SHA-256 over 1 KiB.
// Run: npx tsx test/runtime/crypto/bench.ts [--jit]

import { fromHex, hex } from '../../../loader/bytes.ts';
import { benchCard } from './bench-applet.ts';

const jit = process.argv.includes('--jit');
const card = benchCard({ jit });
const workloads: [string, number, number][] = [
  ['RSA-2048 sign (SHA-256, PKCS#1, CRT key)', 0x20, 50],
  ['ECDSA P-256 sign (SHA-256)', 0x21, 200],
  ['AES-128 CBC encrypt, 1 KiB', 0x22, 2000],
  ['SHA-256, 1 KiB', 0x23, 5000],
];
for (const [name, ins, n] of workloads) {
  const apdu = fromHex(`80${ins.toString(16)}${n.toString(16).padStart(4, '0')}`);
  card.transmit(fromHex(`80${ins.toString(16)}0005`)); // warm up
  const rounds = 5;
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    const res = card.transmit(apdu);
    best = Math.min(best, performance.now() - t);
    if (hex(res.subarray(res.length - 2)) !== '9000') throw new Error(`${name}: ${hex(res)}`);
  }
  console.log(`${name.padEnd(44)} ${((n / best) * 1000).toFixed(0).padStart(8)} ops/s  (${(best / n).toFixed(3)} ms each, best of ${rounds} APDUs of ${n})`);
}
