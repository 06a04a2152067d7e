// Name resolution over the laid-out package: members of this package's classes to tokens
// and offsets, class names in descriptors to class_refs.

import type { DescriptorBinding } from './ast.ts';
import { JcaAssemblyError, type SourcePos } from './errors.ts';
import { classRefValue, type ClassModel, type MethodModel, type PackageModel, type StaticFieldModel } from './model.ts';
import type { ClassResolver } from './types.ts';

export class Resolver {
  /** Every `.descriptor` binding in the file, as a fallback for descriptors without one. */
  private readonly globalBindings = new Map<string, number>();

  constructor(readonly pkg: PackageModel) {
    const add = (bs: readonly DescriptorBinding[]): void => {
      for (const b of bs) this.globalBindings.set(b.descriptor.slice(1, -1), classRefValue(pkg, b.cls));
    };
    for (const e of pkg.ast.constantPool) if ('bindings' in e) add(e.bindings);
    for (const c of pkg.ast.classes) for (const m of c.methods) add(m.bindings);
  }

  fail(pos: SourcePos | undefined, detail: string): never {
    throw new JcaAssemblyError(this.pkg.fileName, pos, detail);
  }

  cls(name: string, pos: SourcePos): ClassModel {
    return this.pkg.byName.get(name) ?? this.fail(pos, `unknown class ${name}`);
  }

  superOf(c: ClassModel): ClassModel | undefined {
    const s = c.ast.superClass;
    return s?.kind === 'local' ? this.pkg.byName.get(s.name) : undefined;
  }

  /** Class names in descriptors: this package's by name, others through `.descriptor` lines. */
  classResolver(bindings: readonly DescriptorBinding[]): ClassResolver {
    const prefix = this.pkg.ast.name + '/';
    return (internal) => {
      if (internal.startsWith(prefix)) {
        const c = this.pkg.byName.get(internal.slice(prefix.length));
        if (c) return c.offset;
      }
      const b = bindings.find((x) => x.descriptor === `L${internal};`);
      if (b) return classRefValue(this.pkg, b.cls);
      return this.globalBindings.get(internal);
    };
  }

  /** Virtual method token of name+sig as seen from class c (JCVM 4.3.7.6). */
  virtualToken(c: ClassModel, name: string, sig: string, pos: SourcePos): number {
    for (let k: ClassModel | undefined = c; k; k = this.superOf(k)) {
      const pub = k.ast.publicMethodTable?.entries.findIndex((e) => e.name === name && e.sig === sig) ?? -1;
      if (pub >= 0) return pub;
      const pkgIdx = k.ast.packageMethodTable?.entries.findIndex((e) => e.name === name && e.sig === sig) ?? -1;
      if (pkgIdx >= 0) return 0x80 | pkgIdx;
      const m = k.ast.methods.find((x) => x.name === name && x.sig === sig && x.token !== undefined);
      if (m) return m.token!;
    }
    return this.fail(pos, `no virtual method ${name}${sig} in class ${c.ast.name}`);
  }

  /** The method of this package that name+sig denotes in class c or its local superclasses. */
  method(c: ClassModel, name: string, sig: string): MethodModel | undefined {
    for (let k: ClassModel | undefined = c; k; k = this.superOf(k)) {
      const m = k.methods.find((x) => x.ast.name === name && x.ast.sig === sig);
      if (m) return m;
    }
    return undefined;
  }

  instanceFieldToken(c: ClassModel, name: string, pos: SourcePos): number {
    const f = c.ast.fields.find((x) => x.name === name && !x.modifiers.includes('static'));
    if (!f) return this.fail(pos, `no instance field ${name} in class ${c.ast.name}`);
    if (f.token === undefined) return this.fail(f.pos, `instance field ${name} has no token`);
    return f.token;
  }

  staticField(c: ClassModel, name: string, pos: SourcePos): StaticFieldModel {
    const f = c.statics.find((x) => x.ast.name === name);
    if (!f) return this.fail(pos, `no static field ${name} in class ${c.ast.name}`);
    if (f.offset === undefined) return this.fail(pos, `static field ${name} is a compile-time constant and has no storage`);
    return f;
  }
}
