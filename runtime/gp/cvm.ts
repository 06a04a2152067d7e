// The card's global PIN: org.globalplatform.CVM for GPSystem.getCVM(CVM_GLOBAL_PIN 0x11)
// (GP Card API 1.7). One card-wide object, a permanent JCRE entry point kept in
// `Jcre.namedObjects`; its state is card memory, so it survives power cycles and the card image:
//
//   value   persistent byte array of the JCRE's:
//           [0] tries remaining  [1] try limit (0: the default, 3)
//           [2] life cycle (0 not yet set: inactive, 1 ACTIVE, 2 BLOCKED)
//           [3] value kind (0 digits, from ASCII or BCD; 1 HEX)  [4] length  [5..] value
//   session CLEAR_ON_RESET byte array: [0] submitted, [1] verified (INVALID_SUBMISSION and
//           VALIDATED last for the card session)
//
// The state the API reports: BLOCKED when the life cycle says so or no try is left; else
// VALIDATED after a successful verify, INVALID_SUBMISSION after a failed one, else ACTIVE.
// verify writes the decremented try counter before comparing (a power loss cannot give a free
// try) outside any transaction (like OwnerPIN.check); the value, as any administrative change,
// is one atomic write.

import { Kind, Transience, type HeapObject, type VmClass } from '../../vm/types.ts';
import type { Vm } from '../../vm/interpreter.ts';
import { secretEquals } from '../constant-time.ts';
import { JCRE_CONTEXT, type Jcre } from '../jcre.ts';
import { array, bytesOf, checkRange } from '../api/common.ts';

export const CVM_GLOBAL_PIN = 0x11;
export const CvmFormat = { ASCII: 1, BCD: 2, HEX: 3 } as const;
export const CVM_SUCCESS = 0;
export const CVM_FAILURE = -1;
/** The try limit of a global PIN whose limit was never set. */
export const DEFAULT_TRY_LIMIT = 3;
/** Longest value: 32 digits (ASCII or BCD) or 32 HEX bytes. */
export const CVM_MAX = 32;

const TRIES = 0, LIMIT = 1, LIFE = 2, KIND = 3, LEN = 4, VALUE = 5;
const INACTIVE = 0, ACTIVE = 1, BLOCKED = 2;
const NAME = 'gp.api.cvm.global';

interface CvmState {
  value: number;
  session: number;
}

/**
 * A submitted or new value in its comparable form: the digits of an ASCII or BCD value (BCD
 * right-padded with F), the bytes of a HEX one; null when the bytes are not of the format.
 */
export function cvmCanonical(bytes: Uint8Array, format: number): { kind: number; bytes: Uint8Array } | null {
  if (format === CvmFormat.HEX) return bytes.length <= CVM_MAX ? { kind: 1, bytes } : null;
  const digits: number[] = [];
  if (format === CvmFormat.ASCII) {
    for (const b of bytes) {
      if (b < 0x30 || b > 0x39) return null;
      digits.push(b - 0x30);
    }
  } else if (format === CvmFormat.BCD) {
    let padding = false;
    for (const b of bytes) {
      for (const n of [b >> 4, b & 0x0f]) {
        if (n === 0x0f) padding = true;
        else if (padding || n > 9) return null;
        else digits.push(n);
      }
    }
  } else return null;
  return digits.length <= CVM_MAX ? { kind: 0, bytes: Uint8Array.from(digits) } : null;
}

/** The global CVM object (created on first use) and the natives of its class. */
export function globalCvm(rt: Jcre, canManage: () => boolean) {
  // The arrays are the JCRE's, and natives run in their caller's context: read them directly
  // (the CVM object itself is a permanent entry point, usable from every context).
  const arrays = (vm: Vm, h: number): { v: HeapObject; s: HeapObject } => {
    const st = vm.deref(h).native as CvmState;
    return { v: rt.heap.get(st.value)!, s: rt.heap.get(st.session)! };
  };
  const limitOf = (v: HeapObject): number => v.data[LIMIT]! || DEFAULT_TRY_LIMIT;
  const blocked = (v: HeapObject): boolean => v.data[LIFE] === BLOCKED || v.data[TRIES] === 0;
  const active = (v: HeapObject): boolean => v.data[LIFE] !== INACTIVE;
  const write = (v: HeapObject, at: number, bytes: number[], atomic = true): void =>
    rt.persistentWrite(v, at, bytes.length, atomic, () => v.data.set(bytes, at));
  const clearSession = (s: HeapObject): void => {
    s.data.fill(0);
  };

  const natives = {
    'equals(Ljava/lang/Object;)Z': (vm: Vm, b: number) => (vm.stack[b] === vm.stack[b + 1] ? 1 : 0),
    'isActive()Z': (vm: Vm, b: number) => (active(arrays(vm, vm.stack[b]!).v) ? 1 : 0),
    'isSubmitted()Z': (vm: Vm, b: number) => {
      const { v, s } = arrays(vm, vm.stack[b]!);
      return active(v) && !blocked(v) && (s.data[0] || s.data[1]) ? 1 : 0;
    },
    'isVerified()Z': (vm: Vm, b: number) => {
      const { v, s } = arrays(vm, vm.stack[b]!);
      return active(v) && !blocked(v) && s.data[1] ? 1 : 0;
    },
    'isBlocked()Z': (vm: Vm, b: number) => {
      const { v } = arrays(vm, vm.stack[b]!);
      return active(v) && blocked(v) ? 1 : 0;
    },
    'getTriesRemaining()B': (vm: Vm, b: number) => {
      const { v } = arrays(vm, vm.stack[b]!);
      return active(v) ? v.data[TRIES]! : 0;
    },
    'update([BSBB)Z': (vm: Vm, b: number) => {
      const { v, s } = arrays(vm, vm.stack[b]!);
      const buf = array(vm, vm.stack[b + 1]!), off = vm.stack[b + 2]!, len = vm.stack[b + 3]!;
      checkRange(vm, buf, off, Math.max(len, 0));
      if (!canManage() || len < 1) return 0;
      const c = cvmCanonical(bytesOf(vm, vm.stack[b + 1]!, off, len), vm.stack[b + 4]!);
      if (!c || c.bytes.length === 0) return 0;
      // A first value activates the CVM with a full try counter; later ones keep the counter and a BLOCKED state.
      const first = !active(v);
      const head = first ? [limitOf(v), v.data[LIMIT]!, ACTIVE] : [v.data[TRIES]!, v.data[LIMIT]!, v.data[LIFE]!];
      write(v, 0, [...head, c.kind, c.bytes.length, ...c.bytes]);
      clearSession(s);
      return 1;
    },
    'resetState()Z': (vm: Vm, b: number) => {
      const { v, s } = arrays(vm, vm.stack[b]!);
      if (!active(v) || blocked(v)) return 0;
      clearSession(s);
      return 1;
    },
    'blockState()Z': (vm: Vm, b: number) => {
      const { v, s } = arrays(vm, vm.stack[b]!);
      if (!active(v)) return 0;
      write(v, LIFE, [BLOCKED]);
      clearSession(s);
      return 1;
    },
    'resetAndUnblockState()Z': (vm: Vm, b: number) => {
      const { v, s } = arrays(vm, vm.stack[b]!);
      if (!canManage() || !active(v)) return 0;
      write(v, 0, [limitOf(v), v.data[LIMIT]!, ACTIVE]);
      clearSession(s);
      return 1;
    },
    'setTryLimit(B)Z': (vm: Vm, b: number) => {
      const { v } = arrays(vm, vm.stack[b]!);
      const limit = vm.stack[b + 1]!;
      if (!canManage() || limit < 1) return 0;
      // The counter starts again at the new limit, unless the CVM is blocked.
      write(v, 0, [active(v) && blocked(v) ? v.data[TRIES]! : limit, limit]);
      return 1;
    },
    'verify([BSBB)S': (vm: Vm, b: number) => {
      const { v, s } = arrays(vm, vm.stack[b]!);
      const buf = array(vm, vm.stack[b + 1]!), off = vm.stack[b + 2]!, len = vm.stack[b + 3]!;
      checkRange(vm, buf, off, Math.max(len, 0));
      s.data[1] = 0;
      if (!active(v) || blocked(v)) return CVM_FAILURE;
      s.data[0] = 1;
      const given = cvmCanonical(bytesOf(vm, vm.stack[b + 1]!, off, Math.max(len, 0)), vm.stack[b + 4]!);
      // Before the comparison, outside any transaction: tearing cannot give a free try.
      write(v, TRIES, [v.data[TRIES]! - 1], false);
      const g = given ?? { kind: -1, bytes: new Uint8Array(0) };
      const same = secretEquals(v.data, VALUE, v.data[LEN]!, g.bytes, 0, g.bytes.length, CVM_MAX) && g.kind === v.data[KIND];
      if (!same) return CVM_FAILURE;
      write(v, TRIES, [limitOf(v)], false);
      s.data[1] = 1;
      return CVM_SUCCESS;
    },
  };

  /** The handle of the global CVM object of class `cls`, made on first use. */
  const object = (cls: () => VmClass): number => {
    let h = rt.namedObjects.get(NAME);
    if (h === undefined) {
      const value = rt.jcreObject(() => rt.heap.newArray(Kind.ByteArray, VALUE + CVM_MAX, JCRE_CONTEXT));
      const session = rt.jcreObject(() => rt.heap.newArray(Kind.ByteArray, 2, JCRE_CONTEXT, null, Transience.ClearOnReset));
      rt.transients.push(session);
      h = rt.jcreObject(() => rt.heap.newInstance(cls(), JCRE_CONTEXT));
      const o = rt.heap.get(h)!;
      o.global = true; // a permanent JCRE entry point
      o.native = { value, session } satisfies CvmState;
      rt.namedObjects.set(NAME, h);
    }
    return h;
  };
  return { natives, object };
}
