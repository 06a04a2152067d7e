// The package-level components: Header (JCVM spec 6.4), Directory (6.5), Applet (6.6) and
// Import (6.7). Each returns the component's info; the caller
// adds tag and size.

import { ByteWriter } from '../bytes.ts';
import type { PackageAst } from './ast.ts';
import type { CapFormat, PackageModel } from './model.ts';

export const HeaderFlags = { ACC_INT: 0x01, ACC_EXPORT: 0x02, ACC_APPLET: 0x04 } as const;

export function emitHeader(ast: PackageAst, format: CapFormat, flags: number): Uint8Array {
  const w = new ByteWriter();
  w.u4(0xdecaffed);
  w.u1(Number(format.split('.')[1])).u1(2); // CAP format minor, major
  w.u1(flags);
  w.u1(ast.minor).u1(ast.major).u1(ast.aid.length).bytes(ast.aid);
  // CAP 2.2+: package_name_info; the converter leaves it empty (only remote packages need it).
  if (format !== '2.1') w.u1(0);
  return w.toBytes();
}

export interface DirectoryFacts {
  /** Sizes (info bytes, without tag and size) of components 1..11, by tag. */
  sizes: Map<number, number>;
  imageSize: number;
  arrayInitCount: number;
  arrayInitSize: number;
  importCount: number;
  appletCount: number;
}

/**
 * Directory info. Format 2.1 lists 11 sizes (Header..Descriptor), 2.2 adds Debug, 2.3 adds
 * Static Resources as a u4 (JCVM 3.1 component_size_info_compact). The Directory's own size
 * is needed inside it, so it is computed from the format.
 */
export function emitDirectory(format: CapFormat, f: DirectoryFacts): Uint8Array {
  const w = new ByteWriter();
  const count = format === '2.1' ? 11 : 12;
  for (let tag = 1; tag <= count; tag++) {
    w.u2(tag === 2 ? directorySize(format) : (f.sizes.get(tag) ?? 0));
  }
  if (format === '2.3') w.u4(f.sizes.get(13) ?? 0);
  w.u2(f.imageSize).u2(f.arrayInitCount).u2(f.arrayInitSize);
  w.u1(f.importCount).u1(f.appletCount).u1(0); // no custom components
  return w.toBytes();
}

export function directorySize(format: CapFormat): number {
  return (format === '2.1' ? 22 : format === '2.2' ? 24 : 28) + 6 + 3;
}

export function emitApplet(pkg: PackageModel, installOffset: (className: string) => number): Uint8Array {
  const w = new ByteWriter();
  w.u1(pkg.ast.applets.length);
  for (const a of pkg.ast.applets) {
    w.u1(a.aid.length).bytes(a.aid).u2(installOffset(a.className));
  }
  return w.toBytes();
}

export function emitImport(ast: PackageAst): Uint8Array {
  const w = new ByteWriter();
  w.u1(ast.imports.length);
  for (const i of ast.imports) w.u1(i.minor).u1(i.major).u1(i.aid.length).bytes(i.aid);
  return w.toBytes();
}
