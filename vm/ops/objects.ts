// Type tests and interface dispatch (JCVM 7.5 checkcast, instanceof, invokeinterface).

import { SysEx, VmCrash } from '../errors.ts';
import type { Vm } from '../interpreter.ts';
import { Kind, type HeapObject, type VmClass, type VmMethod, type VmPackage } from '../types.ts';

/** checkcast/instanceof atype operand to an object kind (0 = class or interface, 14 = array of it). */
export function arrayTypeOf(atype: number): Kind {
  if (atype === 0) return Kind.Instance;
  if (atype >= 10 && atype <= 14) return atype as Kind;
  throw new VmCrash(`bad checkcast/instanceof type ${atype}`);
}

function isObjectClass(c: VmClass): boolean {
  return c.superClass === null && !c.isInterface;
}

/** Whether `obj` can be assigned to the type (kind, cls): the JCVM's instanceof rules. */
export function instanceOf(_vm: Vm, obj: HeapObject, kind: Kind, cls: VmClass | null): boolean {
  if (kind === Kind.Instance) {
    if (obj.kind === Kind.Instance) return obj.cls!.isSubclassOf(cls!);
    return isObjectClass(cls!); // an array is an Object and nothing else among classes
  }
  if (obj.kind !== kind) return false;
  if (kind !== Kind.RefArray) return true;
  // Reference arrays: covariant in the element type; Object[] (cls null) only fits Object[].
  if (isObjectClass(cls!)) return true;
  return obj.cls !== null && obj.cls.isSubclassOf(cls!);
}

export function checkCast(vm: Vm, obj: HeapObject, kind: Kind, cls: VmClass | null): void {
  if (!instanceOf(vm, obj, kind, cls)) vm.throwSys(SysEx.ClassCast);
}

/**
 * The method invokeinterface calls: interface method token -> the class's virtual method.
 * `nargs` is the instruction's argument count: one that is not the method's (hostile code;
 * the callee's frame would take words of the caller's) is a SecurityException.
 */
export function interfaceTarget(vm: Vm, recv: HeapObject, iface: VmClass, token: number, nargs: number): VmMethod {
  if (recv.kind === Kind.Instance) {
    for (let c: VmClass | null = recv.cls; c; c = c.superClass) {
      const map = c.itables.get(iface);
      if (map !== undefined) {
        const virtualToken = map[token];
        if (virtualToken === undefined) break;
        const target = recv.cls!.vtable[virtualToken];
        if (target !== undefined && target.nargs === nargs) return target;
        break;
      }
    }
  }
  // The verifier would have refused this; on a card it is a security violation.
  return vm.throwSys(SysEx.Security);
}

/**
 * A package-visible virtual method (token with the high bit set): such tokens mean something
 * only inside one package, so the lookup starts at the first class of that package.
 */
export function packageVirtual(cls: VmClass, token: number, pkg: VmPackage): VmMethod | undefined {
  let c: VmClass | null = cls;
  while (c && c.pkg !== pkg) c = c.superClass;
  return c?.ptable[token & 0x7f];
}
