// Static analysis of one bytecode method for the JIT (vm/jit/README.md): decode the
// instructions, follow every edge (branches, switches, jsr/ret, exception handlers) to find
// the operand stack's shape at each reachable pc, and split the code into basic blocks.
//
// The shape is one character per word: W (a short, byte, boolean, reference or return
// address), I (the first word of an int) and J (its second word). Converter-produced code has
// one shape per pc (the JCVM verifier's rule, JCVM spec 4.7); anything else is refused and the
// method stays with the interpreter. So is anything else the code generator cannot reproduce
// exactly: unknown opcodes, locals outside the frame, int words used as shorts (or the
// reverse, on the stack or in locals), unresolved or abstract call targets.

import { OPCODES, Op, instructionLength, type OpInfo } from '../opcodes.ts';
import { RetKind, type VmClass, type VmMethod } from '../types.ts';
import { packageVirtual } from '../ops/objects.ts';

/** The method cannot be compiled; `message` says why. */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refusal';
  }
}

/** What one invoke instruction calls, as far as it is known before run time. */
export interface CallSite {
  /** Words popped (arguments, `this` included). */
  nargs: number;
  /** What the call pushes. */
  ret: RetKind;
  /** invokestatic / invokespecial: the bound method. */
  target: VmMethod | null;
}

export interface Insn {
  pc: number;
  op: number;
  len: number;
  /** Stack shape before the instruction (its length is the depth). */
  shape: string;
  /** Index of the basic block the instruction belongs to. */
  block: number;
  call: CallSite | null;
}

export interface Block {
  index: number;
  /** pc of the leader. */
  pc: number;
  insns: Insn[];
}

export interface Analysis {
  method: VmMethod;
  /** Reachable instructions in pc order. */
  insns: Insn[];
  /** Basic blocks in pc order; the first is the method's entry. */
  blocks: Block[];
  /** Block index of a leader pc. */
  blockAt: Map<number, number>;
  /** Deepest operand stack reached. */
  maxDepth: number;
  /** Per argument word: read as the first word of an int (iload/iinc) before any store to it. */
  intArgs: boolean[];
  /** pcs a `ret` may return to (the instruction after each jsr). */
  jsrReturns: number[];
  /** Local variable indices the code reads or writes. */
  usedLocals: Set<number>;
}

const u2 = (code: Uint8Array, at: number): number => (code[at]! << 8) | code[at + 1]!;
const s2 = (code: Uint8Array, at: number): number => (u2(code, at) << 16) >> 16;
const s1 = (code: Uint8Array, at: number): number => (code[at]! << 24) >> 24;
const s4 = (code: Uint8Array, at: number): number => (code[at]! << 24) | (code[at + 1]! << 16) | (code[at + 2]! << 8) | code[at + 3]!;

/** Branch and switch targets of the instruction at pc (not the fall-through). */
export function branchTargets(code: Uint8Array, pc: number, info: OpInfo): number[] {
  switch (info.operands) {
    case 'o': return [pc + s1(code, pc + 1)];
    case 'O': return [pc + s2(code, pc + 1)];
    case 'T': {
      const low = s2(code, pc + 3), high = s2(code, pc + 5);
      const out = [pc + s2(code, pc + 1)];
      for (let i = 0; i <= high - low; i++) out.push(pc + s2(code, pc + 7 + 2 * i));
      return out;
    }
    case 'U': {
      const low = s4(code, pc + 3), high = s4(code, pc + 7);
      const out = [pc + s2(code, pc + 1)];
      for (let i = 0; i <= high - low; i++) out.push(pc + s2(code, pc + 11 + 2 * i));
      return out;
    }
    case 'K': {
      const n = u2(code, pc + 3), out = [pc + s2(code, pc + 1)];
      for (let i = 0, p = pc + 5; i < n; i++, p += 4) out.push(pc + s2(code, p + 2));
      return out;
    }
    case 'M': {
      const n = u2(code, pc + 3), out = [pc + s2(code, pc + 1)];
      for (let i = 0, p = pc + 5; i < n; i++, p += 6) out.push(pc + s2(code, p + 4));
      return out;
    }
    default: return [];
  }
}

/** Instructions after which control does not fall through to the next pc. */
function endsFlow(op: number): boolean {
  return op === Op.GOTO || op === Op.GOTO_W || op === Op.JSR || op === Op.RET || op === Op.ATHROW ||
    (op >= Op.STABLESWITCH! && op <= Op.RETURN!);
}

/** Instructions that may throw a Java Card exception (the only ones that lead to handlers). */
export function mayThrow(op: number): boolean {
  return (op >= Op.AALOAD! && op <= Op.IALOAD!) || (op >= Op.AASTORE! && op <= Op.IASTORE!) ||
    op === Op.SDIV || op === Op.SREM || op === Op.IDIV || op === Op.IREM ||
    (op >= Op.GETFIELD_A! && op <= Op.PUTFIELD_I!) || (op >= Op.INVOKEVIRTUAL! && op <= Op.CHECKCAST!) ||
    (op >= Op.GETFIELD_A_W! && op <= Op.PUTFIELD_I_THIS!);
}

/** Local variable operand of an instruction (aload 5, sinc 3 1...), or -1. */
export function localOperand(code: Uint8Array, pc: number, op: number): number {
  if (op >= Op.ALOAD_0! && op <= Op.ALOAD_3!) return op - Op.ALOAD_0!;
  if (op >= Op.SLOAD_0! && op <= Op.SLOAD_3!) return op - Op.SLOAD_0!;
  if (op >= Op.ILOAD_0! && op <= Op.ILOAD_3!) return op - Op.ILOAD_0!;
  if (op >= Op.ASTORE_0! && op <= Op.ASTORE_3!) return op - Op.ASTORE_0!;
  if (op >= Op.SSTORE_0! && op <= Op.SSTORE_3!) return op - Op.SSTORE_0!;
  if (op >= Op.ISTORE_0! && op <= Op.ISTORE_3!) return op - Op.ISTORE_0!;
  const info = OPCODES[op]!;
  return info.operands[0] === 'l' ? code[pc + 1]! : -1;
}

/** Words of locals an instruction touches from its local operand (an int: 2). */
function localWords(op: number): number {
  return (op >= Op.ILOAD_0! && op <= Op.ILOAD_3!) || (op >= Op.ISTORE_0! && op <= Op.ISTORE_3!) ||
    op === Op.ILOAD || op === Op.ISTORE || op === Op.IINC || op === Op.IINC_W ? 2 : 1;
}

function isLocalStore(op: number): boolean {
  return op === Op.ASTORE || op === Op.SSTORE || op === Op.ISTORE || (op >= Op.ASTORE_0! && op <= Op.ISTORE_3!);
}

/** Reads local k as (the first word of) an int. */
function readsIntLocal(op: number): boolean {
  return op === Op.ILOAD || (op >= Op.ILOAD_0! && op <= Op.ILOAD_3!) || op === Op.IINC || op === Op.IINC_W;
}

/**
 * Shape of the words an instruction pops, checked against the stack: a string of W/I/J over
 * the popped words, or null when any shape is fine (word moves, invocations).
 */
function popShape(op: number, info: OpInfo): string | null {
  switch (op) {
    case Op.POP: case Op.POP2: case Op.DUP: case Op.DUP2: case Op.DUP_X: case Op.SWAP_X:
    case Op.INVOKEVIRTUAL: case Op.INVOKESPECIAL: case Op.INVOKESTATIC: case Op.INVOKEINTERFACE:
      return null;
    case Op.IASTORE: return 'WWIJ';
    case Op.IALOAD: return 'WW';
    case Op.GETFIELD_I: case Op.GETFIELD_I_W: return 'W';
    case Op.PUTFIELD_I: case Op.PUTFIELD_I_W: return 'WIJ';
    case Op.S2I: return 'W';
  }
  if (info.int) return 'IJ'.repeat(info.pop / 2);
  return 'W'.repeat(info.pop);
}

/** Shape of the words an instruction pushes (word moves and invocations are handled apart). */
function pushShape(info: OpInfo): string {
  return info.push === 2 ? 'IJ' : 'W'.repeat(info.push);
}

/** The return kind of an interface method, from a class that implements it (or the API's declaration). */
function interfaceRet(iface: VmClass, token: number, pkgs: Iterable<VmClass[]>): RetKind | undefined {
  const declared = iface.vtable[token];
  if (declared !== undefined) return declared.ret;
  for (const classes of pkgs) {
    for (const c of classes) {
      const map = c.itables.get(iface);
      const vt = map?.[token];
      if (vt === undefined) continue;
      const t = c.vtable[vt];
      if (t !== undefined) return t.ret;
    }
  }
  return undefined;
}

function retWords(r: RetKind): number {
  return r === RetKind.Int ? 2 : r === RetKind.Word ? 1 : 0;
}

/** An invokeinterface whose return type no class in reach tells (a shareable interface of another package). */
class UnknownReturn extends Refusal {
  constructor(readonly key: string, message: string) {
    super(message);
  }
}

/** Assumed return types of interface methods, by "interface#token". */
type Assumptions = ReadonlyMap<string, RetKind>;

/** More trials than allowed: no conclusion either way. */
class TooManyTrials extends Refusal {}

/** The call an invoke instruction makes (its arguments and result), or a Refusal. */
function callSite(m: VmMethod, pc: number, op: number, assumed: Assumptions): CallSite {
  const code = m.code, cp = m.pkg.cp;
  if (op === Op.INVOKEINTERFACE) {
    const nargs = code[pc + 1]!, ci = u2(code, pc + 2), iface = cp.cls[ci];
    if (!iface) throw new Refusal(`invokeinterface at ${pc}: constant pool entry ${ci} is not a class`);
    const key = `${iface.name}#${code[pc + 4]}`;
    const ret = interfaceRet(iface, code[pc + 4]!, [m.pkg.classes, iface.pkg.classes]) ?? assumed.get(key);
    if (ret === undefined) throw new UnknownReturn(key, `invokeinterface at ${pc}: return type of ${iface.name} method ${code[pc + 4]} unknown`);
    return { nargs, ret, target: null };
  }
  const ci = u2(code, pc + 1);
  if (op === Op.INVOKEVIRTUAL) {
    const cls = cp.cls[ci];
    if (!cls) throw new Refusal(`invokevirtual at ${pc}: constant pool entry ${ci} has no class`);
    const tok = cp.index[ci]!;
    const declared = tok & 0x80 ? packageVirtual(cls, tok, m.pkg) : cls.vtable[tok];
    if (!declared) throw new Refusal(`invokevirtual at ${pc}: ${cls.name} has no method with token ${tok}`);
    return { nargs: cp.nargs[ci]!, ret: declared.ret, target: null };
  }
  const target = cp.method[ci];
  if (!target) throw new Refusal(`invoke at ${pc}: unresolved method at constant pool index ${ci}`);
  if (target.native === null && target.isAbstract) throw new Refusal(`invoke at ${pc}: abstract method ${target}`);
  return { nargs: target.nargs, ret: target.ret, target };
}

/**
 * Analyses `m`, or throws a Refusal naming the first thing that cannot be compiled.
 *
 * The return type of an interface method is known only from a class implementing it; when
 * none is in reach (a shareable interface implemented in another package) each of void, a word
 * and an int is tried, with returns required to leave nothing else on the stack as the
 * converter's code does: the call is compiled when exactly one fits the code after it.
 */
export function analyze(m: VmMethod): Analysis {
  const tries = { left: 60 };
  return analyzeAssuming(m, new Map(), tries);
}

function analyzeAssuming(m: VmMethod, assumed: Assumptions, tries: { left: number }): Analysis {
  if (--tries.left < 0) throw new TooManyTrials('too many interface methods of unknown return type');
  try {
    return analyzeOnce(m, assumed);
  } catch (e) {
    if (!(e instanceof UnknownReturn)) throw e;
    const fits: Analysis[] = [];
    let why = '';
    for (const r of [RetKind.Void, RetKind.Word, RetKind.Int]) {
      try {
        fits.push(analyzeAssuming(m, new Map(assumed).set(e.key, r), tries));
      } catch (x) {
        if (!(x instanceof Refusal) || x instanceof TooManyTrials) throw x;
        why = x.message;
      }
    }
    if (fits.length === 1) return fits[0]!;
    throw new Refusal(`${e.message}: ${fits.length === 0 ? `no return type fits the code after it (${why})` : `${fits.length} return types fit the code after it`}`);
  }
}

function analyzeOnce(m: VmMethod, assumed: Assumptions): Analysis {
  const strict = assumed.size > 0;
  if (m.native !== null || m.isAbstract) throw new Refusal('not a bytecode method');
  const code = m.code;
  if (m.end <= m.start || m.end > code.length) throw new Refusal('no code');

  // Decode every instruction of the method.
  const lengths = new Map<number, number>();
  const jsrReturns: number[] = [];
  for (let pc = m.start; pc < m.end;) {
    const op = code[pc]!;
    const info = OPCODES[op];
    if (!info || op > 0xb8) throw new Refusal(`undefined opcode 0x${op.toString(16)} at ${pc}`);
    const len = instructionLength(code, pc, m.end);
    if (len <= 0) throw new Refusal(`malformed instruction at ${pc}`);
    lengths.set(pc, len);
    if (op === Op.JSR) jsrReturns.push(pc + len);
    pc += len;
  }

  // Data flow over the stack shape and the locals' types. Locals: U (not written yet: an
  // argument or never read), W, I, J as on the stack, X (unusable: a merge of different types,
  // or half of an int whose other half was overwritten). Reading a local with the wrong type is
  // code the converter does not produce, and the interpreter's word-by-word result for it
  // cannot be reproduced with whole ints: refused.
  const shapes = new Map<number, string>();
  const localTypes = new Map<number, string>();
  const calls = new Map<number, CallSite>();
  const work: number[] = [];
  const mergeLocals = (p: string, q: string): string => {
    if (p === q) return p;
    let r = '';
    for (let i = 0; i < p.length; i++) {
      const x = p[i]!, y = q[i]!;
      r += x === y ? x : x === 'U' ? y : y === 'U' ? x : 'X';
    }
    return r;
  };
  const flowTo = (pc: number, shape: string, locals: string, from: number): void => {
    if (!lengths.has(pc)) throw new Refusal(`control flows from ${from} to ${pc}, not an instruction of the method`);
    const had = shapes.get(pc);
    if (had === undefined) {
      shapes.set(pc, shape);
      localTypes.set(pc, locals);
      work.push(pc);
      return;
    }
    if (had !== shape) throw new Refusal(`stack shape at ${pc} is both [${had}] and [${shape}]`);
    const before = localTypes.get(pc)!, merged = mergeLocals(before, locals);
    if (merged !== before) {
      localTypes.set(pc, merged);
      work.push(pc);
    }
  };
  const handlers = m.handlers;
  for (const h of handlers) if (!lengths.has(h.handler)) throw new Refusal(`handler at ${h.handler} is not an instruction of the method`);
  let maxDepth = 0;
  const usedLocals = new Set<number>();
  flowTo(m.start, '', 'U'.repeat(m.maxLocals), m.start);
  while (work.length > 0) {
    const pc = work.pop()!;
    const shape = shapes.get(pc)!;
    let locals = localTypes.get(pc)!;
    const op = code[pc]!, info = OPCODES[op]!, len = lengths.get(pc)!;
    // Only an instruction that can throw leads to the handlers covering it.
    if (mayThrow(op)) for (const h of handlers) if (pc >= h.start && pc < h.end) flowTo(h.handler, 'W', locals, pc);

    const local = localOperand(code, pc, op);
    if (local >= 0) {
      const words = localWords(op);
      if (local + words > m.maxLocals) throw new Refusal(`local ${local} at ${pc} is outside the frame of ${m.maxLocals} words`);
      for (let i = 0; i < words; i++) usedLocals.add(local + i);
      const reads = !isLocalStore(op);
      const t = locals.slice(local, local + words);
      if (reads && !(t === 'U'.repeat(words) || t === (words === 2 ? 'IJ' : 'W'))) {
        throw new Refusal(`${info.name} at ${pc} reads local ${local} of type [${t}]`);
      }
      if (isLocalStore(op) || op === Op.IINC || op === Op.IINC_W || op === Op.SINC || op === Op.SINC_W) {
        const put = words === 2 ? 'IJ' : 'W';
        const a = locals.split('');
        // Overwriting half of an int leaves its other half unusable.
        if (a[local] === 'J' && local > 0 && a[local - 1] === 'I') a[local - 1] = 'X';
        const last = local + words - 1;
        if (a[last] === 'I' && last + 1 < a.length && a[last + 1] === 'J') a[last + 1] = 'X';
        for (let i = 0; i < words; i++) a[local + i] = put[i]!;
        locals = a.join('');
      }
    }

    let out: string;
    if (op === Op.DUP || op === Op.DUP2) {
      const w = op === Op.DUP ? 1 : 2;
      if (shape.length < w) throw new Refusal(`${info.name} at ${pc} with ${shape.length} words`);
      out = shape + shape.slice(shape.length - w);
    } else if (op === Op.DUP_X || op === Op.SWAP_X) {
      const mn = code[pc + 1]!, mw = mn >> 4, n = mn & 15, d = shape.length;
      if (op === Op.DUP_X) {
        if (mw < 1 || mw > 4 || (n !== 0 && (n < mw || n > mw + 4)) || d < Math.max(mw, n)) throw new Refusal(`dup_x 0x${mn.toString(16)} at ${pc} with ${d} words`);
        const top = shape.slice(d - mw);
        out = n === 0 ? shape + top : shape.slice(0, d - n) + top + shape.slice(d - n);
      } else {
        if (mw < 1 || mw > 2 || n < 1 || n > 2 || d < mw + n) throw new Refusal(`swap_x 0x${mn.toString(16)} at ${pc} with ${d} words`);
        out = shape.slice(0, d - mw - n) + shape.slice(d - mw) + shape.slice(d - mw - n, d - mw);
      }
    } else {
      let pop: number, push: string;
      if (op >= Op.INVOKEVIRTUAL! && op <= Op.INVOKEINTERFACE!) {
        const c = callSite(m, pc, op, assumed);
        calls.set(pc, c);
        pop = c.nargs;
        push = c.ret === RetKind.Int ? 'IJ' : 'W'.repeat(retWords(c.ret));
        if (op === Op.INVOKEINTERFACE || op === Op.INVOKEVIRTUAL) {
          if (pop < 1) throw new Refusal(`virtual call at ${pc} without a receiver`);
          if (shape[shape.length - pop] !== 'W') throw new Refusal(`virtual call at ${pc}: the receiver is half an int`);
        }
      } else {
        pop = info.pop;
        push = pushShape(info);
        const want = popShape(op, info);
        if (want !== null && shape.length >= pop && shape.slice(shape.length - pop) !== want) {
          throw new Refusal(`${info.name} at ${pc} pops [${shape.slice(shape.length - pop)}], expects [${want}]`);
        }
      }
      if (shape.length < pop) throw new Refusal(`${info.name} at ${pc} pops ${pop} words from ${shape.length}`);
      out = shape.slice(0, shape.length - pop) + push;
    }
    // Deeper than max_stack is harmless here (the interpreter lets it run into free stack too).
    if (out.length > maxDepth) maxDepth = out.length;
    if (shape.length > maxDepth) maxDepth = shape.length;

    if (op === Op.CHECKCAST || op === Op.INSTANCEOF) {
      const atype = code[pc + 1]!;
      if (!(atype === 0 || (atype >= 10 && atype <= 14))) throw new Refusal(`${info.name} with array type ${atype} at ${pc}`);
      if ((atype === 0 || atype === 14) && !m.pkg.cp.cls[u2(code, pc + 2)]) throw new Refusal(`${info.name} at ${pc}: no class`);
    }
    if (op === Op.NEW || op === Op.ANEWARRAY) {
      if (!m.pkg.cp.cls[u2(code, pc + 1)]) throw new Refusal(`${info.name} at ${pc}: no class`);
    }
    if (op >= Op.GETSTATIC_A! && op <= Op.PUTSTATIC_I!) {
      if (!m.pkg.cp.image[u2(code, pc + 1)]) throw new Refusal(`${info.name} at ${pc}: no static field image`);
    }

    if (strict && op >= Op.ARETURN! && op <= Op.RETURN! && out !== '') {
      throw new Refusal(`${info.name} at ${pc} leaves [${out}] on the stack`);
    }
    if (op === Op.RET) {
      for (const r of jsrReturns) flowTo(r, out, locals, pc);
      continue;
    }
    if (info.branch) for (const t of branchTargets(code, pc, info)) flowTo(t, out, locals, pc);
    if (!endsFlow(op)) {
      if (pc + len >= m.end) throw new Refusal(`control falls off the end of the method at ${pc}`);
      flowTo(pc + len, out, locals, pc);
    }
  }

  // Basic blocks: leaders are the entry, branch targets, handlers, jsr return sites and the
  // instruction after any branch.
  const leaders = new Set<number>([m.start]);
  for (const h of handlers) if (shapes.has(h.handler)) leaders.add(h.handler);
  for (const r of jsrReturns) if (shapes.has(r)) leaders.add(r);
  const reachable = [...shapes.keys()].sort((a, b) => a - b);
  for (const pc of reachable) {
    const op = code[pc]!, info = OPCODES[op]!;
    if (info.branch || endsFlow(op)) {
      for (const t of branchTargets(code, pc, info)) leaders.add(t);
      const next = pc + lengths.get(pc)!;
      if (shapes.has(next)) leaders.add(next);
    }
  }
  const insns: Insn[] = [];
  const blocks: Block[] = [];
  const blockAt = new Map<number, number>();
  let prevEnd = -1;
  for (const pc of reachable) {
    const op = code[pc]!;
    // A block also starts after unreachable code (its leader may be reached only by a jump).
    if (leaders.has(pc) || pc !== prevEnd) {
      blockAt.set(pc, blocks.length);
      blocks.push({ index: blocks.length, pc, insns: [] });
    }
    const b = blocks[blocks.length - 1]!;
    const insn: Insn = { pc, op, len: lengths.get(pc)!, shape: shapes.get(pc)!, block: b.index, call: calls.get(pc) ?? null };
    b.insns.push(insn);
    insns.push(insn);
    prevEnd = pc + insn.len;
  }

  return { method: m, insns, blocks, blockAt, maxDepth, intArgs: intArgs(m, insns, lengths, jsrReturns), jsrReturns, usedLocals };
}

/**
 * Which argument words hold ints: those that some path from the entry reads with iload/iinc
 * before anything is stored into them. Calls from the interpreter pass ints as two 16-bit
 * words; compiled code keeps the whole int in the first word, so these are joined on entry.
 */
function intArgs(m: VmMethod, insns: Insn[], lengths: Map<number, number>, jsrReturns: number[]): boolean[] {
  const n = m.nargs;
  const result: boolean[] = new Array(n).fill(false);
  if (n === 0) return result;
  // Per instruction: the set of argument words still untouched, as a boolean array (may-analysis).
  const code = m.code;
  const state = new Map<number, Uint8Array>();
  const index = new Map<number, Insn>(insns.map((i) => [i.pc, i]));
  const work: number[] = [];
  const merge = (pc: number, s: Uint8Array): void => {
    if (!index.has(pc)) return;
    const had = state.get(pc);
    if (!had) {
      state.set(pc, s.slice());
      work.push(pc);
      return;
    }
    let changed = false;
    for (let i = 0; i < n; i++) if (s[i] && !had[i]) { had[i] = 1; changed = true; }
    if (changed) work.push(pc);
  };
  merge(m.start, new Uint8Array(n).fill(1));
  while (work.length > 0) {
    const pc = work.pop()!;
    const s = state.get(pc)!;
    const insn = index.get(pc)!;
    const op = insn.op, info = OPCODES[op]!;
    if (mayThrow(op)) for (const h of m.handlers) if (pc >= h.start && pc < h.end) merge(h.handler, s);
    const out = s.slice();
    const k = localOperand(code, pc, op);
    if (k >= 0) {
      if (k < n && readsIntLocal(op) && s[k]) result[k] = true;
      const writes = isLocalStore(op) || op === Op.SINC || op === Op.SINC_W || op === Op.IINC || op === Op.IINC_W;
      if (writes) for (let i = 0; i < localWords(op); i++) if (k + i < n) out[k + i] = 0;
    }
    if (op === Op.RET) {
      for (const r of jsrReturns) merge(r, out);
      continue;
    }
    if (info.branch) for (const t of branchTargets(code, pc, info)) merge(t, out);
    if (!endsFlow(op)) merge(pc + lengths.get(pc)!, out);
  }
  return result;
}
