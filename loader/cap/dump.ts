// A human listing of a decoded CAP file: every component with its fields, then every method
// as a bytecode listing. The listing is driven by vm/opcodes.ts through bytecode.ts only.

import { hex } from '../bytes.ts';
import { decodeInstruction, type Instruction } from './bytecode.ts';
import type { CapFile, ClassInfo, CpEntry, InterfaceInfo, MethodInfo, TypeDescriptorInfo } from './components.ts';
import { COMPONENT_NAMES, CpTag, MemberAccess } from './components.ts';
import { atOffset, formatClassRef, formatHex16, formatStaticRef } from './decode/common.ts';
import { CP_TAG_NAMES } from './decode/constantPool.ts';
import { PRIMITIVE_FIELD_TYPES } from './decode/descriptor.ts';
import { formatTypes } from './decode/types.ts';

const ARRAY_TYPES: Record<number, string> = { 10: 'boolean', 11: 'byte', 12: 'short', 13: 'int', 14: 'reference' };
const ARRAY_INIT_TYPES: Record<number, string> = { 2: 'boolean', 3: 'byte', 4: 'short', 5: 'int' };

function flagNames(flags: number, names: Record<string, number>): string {
  const set = Object.entries(names).filter(([, bit]) => flags & bit).map(([n]) => n);
  return `0x${flags.toString(16).padStart(2, '0')}${set.length ? ` (${set.join(' ')})` : ''}`;
}

const HEADER_FLAGS = { ACC_INT: 0x01, ACC_EXPORT: 0x02, ACC_APPLET: 0x04 };
const CLASS_FLAGS = { ACC_INTERFACE: 0x8, ACC_SHAREABLE: 0x4, ACC_REMOTE: 0x2 };
const CLASS_ACCESS = { public: 0x01, final: 0x10, shareable: 0x20, interface: 0x40, abstract: 0x80 };
const MEMBER_ACCESS = { public: 0x01, private: 0x02, protected: 0x04, static: 0x08, final: 0x10 };
const METHOD_ACCESS = { ...MEMBER_ACCESS, abstract: MemberAccess.ACC_ABSTRACT, init: MemberAccess.ACC_INIT };

/** The type descriptor at a type offset, in method or field form. */
function typeAt(types: TypeDescriptorInfo | undefined, offset: number | undefined, method: boolean): string | undefined {
  if (types === undefined || offset === undefined || offset === 0xffff) return undefined;
  const list = types.decoded?.get(offset);
  return list ? formatTypes(list, method) : types.type_desc.get(offset);
}

/** One constant-pool entry, e.g. "VirtualMethodref 0.3.1 ()V" or "StaticMethodref @0038". */
export function describeCpEntry(e: CpEntry, index?: number, types?: TypeDescriptorInfo): string {
  const name = CP_TAG_NAMES[e.tag];
  const method = e.tag === CpTag.VirtualMethodref || e.tag === CpTag.SuperMethodref || e.tag === CpTag.StaticMethodref;
  const type = typeAt(types, index === undefined ? undefined : types?.constant_pool_types[index], method);
  const suffix = type ? ` ${type}` : '';
  switch (e.tag) {
    case CpTag.Classref:
      return `${name} ${formatClassRef(e.class_ref)}`;
    case CpTag.StaticFieldref:
    case CpTag.StaticMethodref:
      return `${name} ${formatStaticRef(e.ref)}${suffix}`;
    default:
      return `${name} ${formatClassRef(e.class_ref)}.${e.token}${suffix}`;
  }
}

function operandText(ins: Instruction, cp?: readonly CpEntry[], types?: TypeDescriptorInfo): { text: string; note: string } {
  const parts: string[] = [];
  const notes: string[] = [];
  for (const o of ins.operands) {
    if (o.kind === 'o' || o.kind === 'O') {
      parts.push(String(ins.pc + o.value));
    } else if (o.kind === 't') {
      parts.push(String(o.value));
      if (ARRAY_TYPES[o.value]) notes.push(`${ARRAY_TYPES[o.value]}[]`);
    } else if (o.kind === 'c' || o.kind === 'C') {
      parts.push(String(o.value));
      const e = cp?.[o.value];
      if (e) notes.push(describeCpEntry(e, o.value, types));
      else if (cp) notes.push(`index ${o.value} out of range`);
    } else {
      parts.push(String(o.value));
    }
  }
  return { text: parts.join(' '), note: notes.join('; ') };
}

/**
 * A method's code as lines "pc: mnemonic operands  // note", pc in decimal within the method,
 * branch targets as pcs, switch tables one case per line. Never throws: undecodable bytes are
 * listed as such and end the listing.
 */
export function disassembleMethod(code: Uint8Array, cp?: readonly CpEntry[], types?: TypeDescriptorInfo): string[] {
  const lines: string[] = [];
  const pcText = (pc: number): string => String(pc).padStart(5);
  let pc = 0;
  while (pc < code.length) {
    const ins = decodeInstruction(code, pc);
    if (typeof ins === 'string') {
      lines.push(`${pcText(pc)}: .byte 0x${code[pc]!.toString(16).padStart(2, '0')}  // ${ins}`);
      break;
    }
    if (ins.switch) {
      const t = ins.switch;
      const table = ins.op.operands === 'T' || ins.op.operands === 'U';
      const range = table ? ` ${t.cases[0]?.match ?? '?'}..${t.cases[t.cases.length - 1]?.match ?? '?'}` : ` ${t.cases.length} pairs`;
      lines.push(`${pcText(pc)}: ${ins.op.name}${range} default -> ${t.default}`);
      for (const c of t.cases) lines.push(`${' '.repeat(11)}${c.match} -> ${c.target}`);
    } else {
      const { text, note } = operandText(ins, cp, types);
      const body = text ? `${ins.op.name} ${text}` : ins.op.name;
      lines.push(`${pcText(pc)}: ${note ? `${body.padEnd(28)}// ${note}` : body}`);
    }
    pc += ins.length;
  }
  return lines;
}

function version(major: number, minor: number): string {
  return `${major}.${minor}`;
}

function dumpClassRecord(out: string[], r: ClassInfo | InterfaceInfo): void {
  if (!('super_class_ref' in r)) {
    out.push(`  interface ${atOffset(r.offset)} flags ${flagNames(r.flags, CLASS_FLAGS)}`);
    out.push(`    superinterfaces: ${r.superinterfaces.map(formatClassRef).join(' ') || 'none'}`);
    if (r.interface_name !== undefined) out.push(`    interface_name: ${r.interface_name}`);
    return;
  }
  out.push(`  class ${atOffset(r.offset)} flags ${flagNames(r.flags, CLASS_FLAGS)} super ${formatClassRef(r.super_class_ref)}`);
  out.push(`    declared_instance_size ${r.declared_instance_size}, first_reference_token ${r.first_reference_token}, reference_count ${r.reference_count}`);
  const table = (name: string, base: number, entries: number[]): void => {
    out.push(`    ${name} base ${base} count ${entries.length}${entries.length ? ':' : ''}`);
    entries.forEach((m, i) => out.push(`      token ${base + i} -> ${m === 0xffff ? 'none (0xFFFF)' : formatHex16(m)}`));
  };
  table('public_virtual_method_table', r.public_method_table_base, r.public_virtual_method_table);
  table('package_virtual_method_table', r.package_method_table_base, r.package_virtual_method_table);
  for (const i of r.interfaces) out.push(`    implements ${formatClassRef(i.interface)}: method tokens ${i.index.join(' ') || 'none'}`);
  if (r.remote_interfaces) out.push(`    remote_interfaces: ${hex(r.remote_interfaces, ' ')}`);
  if (r.public_virtual_method_token_mapping) {
    out.push(`    public_virtual_method_token_mapping: ${r.public_virtual_method_token_mapping.join(' ') || 'none'}`);
    out.push(`    CAP22_inheritable_public_method_token_count: ${r.CAP22_inheritable_public_method_token_count}`);
  }
}

function dumpDescriptor(out: string[], cap: CapFile): void {
  if (!cap.descriptor) {
    out.push('Descriptor: absent (method boundaries derived from the other components)');
    return;
  }
  const { classes, types } = cap.descriptor;
  out.push(`Descriptor: ${classes.length} class(es)`);
  for (const c of classes) {
    out.push(`  class token ${c.token} access ${flagNames(c.access_flags, CLASS_ACCESS)} ${formatClassRef(c.this_class_ref)}`);
    if (c.interfaces.length) out.push(`    interfaces: ${c.interfaces.map(formatClassRef).join(' ')}`);
    for (const f of c.fields) {
      const ref = f.field_ref.kind === 'static' ? `static ${formatStaticRef(f.field_ref.ref)}` : `instance ${formatClassRef(f.field_ref.class_ref)}.${f.field_ref.token}`;
      const type = f.type & 0x8000 ? PRIMITIVE_FIELD_TYPES[f.type] : typeAt(types, f.type, false);
      out.push(`    field token ${f.token} access ${flagNames(f.access_flags, MEMBER_ACCESS)} ${ref} type ${type}`);
    }
    for (const m of c.methods) {
      out.push(
        `    method token ${m.token} access ${flagNames(m.access_flags, METHOD_ACCESS)} offset ${formatHex16(m.method_offset)} ` +
          `type ${typeAt(types, m.type_offset, true)} bytecode_count ${m.bytecode_count} ` +
          `exception_handlers ${m.exception_handler_count}@${m.exception_handler_index}`,
      );
    }
  }
  out.push(`  constant_pool_types: ${types.constant_pool_types.length}`);
  types.constant_pool_types.forEach((t, i) => {
    const entry = cap.constantPool.constant_pool[i];
    const method = entry !== undefined && entry.tag >= CpTag.VirtualMethodref && entry.tag !== CpTag.StaticFieldref;
    out.push(`    [${i}] ${t === 0xffff ? 'none' : `${formatHex16(t)} ${typeAt(types, t, method)}`}`);
  });
  out.push(`  type_desc: ${types.type_desc.size}`);
  for (const [offset, text] of types.type_desc) out.push(`    ${formatHex16(offset)} ${text}`);
}

function dumpMethods(out: string[], cap: CapFile): void {
  const { method, constantPool, descriptor } = cap;
  out.push(`Method: ${method.exception_handlers.length} exception handler(s), ${method.methods.length} method(s), ${method.info.length} bytes`);
  method.exception_handlers.forEach((h, i) => {
    const ct = h.catch_type_index === 0 ? 'finally' : describeCpEntry(constantPool.constant_pool[h.catch_type_index]!, h.catch_type_index);
    out.push(
      `  handler [${i}] try ${h.start_offset}..${h.start_offset + h.active_length} handler ${h.handler_offset} ` +
        `catch_type_index ${h.catch_type_index} (${ct})${h.stop_bit ? ' stop_bit' : ''}`,
    );
  });
  for (const m of method.methods) dumpMethod(out, m, cap, descriptor?.types);
}

function dumpMethod(out: string[], m: MethodInfo, cap: CapFile, types: TypeDescriptorInfo | undefined): void {
  const d = m.descriptor;
  const owner = m.class_offset === undefined ? '' : ` class ${atOffset(m.class_offset)}`;
  const sig = d ? ` token ${d.token} ${typeAt(types, d.type_offset, true)} access ${flagNames(d.access_flags, METHOD_ACCESS)}` : '';
  out.push('');
  out.push(`method ${formatHex16(m.offset)}${owner}${sig}`);
  out.push(`  flags 0x${m.flags.toString(16)} max_stack ${m.max_stack} nargs ${m.nargs} max_locals ${m.max_locals}, ${m.bytecodes.length} byte(s) of code at ${formatHex16(m.code_offset)}`);
  // This method's handlers with pcs relative to its code, as the listing below counts them.
  for (let i = d?.exception_handler_index ?? 0; d && i < d.exception_handler_index + d.exception_handler_count; i++) {
    const h = cap.method.exception_handlers[i]!;
    const pc = (o: number): number => o - m.code_offset;
    const ct = h.catch_type_index === 0 ? 'finally' : `catch ${h.catch_type_index} (${describeCpEntry(cap.constantPool.constant_pool[h.catch_type_index]!)})`;
    out.push(`  handler [${i}] pc ${pc(h.start_offset)}..${pc(h.start_offset + h.active_length)} -> ${pc(h.handler_offset)} ${ct}`);
  }
  for (const line of disassembleMethod(m.bytecodes, cap.constantPool.constant_pool, types)) out.push(`  ${line}`);
}

export function dumpCap(cap: CapFile): string {
  const out: string[] = [];
  const h = cap.header;
  out.push(`CAP file${cap.packagePath ? ` ${cap.packagePath}` : ''}, format ${version(h.major_version, h.minor_version)}`);
  out.push('');
  out.push(`Header: magic ${h.magic.toString(16).toUpperCase()} format ${version(h.major_version, h.minor_version)} flags ${flagNames(h.flags, HEADER_FLAGS)}`);
  out.push(`  package ${hex(h.package.AID)} version ${version(h.package.major_version, h.package.minor_version)}${h.package_name ? ` name ${h.package_name}` : ''}`);

  const d = cap.directory;
  out.push('Directory:');
  out.push(`  component_sizes: ${d.component_sizes.map((s, i) => `${COMPONENT_NAMES[i + 1]} ${s}`).join(', ')}`);
  const sfs = d.static_field_size;
  out.push(`  static_field_size: image_size ${sfs.image_size}, array_init_count ${sfs.array_init_count}, array_init_size ${sfs.array_init_size}`);
  out.push(`  import_count ${d.import_count}, applet_count ${d.applet_count}, custom_count ${d.custom_components.length}`);
  for (const c of d.custom_components) out.push(`  custom component ${c.component_tag} size ${c.size} AID ${hex(c.AID)}`);

  if (cap.applet) {
    out.push(`Applet: ${cap.applet.applets.length} applet(s)`);
    for (const a of cap.applet.applets) out.push(`  applet ${hex(a.AID)} install_method_offset ${formatHex16(a.install_method_offset)}`);
  }
  out.push(`Import: ${cap.import.packages.length} package(s)`);
  cap.import.packages.forEach((p, i) => out.push(`  [${i}] ${hex(p.AID)} version ${version(p.major_version, p.minor_version)}`));

  out.push(`ConstantPool: ${cap.constantPool.constant_pool.length} entries`);
  cap.constantPool.constant_pool.forEach((e, i) => out.push(`  [${i}] ${describeCpEntry(e, i, cap.descriptor?.types)}`));

  out.push(`Class: signature_pool ${cap.class.signature_pool.length} byte(s), ${cap.class.interfaces.length} interface(s), ${cap.class.classes.length} class(es)`);
  for (const [offset, list] of cap.class.signature_pool_types ?? []) out.push(`  signature ${formatHex16(offset)} ${formatTypes(list, true)}`);
  const records = [...cap.class.interfaces, ...cap.class.classes].sort((a, b) => a.offset - b.offset);
  for (const r of records) dumpClassRecord(out, r);

  const sf = cap.staticField;
  out.push(`StaticField: image_size ${sf.image_size}, reference_count ${sf.reference_count}, array_init_count ${sf.array_init.length}`);
  sf.array_init.forEach((a, i) => out.push(`  array_init [${i}] ${ARRAY_INIT_TYPES[a.type]}[] ${a.values.length} byte(s): ${hex(a.values, ' ')}`));
  const values = sf.non_default_values.length ? `: ${hex(sf.non_default_values, ' ')}` : '';
  out.push(`  default_value_count ${sf.default_value_count}, non_default_values (${sf.non_default_values.length})${values}`);

  const rl = cap.refLocation;
  out.push('RefLocation:');
  out.push(`  byte indices (${rl.byte_index_offsets.length}): ${rl.byte_index_offsets.join(' ')}`);
  out.push(`  byte2 indices (${rl.byte2_index_offsets.length}): ${rl.byte2_index_offsets.join(' ')}`);

  if (cap.export) {
    out.push(`Export: ${cap.export.class_exports.length} class(es)`);
    cap.export.class_exports.forEach((c, token) =>
      out.push(
        `  class token ${token} ${atOffset(c.class_offset)} static fields [${c.static_field_offsets.join(' ')}] ` +
          `static methods [${c.static_method_offsets.map(formatHex16).join(' ')}]`,
      ),
    );
  }
  dumpDescriptor(out, cap);
  if (cap.debug) out.push(`Debug: ${cap.debug.length} byte(s)`);
  if (cap.staticResources) {
    out.push(`StaticResources: ${cap.staticResources.resources.length} resource(s)`);
    for (const r of cap.staticResources.resources) out.push(`  resource ${r.id}: ${r.data.length} byte(s)`);
  }
  if (cap.descriptors) {
    out.push('Deployment descriptors:');
    for (const a of cap.descriptors.applets) out.push(`  applet ${a.aid} class ${a.className}`);
  }
  out.push('');
  dumpMethods(out, cap);
  return out.join('\n') + '\n';
}
