// Cutting the Method component into methods without a Descriptor component (JCVM 3.0.5 6.14:
// "The Descriptor component is not required for execution"; scriptgen never sends it).
// method_info records carry no length (6.10), so the boundaries are rebuilt from what the
// other components say:
//  - known method starts: the Class component's public and package method tables, the Export
//    component's static methods, the Applet component's install methods and the Constant
//    Pool's internal static method references (6.8, 6.13, 6.5, 6.7);
//  - each method is its header (2 bytes, 4 with ACC_EXTENDED; an abstract method has no code)
//    followed by bytecodes, read with the opcode table. After an instruction that does not
//    fall through (return family, athrow, goto, switches, ret) the method ends unless a branch
//    target or an exception handler of the method lies further on, or the next known start
//    is not reached yet and the code there could only belong to this method.
// Methods nothing refers to are laid out between the others (6.10 methods[] is contiguous):
// where a method ends before the next known start, another method begins.

import { CapFormatError } from '../../bytes.ts';
import { decodeInstruction } from '../bytecode.ts';
import type { ClassComponent, CpEntry, ExceptionHandlerInfo, MethodComponent, MethodInfo } from '../components.ts';
import { ComponentTag, CpTag, MethodFlags } from '../components.ts';
import { formatHex16, infoBase } from './common.ts';
import { readMethodHeader } from './methods.ts';

const BASE = infoBase(ComponentTag.Method);

/** Instructions after which control never reaches the next byte (JCVM 7.5). */
const NO_FALL_THROUGH = new Set([
  'goto', 'goto_w', 'ret', 'athrow', 'return', 'sreturn', 'areturn', 'ireturn',
  'stableswitch', 'itableswitch', 'slookupswitch', 'ilookupswitch',
]);

function methodError(infoAt: number, rule: string): never {
  throw new CapFormatError('Method', infoAt + BASE, rule);
}

export interface KnownStarts {
  cls: ClassComponent;
  cp: readonly CpEntry[];
  /** Applet component install_method_offset values. */
  installs: readonly number[];
  /** Export component static_method_offsets. */
  exported: readonly number[];
}

/** Method header offsets the other components name (before any is checked). */
export function knownMethodStarts(k: KnownStarts): Set<number> {
  const starts = new Set<number>();
  for (const c of k.cls.classes) {
    for (const off of [...c.public_virtual_method_table, ...c.package_virtual_method_table]) if (off !== 0xffff) starts.add(off);
  }
  for (const e of k.cp) if (e.tag === CpTag.StaticMethodref && e.ref.kind === 'internal') starts.add(e.ref.offset);
  for (const off of k.installs) starts.add(off);
  for (const off of k.exported) starts.add(off);
  return starts;
}

/**
 * Fills method.methods from the known starts (no Descriptor); returns the header offsets,
 * including those of methods found between others. Refuses a start outside the methods area,
 * code that does not decode, or an instruction that runs into the next known method.
 */
export function splitMethodsWithout(method: MethodComponent, known: Set<number>): Set<number> {
  const info = method.info;
  const methodsStart = 1 + 8 * method.exception_handlers.length;
  for (const off of known) {
    if (off < methodsStart || off + 2 > info.length) {
      methodError(Math.min(off, info.length), `a method reference names offset ${formatHex16(off)}, which is not inside the Method component's methods (${methodsStart}..${info.length})`);
    }
  }
  const sorted = [...known].sort((a, b) => a - b);
  const found: MethodInfo[] = [];
  // Methods are contiguous from the end of the handler table: walk them in order.
  let at = methodsStart;
  let next = 0; // index into sorted of the first known start after `at`
  while (at < info.length) {
    while (next < sorted.length && sorted[next]! <= at) next++;
    const limit = sorted[next] ?? info.length;
    const m = readMethod(info, at, limit, method.exception_handlers);
    found.push(m);
    at = m.code_offset + m.bytecodes.length;
    if (at > limit) methodError(limit, `the method at ${formatHex16(m.offset)} runs into the method at ${formatHex16(limit)}`);
  }
  for (const off of sorted) {
    if (!found.some((m) => m.offset === off)) methodError(off, `offset ${formatHex16(off)} is named as a method but lies inside the code of another method`);
  }
  method.methods = found;
  return new Set(found.map((m) => m.offset));
}

/** The method whose header is at `off`; its code ends at the first point nothing reaches past, or at `limit`. */
function readMethod(info: Uint8Array, off: number, limit: number, handlers: readonly ExceptionHandlerInfo[]): MethodInfo {
  if (off + 2 > info.length) methodError(off, `${info.length - off} byte(s) after the last method are too few for a method header`);
  const header = readMethodHeader(info, off);
  const code_offset = header.code_offset;
  if (code_offset > info.length) methodError(off, `the extended method header at ${formatHex16(off)} runs past the Method component`);
  // 6.10: an abstract method's method_info is its header alone.
  if (header.flags & MethodFlags.ACC_ABSTRACT) return { ...header, bytecodes: info.subarray(code_offset, code_offset) };
  let pc = code_offset;
  let reach = pc; // the method holds every byte before `reach` (branch targets, handlers)
  for (;;) {
    if (pc >= limit) break;
    const ins = decodeInstruction(info, pc, info.length);
    if (typeof ins === 'string') methodError(pc, `${ins} at pc ${pc - code_offset} of the method at ${formatHex16(off)} (method boundaries derived without a Descriptor)`);
    for (const t of ins.targets) reach = Math.max(reach, t + 1);
    for (const h of handlers) {
      if (h.start_offset >= pc && h.start_offset < pc + ins.length) {
        reach = Math.max(reach, h.start_offset + h.active_length, h.handler_offset + 1);
      }
    }
    pc += ins.length;
    if (NO_FALL_THROUGH.has(ins.op.name) && pc >= reach) break;
  }
  return { ...header, bytecodes: info.subarray(code_offset, pc) };
}
