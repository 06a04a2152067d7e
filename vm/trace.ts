// One-line disassembly of an instruction, for the trace switch, and the step hooks the
// interpreter calls before each instruction when tracing or recording coverage. Reads only the opcode table.

import { OPCODES, instructionLength } from './opcodes.ts';
import type { VmMethod } from './types.ts';
import type { StepHook } from './interpreter.ts';

export function disassembleOne(code: Uint8Array, pc: number, m: VmMethod): string {
  const info = OPCODES[code[pc]!];
  const where = `${m.toString()}@${pc - m.start}`;
  if (!info) return `${where}: ??? 0x${code[pc]!.toString(16)}`;
  const len = instructionLength(code, pc);
  const operands = len > 1 ? Array.from(code.subarray(pc + 1, pc + Math.min(len, 12)), (b) => b.toString(16).padStart(2, '0')).join(' ') : '';
  return `${where}: ${info.name}${operands ? ' ' + operands : ''}`;
}

/**
 * A step hook that prints each instruction with the current frame's operand stack. The stack is
 * read from `vm` at each step: a call that switches context runs on a stack of its own (Vm.callInContext).
 */
export function traceStep(vm: { readonly stack: Int16Array }, out: (line: string) => void): StepHook {
  return (m, pc, lp, sp) => out(`${disassembleOne(m.code, pc, m)}    stack=[${Array.from(vm.stack.subarray(lp + m.maxLocals, sp)).join(' ')}]`);
}

/** The Vm's one step hook from its options: the step hook, the trace, both, or none (null). */
export function combineSteps(vm: { readonly stack: Int16Array }, step: StepHook | undefined, trace: ((line: string) => void) | undefined): StepHook | null {
  const t = trace ? traceStep(vm, trace) : undefined;
  if (step && t) {
    return (m, pc, lp, sp) => {
      t(m, pc, lp, sp);
      step(m, pc, lp, sp);
    };
  }
  return step ?? t ?? null;
}
