// The Class component (JCVM 3.0.5 6.9, 3.1 6.9 class_component_compact): since CAP 2.2 a
// signature pool first, then interface_info and class_info records back to back, told apart by
// ACC_INTERFACE in the high nibble of their first byte. CAP 2.3 appends to every class_info
// public_virtual_method_token_mapping[public_method_table_base + public_method_table_count] and
// CAP22_inheritable_public_method_token_count.

import type { ByteReader } from '../../bytes.ts';
import type { ClassComponent, ClassInfo, ImplementedInterfaceInfo, InterfaceInfo } from '../components.ts';
import { ClassFlags, ComponentTag } from '../components.ts';
import { type DecodeContext, classRefFrom, formatHex16, infoBase, openComponent, readClassRef, recordAt } from './common.ts';
import { readTypeDescriptor } from './types.ts';

export function decodeClass(bytes: Uint8Array, ctx: DecodeContext): ClassComponent {
  const r = openComponent(bytes, ComponentTag.Class);
  const base = infoBase(ComponentTag.Class);
  let signature_pool = new Uint8Array(0);
  const signature_pool_types = new Map<number, string[]>();
  if (ctx.atLeast(2)) {
    const len = r.u2('signature_pool_length');
    const pool = r.sub(len, 'signature_pool');
    signature_pool = bytes.slice(pool.offset, pool.offset + len);
    const start = pool.offset;
    while (pool.remaining > 0) {
      const d = readTypeDescriptor(pool, ctx, pool.offset - start);
      signature_pool_types.set(d.offset, d.types);
    }
  }
  const interfaces: InterfaceInfo[] = [];
  const classes: ClassInfo[] = [];
  while (r.remaining > 0) {
    const at = r.offset;
    const bitfield = r.u1('bitfield');
    const flags = bitfield >> 4;
    const interface_count = bitfield & 0xf;
    if (flags & ~(ClassFlags.ACC_INTERFACE | ClassFlags.ACC_SHAREABLE | ClassFlags.ACC_REMOTE)) {
      r.fail(`class flags 0x${flags.toString(16)} have the reserved bit set`, at);
    }
    if (flags & ClassFlags.ACC_REMOTE && !ctx.atLeast(2)) r.fail('ACC_REMOTE needs CAP format 2.2 or later', at);
    if (flags & ClassFlags.ACC_INTERFACE) {
      interfaces.push(recordAt(readInterface(r, ctx, at - base, flags, interface_count), at));
    } else {
      classes.push(recordAt(readClassInfo(r, ctx, at - base, flags, interface_count), at));
    }
  }
  r.expectEnd('the Class component');
  const out: ClassComponent = { signature_pool, interfaces, classes };
  if (ctx.atLeast(2)) out.signature_pool_types = signature_pool_types;
  return out;
}

function readInterface(r: ByteReader, ctx: DecodeContext, offset: number, flags: number, count: number): InterfaceInfo {
  const superinterfaces = [];
  for (let i = 0; i < count; i++) {
    superinterfaces.push(readClassRef(r, `interface ${formatHex16(offset)} superinterface`, { ctx, want: 'interface' }));
  }
  const info: InterfaceInfo = { offset, flags, superinterfaces };
  if (flags & ClassFlags.ACC_REMOTE) {
    const len = r.u1('interface_name_length');
    info.interface_name = new TextDecoder().decode(r.bytesView(len, 'interface_name'));
  }
  return info;
}

function readClassInfo(r: ByteReader, ctx: DecodeContext, offset: number, flags: number, count: number): ClassInfo {
  const what = `class ${formatHex16(offset)}`;
  const superAt = r.offset;
  const superRaw = r.u2('super_class_ref');
  // 0xFFFF: no superclass, which only java.lang.Object may say (6.9).
  const super_class_ref =
    superRaw === 0xffff ? null : classRefFrom(superRaw, r.component, superAt, `${what} super_class_ref`, { ctx, want: 'class' });
  const declared_instance_size = r.u1('declared_instance_size');
  const first_reference_token = r.u1('first_reference_token');
  const reference_count = r.u1('reference_count');
  const public_method_table_base = r.u1('public_method_table_base');
  const public_method_table_count = r.u1('public_method_table_count');
  const package_method_table_base = r.u1('package_method_table_base');
  const package_method_table_count = r.u1('package_method_table_count');
  const methodTable = (n: number, name: string): number[] => {
    const table: number[] = [];
    for (let i = 0; i < n; i++) {
      const at = r.offset;
      const m = r.u2(name);
      table.push(m);
      ctx.later(r.component, at, (f) =>
        m === 0xffff || f.methodStarts.has(m)
          ? undefined
          : `${what} ${name}[${i}] ${formatHex16(m)} is not the offset of a method in the Method component`,
      );
    }
    return table;
  };
  const public_virtual_method_table = methodTable(public_method_table_count, 'public_virtual_method_table');
  const package_virtual_method_table = methodTable(package_method_table_count, 'package_virtual_method_table');
  const interfaces: ImplementedInterfaceInfo[] = [];
  for (let i = 0; i < count; i++) {
    const iface = readClassRef(r, `${what} implemented interface`, { ctx, want: 'interface' });
    const n = r.u1('implemented_interface_info count');
    interfaces.push({ interface: iface, index: Array.from(r.bytesView(n, 'implemented_interface_info index')) });
  }
  const info: ClassInfo = {
    offset,
    flags,
    super_class_ref,
    declared_instance_size,
    first_reference_token,
    reference_count,
    public_method_table_base,
    public_method_table_count,
    package_method_table_base,
    package_method_table_count,
    public_virtual_method_table,
    package_virtual_method_table,
    interfaces,
  };
  if (flags & ClassFlags.ACC_REMOTE) info.remote_interfaces = readRemoteInterfaceInfo(r);
  if (ctx.atLeast(3)) {
    const n = public_method_table_base + public_method_table_count;
    info.public_virtual_method_token_mapping = Array.from(r.bytesView(n, 'public_virtual_method_token_mapping'));
    info.CAP22_inheritable_public_method_token_count = r.u1('CAP22_inheritable_public_method_token_count');
  }
  return info;
}

/** remote_interface_info (6.9, CAP 2.2+), kept raw: only RMI-aware runtimes read it. */
function readRemoteInterfaceInfo(r: ByteReader): Uint8Array {
  const start = r.offset;
  const methods = r.u1('remote_methods_count');
  r.skip(methods * 5, 'remote_methods');
  r.skip(r.u1('hash_modifier_length'), 'hash_modifier');
  r.skip(r.u1('class_name_length'), 'class_name');
  r.skip(r.u1('remote_interfaces_count') * 2, 'remote_interfaces');
  return r.bytes.slice(start, r.offset);
}
