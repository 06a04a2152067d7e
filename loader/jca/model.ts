// The package laid out: every class, method and static field gets the offset other
// components use to refer to it, in the order the converter writes them (which is the JCA
// order: classes and interfaces as declared, methods as declared within each class).
//  - Class component (JCVM 6.9): class_refs to this package are offsets of interface_info /
//    class_info in its info, which in CAP 2.2+ starts with the u2 signature_pool_length.
//  - Method component (6.10): the exception handler table comes first, then each non-interface method: a 2-byte header (4 when any
//    of max_stack, nargs, max_locals exceeds 15), then its code; abstract methods are a
//    header with ACC_ABSTRACT and no code.
//  - Static Field component (6.11): image segments in spec order (table 6-14): arrays with an
//    initializer, other references, primitives with default values, primitives with
//    initializers; `static final` primitives with a constant value are not in the image.

import type { ClassAst, ClassRefAst, FieldAst, MethodAst, PackageAst } from './ast.ts';
import { assembleCode, type AssembledCode } from './code.ts';
import { JcaAssemblyError, type SourcePos } from './errors.ts';
import { isReference, paramWords, staticFieldSize } from './types.ts';

export type CapFormat = '2.1' | '2.2' | '2.3';

export interface MethodModel {
  ast: MethodAst;
  cls: ClassModel;
  isStatic: boolean;
  isAbstract: boolean;
  isInit: boolean;
  /** Arguments in words, `this` included. */
  nargs: number;
  extended: boolean;
  /** Offset of the method header in the Method component's info. */
  offset: number;
  code: AssembledCode;
  handlerIndex: number;
}

export interface StaticFieldModel {
  cls: ClassModel;
  ast: FieldAst;
  /** Offset in the static field image; undefined for compile-time constants. */
  offset?: number;
}

export interface ClassModel {
  ast: ClassAst;
  /** Offset of interface_info / class_info in the Class component's info. */
  offset: number;
  methods: MethodModel[];
  statics: StaticFieldModel[];
}

export interface HandlerModel {
  method: MethodModel;
  start: number;
  end: number;
  handler: number;
  catchType: number;
}

export interface PackageModel {
  ast: PackageAst;
  fileName: string;
  format: CapFormat;
  classes: ClassModel[];
  byName: Map<string, ClassModel>;
  methods: MethodModel[];
  handlers: HandlerModel[];
  /** Static fields in image order (constants excluded). */
  image: StaticFieldModel[];
  imageSize: number;
}

export function has(mods: readonly string[], m: string): boolean {
  return mods.includes(m);
}

/** A compile-time constant: `static final` primitive with a value (not in the image). */
export function isConstant(f: FieldAst): boolean {
  return has(f.modifiers, 'static') && has(f.modifiers, 'final') && !isReference(f.type) && f.init?.kind === 'value';
}

export function buildModel(ast: PackageAst, fileName: string, format: CapFormat): PackageModel {
  const fail = (pos: SourcePos | undefined, detail: string): never => {
    throw new JcaAssemblyError(fileName, pos, detail);
  };
  const classes: ClassModel[] = [];
  const byName = new Map<string, ClassModel>();
  for (const c of ast.classes) {
    if (byName.has(c.name)) fail(c.pos, `class ${c.name} declared twice`);
    const model: ClassModel = { ast: c, offset: 0, methods: [], statics: [] };
    classes.push(model);
    byName.set(c.name, model);
  }
  const pkg: PackageModel = { ast, fileName, format, classes, byName, methods: [], handlers: [], image: [], imageSize: 0 };

  // Class component offsets need only counts, known from the text.
  let offset = format === '2.1' ? 0 : 2;
  for (const c of classes) {
    c.offset = offset;
    offset += classInfoSize(c.ast, format, (n) => byName.get(n)?.ast);
  }

  // Method component: handlers first (u1 count + 8 bytes each), then the methods.
  const handlerCount = ast.classes.reduce((n, c) => n + c.methods.reduce((k, m) => k + m.exceptions.length, 0), 0);
  let at = 1 + 8 * handlerCount;
  let handlerIndex = 0;
  for (const c of classes) {
    if (c.ast.isInterface) continue;
    for (const m of c.ast.methods) {
      const isStatic = has(m.modifiers, 'static');
      const isAbstract = has(m.modifiers, 'abstract');
      const nargs = paramWords(m.sig) + (isStatic ? 0 : 1);
      const extended = m.stack > 15 || nargs > 15 || m.locals > 15;
      const code = assembleCode(m, (p) => fail(p.pos, p.detail));
      if (isAbstract && m.code.length) return fail(m.pos, `abstract method ${m.name} has code`);
      if (!isAbstract && !m.code.length) return fail(m.pos, `method ${m.name}${m.sig} has no code (an abstract method must say so)`);
      const mm: MethodModel = {
        ast: m,
        cls: c,
        isStatic,
        isAbstract,
        isInit: m.name === '<init>',
        nargs,
        extended,
        offset: at,
        code,
        handlerIndex,
      };
      at += (extended ? 4 : 2) + code.bytes.length;
      handlerIndex += m.exceptions.length;
      c.methods.push(mm);
      pkg.methods.push(mm);
    }
  }
  for (const mm of pkg.methods) {
    const codeStart = mm.offset + (mm.extended ? 4 : 2);
    for (const e of mm.ast.exceptions) {
      const label = (name: string): number => {
        const v = mm.code.labels.get(name);
        if (v === undefined) return fail(e.pos, `undefined label ${name} in the exception table of ${mm.ast.name}`);
        return codeStart + v;
      };
      pkg.handlers.push({ method: mm, start: label(e.start), end: label(e.end), handler: label(e.handler), catchType: e.catchType });
    }
  }

  layoutStatics(pkg);
  return pkg;
}

type AstLookup = (name: string) => ClassAst | undefined;

function classInfoSize(c: ClassAst, format: CapFormat, lookup: AstLookup): number {
  if (c.isInterface) return 1 + 2 * c.superInterfaces.length;
  const pub = c.publicMethodTable;
  const pkgTable = c.packageMethodTable;
  const pubCount = pub ? Math.max(0, pub.entries.length - pub.base) : 0;
  const pkgCount = pkgTable ? Math.max(0, pkgTable.entries.length - pkgTable.base) : 0;
  let size = 10 + 2 * pubCount + 2 * pkgCount;
  for (const i of c.interfaceTable) size += 3 + interfaceIndexCount(i, lookup);
  if (format === '2.3') size += (pub ? pub.entries.length : 0) + 1;
  return size;
}

/**
 * How many index entries an implemented interface gets. The 3.1 converter's JCA omits the
 * list for an interface of this package (the CAP still has it), so it is recomputed from the
 * interface's methods (see emit-class.ts); the count is needed here for the layout.
 */
function interfaceIndexCount(i: ClassAst['interfaceTable'][number], lookup: AstLookup): number {
  if (i.indices.length || i.iface.kind !== 'local') return i.indices.length;
  return lookup(i.iface.name)?.methods.length ?? 0;
}

function layoutStatics(pkg: PackageModel): void {
  const all: StaticFieldModel[] = [];
  for (const c of pkg.classes) {
    for (const f of c.ast.fields) {
      if (!has(f.modifiers, 'static')) continue;
      const sf: StaticFieldModel = { cls: c, ast: f };
      c.statics.push(sf);
      if (!isConstant(f)) all.push(sf);
    }
  }
  const segment = (f: FieldAst): number => {
    if (isReference(f.type)) return f.init?.kind === 'array' ? 0 : 1;
    return f.init ? 3 : 2;
  };
  let offset = 0;
  for (let s = 0; s < 4; s++) {
    for (const sf of all) {
      if (segment(sf.ast) !== s) continue;
      sf.offset = offset;
      offset += staticFieldSize(sf.ast.type);
      pkg.image.push(sf);
    }
  }
  pkg.imageSize = offset;
}

export function classRefValue(pkg: PackageModel, ref: ClassRefAst): number {
  if (ref.kind === 'external') {
    if (ref.pkg >= pkg.ast.imports.length) {
      throw new JcaAssemblyError(pkg.fileName, ref.pos, `package token ${ref.pkg} is not in .imports (${pkg.ast.imports.length} packages)`);
    }
    return 0x8000 | (ref.pkg << 8) | ref.cls;
  }
  const c = pkg.byName.get(ref.name);
  if (!c) throw new JcaAssemblyError(pkg.fileName, ref.pos, `unknown class ${ref.name}`);
  return c.offset;
}
