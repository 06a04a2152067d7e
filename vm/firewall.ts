// The applet firewall's slow paths (JCRE specification 3.0.5, chapter 6; the access rules are
// 6.2.8). Every object access in the interpreter and in compiled code first compares the
// object's owner with the active context (`o.owner === ctx`, one comparison); only when they
// differ does it call one of these, which allow what the rules allow (the JCRE context, entry
// point objects, global arrays, shareable interfaces) and throw SecurityException otherwise.
//
// Entry point objects and global arrays are the objects with `HeapObject.global` set: a JCRE
// entry point object when it is an instance (6.2.1: the APDU object and the JCRE's exception
// objects are temporary ones, its AID objects permanent ones; the host says which is which), a
// global array when it is an array (6.2.2: the APDU buffer, install's bArray,
// JCSystem.makeGlobalArray). Temporary entry points and global arrays cannot be stored in a
// field, an array or a static field (6.2.8.1-3).
//
// CLEAR_ON_DESELECT arrays (JCRE 6.1.6) are usable only while the active context is the
// selected applet's. Field and array bytecodes compare the owner with `Vm.accessContext`, which
// is the active context except in an applet context that is not the selected applet's, where
// it is -1: there every field and array access comes here, and its own objects pass unless
// they are CLEAR_ON_DESELECT arrays. The selected applet's context (every APDU's) pays nothing.

import { SysEx } from './errors.ts';
import type { Vm } from './interpreter.ts';
import { Kind, Transience, type HeapObject, type VmClass } from './types.ts';

/** The JCRE's context: it may access every object (6.2.3). */
export const JCRE_CONTEXT = 0;

/**
 * An object of the active context outside the selected applet's context (reached only there,
 * `Vm.accessContext`): usable unless it is a CLEAR_ON_DESELECT array (6.1.6).
 */
function ownObject(vm: Vm, o: HeapObject): boolean {
  return o.owner === vm.context && (o.transience !== Transience.ClearOnDeselect || vm.context === vm.selectedContext);
}

/**
 * 6.2.8.3 getfield / putfield (all forms) on an object another context owns: only the JCRE
 * may. (A field load on one's own CLEAR_ON_DESELECT array, which only hostile code makes, is
 * refused as the array's own loads are.)
 */
export function fieldAccess(vm: Vm, o: HeapObject): void {
  if (vm.context !== JCRE_CONTEXT && !ownObject(vm, o)) vm.throwSys(SysEx.Security);
}

/** 6.2.8.2 array loads and stores, arraylength: the JCRE, or any context for a global array. */
export function arrayAccess(vm: Vm, o: HeapObject): void {
  if (vm.context !== JCRE_CONTEXT && !(o.global && o.kind !== Kind.Instance) && !ownObject(vm, o)) vm.throwSys(SysEx.Security);
}

/**
 * An object a native was given (natives run in their caller's context; `Vm.deref`): the JCRE,
 * entry point objects and global arrays, else the active context's own objects (6.2.8).
 */
export function nativeAccess(vm: Vm, o: HeapObject): void {
  if (vm.context !== JCRE_CONTEXT && !o.global && !ownObject(vm, o)) vm.throwSys(SysEx.Security);
}

/**
 * A reference about to be stored in a field, an array element or a static field (putfield_a,
 * aastore, putstatic_a), `v` not null. SecurityException for a temporary JCRE entry point or a
 * global array outside the JCRE context (6.2.8.1-3), and for a number that names no object
 * (only hostile code holds one: a verified program's references are objects or null).
 */
export function storeReference(vm: Vm, v: number): void {
  const o = vm.heap.objects[v];
  if (o === undefined) return vm.throwSys(SysEx.Security);
  if (o.global && vm.context !== JCRE_CONTEXT && !vm.host.isPermanentEntryPoint(o)) vm.throwSys(SysEx.Security);
}

/**
 * invokevirtual / invokeinterface on an object another context owns (6.2.8.4-6, 6.2.8.9).
 * Returns the context the method runs in, or throws SecurityException:
 *  - the JCRE may call anything; the method runs in the object's context;
 *  - invokevirtual of an entry point object's (or a global array's) method: in the JCRE's;
 *  - invokeinterface of a Shareable interface's method on an object whose class implements
 *    a Shareable interface: in the object's context.
 * `iface` is the interface invokeinterface names, null for invokevirtual.
 */
export function invokeContext(vm: Vm, o: HeapObject, iface: VmClass | null): number {
  if (vm.context === JCRE_CONTEXT) return o.owner;
  if (iface === null) {
    if (o.global) return JCRE_CONTEXT;
  } else if (iface.isShareable && o.kind === Kind.Instance && o.cls!.isShareable) {
    return o.owner;
  }
  return vm.throwSys(SysEx.Security);
}

/**
 * invokespecial (a constructor, a private or a super method) on an object another context
 * owns: only the JCRE may, and the method runs in the JCRE's context (the specification
 * lists no context switch for invokespecial; converter output only invokes it on `this` or
 * on an object just made).
 */
export function specialAccess(vm: Vm): void {
  if (vm.context !== JCRE_CONTEXT) vm.throwSys(SysEx.Security);
}

/** 6.2.8.7 athrow of an object another context owns: a JCRE entry point object, or from the JCRE. */
export function throwAccess(vm: Vm, o: HeapObject): void {
  if (vm.context !== JCRE_CONTEXT && !o.global) vm.throwSys(SysEx.Security);
}

/**
 * 6.2.8.8 and 6.2.8.2 checkcast / instanceof of an object another context owns: from the
 * JCRE, of an entry point object or a global array, or of an object whose class implements a
 * Shareable interface to an interface that extends Shareable.
 */
export function castAccess(vm: Vm, o: HeapObject, kind: Kind, cls: VmClass | null): void {
  if (vm.context === JCRE_CONTEXT || o.global) return;
  if (kind === Kind.Instance && o.kind === Kind.Instance && cls !== null && cls.isInterface && cls.isShareable && o.cls!.isShareable) return;
  vm.throwSys(SysEx.Security);
}
