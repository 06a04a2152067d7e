// Cutting the Method component into methods and checking their code (JCVM 6.10, 6.14, 7):
// the Descriptor says where each method header is and how many bytecodes follow it; together
// the methods must cover the method_info area exactly. Every instruction must decode with the
// opcode table, stay inside its method, branch to an instruction of the same method, and name
// a constant-pool entry of the kind the instruction needs.

import { CapFormatError } from '../../bytes.ts';
import { LAST_STANDARD_OPCODE } from '../../../vm/opcodes.ts';
import { decodeAll, type Instruction } from '../bytecode.ts';
import type { CpEntry, DescriptorComponent, MethodComponent, MethodInfo } from '../components.ts';
import { ComponentTag, CpTag, MemberAccess, MethodFlags, PackageFlags } from '../components.ts';
import { formatHex16, infoBase, positionOf } from './common.ts';
import { CLASS_ACC_INTERFACE } from './descriptor.ts';
import { CP_TAG_NAMES } from './constantPool.ts';

const BASE = infoBase(ComponentTag.Method);

function methodError(infoAt: number, rule: string): never {
  throw new CapFormatError('Method', infoAt + BASE, rule);
}

export type MethodHeader = Pick<MethodInfo, 'offset' | 'flags' | 'max_stack' | 'nargs' | 'max_locals' | 'code_offset'>;

/**
 * The method header at `off` (6.10): method_header_info (2 bytes of nibbles), or
 * extended_method_header_info (4 bytes) when ACC_EXTENDED. Refuses reserved flag bits; the
 * caller checks that the header and its code fit in the component (off + 2 <= info.length).
 */
export function readMethodHeader(info: Uint8Array, off: number): MethodHeader {
  const flags = info[off]! >> 4;
  if (flags & ~(MethodFlags.ACC_EXTENDED | MethodFlags.ACC_ABSTRACT)) {
    methodError(off, `method header at ${formatHex16(off)} has reserved flag bits 0x${flags.toString(16)}`);
  }
  const extended = (flags & MethodFlags.ACC_EXTENDED) !== 0;
  return {
    offset: off,
    flags,
    max_stack: extended ? info[off + 1]! : info[off]! & 0xf,
    nargs: extended ? info[off + 2]! : info[off + 1]! >> 4,
    max_locals: extended ? info[off + 3]! : info[off + 1]! & 0xf,
    code_offset: off + (extended ? 4 : 2),
  };
}

/** Fills method.methods from the Descriptor; returns the method header offsets. */
export function splitMethods(method: MethodComponent, descriptor: DescriptorComponent): Set<number> {
  const info = method.info;
  const methodsStart = 1 + 8 * method.exception_handlers.length;
  const found: MethodInfo[] = [];
  for (const cls of descriptor.classes) {
    if (cls.access_flags & CLASS_ACC_INTERFACE) continue;
    const class_offset = cls.this_class_ref.kind === 'internal' ? cls.this_class_ref.offset : undefined;
    for (const d of cls.methods) {
      const at = positionOf(d);
      const fail = (rule: string): never => {
        throw new CapFormatError('Descriptor', at, rule);
      };
      const off = d.method_offset;
      if (off < methodsStart || off + 2 > info.length) {
        fail(`method_offset ${formatHex16(off)} is not inside the Method component's methods (${methodsStart}..${info.length})`);
      }
      const header = readMethodHeader(info, off);
      const { flags, code_offset } = header;
      if (code_offset + d.bytecode_count > info.length) {
        fail(`method at ${formatHex16(off)}: bytecode_count ${d.bytecode_count} runs past the Method component (${info.length} bytes)`);
      }
      const abstract = (flags & MethodFlags.ACC_ABSTRACT) !== 0;
      if (abstract !== ((d.access_flags & MemberAccess.ACC_ABSTRACT) !== 0)) {
        fail(`method at ${formatHex16(off)}: ACC_ABSTRACT differs between the Descriptor and the method header`);
      }
      const m: MethodInfo = {
        ...header,
        bytecodes: info.subarray(code_offset, code_offset + d.bytecode_count),
        descriptor: d,
      };
      if (class_offset !== undefined) m.class_offset = class_offset;
      found.push(m);
    }
  }
  found.sort((a, b) => a.offset - b.offset);
  // The methods must tile the area after the handlers: no gap, no overlap (6.10 methods[]).
  let expected = methodsStart;
  for (const m of found) {
    if (m.offset < expected) methodError(m.offset, `method at ${formatHex16(m.offset)} overlaps the method before it`);
    if (m.offset > expected) methodError(expected, `bytes ${expected}..${m.offset - 1} belong to no method of the Descriptor`);
    expected = m.code_offset + m.bytecodes.length;
  }
  if (expected !== info.length) methodError(expected, `bytes ${expected}..${info.length - 1} belong to no method of the Descriptor`);
  method.methods = found;
  return new Set(found.map((m) => m.offset));
}

/** The constant-pool entry kinds an instruction's index may name (JCVM 7.5). */
function wantedCpTags(ins: Instruction): number[] | undefined {
  const name = ins.op.name;
  if (/^(get|put)field_/.test(name)) return [CpTag.InstanceFieldref];
  if (/^(get|put)static_/.test(name)) return [CpTag.StaticFieldref];
  switch (name) {
    case 'invokevirtual': return [CpTag.VirtualMethodref];
    case 'invokespecial': return [CpTag.StaticMethodref, CpTag.SuperMethodref];
    case 'invokestatic': return [CpTag.StaticMethodref];
    case 'invokeinterface':
    case 'new':
    case 'anewarray':
      return [CpTag.Classref];
    case 'checkcast':
    case 'instanceof':
      // atype 0 (class/interface) or 14 (array of references) names a Classref; for
      // primitive array types 10..13 the index is unused.
      return ins.operands[0]!.value === 0 || ins.operands[0]!.value === 14 ? [CpTag.Classref] : undefined;
    default:
      return undefined;
  }
}

export interface CodeReferences {
  /** Method info offsets of one-byte constant-pool indices (getfield_T/putfield_T …). */
  byteIndices: Set<number>;
  /** Method info offsets of two-byte constant-pool indices, including non-zero catch types. */
  byte2Indices: Set<number>;
  /** Two-byte index operands that are unused (checkcast/instanceof of a primitive array). */
  unusedIndices: Set<number>;
}

/**
 * Checks the code of every method and the exception handlers against the methods; returns
 * where constant-pool indices are, for the Reference Location component to be checked against.
 */
export function checkCode(method: MethodComponent, cp: readonly CpEntry[], headerFlags: number): CodeReferences {
  const refs: CodeReferences = { byteIndices: new Set(), byte2Indices: new Set(), unusedIndices: new Set() };
  const startsOf = new Map<MethodInfo, Set<number>>();
  for (const m of method.methods) {
    const where = `of the method at ${formatHex16(m.offset)}`;
    const { instructions, error } = decodeAll(m.bytecodes);
    if (error) methodError(m.code_offset + error.pc, `${error.reason} at pc ${error.pc} ${where}`);
    const starts = new Set(instructions.map((i) => i.pc));
    startsOf.set(m, starts);
    for (const ins of instructions) {
      const at = m.code_offset + ins.pc;
      const fail = (rule: string): never => methodError(at, `${rule} at pc ${ins.pc} ${where}`);
      // 7.5: impdep1/impdep2 are reserved for implementations and must not appear in a CAP file.
      if (ins.op.code > LAST_STANDARD_OPCODE) fail(`undefined opcode 0x${ins.op.code.toString(16)} (${ins.op.name})`);
      if (ins.op.int && !(headerFlags & PackageFlags.ACC_INT)) fail(`${ins.op.name} uses the int type but the Header has no ACC_INT`);
      if (ins.op.name === 'newarray') {
        const atype = ins.operands[0]!.value;
        // 7.5.newarray: T_BOOLEAN 10, T_BYTE 11, T_SHORT 12, T_INT 13
        if (atype < 10 || atype > 13) fail(`newarray array type ${atype} is not 10..13`);
      }
      if (ins.op.name === 'checkcast' || ins.op.name === 'instanceof') {
        const atype = ins.operands[0]!.value;
        // 7.5.checkcast: 0 class or interface, 10..13 primitive arrays, 14 reference arrays
        if (atype !== 0 && (atype < 10 || atype > 14)) fail(`${ins.op.name} array type ${atype} is not 0 or 10..14`);
      }
      for (const t of ins.targets) {
        if (!starts.has(t)) fail(`${ins.op.name} branches to ${t}, which is not an instruction of the method`);
      }
      const wanted = wantedCpTags(ins);
      for (const o of ins.operands) {
        if (o.kind !== 'c' && o.kind !== 'C') continue;
        const infoAt = m.code_offset + o.at;
        if (wanted === undefined) {
          refs.unusedIndices.add(infoAt);
          continue;
        }
        (o.kind === 'c' ? refs.byteIndices : refs.byte2Indices).add(infoAt);
        const e = cp[o.value];
        if (e === undefined) fail(`${ins.op.name} index ${o.value} is not below the constant pool count ${cp.length}`);
        if (!wanted.includes(e.tag)) {
          fail(`${ins.op.name} index ${o.value} names a ${CP_TAG_NAMES[e.tag]}, expected ${wanted.map((t) => CP_TAG_NAMES[t]).join(' or ')}`);
        }
      }
    }
    if (m.bytecodes.length === 0 && !(m.flags & MethodFlags.ACC_ABSTRACT)) methodError(m.offset, `method at ${formatHex16(m.offset)} has no code and is not abstract`);
  }
  checkHandlers(method, startsOf, refs);
  return refs;
}

/** Each handler's try block and handler must lie in one method, on instruction boundaries. */
function checkHandlers(method: MethodComponent, startsOf: Map<MethodInfo, Set<number>>, refs: CodeReferences): void {
  const owner = (off: number): MethodInfo | undefined =>
    method.methods.find((m) => off >= m.code_offset && off < m.code_offset + m.bytecodes.length);
  method.exception_handlers.forEach((h, i) => {
    const at = positionOf(h) - BASE;
    const what = `exception handler ${i}`;
    const m = owner(h.start_offset);
    if (!m) methodError(at, `${what}: start_offset ${h.start_offset} is not in the code of a method`);
    const starts = startsOf.get(m)!;
    const end = h.start_offset + h.active_length;
    if (!starts.has(h.start_offset - m.code_offset)) methodError(at, `${what}: start_offset ${h.start_offset} is not an instruction boundary`);
    if (end > m.code_offset + m.bytecodes.length) methodError(at, `${what}: active range ends at ${end}, past the method at ${formatHex16(m.offset)}`);
    if (owner(h.handler_offset) !== m || !starts.has(h.handler_offset - m.code_offset)) {
      methodError(at + 4, `${what}: handler_offset ${h.handler_offset} is not an instruction of the method at ${formatHex16(m.offset)}`);
    }
    if (h.catch_type_index !== 0) refs.byte2Indices.add(at + 6);
  });
  // The Descriptor's handler ranges per method (6.14 exception_handler_index/count).
  for (const m of method.methods) {
    const d = m.descriptor;
    if (!d || d.exception_handler_count === 0) continue;
    const fail = (rule: string): never => {
      throw new CapFormatError('Descriptor', positionOf(d) + 8, rule);
    };
    const last = d.exception_handler_index + d.exception_handler_count;
    if (last > method.exception_handlers.length) {
      fail(`method at ${formatHex16(m.offset)}: exception handlers ${d.exception_handler_index}..${last - 1} are beyond handler_count ${method.exception_handlers.length}`);
    }
    for (let k = d.exception_handler_index; k < last; k++) {
      if (owner(method.exception_handlers[k]!.start_offset) !== m) fail(`method at ${formatHex16(m.offset)}: exception handler ${k} belongs to another method`);
    }
  }
}
