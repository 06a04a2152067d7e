// One-line disassembly of an instruction, for the trace switch. Reads only the opcode table.

import { OPCODES, instructionLength } from './opcodes.ts';
import type { VmMethod } from './types.ts';

export function disassembleOne(code: Uint8Array, pc: number, m: VmMethod): string {
  const info = OPCODES[code[pc]!];
  const where = `${m.toString()}@${pc - m.start}`;
  if (!info) return `${where}: ??? 0x${code[pc]!.toString(16)}`;
  const len = instructionLength(code, pc);
  const operands = len > 1 ? Array.from(code.subarray(pc + 1, pc + Math.min(len, 12)), (b) => b.toString(16).padStart(2, '0')).join(' ') : '';
  return `${where}: ${info.name}${operands ? ' ' + operands : ''}`;
}
