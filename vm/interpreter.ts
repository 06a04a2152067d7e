// The bytecode interpreter (JCVM spec chapter 7): one operand stack of 16-bit words, frames
// as windows into it, one switch over the opcode byte. Hot instructions are handled inline;
// object-model work (invocation, casts, allocation, switches) lives in vm/ops/*.
//
// Frame layout on `stack`: [locals (max_locals words; arguments first)] [operand stack].
// While an instruction runs, `pc` is its own address, so an exception thrown by it (or by a
// native it calls) is matched against the handler ranges with the right pc.

import { sdiv, srem, idiv, irem } from './arith.ts';
import { BudgetExhausted, SysEx, SystemReason, Thrown, VmCrash } from './errors.ts';
import { Heap, HeapExhausted, type WriteBarrier } from './heap.ts';
import { Kind, RetKind, Transience, type HeapObject, type VmClass, type VmMethod } from './types.ts';
import { arrayTypeOf, checkCast, instanceOf, interfaceTarget, packageVirtual } from './ops/objects.ts';
import { JCRE_CONTEXT, arrayAccess, castAccess, fieldAccess, invokeContext, nativeAccess, specialAccess, storeReference, throwAccess } from './firewall.ts';
import { combineSteps } from './trace.ts';
import { compileMethod, enterCompiled } from './jit/index.ts';

/** What the VM needs from the runtime around it. */
export interface VmHost {
  /** The object to throw for a VM-detected error (JCRE-owned, may be reused). */
  systemException(kind: SysEx, reason?: number): number;
  /**
   * The applet instance that becomes active when a call switches to `context` (JCRE 6.1.2), on
   * the object `receiver` (a handle); kept in Vm.applet for the host (JCSystem.getAID...).
   */
  appletOf(context: number, receiver: number): unknown;
  /** Whether an entry point object (HeapObject.global) is a permanent one (JCRE 6.2.1), which may be stored. */
  isPermanentEntryPoint(o: HeapObject): boolean;
}

export interface VmOptions {
  /** Words of operand stack and locals for all frames together. */
  stackWords?: number;
  /** Maximum nesting of method frames. */
  maxFrames?: number;
  /** Print every instruction (through the disassembler) with the stack. */
  trace?: (line: string) => void;
  /** Called before every instruction (coverage, profiles; vm/trace.ts); the interpreter alone runs then. */
  step?: StepHook;
  /** Compile methods to JavaScript on their first call (vm/jit); ignored when tracing or stepping. */
  jit?: boolean;
}

/** What the interpreter calls before each instruction when asked to: the method, pc, frame base and sp. */
export type StepHook = (m: VmMethod, pc: number, lp: number, sp: number) => void;

export class Vm {
  /**
   * The operand stacks and locals of the running frames. A call that switches context runs on
   * a fresh stack of its own (callInContext), so that no context sees another's frames.
   */
  stack: Int16Array;
  readonly heap: Heap;
  /** Frames below the current one: method, pc of the invoke instruction, locals base. */
  private readonly fMethod: VmMethod[] = [];
  private readonly fPc: Int32Array;
  private readonly fLp: Int32Array;
  /** Frames below the running one (public for the JIT hook: compiled code keeps it at its calls). */
  depth = 0;
  /** JIT hook: the frame limit, and whether methods are compiled (vm/jit). */
  readonly maxFrames: number;
  /** Whether methods are compiled (false while a step hook is set; vm/trace.ts). */
  jit: boolean;
  /** First free word above everything in use (kept current whenever natives run). */
  sp = 0;
  /** Called before every store into persistent memory (null: nothing to count or journal). */
  barrier: WriteBarrier | null = null;
  /**
   * Count stores into transient (RAM) arrays in `transientWrites` (jcvm --stats). Read only on
   * the transient branch of an array store, after the persistent test every store makes
   * anyway: persistent stores and field stores pay nothing, a transient store one load and test.
   */
  countTransient = false;
  /** Stores into transient arrays while countTransient was on (one per bytecode store, as the barrier counts). */
  transientWrites = 0;
  /** Instructions left before the applet is stopped. */
  budget = Infinity;
  /**
   * The currently active context (JCRE 6.1.2): objects whose owner is another context are
   * accessed only as the firewall allows (vm/firewall.ts). 0 is the JCRE's. New objects belong
   * to it. It changes only around a call (callInContext, inContext) and is restored when the
   * call returns or an exception leaves it, so it is constant while one method runs.
   */
  context = 0;
  /**
   * The context of the currently selected applet (JCRE 6.1.6), set by the host around each
   * applet entry point (install, select, deselect, process); -1 when none. CLEAR_ON_DESELECT
   * arrays are made and used only while it is the active context.
   */
  selectedContext = -1;
  /**
   * The owner whose objects field and array bytecodes use without the firewall's slow path:
   * the active context, or -1 while an applet context other than the selected applet's is
   * active (a Shareable interface method called from the selected applet), so that there its
   * own objects take the slow path too, which refuses its CLEAR_ON_DESELECT arrays (6.1.6).
   * Read where `context` is (once per dispatch loop, once per compiled method): the rule costs
   * nothing in the selected applet's context. Plain fields, both: a getter on `context` costs
   * every compiled call.
   */
  accessContext = 0;

  /** Make `context` the active context and `selected` the selected applet's (Vm.accessContext follows). */
  enterContext(context: number, selected = this.selectedContext): void {
    this.context = context;
    this.selectedContext = selected;
    this.accessContext = context === JCRE_CONTEXT || context === selected ? context : -1;
  }
  /** The host's active applet instance, and the one active before the last context switch (getPreviousContextAID). */
  applet: unknown = null;
  previousApplet: unknown = null;
  /** The trace and coverage hook (vm/trace.ts), null when off: a test per instruction, nothing more. */
  stepFn: StepHook | null;

  constructor(
    heap: Heap,
    readonly host: VmHost,
    options: VmOptions = {},
  ) {
    this.heap = heap;
    this.stack = new Int16Array(options.stackWords ?? 1024);
    const maxFrames = options.maxFrames ?? 128;
    this.fPc = new Int32Array(maxFrames);
    this.fLp = new Int32Array(maxFrames);
    this.stepFn = combineSteps(this, options.step, options.trace);
    this.maxFrames = maxFrames;
    this.jit = options.jit === true && this.stepFn === null;
  }

  /** Throw a VM-detected Java Card exception. */
  throwSys(kind: SysEx, reason = 0): never {
    throw new Thrown(this.host.systemException(kind, reason));
  }

  /**
   * The object behind a handle a native was given, or NullPointerException; SecurityException
   * when the active context may not use it (natives run in their caller's context: JCRE
   * entry point objects and global arrays are usable from every context, other objects only
   * by their owner and the JCRE).
   */
  deref(handle: number): HeapObject {
    const o = this.heap.objects[handle];
    if (o === undefined) this.throwSys(SysEx.NullPointer);
    if (o.owner !== this.accessContext) nativeAccess(this, o);
    return o;
  }

  /**
   * Runs `fn` with `context` active and `applet` as the active applet (a context switch made
   * by the host: an applet's entry point, getShareableInterfaceObject); the applet active
   * before becomes the previous one. `selected` is the selected applet's context meanwhile
   * (Vm.selectedContext; unchanged by default). Everything is restored however `fn` ends.
   */
  inContext<T>(context: number, applet: unknown, fn: () => T, selected = this.selectedContext): T {
    const c = this.context, s = this.selectedContext, a = this.applet, p = this.previousApplet;
    this.previousApplet = a;
    this.applet = applet;
    this.enterContext(context, selected);
    try {
      return fn();
    } finally {
      this.enterContext(c, s);
      this.applet = a;
      this.previousApplet = p;
    }
  }

  /**
   * A call that switches context (a shareable interface method of another context's object,
   * JCRE 6.2.8.6; getShareableInterfaceObject): runs `t` with `args` (words, `this` first) one
   * frame below `depth`, with `context` active and `applet` as the active applet; returns its
   * result as Vm.call does. The callee runs on a fresh, zeroed stack: whatever it reads below
   * its frame or beyond its locals is nothing of its caller's (a verifier would refuse such
   * code; the card does not need one for this). The caller's stack, context, applet and
   * previous applet come back on return and when an exception leaves the callee (6.2.4).
   */
  callInContext(t: VmMethod, args: ArrayLike<number>, depth: number, context: number, applet: unknown): number {
    if (depth >= this.maxFrames) this.throwSys(SysEx.System, SystemReason.NO_RESOURCE);
    const c = this.context, a = this.applet, p = this.previousApplet, d = this.depth, outer = this.stack, sp = this.sp;
    const st = new Int16Array(outer.length);
    for (let i = 0; i < args.length; i++) st[i] = args[i]!;
    this.stack = st;
    this.previousApplet = a;
    this.applet = applet;
    this.enterContext(context);
    this.depth = depth + 1;
    this.sp = args.length;
    try {
      if (t.native) return t.native(this, 0) ?? 0;
      if (this.jit && t.compiled !== null && (t.compiled !== undefined || compileMethod(this, t))) {
        return enterCompiled(this, t, 0, depth + 1);
      }
      this.run(t, 0);
      if (t.ret === RetKind.Int) return (st[0]! << 16) | (st[1]! & 0xffff);
      return t.ret === RetKind.Word ? st[0]! : 0;
    } finally {
      this.stack = outer;
      this.enterContext(c);
      this.applet = a;
      this.previousApplet = p;
      this.depth = d;
      this.sp = sp;
    }
  }

  /**
   * Call a method from the host (the runtime calling install, process, select...).
   * `args` are words, `this` first for instance methods. Returns the result (int or word).
   * A Java Card exception the method does not catch propagates as Thrown.
   */
  call(method: VmMethod, args: readonly number[]): number {
    const base = this.sp;
    if (base + args.length > this.stack.length) this.throwSys(SysEx.System, SystemReason.NO_RESOURCE);
    for (let i = 0; i < args.length; i++) this.stack[base + i] = args[i]!;
    this.sp = base + args.length;
    try {
      if (method.native) {
        const r = method.native(this, base);
        return r ?? 0;
      }
      if (method.isAbstract) throw new VmCrash(`call of abstract method ${method}`);
      // JIT hook: a compiled method runs as a JS call at the current depth.
      if (this.jit && method.compiled !== null && (method.compiled !== undefined || compileMethod(this, method))) {
        return enterCompiled(this, method, base, this.depth);
      }
      this.run(method, base);
      // The result was left at the frame base.
      if (method.ret === RetKind.Int) return (this.stack[base]! << 16) | (this.stack[base + 1]! & 0xffff);
      return method.ret === RetKind.Word ? this.stack[base]! : 0;
    } finally {
      this.sp = base;
    }
  }

  /** Run `entry` (arguments already at stack[lp..]) until it returns. */
  private run(entry: VmMethod, lp: number): void {
    const st = this.stack;
    const objects = this.heap.objects;
    const fMethod = this.fMethod, fPc = this.fPc, fLp = this.fLp;
    const entryDepth = this.depth;
    const step = this.stepFn;
    const wb = this.barrier;
    // The active context: constant while this loop runs (a call that switches context runs in
    // a loop of its own, callInContext). Each object access compares the owner with it.
    const ctx = this.context;
    // Field and array accesses compare with this one: the same, but -1 outside the selected
    // applet's context (CLEAR_ON_DESELECT arrays, Vm.accessContext).
    const actx = this.accessContext;

    let m = entry;
    if (lp + m.maxLocals + m.maxStack > st.length) this.throwSys(SysEx.System, SystemReason.NO_RESOURCE);
    let code = m.code;
    let cp = m.pkg.cp;
    let pc = m.start;
    let sp = lp + m.maxLocals;
    let budget = this.budget;

    for (;;) {
      try {
        for (;;) {
          if (--budget < 0) throw new BudgetExhausted();
          if (step !== null) step(m, pc, lp, sp);
          const op = code[pc]!;
          switch (op) {
            case 0x00: pc++; break; // nop
            case 0x01: st[sp++] = 0; pc++; break; // aconst_null
            case 0x02: case 0x03: case 0x04: case 0x05: case 0x06: case 0x07: case 0x08: // sconst_m1..5
              st[sp++] = op - 3; pc++; break;
            case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x0e: case 0x0f: { // iconst_m1..5
              const v = op - 0x0a;
              st[sp] = v >> 16; st[sp + 1] = v; sp += 2; pc++; break;
            }
            case 0x10: st[sp++] = (code[pc + 1]! << 24) >> 24; pc += 2; break; // bspush
            case 0x11: st[sp++] = (code[pc + 1]! << 8) | code[pc + 2]!; pc += 3; break; // sspush
            case 0x12: { const v = (code[pc + 1]! << 24) >> 24; st[sp] = v >> 16; st[sp + 1] = v; sp += 2; pc += 2; break; } // bipush
            case 0x13: { const v = (((code[pc + 1]! << 8) | code[pc + 2]!) << 16) >> 16; st[sp] = v >> 16; st[sp + 1] = v; sp += 2; pc += 3; break; } // sipush
            case 0x14: { // iipush
              st[sp] = (code[pc + 1]! << 8) | code[pc + 2]!; st[sp + 1] = (code[pc + 3]! << 8) | code[pc + 4]!;
              sp += 2; pc += 5; break;
            }
            case 0x15: case 0x16: st[sp++] = st[lp + code[pc + 1]!]!; pc += 2; break; // aload, sload
            case 0x17: { const i = lp + code[pc + 1]!; st[sp] = st[i]!; st[sp + 1] = st[i + 1]!; sp += 2; pc += 2; break; } // iload
            case 0x18: case 0x19: case 0x1a: case 0x1b: st[sp++] = st[lp + op - 0x18]!; pc++; break; // aload_n
            case 0x1c: case 0x1d: case 0x1e: case 0x1f: st[sp++] = st[lp + op - 0x1c]!; pc++; break; // sload_n
            case 0x20: case 0x21: case 0x22: case 0x23: { const i = lp + op - 0x20; st[sp] = st[i]!; st[sp + 1] = st[i + 1]!; sp += 2; pc++; break; } // iload_n
            case 0x24: case 0x25: case 0x26: { // aaload, baload, saload
              const idx = st[sp - 1]!, o = objects[st[sp - 2]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) arrayAccess(this, o);
              if (idx < 0 || idx >= o.data.length) this.throwSys(SysEx.ArrayIndexOutOfBounds);
              st[sp - 2] = o.data[idx]!; sp--; pc++; break;
            }
            case 0x27: { // iaload
              const idx = st[sp - 1]!, o = objects[st[sp - 2]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) arrayAccess(this, o);
              if (idx < 0 || idx >= o.data.length) this.throwSys(SysEx.ArrayIndexOutOfBounds);
              const v = o.data[idx]!;
              st[sp - 2] = v >> 16; st[sp - 1] = v; pc++; break;
            }
            case 0x28: case 0x29: st[lp + code[pc + 1]!] = st[--sp]!; pc += 2; break; // astore, sstore
            case 0x2a: { const i = lp + code[pc + 1]!; sp -= 2; st[i] = st[sp]!; st[i + 1] = st[sp + 1]!; pc += 2; break; } // istore
            case 0x2b: case 0x2c: case 0x2d: case 0x2e: st[lp + op - 0x2b] = st[--sp]!; pc++; break; // astore_n
            case 0x2f: case 0x30: case 0x31: case 0x32: st[lp + op - 0x2f] = st[--sp]!; pc++; break; // sstore_n
            case 0x33: case 0x34: case 0x35: case 0x36: { const i = lp + op - 0x33; sp -= 2; st[i] = st[sp]!; st[i + 1] = st[sp + 1]!; pc++; break; } // istore_n
            case 0x37: { // aastore
              const v = st[sp - 1]!, idx = st[sp - 2]!, o = objects[st[sp - 3]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) arrayAccess(this, o);
              if (idx < 0 || idx >= o.data.length) this.throwSys(SysEx.ArrayIndexOutOfBounds);
              if (v !== 0) {
                const vo = objects[v];
                if (vo === undefined || vo.global) storeReference(this, v);
                if (o.cls !== null && !instanceOf(this, vo!, Kind.Instance, o.cls)) this.throwSys(SysEx.ArrayStore);
              }
              if (o.transience === 0) { if (wb !== null) wb.beforeWrite(o.offset + 2 * idx, 2); } else if (this.countTransient) this.transientWrites++;
              o.data[idx] = v; sp -= 3; pc++; break;
            }
            case 0x38: case 0x39: { // bastore, sastore (typed arrays truncate)
              const v = st[sp - 1]!, idx = st[sp - 2]!, o = objects[st[sp - 3]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) arrayAccess(this, o);
              if (idx < 0 || idx >= o.data.length) this.throwSys(SysEx.ArrayIndexOutOfBounds);
              if (o.transience === 0) { if (wb !== null) wb.beforeWrite(o.offset + (op === 0x38 ? idx : 2 * idx), op === 0x38 ? 1 : 2); } else if (this.countTransient) this.transientWrites++;
              o.data[idx] = v; sp -= 3; pc++; break;
            }
            case 0x3a: { // iastore
              const v = (st[sp - 2]! << 16) | (st[sp - 1]! & 0xffff), idx = st[sp - 3]!, o = objects[st[sp - 4]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) arrayAccess(this, o);
              if (idx < 0 || idx >= o.data.length) this.throwSys(SysEx.ArrayIndexOutOfBounds);
              if (o.transience === 0) { if (wb !== null) wb.beforeWrite(o.offset + 4 * idx, 4); } else if (this.countTransient) this.transientWrites++;
              o.data[idx] = v; sp -= 4; pc++; break;
            }
            case 0x3b: sp--; pc++; break; // pop
            case 0x3c: sp -= 2; pc++; break; // pop2
            case 0x3d: st[sp] = st[sp - 1]!; sp++; pc++; break; // dup
            case 0x3e: st[sp] = st[sp - 2]!; st[sp + 1] = st[sp - 1]!; sp += 2; pc++; break; // dup2
            case 0x3f: { // dup_x: copy the top m words and insert the copy n words down (n = 0: on top)
              const mn = code[pc + 1]!, mw = mn >> 4, n = mn & 15;
              const top = st.slice(sp - mw, sp);
              if (n > 0) st.copyWithin(sp - n + mw, sp - n, sp);
              st.set(top, n > 0 ? sp - n : sp);
              sp += mw; pc += 2; break;
            }
            case 0x40: { // swap_x: swap the top m words with the n words below them
              const mn = code[pc + 1]!, mw = mn >> 4, n = mn & 15;
              const top = st.slice(sp - mw, sp);
              st.copyWithin(sp - n, sp - mw - n, sp - mw);
              st.set(top, sp - mw - n);
              pc += 2; break;
            }
            case 0x41: st[sp - 2] = st[sp - 2]! + st[sp - 1]!; sp--; pc++; break; // sadd (Int16Array wraps)
            case 0x43: st[sp - 2] = st[sp - 2]! - st[sp - 1]!; sp--; pc++; break; // ssub
            case 0x45: st[sp - 2] = Math.imul(st[sp - 2]!, st[sp - 1]!); sp--; pc++; break; // smul
            case 0x47: case 0x49: { // sdiv, srem
              const b = st[sp - 1]!;
              if (b === 0) this.throwSys(SysEx.Arithmetic);
              st[sp - 2] = op === 0x47 ? sdiv(st[sp - 2]!, b) : srem(st[sp - 2]!, b); sp--; pc++; break;
            }
            case 0x4b: st[sp - 1] = -st[sp - 1]!; pc++; break; // sneg
            case 0x4d: st[sp - 2] = st[sp - 2]! << (st[sp - 1]! & 31); sp--; pc++; break; // sshl
            case 0x4f: st[sp - 2] = st[sp - 2]! >> (st[sp - 1]! & 31); sp--; pc++; break; // sshr
            case 0x51: st[sp - 2] = st[sp - 2]! >>> (st[sp - 1]! & 31); sp--; pc++; break; // sushr: sign-extended first
            case 0x53: st[sp - 2] = st[sp - 2]! & st[sp - 1]!; sp--; pc++; break; // sand
            case 0x55: st[sp - 2] = st[sp - 2]! | st[sp - 1]!; sp--; pc++; break; // sor
            case 0x57: st[sp - 2] = st[sp - 2]! ^ st[sp - 1]!; sp--; pc++; break; // sxor
            case 0x42: case 0x44: case 0x46: case 0x48: case 0x4a: case 0x4e: case 0x50: case 0x52: case 0x54: case 0x56: case 0x58: {
              // int binary operations: two ints (4 words) -> one int
              const a = (st[sp - 4]! << 16) | (st[sp - 3]! & 0xffff);
              const b = (st[sp - 2]! << 16) | (st[sp - 1]! & 0xffff);
              let r: number;
              switch (op) {
                case 0x42: r = (a + b) | 0; break; // iadd
                case 0x44: r = (a - b) | 0; break; // isub
                case 0x46: r = Math.imul(a, b); break; // imul
                case 0x48: if (b === 0) this.throwSys(SysEx.Arithmetic); r = idiv(a, b); break; // idiv
                case 0x4a: if (b === 0) this.throwSys(SysEx.Arithmetic); r = irem(a, b); break; // irem
                case 0x4e: r = a << (b & 31); break; // ishl
                case 0x50: r = a >> (b & 31); break; // ishr
                case 0x52: r = (a >>> (b & 31)) | 0; break; // iushr
                case 0x54: r = a & b; break; // iand
                case 0x56: r = a | b; break; // ior
                default: r = a ^ b; break; // ixor
              }
              st[sp - 4] = r >> 16; st[sp - 3] = r; sp -= 2; pc++; break;
            }
            case 0x4c: { const a = -((st[sp - 2]! << 16) | (st[sp - 1]! & 0xffff)) | 0; st[sp - 2] = a >> 16; st[sp - 1] = a; pc++; break; } // ineg
            case 0x59: { const i = lp + code[pc + 1]!; st[i] = st[i]! + ((code[pc + 2]! << 24) >> 24); pc += 3; break; } // sinc
            case 0x96: { const i = lp + code[pc + 1]!; st[i] = st[i]! + ((code[pc + 2]! << 8) | code[pc + 3]!); pc += 4; break; } // sinc_w
            case 0x5a: case 0x97: { // iinc, iinc_w
              const i = lp + code[pc + 1]!;
              const k = op === 0x5a ? (code[pc + 2]! << 24) >> 24 : (((code[pc + 2]! << 8) | code[pc + 3]!) << 16) >> 16;
              const v = (((st[i]! << 16) | (st[i + 1]! & 0xffff)) + k) | 0;
              st[i] = v >> 16; st[i + 1] = v; pc += op === 0x5a ? 3 : 4; break;
            }
            case 0x5b: st[sp - 1] = (st[sp - 1]! << 24) >> 24; pc++; break; // s2b
            case 0x5c: { const v = st[sp - 1]!; st[sp - 1] = v >> 16; st[sp] = v; sp++; pc++; break; } // s2i
            case 0x5d: st[sp - 2] = (st[sp - 1]! << 24) >> 24; sp--; pc++; break; // i2b
            case 0x5e: st[sp - 2] = st[sp - 1]!; sp--; pc++; break; // i2s
            case 0x5f: { // icmp
              const a = (st[sp - 4]! << 16) | (st[sp - 3]! & 0xffff), b = (st[sp - 2]! << 16) | (st[sp - 1]! & 0xffff);
              st[sp - 4] = a < b ? -1 : a > b ? 1 : 0; sp -= 3; pc++; break;
            }
            // Conditional branches: s1 offset (0x60..0x6f) and s2 offset (0x98..0xa7), relative to the opcode.
            case 0x60: case 0x61: case 0x62: case 0x63: case 0x64: case 0x65: case 0x66: case 0x67:
            case 0x98: case 0x99: case 0x9a: case 0x9b: case 0x9c: case 0x9d: case 0x9e: case 0x9f: {
              const v = st[--sp]!;
              const wide = op >= 0x98, c = wide ? op - 0x98 : op - 0x60;
              const taken = c === 0 ? v === 0 : c === 1 ? v !== 0 : c === 2 ? v < 0 : c === 3 ? v >= 0 : c === 4 ? v > 0 : c === 5 ? v <= 0 : c === 6 ? v === 0 : v !== 0;
              if (taken) pc += wide ? (((code[pc + 1]! << 8) | code[pc + 2]!) << 16) >> 16 : (code[pc + 1]! << 24) >> 24;
              else pc += wide ? 3 : 2;
              break;
            }
            case 0x68: case 0x69: case 0x6a: case 0x6b: case 0x6c: case 0x6d: case 0x6e: case 0x6f:
            case 0xa0: case 0xa1: case 0xa2: case 0xa3: case 0xa4: case 0xa5: case 0xa6: case 0xa7: {
              const b = st[--sp]!, a = st[--sp]!;
              const wide = op >= 0xa0, c = wide ? op - 0xa0 : op - 0x68;
              // acmpeq, acmpne, scmpeq, scmpne, scmplt, scmpge, scmpgt, scmple
              const taken = c === 0 || c === 2 ? a === b : c === 1 || c === 3 ? a !== b : c === 4 ? a < b : c === 5 ? a >= b : c === 6 ? a > b : a <= b;
              if (taken) pc += wide ? (((code[pc + 1]! << 8) | code[pc + 2]!) << 16) >> 16 : (code[pc + 1]! << 24) >> 24;
              else pc += wide ? 3 : 2;
              break;
            }
            case 0x70: pc += (code[pc + 1]! << 24) >> 24; break; // goto
            case 0xa8: pc += (((code[pc + 1]! << 8) | code[pc + 2]!) << 16) >> 16; break; // goto_w
            case 0x71: st[sp++] = pc + 3; pc += (((code[pc + 1]! << 8) | code[pc + 2]!) << 16) >> 16; break; // jsr
            case 0x72: pc = st[lp + code[pc + 1]!]! & 0xffff; break; // ret
            case 0x73: { // stableswitch
              const key = st[--sp]!;
              const low = (((code[pc + 3]! << 8) | code[pc + 4]!) << 16) >> 16, high = (((code[pc + 5]! << 8) | code[pc + 6]!) << 16) >> 16;
              const at = key < low || key > high ? pc + 1 : pc + 7 + 2 * (key - low);
              pc += (((code[at]! << 8) | code[at + 1]!) << 16) >> 16; break;
            }
            case 0x74: { // itableswitch
              sp -= 2;
              const key = (st[sp]! << 16) | (st[sp + 1]! & 0xffff);
              const low = readS4(code, pc + 3), high = readS4(code, pc + 7);
              const at = key < low || key > high ? pc + 1 : pc + 11 + 2 * (key - low);
              pc += (((code[at]! << 8) | code[at + 1]!) << 16) >> 16; break;
            }
            case 0x75: { // slookupswitch: pairs sorted by match
              const key = st[--sp]!, n = (code[pc + 3]! << 8) | code[pc + 4]!;
              let at = pc + 1;
              for (let i = 0, p = pc + 5; i < n; i++, p += 4) {
                if (((((code[p]! << 8) | code[p + 1]!) << 16) >> 16) === key) { at = p + 2; break; }
              }
              pc += (((code[at]! << 8) | code[at + 1]!) << 16) >> 16; break;
            }
            case 0x76: { // ilookupswitch
              sp -= 2;
              const key = (st[sp]! << 16) | (st[sp + 1]! & 0xffff), n = (code[pc + 3]! << 8) | code[pc + 4]!;
              let at = pc + 1;
              for (let i = 0, p = pc + 5; i < n; i++, p += 6) if (readS4(code, p) === key) { at = p + 4; break; }
              pc += (((code[at]! << 8) | code[at + 1]!) << 16) >> 16; break;
            }
            case 0x77: case 0x78: case 0x79: case 0x7a: { // areturn, sreturn, ireturn, return
              const words = op === 0x7a ? 0 : op === 0x79 ? 2 : 1;
              if (words === 1) st[lp] = st[sp - 1]!;
              else if (words === 2) { st[lp] = st[sp - 2]!; st[lp + 1] = st[sp - 1]!; }
              sp = lp + words;
              if (this.depth === entryDepth) { this.budget = budget; this.sp = sp; return; }
              const d = --this.depth;
              m = fMethod[d]!; pc = fPc[d]!; lp = fLp[d]!;
              code = m.code; cp = m.pkg.cp;
              pc += code[pc] === 0x8e ? 5 : 3; // past the invoke instruction
              break;
            }
            case 0x7b: case 0x7c: case 0x7d: case 0x7f: case 0x80: case 0x81: case 0x7e: case 0x82: { // getstatic_*, putstatic_*
              const ci = (code[pc + 1]! << 8) | code[pc + 2]!;
              const img = cp.image[ci]!, off = cp.index[ci]!;
              switch (op) {
                case 0x7b: case 0x7d: st[sp++] = (img[off]! << 8) | img[off + 1]!; break;
                case 0x7c: st[sp++] = (img[off]! << 24) >> 24; break;
                case 0x7e: st[sp] = (img[off]! << 8) | img[off + 1]!; st[sp + 1] = (img[off + 2]! << 8) | img[off + 3]!; sp += 2; break;
                case 0x7f: case 0x81: { if (op === 0x7f && st[sp - 1] !== 0) { const vo = objects[st[sp - 1]!]; if (vo === undefined || vo.global) storeReference(this, st[sp - 1]!); } if (wb !== null) wb.beforeWrite(img.byteOffset + off, 2); const v = st[--sp]!; img[off] = v >> 8; img[off + 1] = v; break; }
                case 0x80: if (wb !== null) wb.beforeWrite(img.byteOffset + off, 1); img[off] = st[--sp]!; break;
                default: { if (wb !== null) wb.beforeWrite(img.byteOffset + off, 4); sp -= 2; const hi = st[sp]!, lo = st[sp + 1]!; img[off] = hi >> 8; img[off + 1] = hi; img[off + 2] = lo >> 8; img[off + 3] = lo; break; }
              }
              pc += 3; break;
            }
            case 0x83: case 0x84: case 0x85: case 0xa9: case 0xaa: case 0xab: { // getfield_a/b/s (and _w)
              const wide = op >= 0xa9;
              const o = objects[st[sp - 1]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) fieldAccess(this, o);
              st[sp - 1] = o.data[cp.index[wide ? (code[pc + 1]! << 8) | code[pc + 2]! : code[pc + 1]!]!]!;
              pc += wide ? 3 : 2; break;
            }
            case 0x86: case 0xac: { // getfield_i (and _w)
              const wide = op === 0xac;
              const o = objects[st[sp - 1]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) fieldAccess(this, o);
              const f = cp.index[wide ? (code[pc + 1]! << 8) | code[pc + 2]! : code[pc + 1]!]!;
              st[sp - 1] = o.data[f]!; st[sp] = o.data[f + 1]!; sp++;
              pc += wide ? 3 : 2; break;
            }
            case 0xad: case 0xae: case 0xaf: { // getfield_a/b/s_this
              const o = objects[st[lp]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) fieldAccess(this, o);
              st[sp++] = o.data[cp.index[code[pc + 1]!]!]!; pc += 2; break;
            }
            case 0xb0: { // getfield_i_this
              const o = objects[st[lp]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) fieldAccess(this, o);
              const f = cp.index[code[pc + 1]!]!;
              st[sp] = o.data[f]!; st[sp + 1] = o.data[f + 1]!; sp += 2; pc += 2; break;
            }
            case 0x87: case 0x88: case 0x89: case 0xb1: case 0xb2: case 0xb3: { // putfield_a/b/s (and _w)
              const wide = op >= 0xb1;
              const o = objects[st[sp - 2]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) fieldAccess(this, o);
              const v = st[sp - 1]!;
              const f = cp.index[wide ? (code[pc + 1]! << 8) | code[pc + 2]! : code[pc + 1]!]!;
              if (f >= o.data.length || o.kind !== Kind.Instance) this.throwSys(SysEx.Security); // a field the object does not have: hostile code
              if ((op === 0x87 || op === 0xb1) && v !== 0) { const vo = objects[v]; if (vo === undefined || vo.global) storeReference(this, v); }
              if (o.transience === 0 && wb !== null) wb.beforeWrite(o.offset + 2 * f, 2);
              o.data[f] = op === 0x88 || op === 0xb2 ? (v << 24) >> 24 : v;
              sp -= 2; pc += wide ? 3 : 2; break;
            }
            case 0x8a: case 0xb4: { // putfield_i (and _w)
              const wide = op === 0xb4;
              const o = objects[st[sp - 3]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) fieldAccess(this, o);
              const f = cp.index[wide ? (code[pc + 1]! << 8) | code[pc + 2]! : code[pc + 1]!]!;
              if (f + 1 >= o.data.length || o.kind !== Kind.Instance) this.throwSys(SysEx.Security); // a field the object does not have: hostile code
              if (o.transience === 0 && wb !== null) wb.beforeWrite(o.offset + 2 * f, 4);
              o.data[f] = st[sp - 2]!; o.data[f + 1] = st[sp - 1]!;
              sp -= 3; pc += wide ? 3 : 2; break;
            }
            case 0xb5: case 0xb6: case 0xb7: { // putfield_a/b/s_this
              const o = objects[st[lp]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) fieldAccess(this, o);
              const v = st[--sp]!;
              const f = cp.index[code[pc + 1]!]!;
              if (f >= o.data.length || o.kind !== Kind.Instance) this.throwSys(SysEx.Security); // a field the object does not have: hostile code
              if (op === 0xb5 && v !== 0) { const vo = objects[v]; if (vo === undefined || vo.global) storeReference(this, v); }
              if (o.transience === 0 && wb !== null) wb.beforeWrite(o.offset + 2 * f, 2);
              o.data[f] = op === 0xb6 ? (v << 24) >> 24 : v;
              pc += 2; break;
            }
            case 0xb8: { // putfield_i_this
              const o = objects[st[lp]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) fieldAccess(this, o);
              const f = cp.index[code[pc + 1]!]!;
              if (f + 1 >= o.data.length || o.kind !== Kind.Instance) this.throwSys(SysEx.Security); // a field the object does not have: hostile code
              if (o.transience === 0 && wb !== null) wb.beforeWrite(o.offset + 2 * f, 4);
              sp -= 2; o.data[f] = st[sp]!; o.data[f + 1] = st[sp + 1]!; pc += 2; break;
            }
            case 0x8b: case 0x8c: case 0x8d: case 0x8e: { // invokevirtual, invokespecial, invokestatic, invokeinterface
              const ci = (code[pc + 1 + (op === 0x8e ? 1 : 0)]! << 8) | code[pc + 2 + (op === 0x8e ? 1 : 0)]!;
              let target: VmMethod | null | undefined;
              // The context the callee runs in (the firewall: a shareable interface method of
              // another context's object runs in that context) and the receiver's handle.
              let callee = ctx, rh = 0;
              if (op === 0x8d || op === 0x8c) {
                target = cp.method[ci]; // static, private, constructor or super: bound at link time
                if (op === 0x8c && target != null && !target.isStatic && target.nargs > 0) {
                  const recv = objects[st[sp - target.nargs]!];
                  if (recv === undefined) this.throwSys(SysEx.NullPointer);
                  if (recv.owner !== ctx) specialAccess(this);
                }
              } else {
                // Virtual dispatch on the receiver's class: the receiver is below the arguments.
                const nargsWords = op === 0x8e ? code[pc + 1]! : cp.nargs[ci]!;
                rh = st[sp - nargsWords]!;
                const recv = objects[rh];
                if (recv === undefined) this.throwSys(SysEx.NullPointer);
                // (invokevirtual of an entry point object's or a global array's method is allowed
                // from every context, and those are natives: no context switch)
                if (recv.owner !== ctx && (op === 0x8e || !recv.global)) callee = invokeContext(this, recv, op === 0x8e ? cp.cls[ci]! : null);
                if (op === 0x8e) target = interfaceTarget(this, recv, cp.cls[ci]!, code[pc + 4]!, nargsWords);
                else {
                  const tok = cp.index[ci]!;
                  const cls = recv.cls !== null && recv.kind === Kind.Instance ? recv.cls : this.objectClass;
                  target = tok & 0x80 ? packageVirtual(cls!, tok, m.pkg) : cls!.vtable[tok];
                }
              }
              if (target === null || target === undefined) throw new VmCrash(`unresolved method at constant pool index ${ci} in ${m}`);
              if (target.native !== null) {
                this.sp = sp; this.budget = budget;
                const base = sp - target.nargs;
                const r = target.native(this, base);
                budget = this.budget;
                sp = base;
                if (target.ret === RetKind.Word) st[sp++] = r as number;
                else if (target.ret === RetKind.Int) { st[sp] = (r as number) >> 16; st[sp + 1] = r as number; sp += 2; }
                pc += op === 0x8e ? 5 : 3;
                break;
              }
              if (target.isAbstract) throw new VmCrash(`invocation of abstract method ${target}`);
              if (callee !== ctx) {
                // A context switch: the callee runs in a loop of its own (natives never switch:
                // they run in their caller's context and check what they are given).
                this.sp = sp; this.budget = budget;
                const base = sp - target.nargs;
                let r: number;
                try {
                  r = this.callInContext(target, st.subarray(base, base + target.nargs), this.depth, callee, this.host.appletOf(callee, rh));
                } finally {
                  budget = this.budget;
                }
                sp = base;
                if (target.ret === RetKind.Word) st[sp++] = r;
                else if (target.ret === RetKind.Int) { st[sp] = r >> 16; st[sp + 1] = r; sp += 2; }
                pc += op === 0x8e ? 5 : 3;
                break;
              }
              // JIT hook: a compiled callee runs as a JS call, one frame deeper (like a native).
              if (this.jit && target.compiled !== null && (target.compiled !== undefined || compileMethod(this, target))) {
                this.sp = sp; this.budget = budget;
                const base = sp - target.nargs;
                let r: number;
                try {
                  r = enterCompiled(this, target, base, this.depth + 1);
                } finally {
                  budget = this.budget; // also when the budget ran out in compiled code
                }
                sp = base;
                if (target.ret === RetKind.Word) st[sp++] = r;
                else if (target.ret === RetKind.Int) { st[sp] = r >> 16; st[sp + 1] = r; sp += 2; }
                pc += op === 0x8e ? 5 : 3;
                break;
              }
              // Push a frame: the arguments on our operand stack become the callee's first locals.
              const d = this.depth;
              if (d >= fPc.length) this.throwSys(SysEx.System, SystemReason.NO_RESOURCE);
              const nlp = sp - target.nargs;
              if (nlp + target.maxLocals + target.maxStack > st.length) this.throwSys(SysEx.System, SystemReason.NO_RESOURCE);
              fMethod[d] = m; fPc[d] = pc; fLp[d] = lp;
              this.depth = d + 1;
              m = target; code = m.code; cp = m.pkg.cp;
              lp = nlp; sp = lp + m.maxLocals; pc = m.start;
              break;
            }
            case 0x8f: { // new
              const cls = cp.cls[(code[pc + 1]! << 8) | code[pc + 2]!]!;
              st[sp++] = this.newInstance(cls); pc += 3; break;
            }
            case 0x90: { // newarray
              const n = st[sp - 1]!;
              if (n < 0) this.throwSys(SysEx.NegativeArraySize);
              st[sp - 1] = this.newArray(code[pc + 1]! as Kind, n, null); pc += 2; break;
            }
            case 0x91: { // anewarray
              const n = st[sp - 1]!;
              if (n < 0) this.throwSys(SysEx.NegativeArraySize);
              st[sp - 1] = this.newArray(Kind.RefArray, n, cp.cls[(code[pc + 1]! << 8) | code[pc + 2]!]!); pc += 3; break;
            }
            case 0x92: { // arraylength
              const o = objects[st[sp - 1]!];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== actx) arrayAccess(this, o);
              st[sp - 1] = o.data.length; pc++; break;
            }
            case 0x93: { // athrow
              const h = st[sp - 1]!, o = objects[h];
              if (o === undefined) this.throwSys(SysEx.NullPointer);
              if (o.owner !== ctx) throwAccess(this, o);
              throw new Thrown(h);
            }
            case 0x94: case 0x95: { // checkcast, instanceof
              const h = st[sp - 1]!;
              const atype = code[pc + 1]!, cls = atype === 0 || atype === 14 ? cp.cls[(code[pc + 2]! << 8) | code[pc + 3]!]! : null;
              if (h !== 0) {
                const o = objects[h];
                const kind = arrayTypeOf(atype);
                if (o === undefined) this.throwSys(SysEx.Security); // a number that names no object: hostile code
                if (o.owner !== ctx) castAccess(this, o, kind, cls);
                if (op === 0x94) checkCast(this, o, kind, cls);
                else st[sp - 1] = instanceOf(this, o, kind, cls) ? 1 : 0;
              } else if (op === 0x95) st[sp - 1] = 0;
              pc += 4; break;
            }
            default:
              // (op is undefined past the end of the Method component: a ret to a forged address)
              throw new VmCrash(op === undefined ? `pc ${pc} is outside the code of ${m}` : `undefined opcode 0x${op.toString(16).padStart(2, '0')} at pc ${pc} in ${m}`);
          }
        }
      } catch (e) {
        if (!(e instanceof Thrown)) {
          this.budget = Math.max(budget, 0);
          this.depth = entryDepth;
          throw e;
        }
        budget = Math.min(budget, this.budget); // a native may have run bytecode
        // Find a handler in this frame, else in the callers' frames (JCVM 7.5 athrow).
        const thrown = objects[e.handle]!;
        for (;;) {
          const h = findHandler(m, pc, thrown);
          if (h >= 0) {
            sp = lp + m.maxLocals;
            st[sp++] = e.handle;
            pc = h;
            break;
          }
          if (this.depth === entryDepth) {
            this.budget = budget;
            this.sp = lp;
            throw e;
          }
          const d = --this.depth;
          m = fMethod[d]!; pc = fPc[d]!; lp = fLp[d]!;
          code = m.code; cp = m.pkg.cp;
        }
      }
    }
  }

  /** java.lang.Object, set by the runtime: the class used for virtual calls on arrays. */
  objectClass: VmClass | null = null;

  newInstance(cls: VmClass): number {
    try {
      return this.heap.newInstance(cls, this.context);
    } catch (e) {
      if (e instanceof HeapExhausted) this.throwSys(SysEx.System, e.reason);
      throw e;
    }
  }

  newArray(kind: Kind, length: number, elemClass: VmClass | null, transience = Transience.Persistent): number {
    try {
      return this.heap.newArray(kind, length, this.context, elemClass, transience);
    } catch (e) {
      if (e instanceof HeapExhausted) this.throwSys(SysEx.System, e.reason);
      throw e;
    }
  }

  /** Current frame depth (frames below the running one). */
  get frameDepth(): number {
    return this.depth;
  }
}

function readS4(code: Uint8Array, at: number): number {
  return (code[at]! << 24) | (code[at + 1]! << 16) | (code[at + 2]! << 8) | code[at + 3]!;
}

/** The handler pc for an exception thrown at `pc` in `m`, or -1. */
function findHandler(m: VmMethod, pc: number, thrown: HeapObject): number {
  const hs = m.handlers;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    if (pc >= h.start && pc < h.end && (h.catchType === null || (thrown.cls !== null && thrown.cls.isSubclassOf(h.catchType)))) {
      return h.handler;
    }
  }
  return -1;
}
