// JCA → CAP components, laid out as Oracle's converter lays them out, byte for byte.
// The order of work follows the references between components (JCVM spec 6.1): first the
// layout (class, method and static field offsets, model.ts), then the constant pool that
// points into it, then every component, and the Directory last since it lists their sizes.

import { ByteWriter } from '../bytes.ts';
import { ComponentTag as Tag } from '../cap/components.ts';
import type { PackageAst } from './ast.ts';
import { usesInt } from './code.ts';
import { emitClassComponent } from './emit-class.ts';
import { emitConstantPool, resolveCpEntry } from './emit-constpool.ts';
import { emitDescriptor } from './emit-descriptor.ts';
import { emitExport } from './emit-export.ts';
import { emitMethodComponent, emitRefLocation } from './emit-method.ts';
import { emitApplet, emitDirectory, emitHeader, emitImport, HeaderFlags } from './emit-package.ts';
import { emitStaticField } from './emit-static.ts';
import { JcaAssemblyError } from './errors.ts';
import { buildModel, type CapFormat } from './model.ts';
import { parseJca } from './parser.ts';
import { Resolver } from './resolve.ts';

export type { CapFormat } from './model.ts';

export interface AssembleOptions {
  fileName?: string;
  /** CAP format; by default inferred from the JCA (2.3 when it has 2.3 token mappings, else 2.1). */
  format?: CapFormat;
}

export interface AssembledCap {
  /** Internal package name, e.g. `conformance/echo`. */
  packagePath: string;
  packageAid: Uint8Array;
  /** Whole components (tag, u2 size, info) by tag. */
  components: Map<number, Uint8Array>;
  format: CapFormat;
  /** Facts for the archive's manifest that the components do not hold. */
  applets: { name: string; aid: Uint8Array }[];
}

/** CAP 2.3 when the JCA shows its additions (token mappings in `.publicMethodTable`). */
export function inferFormat(ast: PackageAst): CapFormat {
  const is23 = ast.classes.some(
    (c) => c.publicMethodTable?.inheritableCount !== undefined || c.publicMethodTable?.entries.some((e) => e.mapping !== undefined),
  );
  return is23 ? '2.3' : '2.1';
}

function component(tag: number, info: Uint8Array): Uint8Array {
  if (info.length > 0xffff) throw new Error(`component ${tag} is ${info.length} bytes, more than a compact CAP allows`);
  return new ByteWriter().u1(tag).u2(info.length).bytes(info).toBytes();
}

function needsInt(ast: PackageAst): boolean {
  const intType = (s: string): boolean => /I/.test(s.replace(/L[^;]*;/g, ''));
  return (
    ast.classes.some((c) => c.methods.some((m) => usesInt(m) || intType(m.sig))) ||
    ast.classes.some((c) => c.fields.some((f) => f.type.kind === 'primitive' && f.type.name === 'int')) ||
    ast.constantPool.some((e) => ('sig' in e && intType(e.sig)) || ('type' in e && e.type.kind === 'primitive' && e.type.name === 'int'))
  );
}

export function assembleJca(text: string, options: AssembleOptions = {}): AssembledCap {
  const fileName = options.fileName ?? '<jca>';
  const ast = parseJca(text, fileName);
  return assembleAst(ast, { ...options, fileName });
}

export function assembleAst(ast: PackageAst, options: AssembleOptions = {}): AssembledCap {
  const fileName = options.fileName ?? '<jca>';
  const format = options.format ?? inferFormat(ast);
  const pkg = buildModel(ast, fileName, format);
  const r = new Resolver(pkg);

  const cp = ast.constantPool.map((e) => resolveCpEntry(r, e));
  const infos = new Map<number, Uint8Array>();
  infos.set(Tag.ConstantPool, emitConstantPool(cp));
  infos.set(Tag.Class, emitClassComponent(r));
  infos.set(Tag.Method, emitMethodComponent(pkg));
  const statics = emitStaticField(pkg);
  infos.set(Tag.StaticField, statics.info);
  infos.set(Tag.ReferenceLocation, emitRefLocation(pkg));
  const exp = emitExport(pkg);
  if (exp) infos.set(Tag.Export, exp);
  infos.set(Tag.Descriptor, emitDescriptor(r, cp.map((e) => e.type)));
  infos.set(Tag.Import, emitImport(ast));
  if (ast.applets.length) {
    infos.set(
      Tag.Applet,
      emitApplet(pkg, (name) => {
        const c = pkg.byName.get(name);
        const install = c?.methods.find((m) => m.ast.name === 'install' && m.ast.sig === '([BSB)V' && m.isStatic);
        if (!install) throw new JcaAssemblyError(fileName, ast.applets.find((a) => a.className === name)?.pos, `applet class ${name} has no static install([BSB)V`);
        return install.offset;
      }),
    );
  }
  const flags = (needsInt(ast) ? HeaderFlags.ACC_INT : 0) | (exp ? HeaderFlags.ACC_EXPORT : 0) | (ast.applets.length ? HeaderFlags.ACC_APPLET : 0);
  infos.set(Tag.Header, emitHeader(ast, format, flags));
  const sizes = new Map([...infos].map(([tag, info]) => [tag, info.length]));
  infos.set(
    Tag.Directory,
    emitDirectory(format, {
      sizes,
      imageSize: pkg.imageSize,
      arrayInitCount: statics.arrayInitCount,
      arrayInitSize: statics.arrayInitSize,
      importCount: ast.imports.length,
      appletCount: ast.applets.length,
    }),
  );

  const components = new Map<number, Uint8Array>();
  for (const tag of [...infos.keys()].sort((a, b) => a - b)) components.set(tag, component(tag, infos.get(tag)!));
  return {
    packagePath: ast.name,
    packageAid: ast.aid,
    components,
    format,
    applets: ast.applets.map((a) => ({ name: a.className, aid: a.aid })),
  };
}
