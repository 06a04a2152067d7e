// JavaScript source for one analysed method (vm/jit/README.md). The operand stack and the
// locals become `let` variables (s0.., l0..); an int lives whole in the variable of its first
// word and the second word's variable is never read. Control flow is structured (labelled
// loops and blocks) or, for irreducible flow graphs, a loop over a switch on the basic-block
// index; each block charges its instruction count to the budget on entry.
// The budget travels with the calls: a compiled method gets it as its `bud` argument, a small
// int V8 keeps in a register, and leaves what remains in J.bud when it returns. Whatever
// vm.budget holds beyond 2^30 (Infinity when no budget is set) waits in J.extra. vm.budget is
// brought up to date only around natives and the interpreter (see index.ts). Whatever throws
// leaves the budget in J.bud first, so that a handler up the calls knows what was spent.
// Every instruction does what the interpreter's case for it does, exceptions included.

import { OPCODES, Op } from '../opcodes.ts';
import { Kind, RetKind, type VmMethod } from '../types.ts';
import { branchTargets, localOperand, mayThrow, type Analysis, type Insn } from './analyze.ts';

/** How a statically bound callee is reached: its compiled function, 'pending' (being compiled), or null (interpreter). */
export type StaticTarget = ((...a: never[]) => number) | 'pending' | null;

export interface Generated {
  /** Body of `new Function('J', 'K', source)`, returning the compiled function. */
  source: string;
  /** Values the source names as K0, K1... */
  consts: unknown[];
}

const u2 = (code: Uint8Array, at: number): number => (code[at]! << 8) | code[at + 1]!;
const s2 = (code: Uint8Array, at: number): number => (u2(code, at) << 16) >> 16;
const s1 = (code: Uint8Array, at: number): number => (code[at]! << 24) >> 24;
const s4 = (code: Uint8Array, at: number): number => (code[at]! << 24) | (code[at + 1]! << 16) | (code[at + 2]! << 8) | code[at + 3]!;

/** A JS identifier for a method (for stack traces and profiles). */
function jsName(m: VmMethod): string {
  return ('jit_' + m.toString()).replace(/[^A-Za-z0-9_$]/g, '_').slice(0, 80);
}

/** The VM's frame limits, built into the code. */
export interface Limits {
  maxFrames: number;
  stackWords: number;
}

export function generate(a: Analysis, limits: Limits, staticTarget: (t: VmMethod) => StaticTarget, forceDispatch = false): Generated {
  const m = a.method, code = m.code, cp = m.pkg.cp;
  const consts: unknown[] = [];
  const constIndex = new Map<unknown, number>();
  const K = (v: unknown): string => {
    let i = constIndex.get(v);
    if (i === undefined) {
      i = consts.length;
      consts.push(v);
      constIndex.set(v, i);
    }
    return `K${i}`;
  };
  const lines: string[] = [];
  const out = (s: string): void => { lines.push(s); };
  const S = (i: number): string => `s${i}`;
  const L = (k: number): string => `l${k}`;
  const B = (pc: number): number => {
    const b = a.blockAt.get(pc);
    if (b === undefined) throw new Error(`jit: no block at ${pc} in ${m}`);
    return b;
  };
  const hasHandlers = m.handlers.length > 0;
  const coverage = (pc: number): string => m.handlers.map((h, i) => (pc >= h.start && pc < h.end ? i : '')).join(',');
  const nullCheck = (o: string): string => `if (${o} === undefined) J.sys(vm, bud, 0);`;
  // The firewall (vm/firewall.ts), as in the interpreter: one comparison of the object's owner
  // with the active context, which is constant while a method runs (`ctx`, read on entry);
  // fields and arrays with `actx` (Vm.accessContext: -1 outside the selected applet's context,
  // for its CLEAR_ON_DESELECT arrays).
  const fieldCheck = `if (o.owner !== actx) J.field(vm, bud, o);`;
  const arrayCheck = `if (o.owner !== actx) J.array(vm, bud, o);`;
  /** A reference store (putfield_a, aastore, putstatic_a): temporary entry points and global arrays may not be stored. */
  const refStoreCheck = (v: string): string => `if (${v} !== 0 && ((x = objs[${v}]) === undefined || x.global)) J.storeRef(vm, bud, ${v});`;
  const fieldIndex = (insn: Insn, wide: boolean): number => cp.index[wide ? u2(code, insn.pc + 1) : code[insn.pc + 1]!]!;
  // Every store into card memory goes through these two: the persistent-memory write barrier
  // (vm.barrier: write count, journal, tearing), exactly one call per bytecode store, as in
  // the interpreter.
  /** Element or field-cell stores into an object: `data` is its data array (`v` or `o.data`; the object is in `o`). */
  const storeCells = (data: string, cells: [index: string, value: string][], bpe = 2, field = true): string =>
    // Field stores are not bounds-checked by the bytecode; a cell the object lacks, or an
    // array taken for an instance, is hostile code (SecurityException), and must never reach
    // the journal. Array stores were checked.
    (field ? `if (${cells[cells.length - 1]![0]} >= ${data}.length || o.kind !== ${Kind.Instance}) J.sys(vm, bud, 5); ` : '') +
    // Instances are never transient; arrays may be, and their stores are counted as the
    // interpreter counts them (vm.countTransient, jcvm --stats) on the transient branch only.
    (field
      ? `if (o.transience === 0 && wb !== null) wb.beforeWrite(o.offset + (${cells[0]![0]}) * ${bpe}, ${cells.length * bpe}); `
      : `if (o.transience === 0) { if (wb !== null) wb.beforeWrite(o.offset + (${cells[0]![0]}) * ${bpe}, ${cells.length * bpe}); } else if (vm.countTransient) vm.transientWrites++; `) +
    cells.map(([i, val]) => `${data}[${i}] = ${val};`).join(' ');
  /** Byte stores into a static field image (a constant K<n>): one barrier call for the whole value. */
  const storeStatic = (img: string, bytes: [offset: number, value: string][]): string =>
    `if (wb !== null) wb.beforeWrite(${img}.byteOffset + ${bytes[0]![0]}, ${bytes.length}); ` +
    bytes.map(([at, val]) => `${img}[${at}] = ${val};`).join(' ');

  /** Writes the argument words of a call onto vm.stack at `x` (int words split as the interpreter keeps them). */
  const stackArgs = (shape: string, first: number, n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const t = shape[first + i];
      if (t === 'I') s += `st[x + ${i}] = ${S(first + i)} >> 16; st[x + ${i + 1}] = ${S(first + i)}; `;
      else if (t === 'W') s += `st[x + ${i}] = ${S(first + i)}; `;
    }
    return s;
  };
  const jsArgs = (shape: string, first: number, n: number): string => {
    const xs: string[] = [];
    for (let i = 0; i < n; i++) xs.push(shape[first + i] === 'J' ? '0' : S(first + i));
    return xs.join(', ');
  };

  const emitCall = (insn: Insn): void => {
    const c = insn.call!, d = insn.shape.length, n = c.nargs, first = d - n;
    const shape = insn.shape, off = m.maxLocals + first;
    const argv = jsArgs(shape, first, n), types = JSON.stringify(shape.slice(first, d));
    const lpx = `lp + ${off}`;
    const assign = c.ret === RetKind.Void ? '' : `${S(first)} = `;
    const args = argv ? ', ' + argv : '';
    // Natives and the interpreter see the budget in vm.budget; compiled callees get it as an argument.
    if (c.target !== null) {
      const t = c.target;
      if (insn.op === Op.INVOKESPECIAL && !t.isStatic && t.nargs > 0) {
        // The receiver: null is NullPointerException, another context's object the firewall's.
        out(`o = objs[${S(first)}]; ${nullCheck('o')} if (o.owner !== ctx) J.special(vm, bud);`);
      }
      if (t.native !== null) {
        out(`x = ${lpx}; ${stackArgs(shape, first, n)}vm.sp = x + ${n}; vm.depth = D; vm.budget = bud + J.extra;`);
        const call = `${K(t)}.native(vm, x)`;
        if (c.ret === RetKind.Word) out(`r = ${call}; ${S(first)} = (r << 16) >> 16; bud = J.take(vm);`);
        else if (c.ret === RetKind.Int) out(`r = ${call}; ${S(first)} = r | 0; bud = J.take(vm);`);
        else out(`${call}; bud = J.take(vm);`);
        return;
      }
      const how = staticTarget(t);
      if (typeof how === 'function') out(`${assign}${K(how)}(vm, ${lpx}, D + 1, bud${args}); bud = J.bud;`);
      else if (how === 'pending') out(`${assign}(f = ${K(t)}.compiled) ? f(vm, ${lpx}, D + 1, bud${args}) : J.invoke(vm, ${K(t)}, ${lpx}, D, bud, ${types}, [${argv}]); bud = J.bud;`);
      else out(`${assign}J.interp(vm, ${K(t)}, ${lpx}, D, bud, ${types}, [${argv}]); bud = J.bud;`);
      return;
    }
    // Virtual and interface calls: dispatch on the receiver's class, as the interpreter does.
    out(`o = objs[${S(first)}]; ${nullCheck('o')}`);
    const op = insn.op;
    // An inline cache per call site: the receiver class last seen and the method it gave.
    const ic = K({ c: undefined, t: null });
    // Another context's receiver: the firewall decides (SecurityException), the dispatch and a
    // context switch happen in J.foreign; the fast path below is the call as it was.
    // (invokevirtual of an entry point object's or a global array's methods is allowed from
    // every context and they are natives, which never switch: the fast path, as in the interpreter)
    const foreign = (iface: string, token: number, nargs: number, ci: number): void =>
      out(`if (o.owner !== ctx${iface === 'null' ? ' && !o.global' : ''}) { ${assign}J.foreign(vm, o, ${S(first)}, ${iface}, ${token}, ${nargs}, ${K(m.pkg)}, ${K(m)}, ${ci}, ${lpx}, D, bud, ${types}, [${argv}]); bud = J.bud; } else {`);
    if (op === Op.INVOKEINTERFACE) {
      const ci = u2(code, insn.pc + 2), iface = K(cp.cls[ci]);
      foreign(iface, code[insn.pc + 4]!, code[insn.pc + 1]!, ci);
      out(`if (o.kind === ${Kind.Instance} && o.cls === ${ic}.c) t = ${ic}.t; else J.bud = bud, t = J.interfaceCall(${ic}, vm, o, ${iface}, ${code[insn.pc + 4]}, ${code[insn.pc + 1]});`);
    } else {
      const ci = u2(code, insn.pc + 1), tok = cp.index[ci]!;
      foreign('null', tok, 0, ci);
      out(`x = o.cls !== null && o.kind === ${Kind.Instance} ? o.cls : vm.objectClass;`);
      out(`if (x === ${ic}.c) t = ${ic}.t; else t = J.virtualCall(${ic}, x, ${tok}, ${K(m.pkg)});`);
      out(`if (t == null) J.unresolved(${K(m)}, ${ci});`);
    }
    out(`${assign}(f = t.compiled) ? f(vm, ${lpx}, D + 1, bud${args}) : J.invoke(vm, t, ${lpx}, D, bud, ${types}, [${argv}]); bud = J.bud; }`);
  };

  const emit = (insn: Insn): Term | null => {
    const op = insn.op, pc = insn.pc, d = insn.shape.length;
    const top = S(d - 1), second = S(d - 2);
    switch (op) {
      case Op.NOP: return null;
      case Op.ACONST_NULL: out(`${S(d)} = 0;`); return null;
      case Op.SCONST_M1: case Op.SCONST_0: case Op.SCONST_1: case Op.SCONST_2: case Op.SCONST_3: case Op.SCONST_4: case Op.SCONST_5:
        out(`${S(d)} = ${op - Op.SCONST_0!};`); return null;
      case Op.ICONST_M1: case Op.ICONST_0: case Op.ICONST_1: case Op.ICONST_2: case Op.ICONST_3: case Op.ICONST_4: case Op.ICONST_5:
        out(`${S(d)} = ${op - Op.ICONST_0!};`); return null;
      case Op.BSPUSH: case Op.BIPUSH: out(`${S(d)} = ${s1(code, pc + 1)};`); return null;
      case Op.SSPUSH: case Op.SIPUSH: out(`${S(d)} = ${s2(code, pc + 1)};`); return null;
      case Op.IIPUSH: out(`${S(d)} = ${s4(code, pc + 1)};`); return null;
      case Op.ALOAD: case Op.SLOAD: case Op.ILOAD:
      case Op.ALOAD_0: case Op.ALOAD_1: case Op.ALOAD_2: case Op.ALOAD_3:
      case Op.SLOAD_0: case Op.SLOAD_1: case Op.SLOAD_2: case Op.SLOAD_3:
      case Op.ILOAD_0: case Op.ILOAD_1: case Op.ILOAD_2: case Op.ILOAD_3:
        out(`${S(d)} = ${L(localOperand(code, pc, op))};`); return null;
      case Op.ASTORE: case Op.SSTORE:
      case Op.ASTORE_0: case Op.ASTORE_1: case Op.ASTORE_2: case Op.ASTORE_3:
      case Op.SSTORE_0: case Op.SSTORE_1: case Op.SSTORE_2: case Op.SSTORE_3:
        out(`${L(localOperand(code, pc, op))} = ${top};`); return null;
      case Op.ISTORE: case Op.ISTORE_0: case Op.ISTORE_1: case Op.ISTORE_2: case Op.ISTORE_3:
        out(`${L(localOperand(code, pc, op))} = ${second};`); return null;
      case Op.AALOAD: case Op.BALOAD: case Op.SALOAD: case Op.IALOAD: {
        const arr = S(d - 2), idx = S(d - 1);
        out(`o = objs[${arr}]; ${nullCheck('o')} ${arrayCheck} v = o.data; if (${idx} < 0 || ${idx} >= v.length) J.sys(vm, bud, 1); ${arr} = v[${idx}];`);
        return null;
      }
      case Op.AASTORE: {
        const arr = S(d - 3), idx = S(d - 2), val = S(d - 1);
        out(`o = objs[${arr}]; ${nullCheck('o')} ${arrayCheck} v = o.data; if (${idx} < 0 || ${idx} >= v.length) J.sys(vm, bud, 1);`);
        // (refStoreCheck leaves the value's object in x whenever the value is not null)
        out(`${refStoreCheck(val)} if (${val} !== 0 && o.cls !== null && !J.instanceOf(vm, x, ${Kind.Instance}, o.cls)) J.sys(vm, bud, 6); ${storeCells('v', [[idx, val]], 2, false)}`);
        return null;
      }
      case Op.BASTORE: case Op.SASTORE: case Op.IASTORE: {
        const w = op === Op.IASTORE ? 4 : 3;
        const arr = S(d - w), idx = S(d - w + 1), val = S(d - w + 2);
        out(`o = objs[${arr}]; ${nullCheck('o')} ${arrayCheck} v = o.data; if (${idx} < 0 || ${idx} >= v.length) J.sys(vm, bud, 1); ${storeCells('v', [[idx, val]], op === Op.BASTORE ? 1 : op === Op.SASTORE ? 2 : 4, false)}`);
        return null;
      }
      case Op.POP: case Op.POP2: return null;
      case Op.DUP: out(`${S(d)} = ${top};`); return null;
      case Op.DUP2:
        if (insn.shape[d - 2] !== 'J') out(`${S(d)} = ${second};`);
        if (insn.shape[d - 1] !== 'J') out(`${S(d + 1)} = ${top};`);
        return null;
      case Op.DUP_X: case Op.SWAP_X: {
        const mn = code[pc + 1]!, mw = mn >> 4, n = mn & 15;
        // Positions of the new stack, each taken from an old position.
        const from: number[] = [];
        for (let i = 0; i < d; i++) from.push(i);
        let after: number[];
        if (op === Op.DUP_X) {
          const topIdx = from.slice(d - mw);
          after = n === 0 ? [...from, ...topIdx] : [...from.slice(0, d - n), ...topIdx, ...from.slice(d - n)];
        } else {
          after = [...from.slice(0, d - mw - n), ...from.slice(d - mw), ...from.slice(d - mw - n, d - mw)];
        }
        const moves: [number, number][] = [];
        after.forEach((src, dst) => { if (src !== dst && insn.shape[src] !== 'J') moves.push([dst, src]); });
        out(moves.map(([, src], i) => `y${i} = ${S(src)};`).join(' '));
        out(moves.map(([dst], i) => `${S(dst)} = y${i};`).join(' '));
        temps = Math.max(temps, moves.length);
        return null;
      }
      case Op.SADD: out(`${second} = (${second} + ${top}) << 16 >> 16;`); return null;
      case Op.SSUB: out(`${second} = (${second} - ${top}) << 16 >> 16;`); return null;
      case Op.SMUL: out(`${second} = Math.imul(${second}, ${top}) << 16 >> 16;`); return null;
      case Op.SDIV: out(`if (${top} === 0) J.sys(vm, bud, 4); ${second} = ((${second} / ${top}) | 0) << 16 >> 16;`); return null;
      case Op.SREM: out(`if (${top} === 0) J.sys(vm, bud, 4); ${second} = (${second} % ${top}) << 16 >> 16;`); return null;
      case Op.SNEG: out(`${top} = (-${top}) << 16 >> 16;`); return null;
      case Op.SSHL: out(`${second} = (${second} << (${top} & 31)) << 16 >> 16;`); return null;
      case Op.SSHR: out(`${second} = (${second} >> (${top} & 31)) << 16 >> 16;`); return null;
      case Op.SUSHR: out(`${second} = (${second} >>> (${top} & 31)) << 16 >> 16;`); return null;
      case Op.SAND: out(`${second} = ${second} & ${top};`); return null;
      case Op.SOR: out(`${second} = ${second} | ${top};`); return null;
      case Op.SXOR: out(`${second} = ${second} ^ ${top};`); return null;
      case Op.IADD: case Op.ISUB: case Op.IMUL: case Op.IDIV: case Op.IREM: case Op.ISHL: case Op.ISHR:
      case Op.IUSHR: case Op.IAND: case Op.IOR: case Op.IXOR: {
        const x = S(d - 4), y = S(d - 2);
        const e =
          op === Op.IADD ? `(${x} + ${y}) | 0` : op === Op.ISUB ? `(${x} - ${y}) | 0` : op === Op.IMUL ? `Math.imul(${x}, ${y})` :
          op === Op.IDIV ? `(${x} / ${y}) | 0` : op === Op.IREM ? `(${x} % ${y}) | 0` : op === Op.ISHL ? `${x} << (${y} & 31)` :
          op === Op.ISHR ? `${x} >> (${y} & 31)` : op === Op.IUSHR ? `(${x} >>> (${y} & 31)) | 0` : op === Op.IAND ? `${x} & ${y}` :
          op === Op.IOR ? `${x} | ${y}` : `${x} ^ ${y}`;
        const check = op === Op.IDIV || op === Op.IREM ? `if (${y} === 0) J.sys(vm, bud, 4); ` : '';
        out(`${check}${x} = ${e};`);
        return null;
      }
      case Op.INEG: out(`${second} = (-${second}) | 0;`); return null;
      case Op.SINC: case Op.SINC_W: {
        const k = code[pc + 1]!, c = op === Op.SINC ? s1(code, pc + 2) : s2(code, pc + 2);
        out(`${L(k)} = (${L(k)} + ${c}) << 16 >> 16;`);
        return null;
      }
      case Op.IINC: case Op.IINC_W: {
        const k = code[pc + 1]!, c = op === Op.IINC ? s1(code, pc + 2) : s2(code, pc + 2);
        out(`${L(k)} = (${L(k)} + ${c}) | 0;`);
        return null;
      }
      case Op.S2B: out(`${top} = (${top} << 24) >> 24;`); return null;
      case Op.S2I: return null; // a short is already its int value
      case Op.I2B: out(`${second} = (${second} << 24) >> 24;`); return null;
      case Op.I2S: out(`${second} = (${second} << 16) >> 16;`); return null;
      case Op.ICMP: {
        const x = S(d - 4), y = S(d - 2);
        out(`${x} = ${x} < ${y} ? -1 : ${x} > ${y} ? 1 : 0;`);
        return null;
      }
      case Op.GOTO: case Op.GOTO_W: return { kind: 'goto', target: B(branchTargets(code, pc, OPCODES[op]!)[0]!) };
      case Op.JSR:
        out(`${S(d)} = ${((pc + 3) << 16) >> 16};`);
        return { kind: 'goto', target: B(branchTargets(code, pc, OPCODES[op]!)[0]!) };
      case Op.RET: {
        const k = code[pc + 1]!;
        const cases = a.jsrReturns.filter((r) => a.blockAt.has(r)).map((r): [number, number] => [((r << 16) >> 16) & 0xffff, B(r)]);
        return { kind: 'switch', key: `${L(k)} & 0xffff`, cases, dflt: -1 };
      }
      case Op.STABLESWITCH: case Op.ITABLESWITCH: case Op.SLOOKUPSWITCH: case Op.ILOOKUPSWITCH: {
        const isInt = op === Op.ITABLESWITCH || op === Op.ILOOKUPSWITCH;
        const key = isInt ? S(d - 2) : top;
        const cases: [number, number][] = [];
        const seen = new Set<number>();
        const add = (match: number, target: number): void => {
          if (seen.has(match)) return; // the first pair of equal matches wins, as in the interpreter
          seen.add(match);
          cases.push([match, B(target)]);
        };
        if (op === Op.STABLESWITCH || op === Op.ITABLESWITCH) {
          const low = isInt ? s4(code, pc + 3) : s2(code, pc + 3), high = isInt ? s4(code, pc + 7) : s2(code, pc + 5);
          const at = isInt ? pc + 11 : pc + 7;
          for (let i = 0; i <= high - low; i++) add(low + i, pc + s2(code, at + 2 * i));
        } else {
          const n = u2(code, pc + 3), step = isInt ? 6 : 4;
          for (let i = 0, p = pc + 5; i < n; i++, p += step) add(isInt ? s4(code, p) : s2(code, p), pc + s2(code, p + step - 2));
        }
        return { kind: 'switch', key, cases, dflt: B(pc + s2(code, pc + 1)) };
      }
      case Op.IFEQ: case Op.IFNE: case Op.IFLT: case Op.IFGE: case Op.IFGT: case Op.IFLE: case Op.IFNULL: case Op.IFNONNULL:
      case Op.IFEQ_W: case Op.IFNE_W: case Op.IFLT_W: case Op.IFGE_W: case Op.IFGT_W: case Op.IFLE_W: case Op.IFNULL_W: case Op.IFNONNULL_W: {
        const c = op >= Op.IFEQ_W! ? op - Op.IFEQ_W! : op - Op.IFEQ!;
        const rel = ['=== 0', '!== 0', '< 0', '>= 0', '> 0', '<= 0', '=== 0', '!== 0'][c]!;
        return { kind: 'if', cond: `${top} ${rel}`, target: B(branchTargets(code, pc, OPCODES[op]!)[0]!), next: B(pc + insn.len) };
      }
      case Op.IF_ACMPEQ: case Op.IF_ACMPNE: case Op.IF_SCMPEQ: case Op.IF_SCMPNE: case Op.IF_SCMPLT: case Op.IF_SCMPGE: case Op.IF_SCMPGT: case Op.IF_SCMPLE:
      case Op.IF_ACMPEQ_W: case Op.IF_ACMPNE_W: case Op.IF_SCMPEQ_W: case Op.IF_SCMPNE_W: case Op.IF_SCMPLT_W: case Op.IF_SCMPGE_W: case Op.IF_SCMPGT_W: case Op.IF_SCMPLE_W: {
        const c = op >= Op.IF_ACMPEQ_W! ? op - Op.IF_ACMPEQ_W! : op - Op.IF_ACMPEQ!;
        const rel = ['===', '!==', '===', '!==', '<', '>=', '>', '<='][c]!;
        return { kind: 'if', cond: `${second} ${rel} ${top}`, target: B(branchTargets(code, pc, OPCODES[op]!)[0]!), next: B(pc + insn.len) };
      }
      case Op.ARETURN: case Op.SRETURN: out(`J.bud = bud; return ${top};`); return END;
      case Op.IRETURN: out(`J.bud = bud; return ${second};`); return END;
      case Op.RETURN: out('J.bud = bud; return 0;'); return END;
      case Op.GETSTATIC_A: case Op.GETSTATIC_B: case Op.GETSTATIC_S: case Op.GETSTATIC_I:
      case Op.PUTSTATIC_A: case Op.PUTSTATIC_B: case Op.PUTSTATIC_S: case Op.PUTSTATIC_I: {
        const ci = u2(code, pc + 1), img = K(cp.image[ci]), o = cp.index[ci]!;
        const at = (k: number): string => `${img}[${o + k}]`;
        switch (op) {
          case Op.GETSTATIC_A: case Op.GETSTATIC_S: out(`${S(d)} = (${at(0)} << 24 >> 16) | ${at(1)};`); break;
          case Op.GETSTATIC_B: out(`${S(d)} = ${at(0)} << 24 >> 24;`); break;
          case Op.GETSTATIC_I: out(`${S(d)} = (${at(0)} << 24) | (${at(1)} << 16) | (${at(2)} << 8) | ${at(3)};`); break;
          case Op.PUTSTATIC_A: out(`${refStoreCheck(top)} ${storeStatic(img, [[o, `${top} >> 8`], [o + 1, top]])}`); break;
          case Op.PUTSTATIC_S: out(storeStatic(img, [[o, `${top} >> 8`], [o + 1, top]])); break;
          case Op.PUTSTATIC_B: out(storeStatic(img, [[o, top]])); break;
          default: out(storeStatic(img, [[o, `${second} >> 24`], [o + 1, `${second} >> 16`], [o + 2, `${second} >> 8`], [o + 3, second]])); break;
        }
        return null;
      }
      case Op.GETFIELD_A: case Op.GETFIELD_B: case Op.GETFIELD_S: case Op.GETFIELD_A_W: case Op.GETFIELD_B_W: case Op.GETFIELD_S_W: {
        const f = fieldIndex(insn, op >= Op.GETFIELD_A_W!);
        out(`o = objs[${top}]; ${nullCheck('o')} ${fieldCheck} ${top} = o.data[${f}] << 16 >> 16;`);
        return null;
      }
      case Op.GETFIELD_I: case Op.GETFIELD_I_W: {
        const f = fieldIndex(insn, op === Op.GETFIELD_I_W);
        out(`o = objs[${top}]; ${nullCheck('o')} ${fieldCheck} v = o.data; ${top} = (v[${f}] << 16) | (v[${f + 1}] & 0xffff);`);
        return null;
      }
      case Op.GETFIELD_A_THIS: case Op.GETFIELD_B_THIS: case Op.GETFIELD_S_THIS: {
        out(`o = objs[l0]; ${nullCheck('o')} ${fieldCheck} ${S(d)} = o.data[${fieldIndex(insn, false)}] << 16 >> 16;`);
        return null;
      }
      case Op.GETFIELD_I_THIS: {
        const f = fieldIndex(insn, false);
        out(`o = objs[l0]; ${nullCheck('o')} ${fieldCheck} v = o.data; ${S(d)} = (v[${f}] << 16) | (v[${f + 1}] & 0xffff);`);
        return null;
      }
      case Op.PUTFIELD_A: case Op.PUTFIELD_B: case Op.PUTFIELD_S: case Op.PUTFIELD_A_W: case Op.PUTFIELD_B_W: case Op.PUTFIELD_S_W: {
        const f = fieldIndex(insn, op >= Op.PUTFIELD_A_W!);
        const v = op === Op.PUTFIELD_B || op === Op.PUTFIELD_B_W ? `(${top} << 24) >> 24` : top;
        const ref = op === Op.PUTFIELD_A || op === Op.PUTFIELD_A_W ? refStoreCheck(top) + ' ' : '';
        out(`o = objs[${second}]; ${nullCheck('o')} ${fieldCheck} ${ref}${storeCells('o.data', [[`${f}`, v]])}`);
        return null;
      }
      case Op.PUTFIELD_I: case Op.PUTFIELD_I_W: {
        const f = fieldIndex(insn, op === Op.PUTFIELD_I_W);
        out(`o = objs[${S(d - 3)}]; ${nullCheck('o')} ${fieldCheck} v = o.data; ${storeCells('v', [[`${f}`, `${second} >> 16`], [`${f + 1}`, second]])}`);
        return null;
      }
      case Op.PUTFIELD_A_THIS: case Op.PUTFIELD_B_THIS: case Op.PUTFIELD_S_THIS: {
        const v = op === Op.PUTFIELD_B_THIS ? `(${top} << 24) >> 24` : top;
        const ref = op === Op.PUTFIELD_A_THIS ? refStoreCheck(top) + ' ' : '';
        out(`o = objs[l0]; ${nullCheck('o')} ${fieldCheck} ${ref}${storeCells('o.data', [[`${fieldIndex(insn, false)}`, v]])}`);
        return null;
      }
      case Op.PUTFIELD_I_THIS: {
        const f = fieldIndex(insn, false);
        out(`o = objs[l0]; ${nullCheck('o')} ${fieldCheck} v = o.data; ${storeCells('v', [[`${f}`, `${second} >> 16`], [`${f + 1}`, second]])}`);
        return null;
      }
      case Op.INVOKEVIRTUAL: case Op.INVOKESPECIAL: case Op.INVOKESTATIC: case Op.INVOKEINTERFACE:
        emitCall(insn);
        return null;
      case Op.NEW: out(`J.bud = bud; ${S(d)} = vm.newInstance(${K(cp.cls[u2(code, pc + 1)])});`); return null;
      case Op.NEWARRAY: out(`if (${top} < 0) J.sys(vm, bud, 2); J.bud = bud; ${top} = vm.newArray(${code[pc + 1]}, ${top}, null);`); return null;
      case Op.ANEWARRAY: out(`if (${top} < 0) J.sys(vm, bud, 2); J.bud = bud; ${top} = vm.newArray(${Kind.RefArray}, ${top}, ${K(cp.cls[u2(code, pc + 1)])});`); return null;
      case Op.ARRAYLENGTH: out(`o = objs[${top}]; ${nullCheck('o')} ${arrayCheck} ${top} = o.data.length << 16 >> 16;`); return null;
      case Op.ATHROW: out(`o = objs[${top}]; ${nullCheck('o')} if (o.owner !== ctx) J.throwing(vm, bud, o); J.bud = bud; throw new J.Thrown(${top});`); return END;
      case Op.CHECKCAST: case Op.INSTANCEOF: {
        const atype = code[pc + 1]!;
        const kind = atype === 0 ? Kind.Instance : atype;
        const cls = atype === 0 || atype === 14 ? K(cp.cls[u2(code, pc + 2)]) : 'null';
        const access = `o = objs[${top}]; if (o === undefined || o.owner !== ctx) J.cast(vm, bud, o, ${kind}, ${cls});`;
        if (op === Op.CHECKCAST) out(`if (${top} !== 0) { ${access} J.bud = bud; J.checkCast(vm, o, ${kind}, ${cls}); }`);
        else out(`if (${top} !== 0) { ${access} ${top} = J.instanceOf(vm, o, ${kind}, ${cls}) ? 1 : 0; }`);
        return null;
      }
      default:
        throw new Error(`jit: no code for opcode 0x${op.toString(16)} at ${pc} in ${m}`);
    }
  };

  let temps = 0;
  // Each block's straight-line code, and how it ends.
  const bodies: string[][] = [];
  const terms: Term[] = [];
  for (const blk of a.blocks) {
    lines.length = 0;
    out(`if ((bud -= ${blk.insns.length}) < 0) bud = J.refill(vm, bud);`);
    let lastCover: string | null = null;
    let term: Term | null = null;
    for (const insn of blk.insns) {
      if (hasHandlers && mayThrow(insn.op)) {
        const cover = coverage(insn.pc);
        if (cover !== lastCover) {
          out(`cur = ${insn.pc};`);
          lastCover = cover;
        }
      }
      term = emit(insn);
    }
    if (term === null) {
      // Falls through into the next block.
      const last = blk.insns[blk.insns.length - 1]!;
      term = { kind: 'goto', target: B(last.pc + last.len) };
    }
    bodies.push(lines.slice());
    terms.push(term);
  }
  lines.length = 0;

  // Entry points: the method's first block, then one per distinct handler block.
  const entries = [0];
  const handlerEntry = m.handlers.map((h) => {
    const b = a.blockAt.get(h.handler);
    if (b === undefined) return -1;
    let i = entries.indexOf(b, 1);
    if (i < 0) i = entries.push(b) - 1;
    return i;
  });
  const crashRet = `J.crash(${JSON.stringify('ret to a pc that follows no jsr in ' + m.toString())});`;
  const indent = (depth: number, xs: readonly string[]): void => {
    const pad = '  '.repeat(depth);
    for (const x of xs) if (x !== '') lines.push(pad + x);
  };
  const structured = forceDispatch ? null : structure(terms, entries);
  if (structured !== null) {
    emitStructured(structured, bodies, terms, entries, indent, crashRet);
  } else {
    // Irreducible flow (jsr/ret can make it so): a loop over a switch on the block index.
    indent(0, [`b = ${K(entries)}[entry];`, 'for (;;) switch (b) {']);
    a.blocks.forEach((blk, i) => {
      indent(1, [`case ${i}: // pc ${blk.pc}`]);
      indent(2, bodies[i]!);
      const goto = (to: number): string => (to === i + 1 ? '' : `b = ${to}; continue;`);
      const t = terms[i]!;
      switch (t.kind) {
        case 'goto': indent(2, [goto(t.target)]); break;
        case 'if': indent(2, [`if (${t.cond}) { b = ${t.target}; continue; }`, goto(t.next)]); break;
        case 'switch':
          indent(2, [`switch (${t.key}) { ${t.cases.map(([v, to]) => `case ${v}: b = ${to}; continue;`).join(' ')} }`]);
          indent(2, [t.dflt < 0 ? crashRet : `b = ${t.dflt}; continue;`]);
          break;
        case 'end': break;
      }
    });
    indent(0, ['}']);
  }
  const body = lines.slice();

  const params = ['vm', 'lp', 'D', 'bud'];
  for (let k = 0; k < m.nargs; k++) params.push(L(k));
  const locals: string[] = [];
  for (let k = m.nargs; k < m.maxLocals; k++) if (a.usedLocals.has(k)) locals.push(`${L(k)} = 0`);
  const slots: string[] = [];
  for (let i = 0; i < a.maxDepth; i++) slots.push(`${S(i)} = 0`);
  for (let i = 0; i < temps; i++) slots.push(`y${i} = 0`);
  const frame = m.maxLocals + m.maxStack;
  const name = jsName(m);
  // Declare only what the code uses (smaller functions are inlined into their callers more).
  const text = body.join('\n');
  const uses = (id: string): boolean => new RegExp(`\\b${id}\\b`).test(text);
  const temporaries = ['o', 'v', 'r', 'f', 't', 'x'].filter(uses);
  if (hasHandlers) temporaries.push(...(temporaries.includes('x') ? [] : ['x']), 'entry = 0', 'cur = -1'); // x: the catch's too
  else if (uses('entry')) temporaries.push('entry = 0');
  if (uses('b')) temporaries.push('b = 0');
  const decls = [
    // The interpreter's frame limits (SystemException NO_RESOURCE), for this method's VM.
    `if (D > ${limits.maxFrames} || lp > ${limits.stackWords - frame}) J.noResource(vm, bud);`,
    ...(uses('st') ? ['const st = vm.stack;'] : []),
    ...(uses('objs') || hasHandlers ? ['const objs = vm.heap.objects;'] : []),
    ...(uses('wb') ? ['const wb = vm.barrier;'] : []),
    ...(uses('ctx') ? ['const ctx = vm.context;'] : []),
    ...(uses('actx') ? ['const actx = vm.accessContext;'] : []),
    locals.length ? `let ${locals.join(', ')};` : '',
    slots.length ? `let ${slots.join(', ')};` : '',
    temporaries.length ? `let ${temporaries.join(', ')};` : '',
  ].filter((x) => x !== '');
  const fn: string[] = [];
  const pad = (depth: number, xs: readonly string[]): string[] => xs.map((x) => '  '.repeat(depth) + x);
  fn.push(...pad(1, decls));
  if (hasHandlers) {
    fn.push(...pad(1, ['for (;;) {', '  try {']));
    fn.push(...pad(3, body));
    fn.push(...pad(1, [
      '  } catch (e) {',
      '    if (!(e instanceof J.Thrown)) throw e;',
      `    const h = J.findHandler(${K(m)}, cur, objs[e.handle]);`,
      '    if (h < 0) throw e;',
      // What callees charged before throwing: the least of the bounds at hand (each one is at least the truth).
      `    entry = ${K(handlerEntry)}[h]; s0 = e.handle; if (J.bud < bud) bud = J.bud; x = vm.budget - J.extra; if (x < bud) bud = x | 0;`,
      '  }',
      '}',
    ]));
  } else {
    fn.push(...pad(1, body));
  }
  const constDecls = consts.map((_, i) => `const K${i} = K[${i}];`).join(' ');
  const source = `'use strict';\n${constDecls}\nreturn function ${name}(${params.join(', ')}) {\n${fn.join('\n')}\n};\n//# sourceURL=jit/${name}.js`;
  return { source, consts };
}

/** How a block ends: the edges the structured and dispatch emitters turn into JS control flow. */
type Term =
  | { kind: 'goto'; target: number }
  | { kind: 'if'; cond: string; target: number; next: number }
  /** dflt -1: no default (ret to an address no jsr pushed: a crash, as in the interpreter). */
  | { kind: 'switch'; key: string; cases: [number, number][]; dflt: number }
  | { kind: 'end' };

const END: Term = { kind: 'end' };

function successors(t: Term): number[] {
  switch (t.kind) {
    case 'goto': return [t.target];
    case 'if': return [t.target, t.next];
    case 'switch': return [...t.cases.map(([, to]) => to), ...(t.dflt >= 0 ? [t.dflt] : [])];
    case 'end': return [];
  }
}

/** The dominator tree facts the structured emitter needs. */
interface Structure {
  /** Node `root` (= number of blocks) is a virtual entry with an edge to each entry point. */
  root: number;
  rpo: number[];
  children: number[][];
  loopHeader: boolean[];
  /** Two or more forward in-edges: placed after its dominator's code, reached by `break`. */
  merge: boolean[];
  /** Per loop header: the nodes of its natural loop. */
  loops: Map<number, Set<number>>;
}

/**
 * Dominators (Cooper, Harvey and Kennedy's iterative algorithm) over the blocks plus a virtual
 * root whose successors are the entry points. Returns null if some back edge goes to a node
 * that does not dominate its source (irreducible flow, which structured JS cannot express).
 */
export function structure(terms: readonly Term[], entries: readonly number[]): Structure | null {
  const n = terms.length, root = n;
  const succ: number[][] = terms.map(successors);
  succ.push(entries.slice());
  // Reverse postorder from the root (iterative DFS).
  const order: number[] = [];
  const seen = new Uint8Array(n + 1);
  const stack: [number, number][] = [[root, 0]];
  seen[root] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const node = top[0], i = top[1];
    if (i < succ[node]!.length) {
      top[1]++;
      const next = succ[node]![i]!;
      if (!seen[next]) {
        seen[next] = 1;
        stack.push([next, 0]);
      }
    } else {
      order.push(node);
      stack.pop();
    }
  }
  order.reverse();
  const rpo = new Array<number>(n + 1).fill(-1);
  order.forEach((node, i) => { rpo[node] = i; });
  const preds: number[][] = Array.from({ length: n + 1 }, () => []);
  for (const u of order) for (const v of succ[u]!) preds[v]!.push(u);
  const idom = new Array<number>(n + 1).fill(-1);
  idom[root] = root;
  const intersect = (p: number, q: number): number => {
    while (p !== q) {
      while (rpo[p]! > rpo[q]!) p = idom[p]!;
      while (rpo[q]! > rpo[p]!) q = idom[q]!;
    }
    return p;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const v of order) {
      if (v === root) continue;
      let d = -1;
      for (const p of preds[v]!) if (idom[p]! >= 0) d = d < 0 ? p : intersect(p, d);
      if (d !== idom[v]) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const dominates = (p: number, q: number): boolean => {
    for (let x = q; ; x = idom[x]!) {
      if (x === p) return true;
      if (x === root) return false;
    }
  };
  const loopHeader = new Array<boolean>(n + 1).fill(false);
  const forwardIn = new Array<number>(n + 1).fill(0);
  const loops = new Map<number, Set<number>>();
  for (const u of order) {
    for (const v of succ[u]!) {
      if (rpo[v]! <= rpo[u]!) {
        if (!dominates(v, u)) return null;
        loopHeader[v] = true;
        // The natural loop of the back edge u -> v: v, and whatever reaches u without passing v.
        let body = loops.get(v);
        if (!body) loops.set(v, (body = new Set([v])));
        const work = [u];
        while (work.length) {
          const x = work.pop()!;
          if (body.has(x)) continue;
          body.add(x);
          for (const p of preds[x]!) work.push(p);
        }
      } else {
        forwardIn[v]!++;
      }
    }
  }
  const children: number[][] = Array.from({ length: n + 1 }, () => []);
  for (const v of order) if (v !== root) children[idom[v]!]!.push(v);
  return { root, rpo, children, loopHeader, merge: forwardIn.map((k) => k >= 2), loops };
}

/**
 * Structured control flow for a reducible graph (Ramsey, "Beyond Relooper", ICFP 2022): a
 * node's code, then each of its dominator-tree children that is a merge node after it in a
 * labelled block (`break B<n>` reaches it); loop headers wrap their code in a labelled loop
 * (`continue L<n>` is a back edge); any other successor is placed inline at its one branch.
 * No path falls off the end of a construct: every path ends in a jump, a return or a throw.
 */
function emitStructured(
  s: Structure,
  bodies: string[][],
  terms: Term[],
  entries: number[],
  indent: (depth: number, xs: readonly string[]) => void,
  crashRet: string,
): void {
  /** Nodes placed after a loop they leave (reached by `break`, like merge nodes). */
  const afterLoop = new Set<number>();
  const doBranch = (src: number, dst: number, depth: number): void => {
    if (s.rpo[dst]! <= s.rpo[src]!) indent(depth, [`continue L${dst};`]);
    else if (s.merge[dst] || afterLoop.has(dst)) indent(depth, [`break B${dst};`]);
    else doTree(dst, depth);
  };
  const nodeWithin = (x: number, ys: number[], depth: number): void => {
    if (ys.length > 0) {
      const [y, ...rest] = ys;
      indent(depth, [`B${y}: {`]);
      nodeWithin(x, rest, depth + 1);
      indent(depth, ['}']);
      doTree(y!, depth);
      return;
    }
    if (x === s.root) {
      if (entries.length === 1) doBranch(x, entries[0]!, depth);
      else {
        indent(depth, ['switch (entry) {']);
        entries.forEach((e, i) => {
          indent(depth + 1, [`case ${i}:`]);
          doBranch(x, e, depth + 2);
        });
        indent(depth, ['}']);
        indent(depth, [`J.crash('bad entry');`]);
      }
      return;
    }
    indent(depth, bodies[x]!);
    const t = terms[x]!;
    switch (t.kind) {
      case 'goto': doBranch(x, t.target, depth); break;
      case 'if':
        indent(depth, [`if (${t.cond}) {`]);
        doBranch(x, t.target, depth + 1);
        indent(depth, ['}']);
        doBranch(x, t.next, depth);
        break;
      case 'switch': {
        indent(depth, [`switch (${t.key}) {`]);
        // Cases with the same target share one body; the default's are left to it.
        const byTarget = new Map<number, number[]>();
        for (const [v, to] of t.cases) {
          if (to === t.dflt) continue;
          const l = byTarget.get(to);
          if (l) l.push(v);
          else byTarget.set(to, [v]);
        }
        for (const [to, vs] of byTarget) {
          indent(depth + 1, vs.map((v) => `case ${v}:`));
          doBranch(x, to, depth + 2);
        }
        indent(depth, ['}']);
        if (t.dflt < 0) indent(depth, [crashRet]);
        else doBranch(x, t.dflt, depth);
        break;
      }
      case 'end': break;
    }
  };
  const doTree = (x: number, depth: number): void => {
    // Merge children, the one latest in reverse postorder outermost (its code comes last).
    const byRpo = (p: number, q: number): number => s.rpo[q]! - s.rpo[p]!;
    if (!s.loopHeader[x]) {
      nodeWithin(x, s.children[x]!.filter((c) => s.merge[c]).sort(byRpo), depth);
      return;
    }
    // A loop: the children it exits to come after it (not inside it, which V8 would take for
    // nested loops), each in a labelled block the loop breaks out of.
    const body = s.loops.get(x)!;
    const inner = s.children[x]!.filter((c) => s.merge[c] && body.has(c)).sort(byRpo);
    const exits = s.children[x]!.filter((c) => !body.has(c)).sort(byRpo);
    for (const e of exits) afterLoop.add(e);
    const around = (i: number, d: number): void => {
      if (i === exits.length) {
        indent(d, [`L${x}: for (;;) {`]);
        nodeWithin(x, inner, d + 1);
        indent(d, ['}']);
        return;
      }
      indent(d, [`B${exits[i]}: {`]);
      around(i + 1, d + 1);
      indent(d, ['}']);
      doTree(exits[i]!, d);
    };
    around(0, depth);
  };
  doTree(s.root, 0);
}

/**
 * Source of the adapter the interpreter enters a compiled method through: arguments are read
 * from vm.stack[base..] as 16-bit words, and int arguments joined into their first word.
 */
export function entrySource(a: Analysis): string {
  const m = a.method;
  const args: string[] = [];
  for (let k = 0; k < m.nargs; k++) {
    args.push(a.intArgs[k] && k + 1 < m.nargs ? `(st[base + ${k}] << 16) | (st[base + ${k + 1}] & 0xffff)` : `st[base + ${k}]`);
  }
  return `'use strict';\nreturn function entry(vm, base, D, bud) { const st = vm.stack; return fn(vm, base, D, bud${args.length ? ', ' + args.join(', ') : ''}); };`;
}
