// The Descriptor component (JCVM 6.14, descriptor_component_compact): every class and
// interface of the package with its fields and methods (tokens, access flags, where each
// method's code is and how long it is), then type_descriptor_info: the types of the constant
// pool entries and a pool of type descriptors that type offsets point into.

import type { ByteReader } from '../../bytes.ts';
import type {
  ClassDescriptorInfo,
  DescriptorComponent,
  FieldDescriptorInfo,
  MethodDescriptorInfo,
  TypeDescriptorInfo,
} from '../components.ts';
import { ComponentTag, CpTag, DescriptorAccess, MemberAccess } from '../components.ts';
import { type DecodeContext, openComponent, readClassRef, readStaticRef, recordAt } from './common.ts';
import { formatTypes, mustBeMethod, readTypeDescriptor } from './types.ts';

/** class_descriptor_info ACC_INTERFACE (6.14). */
export const CLASS_ACC_INTERFACE = DescriptorAccess.ACC_INTERFACE;

/** Primitive field types: 0x8000 | type (6.14 field_descriptor_info). */
export const PRIMITIVE_FIELD_TYPES: Record<number, string> = { 0x8002: 'Z', 0x8003: 'B', 0x8004: 'S', 0x8005: 'I' };

export function decodeDescriptor(bytes: Uint8Array, ctx: DecodeContext): DescriptorComponent {
  const r = openComponent(bytes, ComponentTag.Descriptor);
  const class_count = r.u1('class_count');
  const classes: ClassDescriptorInfo[] = [];
  // Type offsets are checked once the types area is read; keep them with where they were.
  const typeUses: { at: number; offset: number; method: boolean; what: string }[] = [];
  for (let i = 0; i < class_count; i++) classes.push(readClass(r, ctx, i, typeUses));
  const typesStart = r.offset;
  const types = readTypes(r, ctx);
  r.expectEnd('the Descriptor component');
  const decoded = types.decoded!;
  for (const use of typeUses) {
    const list =
      decoded.get(use.offset) ?? r.fail(`${use.what}: type offset ${use.offset} is not the start of a type descriptor`, use.at);
    if (!use.method && mustBeMethod(list)) r.fail(`${use.what}: field type ${formatTypes(list, true)} is a method type`, use.at);
    if (use.method) types.type_desc.set(use.offset, formatTypes(list, true));
  }
  // The constant pool's types must match its entries: none for a Classref (0xFFFF), a type
  // for every field and method reference (6.14 constant_pool_types).
  ctx.later(r.component, typesStart, (f) => {
    if (types.constant_pool_types.length !== f.cp.length) {
      return `constant_pool_count ${types.constant_pool_types.length} differs from the Constant Pool component's count ${f.cp.length}`;
    }
    for (let i = 0; i < f.cp.length; i++) {
      const t = types.constant_pool_types[i]!;
      const isClass = f.cp[i]!.tag === CpTag.Classref;
      if (isClass !== (t === 0xffff)) return `constant_pool_types[${i}] ${isClass ? 'gives a type for a Classref' : 'has no type for a field or method reference'}`;
    }
    return undefined;
  });
  return { classes, types };
}

function readClass(
  r: ByteReader,
  ctx: DecodeContext,
  i: number,
  typeUses: { at: number; offset: number; method: boolean; what: string }[],
): ClassDescriptorInfo {
  const at = r.offset;
  const token = r.u1('class token');
  const access_flags = r.u1('class access_flags');
  const isInterface = (access_flags & CLASS_ACC_INTERFACE) !== 0;
  const this_class_ref = readClassRef(r, `classes[${i}] this_class_ref`, { ctx, want: isInterface ? 'interface' : 'class' });
  if (this_class_ref.kind !== 'internal') r.fail(`classes[${i}] this_class_ref names a class of another package`, at + 2);
  const interface_count = r.u1('interface_count');
  const field_count = r.u2('field_count');
  const method_count = r.u2('method_count');
  const interfaces = [];
  for (let k = 0; k < interface_count; k++) {
    interfaces.push(readClassRef(r, `classes[${i}] interfaces[${k}]`, { ctx, want: 'interface' }));
  }
  const fields: FieldDescriptorInfo[] = [];
  for (let k = 0; k < field_count; k++) {
    const fAt = r.offset;
    const what = `classes[${i}] fields[${k}]`;
    const ftoken = r.u1('field token');
    const faccess = r.u1('field access_flags');
    const field_ref: FieldDescriptorInfo['field_ref'] =
      faccess & MemberAccess.ACC_STATIC
        ? { kind: 'static', ref: readStaticRef(r, what, ctx, 'field') }
        : { kind: 'instance', class_ref: readClassRef(r, `${what} class`, { ctx, want: 'class' }), token: r.u1('field token') };
    const typeAt = r.offset;
    const type = r.u2('field type');
    if (type & 0x8000) {
      if (PRIMITIVE_FIELD_TYPES[type] === undefined) r.fail(`${what}: primitive type 0x${type.toString(16)} is not 0x8002..0x8005`, typeAt);
    } else {
      typeUses.push({ at: typeAt, offset: type, method: false, what });
    }
    fields.push(recordAt({ token: ftoken, access_flags: faccess, field_ref, type }, fAt));
  }
  const methods: MethodDescriptorInfo[] = [];
  for (let k = 0; k < method_count; k++) {
    const mAt = r.offset;
    const what = `classes[${i}] methods[${k}]`;
    const m: MethodDescriptorInfo = {
      token: r.u1('method token'),
      access_flags: r.u1('method access_flags'),
      method_offset: r.u2('method_offset'),
      type_offset: r.u2('type_offset'),
      bytecode_count: r.u2('bytecode_count'),
      exception_handler_count: r.u2('exception_handler_count'),
      exception_handler_index: r.u2('exception_handler_index'),
    };
    // Interface methods have no code in the Method component (6.14: method_offset 0).
    if (isInterface && (m.method_offset !== 0 || m.bytecode_count !== 0)) {
      r.fail(`${what}: an interface method with method_offset ${m.method_offset} and bytecode_count ${m.bytecode_count}`, mAt + 2);
    }
    if (m.access_flags & MemberAccess.ACC_ABSTRACT && m.bytecode_count !== 0) {
      r.fail(`${what}: an abstract method with bytecode_count ${m.bytecode_count}`, mAt + 6);
    }
    typeUses.push({ at: mAt + 4, offset: m.type_offset, method: true, what });
    methods.push(recordAt(m, mAt));
  }
  return recordAt({ token, access_flags, this_class_ref, interfaces, fields, methods }, at);
}

/** type_descriptor_info; offsets in it count from its first byte (constant_pool_count). */
function readTypes(r: ByteReader, ctx: DecodeContext): TypeDescriptorInfo {
  const start = r.offset;
  const count = r.u2('constant_pool_count');
  const constant_pool_types: number[] = [];
  const cpTypeAt: number[] = [];
  for (let i = 0; i < count; i++) {
    cpTypeAt.push(r.offset);
    constant_pool_types.push(r.u2('constant_pool_types'));
  }
  const type_desc = new Map<number, string>();
  const decoded = new Map<number, string[]>();
  while (r.remaining > 0) {
    const d = readTypeDescriptor(r, ctx, r.offset - start);
    decoded.set(d.offset, d.types);
    type_desc.set(d.offset, formatTypes(d.types, mustBeMethod(d.types)));
  }
  constant_pool_types.forEach((t, i) => {
    if (t !== 0xffff && !decoded.has(t)) r.fail(`constant_pool_types[${i}] ${t} is not the start of a type descriptor`, cpTypeAt[i]);
  });
  return { constant_pool_types, type_desc, decoded };
}

/** Writes the constant pool's method types in method form, once the entries' tags are known. */
export function markMethodTypes(types: TypeDescriptorInfo, tags: readonly number[]): void {
  tags.forEach((tag, i) => {
    const t = types.constant_pool_types[i];
    const list = t === undefined ? undefined : types.decoded?.get(t);
    if (list && (tag === CpTag.VirtualMethodref || tag === CpTag.SuperMethodref || tag === CpTag.StaticMethodref)) {
      types.type_desc.set(t!, formatTypes(list, true));
    }
  });
}
