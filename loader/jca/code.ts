// Bytecode of one method: instruction sizes, label addresses, and the encoded bytes, all
// driven by the operand layouts of vm/opcodes.ts. Branch offsets are relative to the
// branching instruction's opcode (JCVM spec 7.5); the switches are written as JCA does:
//   stableswitch  default low high L...        itableswitch  default low high L...
//   slookupswitch default npairs (match L)...  ilookupswitch default npairs (match L)...
// The converter already chose short or wide forms (goto / goto_w), so no relaxation here.

import { OPCODE_BY_NAME, type OpInfo } from '../../vm/opcodes.ts';
import type { InstructionAst, MethodAst, OperandAst } from './ast.ts';
import type { SourcePos } from './errors.ts';

export interface CodeProblem {
  pos: SourcePos;
  detail: string;
}

/** A constant pool index operand: where it is in the code and how wide. */
export interface CpIndexSite {
  offset: number;
  wide: boolean;
  index: number;
}

export interface AssembledCode {
  bytes: Uint8Array;
  /** Code offset of every label. */
  labels: Map<string, number>;
  cpSites: CpIndexSite[];
}

class CodeError extends Error {
  constructor(readonly problem: CodeProblem) {
    super(problem.detail);
  }
}

function fail(pos: SourcePos, detail: string): never {
  throw new CodeError({ pos, detail });
}

function opInfo(ins: InstructionAst): OpInfo {
  const info = OPCODE_BY_NAME.get(ins.mnemonic);
  if (!info) fail(ins.pos, `unknown instruction '${ins.mnemonic}'`);
  return info;
}

function num(o: OperandAst | undefined, ins: InstructionAst, what: string, min: number, max: number): number {
  if (!o) fail(ins.pos, `${ins.mnemonic}: missing ${what}`);
  if (o.kind !== 'number') fail(o.pos, `${ins.mnemonic}: expected ${what}, found label ${o.name}`);
  if (o.value < min || o.value > max) fail(o.pos, `${ins.mnemonic}: ${what} ${o.value} out of range ${min}..${max}`);
  return o.value;
}

/** Size of one instruction from its layout and, for switches, its operand count. */
function sizeOf(ins: InstructionAst, info: OpInfo): number {
  if (info.size) return info.size;
  const n = ins.operands.length;
  switch (info.operands) {
    case 'T': // default low high L*
      return 7 + 2 * Math.max(0, n - 3);
    case 'U':
      return 11 + 2 * Math.max(0, n - 3);
    case 'K': // default npairs (match L)*
      return 5 + 4 * Math.max(0, (n - 2) >> 1);
    case 'M':
      return 5 + 6 * Math.max(0, (n - 2) >> 1);
    default:
      throw new Error(`no size rule for ${info.name}`);
  }
}

class Out {
  readonly bytes: number[] = [];
  u1(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u2(v: number): void {
    this.bytes.push((v >> 8) & 0xff, v & 0xff);
  }
  u4(v: number): void {
    this.bytes.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
}

/** Assembles a method body; throws CodeProblem-carrying errors via `onError`. */
export function assembleCode(m: MethodAst, onError: (p: CodeProblem) => never): AssembledCode {
  try {
    return assemble(m);
  } catch (e) {
    if (e instanceof CodeError) onError(e.problem);
    throw e;
  }
}

function assemble(m: MethodAst): AssembledCode {
  const labels = new Map<string, number>();
  const infos: OpInfo[] = [];
  const starts: number[] = [];
  let pc = 0;
  for (const ins of m.code) {
    const info = opInfo(ins);
    for (const l of ins.labels) {
      if (labels.has(l)) fail(ins.pos, `label ${l} defined twice`);
      labels.set(l, pc);
    }
    infos.push(info);
    starts.push(pc);
    pc += sizeOf(ins, info);
  }
  for (const l of m.trailingLabels) labels.set(l, pc);

  const out = new Out();
  const cpSites: CpIndexSite[] = [];
  m.code.forEach((ins, i) => {
    const info = infos[i]!;
    const at = starts[i]!;
    const target = (o: OperandAst | undefined, min: number, max: number): number => {
      if (!o) fail(ins.pos, `${ins.mnemonic}: missing branch target`);
      if (o.kind !== 'label') fail(o.pos, `${ins.mnemonic}: expected a label, found ${o.value}`);
      const t = labels.get(o.name);
      if (t === undefined) fail(o.pos, `undefined label ${o.name}`);
      const d = t - at;
      if (d < min || d > max) fail(o.pos, `${ins.mnemonic}: branch to ${o.name} (${d} bytes) out of range`);
      return d;
    };
    out.u1(info.code);
    if (info.size === 0) {
      encodeSwitch(ins, info, out, (o) => target(o, -32768, 32767));
    } else {
      if (ins.operands.length !== info.operands.length) {
        fail(ins.pos, `${ins.mnemonic} takes ${info.operands.length} operand(s), found ${ins.operands.length}`);
      }
      [...info.operands].forEach((k, j) => {
        const o = ins.operands[j];
        switch (k) {
          case 'b': out.u1(num(o, ins, 'a byte value', -128, 127)); break;
          case 'B': out.u1(num(o, ins, 'an unsigned byte', 0, 255)); break;
          case 'h': out.u2(num(o, ins, 'a short value', -32768, 32767)); break;
          case 'i': out.u4(num(o, ins, 'an int value', -0x80000000, 0xffffffff)); break;
          case 'l': out.u1(num(o, ins, 'a local variable index', 0, 255)); break;
          case 't': out.u1(num(o, ins, 'an array type', 0, 255)); break;
          case 'o': out.u1(target(o, -128, 127)); break;
          case 'O': out.u2(target(o, -32768, 32767)); break;
          case 'c':
          case 'C': {
            const wide = k === 'C';
            const index = num(o, ins, 'a constant pool index', 0, wide ? 65535 : 255);
            // checkcast/instanceof of a primitive array type (10..13) carry no class (index
            // unused); type 0 (class) and 14 (array of a class) name one.
            const atype = ins.operands[0]?.kind === 'number' ? ins.operands[0].value : 0;
            const typed = info.operands === 'tC' && atype !== 0 && atype !== 14;
            if (!typed) cpSites.push({ offset: out.bytes.length, wide, index });
            if (wide) out.u2(index);
            else out.u1(index);
            break;
          }
          default:
            throw new Error(`operand kind ${k}`);
        }
      });
    }
  });
  return { bytes: Uint8Array.from(out.bytes), labels, cpSites };
}

function encodeSwitch(ins: InstructionAst, info: OpInfo, out: Out, target: (o: OperandAst | undefined) => number): void {
  const ops = ins.operands;
  const intKeys = info.operands === 'U' || info.operands === 'M';
  const key = (o: OperandAst | undefined, what: string): number =>
    intKeys ? num(o, ins, what, -0x80000000, 0x7fffffff) : num(o, ins, what, -32768, 32767);
  const putKey = intKeys ? (v: number) => out.u4(v) : (v: number) => out.u2(v);
  out.u2(target(ops[0]));
  if (info.operands === 'T' || info.operands === 'U') {
    const low = key(ops[1], 'the low value');
    const high = key(ops[2], 'the high value');
    if (high < low) fail(ins.pos, `${ins.mnemonic}: high ${high} is below low ${low}`);
    if (ops.length !== 3 + (high - low + 1)) {
      fail(ins.pos, `${ins.mnemonic}: ${high - low + 1} jump targets expected for ${low}..${high}, found ${ops.length - 3}`);
    }
    putKey(low);
    putKey(high);
    for (let j = 3; j < ops.length; j++) out.u2(target(ops[j]));
  } else {
    const n = num(ops[1], ins, 'the number of pairs', 0, 65535);
    if (ops.length !== 2 + 2 * n) fail(ins.pos, `${ins.mnemonic}: ${n} match/label pairs expected, found ${(ops.length - 2) / 2}`);
    out.u2(n);
    for (let j = 0; j < n; j++) {
      putKey(key(ops[2 + 2 * j], 'a match value'));
      out.u2(target(ops[3 + 2 * j]));
    }
  }
}

/** True when any instruction needs the int type (Header ACC_INT, JCVM 6.4). */
export function usesInt(m: MethodAst): boolean {
  return m.code.some((ins) => OPCODE_BY_NAME.get(ins.mnemonic)?.int === true);
}
