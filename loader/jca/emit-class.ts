// Class component (JCVM spec 6.9). In JCA order:
//   interface_info { u1 bitfield (flags<<4 | interface_count); class_ref superinterfaces[] }
//   class_info { u1 bitfield; class_ref super_class_ref; u1 declared_instance_size;
//     u1 first_reference_token; u1 reference_count; u1 public_method_table_base;
//     u1 public_method_table_count; u1 package_method_table_base; u1 package_method_table_count;
//     u2 public_virtual_method_table[]; u2 package_virtual_method_table[];
//     implemented_interface_info { class_ref interface; u1 count; u1 index[] } interfaces[];
//     CAP 2.3: u1 public_virtual_method_token_mapping[base + count];
//              u1 CAP22_inheritable_public_method_token_count }
// CAP 2.2+ starts with u2 signature_pool_length (0: no remote methods here).
// JCA lists each method table from token 0; entries below the base are inherited and not
// in the CAP. A table slot holds the offset of the implementing method in the Method
// component, or 0xFFFF when the implementation is in another package.

import { ByteWriter } from '../bytes.ts';
import type { ClassAst, ImplementedInterfaceAst, MethodTableAst } from './ast.ts';
import { classRefValue, has, type ClassModel } from './model.ts';
import type { Resolver } from './resolve.ts';
import { instanceFieldCells, isReference } from './types.ts';

const ACC_INTERFACE = 0x8;
const ACC_SHAREABLE = 0x4;
const ACC_REMOTE = 0x2;

export function emitClassComponent(r: Resolver): Uint8Array {
  const pkg = r.pkg;
  const w = new ByteWriter();
  if (pkg.format !== '2.1') w.u2(0); // signature_pool_length
  for (const c of pkg.classes) {
    if (w.length !== c.offset) throw new Error(`class ${c.ast.name}: layout offset ${c.offset} != ${w.length}`);
    if (c.ast.isInterface) emitInterface(r, c, w);
    else emitClass(r, c, w);
  }
  return w.toBytes();
}

function flagsOf(c: ClassAst): number {
  return (c.isInterface ? ACC_INTERFACE : 0) | (c.shareable ? ACC_SHAREABLE : 0) | (c.remote ? ACC_REMOTE : 0);
}

function emitInterface(r: Resolver, c: ClassModel, w: ByteWriter): void {
  const supers = c.ast.superInterfaces;
  if (supers.length > 15) r.fail(c.ast.pos, `interface ${c.ast.name} has more than 15 superinterfaces`);
  w.u1((flagsOf(c.ast) << 4) | supers.length);
  for (const s of supers) w.u2(classRefValue(r.pkg, s));
}

function emitClass(r: Resolver, c: ClassModel, w: ByteWriter): void {
  const pkg = r.pkg;
  const a = c.ast;
  if (!a.superClass) r.fail(a.pos, `class ${a.name} has no superclass (extends)`);
  if (a.interfaceTable.length > 15) r.fail(a.pos, `class ${a.name} implements more than 15 interfaces`);
  w.u1((flagsOf(a) << 4) | a.interfaceTable.length);
  w.u2(classRefValue(pkg, a.superClass));

  const instance = a.fields.filter((f) => !has(f.modifiers, 'static'));
  const refs = instance.filter((f) => isReference(f.type));
  w.u1(instance.reduce((n, f) => n + instanceFieldCells(f.type), 0));
  w.u1(refs.length ? Math.min(...refs.map((f) => f.token ?? 0xff)) : 0xff);
  w.u1(refs.length);

  const pub = a.publicMethodTable;
  const pack = a.packageMethodTable;
  const pubSlots = tableSlots(r, c, pub);
  const packSlots = tableSlots(r, c, pack);
  w.u1(pub?.base ?? 0).u1(pubSlots.length);
  w.u1(pack?.base ?? 0).u1(packSlots.length);
  for (const s of pubSlots) w.u2(s);
  for (const s of packSlots) w.u2(s);

  for (const i of a.interfaceTable) {
    const indices = interfaceIndices(r, c, i);
    w.u2(classRefValue(pkg, i.iface)).u1(indices.length);
    for (const x of indices) w.u1(x);
  }

  if (pkg.format === '2.3') {
    const entries = pub?.entries ?? [];
    entries.forEach((e, i) => w.u1(e.mapping ?? i));
    w.u1(pub?.inheritableCount ?? entries.length);
  }
}

/** Method offsets for the table entries from the base on. */
function tableSlots(r: Resolver, c: ClassModel, t: MethodTableAst | undefined): number[] {
  if (!t) return [];
  return t.entries.slice(t.base).map((e) => r.method(c, e.name, e.sig)?.offset ?? 0xffff);
}

/**
 * The class's virtual method tokens in the interface's method token order. Written in the
 * JCA by the 2.x converters; for an interface of this package the 3.1 converter leaves the
 * list empty, so it is rebuilt from the interface's methods.
 */
function interfaceIndices(r: Resolver, c: ClassModel, i: ImplementedInterfaceAst): number[] {
  if (i.indices.length || i.iface.kind !== 'local') return i.indices;
  const iface = r.cls(i.iface.name, i.iface.pos);
  const methods = [...iface.ast.methods].sort((x, y) => (x.token ?? 0) - (y.token ?? 0));
  return methods.map((m) => r.virtualToken(c, m.name, m.sig, i.pos));
}
