// Concrete classes the card uses behind the API's key interfaces (AESKey, ECPrivateKey...).
// ApiRegistry.defineImplementation derives from an abstract class; a key is an object of a
// hidden class that extends java.lang.Object and implements the interfaces, with an itable
// per interface that maps the interface's method tokens to this class's virtual tokens
// (JCVM 6.8.x: interface method tables), so invokeinterface, checkcast and instanceof work.

import { RetKind, VmClass, VmMethod, type NativeFn } from '../../../vm/types.ts';
import { argWords, retKind, type ApiRegistry } from '../registry.ts';

/** Natives keyed by name + descriptor, e.g. 'setKey([BS)V'. */
export type MethodNatives = Record<string, NativeFn>;

/**
 * A class extending java.lang.Object that implements `interfaceNames` (with all their
 * superinterfaces) by the given natives. Every method of every interface must have a native.
 */
export function defineKeyClass(api: ApiRegistry, implName: string, interfaceNames: string[], natives: MethodNatives): VmClass {
  const object = api.cls('java/lang/Object');
  const direct = interfaceNames.map((n) => api.cls(n));
  const all: VmClass[] = [];
  for (const i of direct) for (const x of [i, ...i.interfaces]) if (!all.includes(x)) all.push(x);
  const impl = new VmClass(implName, object.pkg, -1);
  impl.superClass = object;
  impl.interfaces = all;
  impl.vtable = object.vtable.slice();
  const tokenOf = new Map<string, number>();
  for (const iface of all) {
    const map: number[] = [];
    iface.vtable.forEach((m, itoken) => {
      if (!m) return;
      let token = tokenOf.get(m.name);
      if (token === undefined) {
        const nat = natives[m.name];
        if (!nat) throw new Error(`${implName}: no native for ${iface.name}.${m.name}`);
        token = impl.vtable.length;
        const own = new VmMethod(m.name, impl);
        own.nargs = argWords(m.name.slice(m.name.indexOf('('))) + 1;
        own.ret = retKind(m.name);
        own.native = nat;
        impl.vtable.push(own);
        tokenOf.set(m.name, token);
      }
      map[itoken] = token;
    });
    impl.itables.set(iface, map);
  }
  const unused = Object.keys(natives).filter((k) => !tokenOf.has(k));
  if (unused.length) throw new Error(`${implName}: natives ${unused.join(', ')} match no interface method`);
  impl.instanceCells = 0;
  api.classes.set(implName, impl);
  return impl;
}

export { RetKind };
