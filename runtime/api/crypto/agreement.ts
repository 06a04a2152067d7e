// javacard.security.KeyAgreement: ECDH (SEC 1 3.3.1 and, with the cofactor, 3.3.2) in the
// API's output forms (SHA-1 of x, plain x, or the whole point) and finite-field DH (plain).

import { createHash } from 'node:crypto';
import type { Vm } from '../../../vm/interpreter.ts';
import type { NativeTable } from '../registry.ts';
import { CE, KA, SEC } from './consts.ts';
import type { CryptoContext } from './context.ts';
import { EcError, encodePoint, sharedPoint } from './ec.ts';
import { F, type Keys } from './keys.ts';
import { bitLength, checkOut, fromBig, modPow, readBytes, toBig, writeBytes } from './util.ts';

export class AgreementState {
  key = 0;
  constructor(readonly alg: number) {}
}

const EC_ALGS = new Set<number>([KA.EC_SVDP_DH, KA.EC_SVDP_DHC, KA.EC_SVDP_DH_PLAIN, KA.EC_SVDP_DHC_PLAIN, KA.EC_SVDP_DH_PLAIN_XY]);

export function agreementNatives(ctx: CryptoContext, keys: Keys): NativeTable {
  const self = (vm: Vm, b: number): AgreementState => ctx.self(vm, b, AgreementState);
  const init = (vm: Vm, b: number): void => {
    const s = self(vm, b);
    const h = vm.stack[b + 1]!;
    const k = keys.state(vm, h);
    if (k.family !== (s.alg === KA.DH_PLAIN ? F.DH_PRIV : F.EC_PRIV)) ctx.fail(CE.ILLEGAL_VALUE);
    keys.requireInit(k);
    s.key = h;
  };
  const impl = ctx.rt.api.defineImplementation(`${SEC}/KeyAgreement`, 'jcvm/security/KeyAgreementImpl', {
    'getAlgorithm()B': (vm, b) => self(vm, b).alg,
    'init(Ljavacard/security/PrivateKey;)V': init,
    'init(Ljavacard/security/PrivateKey;Ljavacard/security/AlgorithmParameterSpec;)V': (vm, b) => {
      if (vm.stack[b + 2]) ctx.fail(CE.ILLEGAL_VALUE); // no parameter specs for these algorithms
      init(vm, b);
    },
    'generateSecret([BSS[BS)S': (vm, b) => {
      const s = self(vm, b);
      const pub = readBytes(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, vm.stack[b + 3]!);
      const outH = vm.stack[b + 4]!, outOff = vm.stack[b + 5]!;
      vm.deref(outH);
      const obj = s.key ? ctx.rt.heap.get(s.key) : undefined;
      if (!obj) ctx.fail(CE.INVALID_INIT);
      const k = keys.state(vm, s.key);
      keys.requireInit(k);
      let out: Uint8Array;
      if (s.alg === KA.DH_PLAIN) {
        const p = toBig(keys.get(k, 0)), x = toBig(keys.get(k, 3));
        const y = toBig(pub);
        if (y < 2n || y > p - 2n) ctx.fail(CE.ILLEGAL_VALUE);
        out = fromBig(modPow(y, x, p), Math.ceil(bitLength(p) / 8));
      } else {
        const c = keys.curve(k);
        const d = toBig(keys.get(k, 5));
        const cofactor = s.alg === KA.EC_SVDP_DHC || s.alg === KA.EC_SVDP_DHC_PLAIN;
        let point: Uint8Array;
        try {
          point = encodePoint(c, sharedPoint(c, d, pub, cofactor));
        } catch (e) {
          if (e instanceof EcError) ctx.fail(CE.ILLEGAL_VALUE);
          throw e;
        }
        const x = point.subarray(1, 1 + c.fieldLen);
        if (s.alg === KA.EC_SVDP_DH_PLAIN_XY) out = point;
        else if (s.alg === KA.EC_SVDP_DH || s.alg === KA.EC_SVDP_DHC) out = new Uint8Array(createHash('sha1').update(x).digest());
        else out = x.slice();
      }
      checkOut(vm, outH, outOff, out.length);
      return writeBytes(vm, outH, outOff, out);
    },
  });
  return {
    [`${SEC}/KeyAgreement.getInstance(BZ)L${SEC}/KeyAgreement;`]: (vm, b) => {
      const alg = vm.stack[b]!;
      if (!EC_ALGS.has(alg) && alg !== KA.DH_PLAIN) ctx.fail(CE.NO_SUCH_ALGORITHM);
      const h = vm.newInstance(impl);
      ctx.rt.heap.get(h)!.native = new AgreementState(alg);
      return h;
    },
  };
}
