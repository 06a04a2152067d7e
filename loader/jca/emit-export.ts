// Export component (JCVM spec 6.13): for each exported class or interface, in class token
// order, its Class component offset and the image offsets of its exported static fields and
// Method component offsets of its exported static methods and constructors, each in token
// order. A library package exports its public classes and interfaces; an applet package
// only its public shareable interfaces (JCVM 4.5 / 6.13), and has no Export component
// when it has none.

import { ByteWriter } from '../bytes.ts';
import { has, type ClassModel, type PackageModel } from './model.ts';

const isExported = (m: readonly string[]): boolean => has(m, 'public') || has(m, 'protected');

function exportedClasses(pkg: PackageModel): ClassModel[] {
  const library = pkg.ast.applets.length === 0;
  return pkg.classes
    .filter((c) => has(c.ast.modifiers, 'public') && (library || (c.ast.isInterface && c.ast.shareable)))
    .sort((a, b) => (a.ast.token ?? 0) - (b.ast.token ?? 0));
}

/** The Export component's info, or undefined when the package exports nothing. */
export function emitExport(pkg: PackageModel): Uint8Array | undefined {
  const classes = exportedClasses(pkg);
  // A package that exports nothing has no Export component (JCVM 6.12), library or not.
  if (!classes.length) return undefined;
  const w = new ByteWriter();
  w.u1(classes.length);
  for (const c of classes) {
    const fields = c.statics
      .filter((f) => f.offset !== undefined && isExported(f.ast.modifiers))
      .sort((a, b) => (a.ast.token ?? 0) - (b.ast.token ?? 0));
    const methods = c.methods
      .filter((m) => (m.isStatic || m.isInit) && isExported(m.ast.modifiers))
      .sort((a, b) => (a.ast.token ?? 0) - (b.ast.token ?? 0));
    w.u2(c.offset).u1(fields.length).u1(methods.length);
    for (const f of fields) w.u2(f.offset!);
    for (const m of methods) w.u2(m.offset);
  }
  return w.toBytes();
}
