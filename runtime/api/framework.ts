// Natives of java.lang and javacard.framework (Java Card 3.1 API specification), keyed by
// class, name and descriptor. Each reads its arguments from the VM stack (args(i)) and
// returns its result; errors are the API's exceptions, thrown as the JCRE-owned instances.

import { SysEx, SystemReason } from '../../vm/errors.ts';
import type { Vm } from '../../vm/interpreter.ts';
import { Kind, Transience, type HeapObject, type NativeFn } from '../../vm/types.ts';
import type { AidState, Jcre } from '../jcre.ts';
import { apduNatives } from './apdu.ts';
import { equalBytes } from '../../loader/bytes.ts';
import { array, bytesOf, checkRange, FW } from './common.ts';
import type { NativeTable } from './registry.ts';
import { secretEquals } from '../constant-time.ts';

/** Exception classes with the CardException-style reason API: throwIt, <init>(S), get/setReason. */
const REASON_EXCEPTIONS = [
  `${FW}/CardException`,
  `${FW}/CardRuntimeException`,
  `${FW}/ISOException`,
  `${FW}/PINException`,
  `${FW}/APDUException`,
  `${FW}/SystemException`,
  `${FW}/TransactionException`,
  `${FW}/UserException`,
  'javacard/security/CryptoException',
  'javacard/framework/service/ServiceException',
];

export const TransactionReason = { IN_PROGRESS: 1, NOT_IN_PROGRESS: 2, BUFFER_FULL: 3, INTERNAL_FAILURE: 4 } as const;

export function frameworkNatives(rt: Jcre): NativeTable {
  const t: NativeTable = {};
  const def = (key: string, fn: NativeFn): void => {
    t[key] = fn;
  };

  // java.lang.Object
  def('java/lang/Object.equals(Ljava/lang/Object;)Z', (vm, b) => (vm.stack[b] === vm.stack[b + 1] ? 1 : 0));

  // Exceptions with reasons. throwIt uses the JCRE-owned instance (JCRE 6.2.1: temporary entry points).
  for (const cls of REASON_EXCEPTIONS) {
    def(`${cls}.throwIt(S)V`, (vm, b) => rt.throwException(cls, vm.stack[b]!));
    def(`${cls}.<init>(S)V`, (vm, b) => {
      vm.deref(vm.stack[b]!).native = vm.stack[b + 1]!;
    });
    def(`${cls}.getReason()S`, (vm, b) => (vm.deref(vm.stack[b]!).native as number | null) ?? 0);
    def(`${cls}.setReason(S)V`, (vm, b) => {
      vm.deref(vm.stack[b]!).native = vm.stack[b + 1]!;
    });
  }
  def(`${FW}/UserException.<init>()V`, (vm, b) => {
    vm.deref(vm.stack[b]!).native = 0;
  });

  // Applet
  def(`${FW}/Applet.register()V`, (vm, b) => {
    const ins = rt.installing;
    if (!ins) rt.throwException(`${FW}/SystemException`, SystemReason.ILLEGAL_USE);
    rt.register(vm.stack[b]!, ins.classAid);
  });
  def(`${FW}/Applet.register([BSB)V`, (vm, b) => {
    const len = vm.stack[b + 3]!;
    const o = array(vm, vm.stack[b + 1]!);
    const off = vm.stack[b + 2]!;
    if (len < 5 || len > 16) rt.throwException(`${FW}/SystemException`, SystemReason.ILLEGAL_VALUE);
    checkRange(vm, o, off, len);
    rt.register(vm.stack[b]!, bytesOf(vm, vm.stack[b + 1]!, off, len));
  });
  def(`${FW}/Applet.selectingApplet()Z`, () => (rt.selectingApplet ? 1 : 0));
  def(`${FW}/Applet.select()Z`, () => 1);
  def(`${FW}/Applet.deselect()V`, () => undefined);
  def(`${FW}/Applet.getShareableInterfaceObject(L${FW}/AID;B)L${FW}/Shareable;`, () => 0);
  def(`${FW}/Applet.reSelectingApplet()Z`, () => 0);

  // AID (JCRE-owned instances for applets; applets may also make their own).
  // An AID keeps its bytes in a byte array of card memory (its state names the array).
  const aidBytes = (vm: Vm, h: number): Uint8Array => rt.aidBytes(vm.deref(h)) ?? new Uint8Array(0);
  def(`${FW}/AID.<init>([BSB)V`, (vm, b) => {
    const len = vm.stack[b + 3]!;
    const bytes = bytesOf(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, Math.max(len, 0));
    if (len < 5 || len > 16) rt.throwException(`${FW}/SystemException`, SystemReason.ILLEGAL_VALUE);
    const arr = vm.newArray(Kind.ByteArray, len, null);
    (vm.deref(arr).data as Int8Array).set(new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    vm.deref(vm.stack[b]!).native = { bytes: arr } satisfies AidState;
  });
  def(`${FW}/AID.equals(Ljava/lang/Object;)Z`, (vm, b) => {
    const other = rt.aidBytes(rt.heap.get(vm.stack[b + 1]!));
    if (!other) return 0;
    return equalBytes(aidBytes(vm, vm.stack[b]!), other) ? 1 : 0;
  });
  def(`${FW}/AID.equals([BSB)Z`, (vm, b) => {
    if (vm.stack[b + 1] === 0) return 0;
    const len = vm.stack[b + 3]!;
    const mine = aidBytes(vm, vm.stack[b]!);
    if (len !== mine.length) return 0;
    return equalBytes(mine, bytesOf(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, len)) ? 1 : 0;
  });
  def(`${FW}/AID.partialEquals([BSB)Z`, (vm, b) => {
    if (vm.stack[b + 1] === 0) return 0;
    const len = vm.stack[b + 3]!;
    const mine = aidBytes(vm, vm.stack[b]!);
    if (len > mine.length) return 0;
    return equalBytes(mine.subarray(0, len), bytesOf(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, len)) ? 1 : 0;
  });
  def(`${FW}/AID.RIDEquals(L${FW}/AID;)Z`, (vm, b) => {
    const other = aidBytes(vm, vm.stack[b + 1]!);
    return equalBytes(aidBytes(vm, vm.stack[b]!).subarray(0, 5), other.subarray(0, 5)) ? 1 : 0;
  });
  def(`${FW}/AID.getBytes([BS)B`, (vm, b) => {
    const mine = aidBytes(vm, vm.stack[b]!);
    const dest = array(vm, vm.stack[b + 1]!), off = vm.stack[b + 2]!;
    checkRange(vm, dest, off, mine.length);
    dest.data.set(mine as unknown as Int8Array, off);
    return mine.length;
  });
  def(`${FW}/AID.getPartialBytes(S[BSB)B`, (vm, b) => {
    const mine = aidBytes(vm, vm.stack[b]!);
    const from = vm.stack[b + 1]!, dest = array(vm, vm.stack[b + 2]!), off = vm.stack[b + 3]!;
    let len = vm.stack[b + 4]!;
    if (from < 0 || from > mine.length) vm.throwSys(SysEx.ArrayIndexOutOfBounds);
    if (len === 0) len = mine.length - from;
    len = Math.min(len, mine.length - from);
    checkRange(vm, dest, off, len);
    dest.data.set(mine.subarray(from, from + len) as unknown as Int8Array, off);
    return len;
  });

  // Util (javacard.framework.Util)
  // Util's writes into persistent arrays go through the memory's barrier like bytecode stores:
  // arrayCopy and arrayFill are atomic (journalled, inside a transaction or on their own);
  // the NonAtomic forms are never journalled, even inside a transaction (API spec, Util).
  const copy = (atomic: boolean) => (vm: Vm, b: number): number => {
    const src = array(vm, vm.stack[b]!), srcOff = vm.stack[b + 1]!;
    const dst = array(vm, vm.stack[b + 2]!), dstOff = vm.stack[b + 3]!, len = vm.stack[b + 4]!;
    checkRange(vm, src, srcOff, len);
    checkRange(vm, dst, dstOff, len);
    rt.persistentWrite(dst, dstOff, len, atomic, () => dst.data.set(src.data.subarray(srcOff, srcOff + len), dstOff));
    return (dstOff + len) << 16 >> 16;
  };
  def(`${FW}/Util.arrayCopy([BS[BSS)S`, copy(true));
  def(`${FW}/Util.arrayCopyNonAtomic([BS[BSS)S`, copy(false));
  const fill = (atomic: boolean) => (vm: Vm, b: number): number => {
    const a = array(vm, vm.stack[b]!), off = vm.stack[b + 1]!, len = vm.stack[b + 2]!;
    checkRange(vm, a, off, len);
    rt.persistentWrite(a, off, len, atomic, () => a.data.fill(vm.stack[b + 3]!, off, off + len));
    return (off + len) << 16 >> 16;
  };
  def(`${FW}/Util.arrayFill([BSSB)S`, fill(true));
  def(`${FW}/Util.arrayFillNonAtomic([BSSB)S`, fill(false));
  def(`${FW}/Util.arrayCompare([BS[BSS)B`, (vm, b) => {
    const src = array(vm, vm.stack[b]!), srcOff = vm.stack[b + 1]!;
    const dst = array(vm, vm.stack[b + 2]!), dstOff = vm.stack[b + 3]!, len = vm.stack[b + 4]!;
    checkRange(vm, src, srcOff, len);
    checkRange(vm, dst, dstOff, len);
    // Bytes compare as signed values, as Oracle's reference implementation does (corpus README).
    for (let i = 0; i < len; i++) {
      const x = src.data[srcOff + i]!, y = dst.data[dstOff + i]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
  def(`${FW}/Util.makeShort(BB)S`, (vm, b) => ((vm.stack[b]! << 8) | (vm.stack[b + 1]! & 0xff)) << 16 >> 16);
  def(`${FW}/Util.getShort([BS)S`, (vm, b) => {
    const a = array(vm, vm.stack[b]!), off = vm.stack[b + 1]!;
    checkRange(vm, a, off, 2);
    return ((a.data[off]! << 8) | (a.data[off + 1]! & 0xff)) << 16 >> 16;
  });
  def(`${FW}/Util.setShort([BSS)S`, (vm, b) => {
    const a = array(vm, vm.stack[b]!), off = vm.stack[b + 1]!, v = vm.stack[b + 2]!;
    checkRange(vm, a, off, 2);
    rt.persistentWrite(a, off, 2, true, () => {
      a.data[off] = v >> 8;
      a.data[off + 1] = v;
    });
    return (off + 2) << 16 >> 16;
  });

  // JCSystem
  const JCS = `${FW}/JCSystem`;
  const transientArray = (kind: Kind) => (vm: Vm, b: number): number => {
    const len = vm.stack[b]!, event = vm.stack[b + 1]!;
    if (event !== Transience.ClearOnReset && event !== Transience.ClearOnDeselect) rt.throwException(`${FW}/SystemException`, SystemReason.ILLEGAL_VALUE);
    // JCRE 6.1.6: CLEAR_ON_DESELECT arrays are made only in the selected applet's context.
    if (event === Transience.ClearOnDeselect && vm.context !== vm.selectedContext) rt.throwException(`${FW}/SystemException`, SystemReason.ILLEGAL_TRANSIENT);
    if (len < 0) vm.throwSys(SysEx.NegativeArraySize);
    const h = vm.newArray(kind, len, null, event as Transience);
    rt.transients.push(h);
    return h;
  };
  def(`${JCS}.makeTransientByteArray(SB)[B`, transientArray(Kind.ByteArray));
  def(`${JCS}.makeTransientBooleanArray(SB)[Z`, transientArray(Kind.BooleanArray));
  def(`${JCS}.makeTransientShortArray(SB)[S`, transientArray(Kind.ShortArray));
  def(`${JCS}.makeTransientObjectArray(SB)[Ljava/lang/Object;`, transientArray(Kind.RefArray));
  def(`${JCS}.isTransient(Ljava/lang/Object;)B`, (vm, b) => rt.heap.get(vm.stack[b]!)?.transience ?? 0);
  def(`${JCS}.getAID()L${FW}/AID;`, () => rt.currentApplet()?.aidHandle ?? 0);
  def(`${JCS}.lookupAID([BSB)L${FW}/AID;`, (vm, b) => {
    const bytes = bytesOf(vm, vm.stack[b]!, vm.stack[b + 1]!, Math.max(vm.stack[b + 2]!, 0));
    return rt.instanceByAid(bytes)?.aidHandle ?? 0;
  });
  def(`${JCS}.getVersion()S`, () => 0x0301); // Java Card 3.1
  def(`${JCS}.getPreviousContextAID()L${FW}/AID;`, () => rt.previousApplet()?.aidHandle ?? 0);
  def(`${JCS}.getAppletShareableInterfaceObject(L${FW}/AID;B)L${FW}/Shareable;`, (vm, b) => {
    const aid = rt.aidBytes(vm.deref(vm.stack[b]!));
    return aid ? rt.shareableInterfaceObject(aid, vm.stack[b + 1]!) : 0;
  });
  // JCSystem.makeGlobalArray (3.0.5): a CLEAR_ON_RESET array of the JCRE's that every context
  // may access and none may store (JCRE 6.2.2). Types: ARRAY_TYPE_BOOLEAN 1 .. ARRAY_TYPE_OBJECT 5.
  def(`${JCS}.makeGlobalArray(BS)Ljava/lang/Object;`, (vm, b) => {
    const type = vm.stack[b]!, len = vm.stack[b + 1]!;
    const kind = [0, Kind.BooleanArray, Kind.ByteArray, Kind.ShortArray, Kind.IntArray, Kind.RefArray][type];
    if (kind === undefined || type < 1) rt.throwException(`${FW}/SystemException`, SystemReason.ILLEGAL_VALUE);
    if (len < 0) vm.throwSys(SysEx.NegativeArraySize);
    const h = vm.inContext(0, vm.applet, () => vm.newArray(kind, len, null, Transience.ClearOnReset));
    rt.heap.get(h)!.global = true;
    rt.transients.push(h);
    return h;
  });
  def(`${JCS}.isObjectDeletionSupported()Z`, () => 1);
  def(`${JCS}.requestObjectDeletion()V`, () => {
    rt.deletionRequested = true;
  });
  def(`${JCS}.getAssignedChannel()B`, () => rt.currentChannel);
  def(`${JCS}.isAppletActive(L${FW}/AID;)Z`, (vm, b) => {
    const aid = aidBytes(vm, vm.stack[b]!);
    const inst = rt.instanceByAid(aid);
    return inst && rt.isActive(inst) ? 1 : 0;
  });
  def(`${JCS}.getAvailableMemory(B)S`, (vm, b) => {
    const type = vm.stack[b]!;
    if (type < 0 || type > 2) rt.throwException(`${FW}/SystemException`, SystemReason.ILLEGAL_VALUE);
    // MEMORY_TYPE_PERSISTENT 0; the two transient kinds share the card's RAM. Capped at 32767.
    return Math.min(type === 0 ? rt.memory.eeprom.largestFree : rt.memory.ram.largestFree, 0x7fff);
  });
  // Transactions (JCRE 7) over the commit buffer of the persistent memory image.
  def(`${JCS}.beginTransaction()V`, () => {
    if (rt.transactionDepth) rt.throwException(`${FW}/TransactionException`, TransactionReason.IN_PROGRESS);
    rt.beginTransaction();
  });
  def(`${JCS}.commitTransaction()V`, () => {
    if (!rt.transactionDepth) rt.throwException(`${FW}/TransactionException`, TransactionReason.NOT_IN_PROGRESS);
    rt.commitTransaction();
  });
  def(`${JCS}.abortTransaction()V`, () => {
    if (!rt.transactionDepth) rt.throwException(`${FW}/TransactionException`, TransactionReason.NOT_IN_PROGRESS);
    rt.abortTransaction();
  });
  def(`${JCS}.getTransactionDepth()B`, () => rt.transactionDepth);
  def(`${JCS}.getMaxCommitCapacity()S`, () => Math.min(rt.memory.eeprom.journalCapacity, 0x7fff));
  def(`${JCS}.getUnusedCommitCapacity()S`, () =>
    Math.min(rt.memory.eeprom.journalCapacity - (rt.transactionDepth ? rt.memory.eeprom.journalUsed : 0), 0x7fff));

  // OwnerPIN. Its state is card memory: the try counter, the PIN's length and bytes in a
  // persistent byte array of the PIN's owner (so a power loss cannot give a free try: the
  // counter is written before the comparison), the validated flag in a CLEAR_ON_RESET array
  // (API spec: the flag does not survive a reset). The try counter is written outside any
  // transaction (API spec, OwnerPIN.check: it is not rolled back by an abort).
  interface PinState { tryLimit: number; maxSize: number; value: number; flag: number }
  const PIN = `${FW}/OwnerPIN`;
  const UNSET = 0xff; // length byte of a PIN never set by update()
  const pin = (vm: Vm, b: number) => {
    const p = vm.deref(vm.stack[b]!).native as PinState;
    return { p, value: vm.deref(p.value), flag: vm.deref(p.flag) };
  };
  const setFlag = (flag: HeapObject, on: boolean): void => {
    flag.data[0] = on ? 1 : 0;
  };
  const setTries = (value: HeapObject, tries: number, atomic: boolean): void => {
    rt.persistentWrite(value, 0, 1, atomic, () => (value.data[0] = tries));
  };
  def(`${PIN}.<init>(BB)V`, (vm, b) => {
    const tryLimit = vm.stack[b + 1]!, maxSize = vm.stack[b + 2]!;
    if (tryLimit < 1 || maxSize < 1) rt.throwException(`${FW}/PINException`, 1 /* ILLEGAL_VALUE */);
    const value = vm.newArray(Kind.ByteArray, 2 + maxSize, null);
    const flag = vm.newArray(Kind.BooleanArray, 1, null, Transience.ClearOnReset);
    rt.transients.push(flag);
    const v = vm.deref(value);
    rt.persistentWrite(v, 0, 2, true, () => {
      v.data[0] = tryLimit;
      v.data[1] = UNSET;
    });
    vm.deref(vm.stack[b]!).native = { tryLimit, maxSize, value, flag } satisfies PinState;
  });
  def(`${PIN}.check([BSB)Z`, (vm, b) => {
    const { p, value, flag } = pin(vm, b);
    setFlag(flag, false);
    const tries = value.data[0]!;
    if (tries === 0) return 0;
    const len = vm.stack[b + 3]!;
    const given = bytesOf(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, Math.max(len, 0));
    setTries(value, tries - 1, false); // before the comparison: tearing cannot give a free try
    const stored = value.data[1]! & 0xff;
    // Constant time (issue 8): every byte of the PIN slot is compared, wherever a difference lies.
    if (stored !== UNSET && secretEquals(value.data, 2, stored, given, 0, len, p.maxSize)) {
      setFlag(flag, true);
      setTries(value, p.tryLimit, false);
      return 1;
    }
    return 0;
  });
  def(`${PIN}.getTriesRemaining()B`, (vm, b) => pin(vm, b).value.data[0]!);
  def(`${PIN}.isValidated()Z`, (vm, b) => pin(vm, b).flag.data[0]!);
  def(`${PIN}.getValidatedFlag()Z`, (vm, b) => pin(vm, b).flag.data[0]!);
  def(`${PIN}.setValidatedFlag(Z)V`, (vm, b) => {
    setFlag(pin(vm, b).flag, vm.stack[b + 1] !== 0);
  });
  def(`${PIN}.reset()V`, (vm, b) => {
    const { p, value, flag } = pin(vm, b);
    if (flag.data[0]) {
      setFlag(flag, false);
      setTries(value, p.tryLimit, false);
    }
  });
  def(`${PIN}.resetAndUnblock()V`, (vm, b) => {
    const { p, value, flag } = pin(vm, b);
    setFlag(flag, false);
    setTries(value, p.tryLimit, false);
  });
  def(`${PIN}.update([BSB)V`, (vm, b) => {
    const { p, value, flag } = pin(vm, b);
    const len = vm.stack[b + 3]!;
    if (len > p.maxSize || len < 0) rt.throwException(`${FW}/PINException`, 1 /* ILLEGAL_VALUE */);
    const bytes = bytesOf(vm, vm.stack[b + 1]!, vm.stack[b + 2]!, len);
    // The new value, its length and the reset counter: all or nothing.
    rt.persistentWrite(value, 0, 2 + len, true, () => {
      value.data[0] = p.tryLimit;
      value.data[1] = len;
      value.data.set(bytes as unknown as Int8Array, 2);
    });
    setFlag(flag, false);
  });

  Object.assign(t, apduNatives(rt));
  return t;
}

