// javacard.security.Checksum: ALG_ISO3309_CRC16 and ALG_ISO3309_CRC32.
//
// Both are the ISO/IEC 13239 frame check sequences the API names (4.2.5.2 and 4.2.5.3):
// reflected CRCs, bits taken least significant first, polynomials x^16+x^12+x^5+1 (0x1021,
// reflected 0x8408) and the CRC-32 polynomial (0x04C11DB7, reflected 0xEDB88320), result
// complemented, sent most significant byte first. The initial register is the API's default
// (0 for CRC16, FFFFFFFF for CRC32) or the value given to init(); doFinal restores the
// default. CRC32 is therefore the CRC-32 of zlib and Ethernet ("123456789" -> CBF43926); CRC16
// with an initial FFFF is CRC-16/X-25 ("123456789" -> 906E).

import type { Vm } from '../../../vm/interpreter.ts';
import type { NativeTable } from '../registry.ts';
import { CE, CK, SEC } from './consts.ts';
import { Engines, type CryptoContext } from './context.ts';
import { checkOut, readBytes, toBig, writeBytes } from './util.ts';

export class ChecksumState {
  constructor(readonly alg: number) {}
}

const SPEC: Record<number, { bits: number; poly: number; init: number }> = {
  [CK.ISO3309_CRC16]: { bits: 16, poly: 0x8408, init: 0 },
  [CK.ISO3309_CRC32]: { bits: 32, poly: 0xedb88320, init: 0xffffffff },
};

export function crcUpdate(alg: number, reg: number, data: Uint8Array): number {
  const { poly } = SPEC[alg]!;
  let r = reg >>> 0;
  for (const byte of data) {
    r ^= byte;
    for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ poly : r >>> 1;
  }
  return r >>> 0;
}

export function crcFinal(alg: number, reg: number): Uint8Array {
  const { bits } = SPEC[alg]!;
  const v = ~reg >>> 0;
  const n = bits / 8;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (v >>> (8 * (n - 1 - i))) & 0xff;
  return out;
}

export function checksumNatives(ctx: CryptoContext): NativeTable {
  const regs = new Engines<{ reg: number }>(ctx);
  const self = (vm: Vm, b: number): ChecksumState => ctx.self(vm, b, ChecksumState);
  const reg = (vm: Vm, b: number): { reg: number } => {
    const o = vm.deref(vm.stack[b]!);
    return regs.get(o) ?? regs.set(o, { reg: SPEC[self(vm, b).alg]!.init });
  };
  const impl = ctx.rt.api.defineImplementation(`${SEC}/Checksum`, 'jcvm/security/ChecksumImpl', {
    'getAlgorithm()B': (vm, b) => self(vm, b).alg,
    'init([BSS)V': (vm, b) => {
      const s = self(vm, b);
      const bytes = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      if (bytes.length !== SPEC[s.alg]!.bits / 8) ctx.fail(CE.ILLEGAL_VALUE);
      regs.set(vm.deref(vm.stack[b]!), { reg: Number(toBig(bytes)) });
    },
    'update([BSS)V': (vm, b) => {
      const s = self(vm, b);
      const r = reg(vm, b);
      r.reg = crcUpdate(s.alg, r.reg, readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!));
    },
    'doFinal([BSS[BS)S': (vm, b) => {
      const s = self(vm, b);
      const data = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      checkOut(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, SPEC[s.alg]!.bits / 8);
      const r = reg(vm, b);
      const out = crcFinal(s.alg, crcUpdate(s.alg, r.reg, data));
      regs.drop(vm.deref(vm.stack[b]!));
      return writeBytes(vm, vm.stack[b + 4]!, vm.stack[b + 5]!, out);
    },
  });
  return {
    [`${SEC}/Checksum.getInstance(BZ)L${SEC}/Checksum;`]: (vm, b) => {
      const alg = vm.stack[b]!;
      if (!SPEC[alg]) ctx.fail(CE.NO_SUCH_ALGORITHM);
      const h = vm.newInstance(impl);
      ctx.rt.heap.get(h)!.native = new ChecksumState(alg);
      return h;
    },
  };
}
