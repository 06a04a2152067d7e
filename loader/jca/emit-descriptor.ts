// Descriptor component (JCVM spec 6.14): every class and interface in Class component order,
// with its fields (static fields with storage first, in declaration order, then instance
// fields in token order; compile-time constants are left out) and methods (in Method
// component order, interface methods with offset 0), then the type descriptor pool.
// The pool starts with one u2 per constant pool entry (0xFFFF for a Classref); the encoded
// types follow, each written once, in order of first use: constant pool entries, then the
// classes' field and method types in the order above. Offsets count from the pool's start.

import { ByteWriter } from '../bytes.ts';
import type { ClassModel } from './model.ts';
import { has } from './model.ts';
import type { Resolver } from './resolve.ts';
import {
  encodeTypeDescriptor,
  methodSigElems,
  primitiveFieldType,
  typeAstElem,
  UnknownClassError,
  type TypeElem,
} from './types.ts';
import { classRefValue } from './model.ts';

/** Field and method access flags (JCVM 6.14 tables 6-19, 6-21). */
const Acc = { PUBLIC: 0x01, PRIVATE: 0x02, PROTECTED: 0x04, STATIC: 0x08, FINAL: 0x10, ABSTRACT: 0x40, INIT: 0x80 } as const;
/** Class descriptor flags (table 6-18). */
const ClassAcc = { PUBLIC: 0x01, FINAL: 0x10, INTERFACE: 0x40, ABSTRACT: 0x80 } as const;

function memberFlags(mods: readonly string[]): number {
  return (
    (has(mods, 'public') ? Acc.PUBLIC : 0) |
    (has(mods, 'private') ? Acc.PRIVATE : 0) |
    (has(mods, 'protected') ? Acc.PROTECTED : 0) |
    (has(mods, 'static') ? Acc.STATIC : 0) |
    (has(mods, 'final') ? Acc.FINAL : 0)
  );
}

class TypePool {
  private readonly out = new ByteWriter();
  private readonly seen = new Map<string, number>();
  constructor(private readonly base: number) {}

  offset(elems: readonly TypeElem[]): number {
    const bytes = encodeTypeDescriptor(elems);
    const key = Array.from(bytes).join(',');
    let off = this.seen.get(key);
    if (off === undefined) {
      off = this.base + this.out.length;
      this.seen.set(key, off);
      this.out.bytes(bytes);
    }
    return off;
  }

  bytes(): Uint8Array {
    return this.out.toBytes();
  }
}

export function emitDescriptor(r: Resolver, cpTypes: readonly (TypeElem[] | undefined)[]): Uint8Array {
  const pool = new TypePool(2 + 2 * cpTypes.length);
  const cpOffsets = cpTypes.map((t) => (t ? pool.offset(t) : 0xffff));
  const w = new ByteWriter();
  w.u1(r.pkg.classes.length);
  for (const c of r.pkg.classes) classDescriptor(r, c, pool, w);
  w.u2(cpTypes.length);
  for (const o of cpOffsets) w.u2(o);
  w.bytes(pool.bytes());
  return w.toBytes();
}

function classDescriptor(r: Resolver, c: ClassModel, pool: TypePool, w: ByteWriter): void {
  const pkg = r.pkg;
  const a = c.ast;
  const flags =
    (has(a.modifiers, 'public') ? ClassAcc.PUBLIC : 0) |
    (has(a.modifiers, 'final') ? ClassAcc.FINAL : 0) |
    (a.isInterface ? ClassAcc.INTERFACE : 0) |
    (has(a.modifiers, 'abstract') || a.isInterface ? ClassAcc.ABSTRACT : 0);
  // The converter lists a class's implemented interfaces, but not an interface's supers.
  const interfaces = a.isInterface ? [] : a.interfaceTable.map((i) => i.iface);
  const statics = c.statics.filter((f) => f.offset !== undefined);
  const instance = a.fields.filter((f) => !has(f.modifiers, 'static')).sort((x, y) => (x.token ?? 0) - (y.token ?? 0));
  const methods = a.isInterface ? a.methods : c.methods.map((m) => m.ast);

  w.u1(a.token ?? 0xff).u1(flags).u2(c.offset).u1(interfaces.length).u2(statics.length + instance.length).u2(methods.length);
  for (const i of interfaces) w.u2(classRefValue(pkg, i));

  const fieldType = (f: (typeof a.fields)[number]): number => {
    const e = typeAstElem(f.type, (x) => classRefValue(pkg, x));
    return primitiveFieldType(e) ?? pool.offset([e]);
  };
  for (const sf of statics) {
    w.u1(sf.ast.token ?? 0xff).u1(memberFlags(sf.ast.modifiers)).u1(0).u2(sf.offset!).u2(fieldType(sf.ast));
  }
  for (const f of instance) {
    w.u1(f.token ?? 0xff).u1(memberFlags(f.modifiers)).u2(c.offset).u1(f.token ?? 0).u2(fieldType(f));
  }

  const resolve = (m: (typeof a.methods)[number]) => r.classResolver(m.bindings);
  a.isInterface
    ? a.methods.forEach((m) => methodDescriptor(r, m, undefined, pool, w, resolve(m)))
    : c.methods.forEach((mm) => methodDescriptor(r, mm.ast, mm, pool, w, resolve(mm.ast)));
}

function methodDescriptor(
  r: Resolver,
  m: ClassModel['ast']['methods'][number],
  mm: ClassModel['methods'][number] | undefined,
  pool: TypePool,
  w: ByteWriter,
  resolve: ReturnType<Resolver['classResolver']>,
): void {
  let elems: TypeElem[];
  try {
    elems = methodSigElems(m.sig, resolve);
  } catch (err) {
    if (err instanceof UnknownClassError) r.fail(m.pos, `no .descriptor binding for class ${err.className} in ${m.name}${m.sig}`);
    throw err;
  }
  const flags =
    memberFlags(m.modifiers) |
    (has(m.modifiers, 'abstract') || !mm ? Acc.ABSTRACT : 0) |
    (m.name === '<init>' ? Acc.INIT : 0);
  const handlers = mm ? mm.ast.exceptions.length : 0;
  w.u1(m.token ?? 0xff).u1(flags);
  w.u2(mm ? mm.offset : 0).u2(pool.offset(elems)).u2(mm ? mm.code.bytes.length : 0);
  w.u2(handlers).u2(handlers ? mm!.handlerIndex : 0);
}
