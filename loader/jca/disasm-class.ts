// Disassembly of the Class, Method and Descriptor components into JCA `.class` / `.interface`
// blocks: fields with their static initial values, the virtual method tables, implemented
// interfaces, and methods with labelled code and exception tables.

import { decodeAll } from '../cap/bytecode.ts';
import type { CapFile } from '../cap/components.ts';
import type { Names } from './disasm-names.ts';

type ClassDesc = NonNullable<CapFile['descriptor']>['classes'][number];
type FieldDesc = ClassDesc['fields'][number];
type MethodDesc = ClassDesc['methods'][number];

const T1 = '\t';
const T2 = '\t\t';
const T3 = '\t\t\t';
const T4 = '\t\t\t\t';

function modifiers(flags: number, extra: { abstract?: boolean } = {}): string[] {
  const out: string[] = [];
  if (flags & 0x01) out.push('public');
  if (flags & 0x02) out.push('private');
  if (flags & 0x04) out.push('protected');
  if (flags & 0x08) out.push('static');
  if (flags & 0x10) out.push('final');
  if (extra.abstract) out.push('abstract');
  return out;
}

export function disassembleClass(n: Names, offset: number): string[] {
  const cap = n.cap;
  const desc = cap.descriptor!.classes.find((d) => d.this_class_ref.kind === 'internal' && d.this_class_ref.offset === offset);
  if (!desc) throw new Error(`class at ${offset} has no descriptor`);
  const iface = cap.class.interfaces.find((i) => i.offset === offset);
  const tokenText = desc.token === 0xff ? '' : ` ${desc.token}`;
  const head = modifiers(desc.access_flags & 0x11, { abstract: (desc.access_flags & 0x80) !== 0 });
  const out: string[] = [];
  if (iface) {
    out.push(`${T1}.interface ${[...head, n.className(offset)].join(' ')}${tokenText} {`, '');
    if (iface.flags & 0x4) out.push(`${T2}.shareable;`, '');
    if (iface.superinterfaces.length) {
      out.push(`${T2}.superInterfaces {`, ...iface.superinterfaces.map((s) => `${T3}${n.classRef(s)};`), `${T2}}`, '');
    }
    for (const m of desc.methods) {
      const sig = n.methodSig(m.type_offset);
      out.push(`${T2}.method ${modifiers(m.access_flags & 0x3f, { abstract: true }).join(' ')} ${n.virtualName(m.token, true)}${sig} ${m.token} {`);
      out.push(...n.bindings(sig, T3), `${T2}}`, '');
    }
    out.push(`${T1}}`, '');
    return out;
  }

  const cls = cap.class.classes.find((c) => c.offset === offset)!;
  if (!cls.super_class_ref) throw new Error(`class ${n.className(offset)} has no superclass`);
  out.push(`${T1}.class ${[...head, n.className(offset)].join(' ')}${tokenText} extends ${n.classRef(cls.super_class_ref)} {`, '');
  if (cls.flags & 0x4) out.push(`${T2}.shareable;`, '');
  out.push(...fields(n, offset, desc));
  out.push(...methodTable(n, offset, cls.public_method_table_base, cls.public_method_table_count, false, cls.public_virtual_method_token_mapping, cls.CAP22_inheritable_public_method_token_count));
  out.push(...methodTable(n, offset, cls.package_method_table_base, cls.package_method_table_count, true));
  if (cls.interfaces.length) {
    out.push(`${T2}.implementedInterfaceInfoTable {`);
    for (const i of cls.interfaces) {
      out.push(`${T3}.interface ${n.classRef(i.interface)} {`, ...i.index.map((x) => `${T4}${x};`), `${T3}}`);
    }
    out.push(`${T2}}`, '');
  }
  for (const m of desc.methods) out.push(...method(n, m));
  out.push(`${T1}}`, '');
  return out;
}

function fields(n: Names, classOffset: number, desc: ClassDesc): string[] {
  if (!desc.fields.length) return [];
  const out = [`${T2}.fields {`];
  for (const f of desc.fields) {
    const type = fieldTypeOf(n, f);
    const mods = modifiers(f.access_flags);
    if (f.field_ref.kind === 'instance') {
      out.push(`${T3}${[...mods, n.fieldType(type), `f${f.token}`].join(' ')} ${f.token};`);
      continue;
    }
    if (f.field_ref.ref.kind !== 'internal') throw new Error(`class ${classOffset}: static field of another package`);
    const at = f.field_ref.ref.offset;
    const token = f.token === 0xff ? '' : ` ${f.token}`;
    const init = staticInit(n.cap, at, type);
    out.push(`${T3}${[...mods, n.fieldType(type), `s${at}`].join(' ')}${token}${init === undefined ? '' : ` = ${init}`};`);
  }
  out.push(`${T2}}`, '');
  return out;
}

function fieldTypeOf(n: Names, f: FieldDesc): string {
  if (f.type & 0x8000) return ({ 2: 'Z', 3: 'B', 4: 'S', 5: 'I' } as Record<number, string>)[f.type & 0xf]!;
  return n.types(f.type)[0]!;
}

function readSigned(bytes: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + bytes[at + i]!;
  return v >= 2 ** (8 * size - 1) ? v - 2 ** (8 * size) : v;
}

/** The initializer of the static at image offset `at` (JCVM 6.11 segments), if any. */
function staticInit(cap: CapFile, at: number, type: string): string | undefined {
  const sf = cap.staticField;
  const size = ({ Z: 1, B: 1, S: 2, I: 4 } as Record<string, number>)[type.replace('[', '')] ?? 2;
  if (type.startsWith('[') && at < 2 * sf.array_init.length && at % 2 === 0) {
    const a = sf.array_init[at / 2]!;
    const values: number[] = [];
    for (let i = 0; i < a.values.length; i += size) values.push(readSigned(a.values, i, size));
    return `{${values.join(',')}}`;
  }
  const start = sf.image_size - sf.non_default_values.length;
  if (!type.startsWith('[') && !type.startsWith('L') && at >= start) return String(readSigned(sf.non_default_values, at - start, size));
  return undefined;
}

function methodTable(
  n: Names,
  classOffset: number,
  base: number,
  count: number,
  isPackage: boolean,
  mapping?: number[],
  inheritable?: number,
): string[] {
  const head = `${T2}.${isPackage ? 'package' : 'public'}MethodTable ${base}${!isPackage && inheritable !== undefined ? ` ${inheritable}` : ''} {`;
  const out = [head];
  for (let i = 0; i < base + count; i++) {
    const token = isPackage ? 0x80 | i : i;
    const map = !isPackage && mapping ? ` ${mapping[i]}` : '';
    out.push(`${T3}${n.virtualName(token)}${n.virtualSig(classOffset, token)}${map};`);
  }
  out.push(`${T2}}`, '');
  return out;
}

function method(n: Names, m: MethodDesc): string[] {
  const sig = n.methodSig(m.type_offset);
  const abstract = (m.access_flags & 0x40) !== 0;
  const mods = modifiers(m.access_flags & 0x3f, { abstract });
  const name = n.methodName(m.method_offset);
  const token = m.token === 0xff ? '' : ` ${m.token}`;
  const out = [`${T2}.method ${[...mods, `${name}${sig}`].join(' ')}${token} {`];
  const info = n.cap.method.methods.find((x) => x.offset === m.method_offset);
  if (abstract || !info) {
    out.push(...n.bindings(sig, T3), `${T2}}`, '');
    return out;
  }
  out.push(`${T3}.stack ${info.max_stack};`, `${T3}.locals ${info.max_locals};`, '');
  const binds = n.bindings(sig, T3);
  if (binds.length) out.push(...binds, '');

  const handlers = n.cap.method.exception_handlers.slice(m.exception_handler_index, m.exception_handler_index + m.exception_handler_count);
  const { instructions, error } = decodeAll(info.bytecodes);
  if (error) throw new Error(`method at ${m.method_offset}: ${error.reason} at pc ${error.pc}`);
  const targets = new Set<number>([0]);
  for (const ins of instructions) for (const t of ins.targets) targets.add(t);
  for (const h of handlers) {
    const start = h.start_offset - info.code_offset;
    targets.add(start).add(start + h.active_length).add(h.handler_offset - info.code_offset);
  }
  const labels = new Map([...targets].sort((a, b) => a - b).map((pc, i) => [pc, `L${i}`]));
  const L = (pc: number): string => labels.get(pc)!;

  for (const ins of instructions) {
    const label = labels.has(ins.pc) ? `${L(ins.pc)}:` : '';
    out.push(`${T3}${label}\t${ins.op.name}${operands(ins, L)};`);
  }
  if (labels.has(info.bytecodes.length)) out.push(`${T3}${L(info.bytecodes.length)}:`);
  if (handlers.length) {
    out.push('', `${T3}.exceptionTable {`, `${T4}// start_block end_block handler_block catch_type_index`);
    for (const h of handlers) {
      const start = h.start_offset - info.code_offset;
      out.push(`${T4}${L(start)} ${L(start + h.active_length)} ${L(h.handler_offset - info.code_offset)} ${h.catch_type_index};`);
    }
    out.push(`${T3}}`);
  }
  out.push(`${T2}}`, '');
  return out;
}

function operands(ins: ReturnType<typeof decodeAll>['instructions'][number], L: (pc: number) => string): string {
  const sw = ins.switch;
  if (sw) {
    const parts = [L(sw.default)];
    if (ins.op.operands === 'T' || ins.op.operands === 'U') {
      parts.push(String(sw.cases[0]!.match), String(sw.cases[sw.cases.length - 1]!.match), ...sw.cases.map((c) => L(c.target)));
    } else {
      parts.push(String(sw.cases.length), ...sw.cases.flatMap((c) => [String(c.match), L(c.target)]));
    }
    return ' ' + parts.join(' ');
  }
  return ins.operands.map((o) => ' ' + (o.kind === 'o' || o.kind === 'O' ? L(ins.pc + o.value) : String(o.value))).join('');
}
