// javacard.security.RandomData (and RandomData.OneShot, 3.1): every algorithm draws from the
// card's random source (context.ts), which a card option can make deterministic.

import type { Vm } from '../../../vm/interpreter.ts';
import type { NativeTable } from '../registry.ts';
import type { MethodNatives } from './classes.ts';
import { CE, RA, SEC } from './consts.ts';
import type { CryptoContext } from './context.ts';
import { checkOut, readBytes, writeBytes } from './util.ts';

export class RandomState {
  closed = 0;
  constructor(readonly alg: number) {}
}

const ALGS = new Set<number>(Object.values(RA));

export function randomNatives(ctx: CryptoContext): NativeTable {
  const self = (vm: Vm, b: number): RandomState => {
    const s = ctx.self(vm, b, RandomState);
    if (s.closed) ctx.fail(CE.ILLEGAL_USE);
    return s;
  };
  const fill = (vm: Vm, b: number): number => {
    self(vm, b);
    const h = vm.stack[b + 1]!, off = vm.stack[b + 2]!, len = vm.stack[b + 3]!;
    checkOut(vm, h, off, len);
    writeBytes(vm, h, off, ctx.random.bytes(len));
    return (off + len) << 16 >> 16;
  };
  const methods: MethodNatives = {
    'generateData([BSS)V': (vm, b) => void fill(vm, b),
    'nextBytes([BSS)S': fill,
    'setSeed([BSS)V': (vm, b) => {
      self(vm, b);
      ctx.random.mix(readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!));
    },
    'getAlgorithm()B': (vm, b) => self(vm, b).alg,
  };
  const impl = ctx.rt.api.defineImplementation(`${SEC}/RandomData`, 'jcvm/security/RandomDataImpl', methods);
  const RD = `${SEC}/RandomData`;
  const ONE = `${RD}$OneShot`;
  const make = (vm: Vm, alg: number, cls = impl): number => {
    if (!ALGS.has(alg)) ctx.fail(CE.NO_SUCH_ALGORITHM);
    const h = vm.newInstance(cls);
    ctx.rt.heap.get(h)!.native = new RandomState(alg);
    return h;
  };
  const t: NativeTable = {
    [`${RD}.getInstance(B)L${RD};`]: (vm, b) => make(vm, vm.stack[b]!),
    [`${RD}.getInstance(BZ)L${RD};`]: (vm, b) => make(vm, vm.stack[b]!),
    [`${ONE}.open(B)L${ONE};`]: (vm, b) => make(vm, vm.stack[b]!, ctx.rt.api.cls(ONE)),
    [`${ONE}.close()V`]: (vm, b) => {
      self(vm, b).closed = 1;
    },
  };
  for (const [k, fn] of Object.entries(methods)) t[`${ONE}.${k}`] = fn;
  return t;
}
