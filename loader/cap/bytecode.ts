// Decoding one instruction, driven only by the opcode table (vm/opcodes.ts): the structural
// checks of the loader and the disassembler both read methods through this.

import { OPCODES, type OpInfo, instructionLength } from '../../vm/opcodes.ts';

export interface Operand {
  /** The operand letter of vm/opcodes.ts (b B h i l c C o O t). */
  kind: string;
  value: number;
  /** pc of the operand's first byte. */
  at: number;
}

export interface SwitchTable {
  default: number;
  /** Absolute targets with the value that selects each (table switches: low..high). */
  cases: { match: number; target: number }[];
}

export interface Instruction {
  pc: number;
  op: OpInfo;
  length: number;
  operands: Operand[];
  switch?: SwitchTable;
  /** Absolute branch targets (o/O operands, switch default and cases). */
  targets: number[];
}

const WIDTH: Record<string, number> = { b: 1, B: 1, h: 2, i: 4, l: 1, c: 1, C: 2, o: 1, O: 2, t: 1 };

function read(code: Uint8Array, at: number, width: number, signed: boolean): number {
  let v = 0;
  for (let k = 0; k < width; k++) v = v * 256 + code[at + k]!;
  if (signed && v >= 2 ** (8 * width - 1)) v -= 2 ** (8 * width);
  return v;
}

/** Operand letters whose bytes are signed. */
const SIGNED = new Set(['b', 'h', 'i', 'o', 'O']);

/**
 * The instruction at `pc`, or a reason it cannot be decoded (undefined opcode, or it runs past
 * `end`). impdep1/impdep2 decode here; whether they may appear is the caller's rule.
 */
export function decodeInstruction(code: Uint8Array, pc: number, end = code.length): Instruction | string {
  const op = OPCODES[code[pc]!];
  if (!op) return `undefined opcode 0x${code[pc]!.toString(16).padStart(2, '0')}`;
  const length = instructionLength(code, pc, end);
  if (length < 0) return `${op.name} runs past the end of the method`;
  const ins: Instruction = { pc, op, length, operands: [], targets: [] };
  if (op.size === 0) {
    ins.switch = readSwitch(code, pc, op.operands);
    ins.targets.push(ins.switch.default, ...ins.switch.cases.map((c) => c.target));
    return ins;
  }
  let at = pc + 1;
  for (const kind of op.operands) {
    const width = WIDTH[kind]!;
    const value = read(code, at, width, SIGNED.has(kind));
    ins.operands.push({ kind, value, at });
    if (kind === 'o' || kind === 'O') ins.targets.push(pc + value);
    at += width;
  }
  return ins;
}

/** The switch bodies (JCVM 7.5): default s2, then bounds or pairs, offsets relative to pc. */
function readSwitch(code: Uint8Array, pc: number, kind: string): SwitchTable {
  const s2 = (at: number): number => read(code, at, 2, true);
  const s4 = (at: number): number => read(code, at, 4, true);
  const table: SwitchTable = { default: pc + s2(pc + 1), cases: [] };
  if (kind === 'T' || kind === 'U') {
    const wide = kind === 'U';
    const low = wide ? s4(pc + 3) : s2(pc + 3);
    const high = wide ? s4(pc + 7) : s2(pc + 5);
    let at = pc + (wide ? 11 : 7);
    for (let v = low; v <= high; v++, at += 2) table.cases.push({ match: v, target: pc + s2(at) });
  } else {
    const wide = kind === 'M';
    const n = read(code, pc + 3, 2, false);
    let at = pc + 5;
    for (let k = 0; k < n; k++) {
      const match = wide ? s4(at) : s2(at);
      at += wide ? 4 : 2;
      table.cases.push({ match, target: pc + s2(at) });
      at += 2;
    }
  }
  return table;
}

/** Every instruction of `code` in order; stops with the reason at the first that fails. */
export function decodeAll(code: Uint8Array): { instructions: Instruction[]; error?: { pc: number; reason: string } } {
  const instructions: Instruction[] = [];
  let pc = 0;
  while (pc < code.length) {
    const ins = decodeInstruction(code, pc);
    if (typeof ins === 'string') return { instructions, error: { pc, reason: ins } };
    instructions.push(ins);
    pc += ins.length;
  }
  return { instructions };
}
