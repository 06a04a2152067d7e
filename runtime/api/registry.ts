// The Java Card API packages the card provides, built from the export-file facts
// (facts.json, generated from ../shared/api) and bound to native implementations by
// name and descriptor. Class and method tokens come only from the facts, so a CAP file
// produced by Oracle's converter links against these exactly as it would on a card.

import { readFileSync } from 'node:fs';
import { fromHex, hex } from '../../loader/bytes.ts';
import type { ExportedPackage, PackageResolver } from '../../loader/link.ts';
import { RetKind, VmClass, VmMethod, VmPackage, type NativeFn } from '../../vm/types.ts';

interface FactsClass {
  token: number;
  name: string;
  flags: string;
  supers: string[];
  interfaces: string[];
  fields: [number, string, string, string][];
  methods: [number, string, string, string][];
}
interface FactsPackage {
  name: string;
  aid: string;
  version: string;
  classes: FactsClass[];
}

let factsCache: FactsPackage[] | null = null;
function facts(): FactsPackage[] {
  factsCache ??= (JSON.parse(readFileSync(new URL('./facts.json', import.meta.url), 'utf8')) as { packages: FactsPackage[] }).packages;
  return factsCache;
}

/** Natives keyed "javacard/framework/Util.arrayCopy([BS[BSS)S". */
export type NativeTable = Record<string, NativeFn>;

/** Argument words of a method descriptor (int = 2 words, everything else 1). */
export function argWords(desc: string): number {
  let words = 0;
  for (let i = 1; desc[i] !== ')'; i++) {
    const c = desc[i]!;
    if (c === '[') continue;
    if (c === 'L') i = desc.indexOf(';', i);
    words += c === 'I' && desc[i - 1] !== '[' ? 2 : 1;
  }
  return words;
}

export function retKind(desc: string): RetKind {
  const r = desc.slice(desc.indexOf(')') + 1);
  return r === 'V' ? RetKind.Void : r === 'I' ? RetKind.Int : RetKind.Word;
}

export class ApiPackage implements ExportedPackage {
  readonly byToken: VmClass[] = [];
  constructor(readonly pkg: VmPackage) {}
  classByToken(token: number): VmClass | undefined {
    return this.byToken[token];
  }
  staticMethod(classToken: number, token: number): VmMethod | undefined {
    return this.byToken[classToken]?.statics[token];
  }
  staticField(): undefined {
    return undefined; // the API exports only compile-time constants, which the converter inlines
  }
}

/** A method with no native: calling it is a host-side gap, reported as such. */
export class MissingNative extends Error {
  constructor(readonly method: string) {
    super(`native method not implemented: ${method}`);
    this.name = 'MissingNative';
  }
}

export class ApiRegistry implements PackageResolver {
  readonly packages = new Map<string, ApiPackage>();
  readonly classes = new Map<string, VmClass>();
  /** Native keys that matched no API method (typos in a native table show up here). */
  readonly unmatchedNatives: string[];
  private readonly methodsByKey = new Map<string, VmMethod>();

  constructor(natives: NativeTable) {
    const used = new Set<string>();
    const all = facts();
    const factsByClass = new Map<VmClass, FactsClass>();
    for (const p of all) {
      const [major, minor] = p.version.split('.').map(Number) as [number, number];
      const pkg = new VmPackage(p.name, fromHex(p.aid), major, minor);
      pkg.intSupport = true;
      const api = new ApiPackage(pkg);
      for (const c of p.classes) {
        const cls = new VmClass(c.name, pkg, c.token);
        cls.isInterface = c.flags.includes('interface');
        cls.isAbstract = c.flags.includes('abstract');
        cls.isShareable = c.flags.includes('shareable');
        api.byToken[c.token] = cls;
        pkg.classes.push(cls);
        this.classes.set(c.name, cls);
        factsByClass.set(cls, c);
      }
      this.packages.set(p.aid.toUpperCase(), api);
    }
    // Supers and interfaces by name; then methods, superclasses first so tables inherit.
    for (const [cls, c] of factsByClass) {
      const sup = c.supers.length ? c.supers[c.supers.length - 1]! : null;
      cls.superClass = sup ? this.classes.get(sup) ?? null : null;
      cls.interfaces = c.interfaces.map((n) => this.classes.get(n)).filter((x): x is VmClass => !!x);
    }
    const done = new Set<VmClass>();
    const build = (cls: VmClass): void => {
      if (done.has(cls)) return;
      done.add(cls);
      const c = factsByClass.get(cls)!;
      if (cls.superClass) build(cls.superClass);
      for (const i of cls.interfaces) build(i);
      cls.vtable = cls.superClass ? cls.superClass.vtable.slice() : [];
      cls.interfaces = [...new Set([...(cls.superClass?.interfaces ?? []), ...cls.interfaces.flatMap((i) => [i, ...i.interfaces])])];
      for (const [token, name, desc, flags] of c.methods) {
        const isStatic = flags.includes('static') || name === '<init>';
        const m = new VmMethod(name + desc, cls);
        m.isStatic = flags.includes('static');
        m.nargs = argWords(desc) + (m.isStatic ? 0 : 1);
        m.ret = retKind(desc);
        const key = `${cls.name}.${name}${desc}`;
        this.methodsByKey.set(key, m);
        const nat = natives[key];
        if (nat) {
          m.native = nat;
          used.add(key);
        } else if (flags.includes('abstract')) {
          m.isAbstract = true;
        } else if (name === '<init>' && desc === '()V') {
          m.native = () => undefined; // constructors with nothing to set up
        } else {
          m.native = () => {
            throw new MissingNative(key);
          };
        }
        if (isStatic) cls.statics[token] = m;
        else cls.vtable[token] = m;
      }
      cls.instanceCells = 0; // API objects keep their state natively (HeapObject.native)
    };
    for (const cls of factsByClass.keys()) build(cls);
    // Interface dispatch for API classes implementing API interfaces: match by name + descriptor.
    for (const cls of factsByClass.keys()) {
      if (cls.isInterface) continue;
      for (const iface of cls.interfaces) {
        const ic = factsByClass.get(iface)!;
        const map: number[] = [];
        for (const [itoken, name, desc] of ic.methods) {
          const own = findVirtual(cls, factsByClass, name, desc);
          if (own !== undefined) map[itoken] = own;
        }
        cls.itables.set(iface, map);
      }
    }
    this.unmatchedNatives = Object.keys(natives).filter((k) => !used.has(k));
  }

  /** Bind more natives after construction (for natives that need the registry to exist). */
  bind(natives: NativeTable): void {
    for (const [key, fn] of Object.entries(natives)) {
      const m = this.methodsByKey.get(key);
      if (!m) throw new Error(`native ${key} matches no method of the API export facts`);
      m.native = fn;
      m.isAbstract = false;
    }
  }

  findPackage(aid: Uint8Array): ApiPackage | undefined {
    return this.packages.get(hex(aid));
  }

  cls(name: string): VmClass {
    const c = this.classes.get(name);
    if (!c) throw new Error(`API class ${name} is not in the export facts`);
    return c;
  }

  /**
   * A concrete class the card uses behind an abstract API class (MessageDigest.getInstance
   * returns one): its virtual methods are the given natives, keyed by name and descriptor.
   */
  defineImplementation(abstractName: string, implName: string, natives: Record<string, NativeFn>): VmClass {
    const base = this.cls(abstractName);
    const impl = new VmClass(implName, base.pkg, -1);
    impl.superClass = base;
    impl.interfaces = base.interfaces.slice();
    impl.itables = new Map(base.itables);
    impl.vtable = base.vtable.map((m) => {
      if (!m) return m;
      const nat = natives[m.name];
      if (!nat) return m;
      const own = new VmMethod(m.name, impl);
      own.nargs = m.nargs;
      own.ret = m.ret;
      own.native = nat;
      return own;
    });
    const missing = Object.keys(natives).filter((k) => !impl.vtable.some((m) => m?.owner === impl && m.name === k));
    if (missing.length) throw new Error(`${implName}: no virtual method ${missing.join(', ')} in ${abstractName}`);
    this.classes.set(implName, impl);
    return impl;
  }

  /** A virtual method of an API class by name and descriptor. */
  virtual(className: string, nameAndDesc: string): VmMethod {
    const cls = this.cls(className);
    const m = cls.vtable.find((x) => x?.name === nameAndDesc);
    if (!m) throw new Error(`API method ${className}.${nameAndDesc} is not in the export facts`);
    return m;
  }
}

function findVirtual(cls: VmClass, facts: Map<VmClass, FactsClass>, name: string, desc: string): number | undefined {
  for (let c: VmClass | null = cls; c; c = c.superClass) {
    const hit = facts.get(c)?.methods.find(([, n, d, f]) => n === name && d === desc && !f.includes('static'));
    if (hit) return hit[0];
  }
  return undefined;
}
