// The JIT (vm/jit/README.md): compiles a bytecode method to a JavaScript function on its first
// call, when the VM's `jit` option is on. The interpreter stays the reference: a method the
// analysis refuses runs there, and compiled code calls back into it for such methods.
//
// A compiled method is `(vm, lp, D, bud, w0, w1, ...) => result`: `lp` is where its frame
// would start on vm.stack (the interpreter's layout, so that natives and interpreted callees
// find their arguments where they expect them and the stack limit bites at the same call), `D`
// its frame depth, `bud` the instruction budget (see codegen.ts), then one argument per word,
// an int whole in its first word.

import { BudgetExhausted, SysEx, SystemReason, Thrown, VmCrash } from '../errors.ts';
import type { Vm } from '../interpreter.ts';
import { checkCast, instanceOf, interfaceTarget, packageVirtual } from '../ops/objects.ts';
import { arrayAccess, castAccess, fieldAccess, invokeContext, specialAccess, storeReference, throwAccess } from '../firewall.ts';
import { Kind, RetKind, type HeapObject, type VmClass, type VmMethod, type VmPackage } from '../types.ts';
import { analyze, Refusal, type Analysis } from './analyze.ts';
import { entrySource, generate, type StaticTarget } from './codegen.ts';

/** A compiled method and the adapter that enters it with arguments on vm.stack. */
export type CompiledFn = ((vm: Vm, ...w: number[]) => number) & {
  entry?: (vm: Vm, base: number, depth: number, bud: number) => number;
  /** The VM the code was compiled for (its frame limits are built in). */
  vm?: Vm;
};

/** What the JIT did so far (all VMs of the process). */
export interface JitStats {
  compiled: number;
  refused: number;
  /** Methods left to the interpreter and why (the first 200). */
  refusals: { method: string; reason: string }[];
}

export const jitStats: JitStats = { compiled: 0, refused: 0, refusals: [] };

export function resetJitStats(): void {
  jitStats.compiled = 0;
  jitStats.refused = 0;
  jitStats.refusals.length = 0;
}

/** Code generation switches (tests): `structured: false` forces the switch-dispatch loop everywhere. */
export const jitOptions = { structured: true };

/** Print the generated source of every method compiled from now on (debugging). */
export let jitDump: ((method: VmMethod, source: string) => void) | null = null;
export function setJitDump(fn: ((method: VmMethod, source: string) => void) | null): void {
  jitDump = fn;
}

// --- helpers the generated code calls (as J.name) -----------------------------------------

/** Argument words for the interpreter and natives: an int split into its two 16-bit words. */
function toWords(types: string, args: readonly number[]): number[] {
  const words: number[] = [];
  for (let i = 0; i < types.length; i++) {
    const t = types[i];
    if (t === 'I') words.push(args[i]! >> 16, args[i]! & 0xffff);
    else if (t === 'W') words.push(args[i]!);
  }
  return words;
}

/** A call to a method the JIT left to the interpreter: a frame pushed at depth D + 1, as the interpreter's invoke does. */
function interp(vm: Vm, t: VmMethod, base: number, D: number, bud: number, types: string, args: readonly number[]): number {
  vm.budget = bud + helpers.extra;
  if (D >= vm.maxFrames) vm.throwSys(SysEx.System, SystemReason.NO_RESOURCE);
  const words = toWords(types, args);
  vm.sp = base;
  vm.depth = D + 1;
  const r = vm.call(t, words);
  helpers.bud = helpers.take(vm);
  return r;
}

/** Any call whose target is known only now: natives, methods not compiled yet, the interpreter. */
function invoke(vm: Vm, t: VmMethod, base: number, D: number, bud: number, types: string, args: readonly number[]): number {
  if (t.native !== null) {
    const st = vm.stack;
    const words = toWords(types, args);
    for (let i = 0; i < words.length; i++) st[base + i] = words[i]!;
    vm.sp = base + words.length;
    vm.depth = D;
    vm.budget = bud + helpers.extra;
    const r = t.native(vm, base);
    helpers.bud = helpers.take(vm);
    return t.ret === RetKind.Word ? ((r as number) << 16) >> 16 : t.ret === RetKind.Int ? (r as number) | 0 : 0;
  }
  if (t.isAbstract) throw new VmCrash(`invocation of abstract method ${t}`);
  if (t.compiled === undefined) compileMethod(vm, t);
  const f = t.compiled;
  if (f) return f(vm, base, D + 1, bud, ...args);
  return interp(vm, t, base, D, bud, types, args);
}

/** The handler index for an exception thrown at `pc` (the interpreter's findHandler rule), or -1. */
function findHandler(m: VmMethod, pc: number, thrown: HeapObject): number {
  const hs = m.handlers;
  for (let i = 0; i < hs.length; i++) {
    const h = hs[i]!;
    if (pc >= h.start && pc < h.end && (h.catchType === null || (thrown.cls !== null && thrown.cls.isSubclassOf(h.catchType)))) return i;
  }
  return -1;
}

/** The most of the budget a compiled method keeps in its int local. */
const BUDGET_CHUNK = 0x3fffffff;

/** A virtual call's target for a receiver class, remembered in the call site's cache. */
function virtualCall(ic: { c: VmClass | undefined; t: VmMethod | null | undefined }, cls: VmClass, tok: number, pkg: VmPackage): VmMethod | undefined {
  const t = tok & 0x80 ? packageVirtual(cls, tok, pkg) : cls.vtable[tok];
  if (t != null) {
    ic.c = cls;
    ic.t = t;
  }
  return t;
}

/** An interface call's target (SecurityException when there is none), remembered for instances. */
function interfaceCall(ic: { c: VmClass | undefined; t: VmMethod | null | undefined }, vm: Vm, o: HeapObject, iface: VmClass, token: number, nargs: number): VmMethod {
  const t = interfaceTarget(vm, o, iface, token, nargs);
  if (o.kind === Kind.Instance) {
    ic.c = o.cls!;
    ic.t = t;
  }
  return t;
}

/**
 * A virtual or interface call on another context's object, as the interpreter makes it: the
 * firewall's decision (SecurityException, or the context the method runs in), the dispatch
 * (`iface` null: invokevirtual of token `token`; else invokeinterface of the interface method
 * `token` with `nargs` argument words), then a context switch for a bytecode method of another
 * context (the callee runs through Vm.callInContext, its frame one below D), a plain call otherwise.
 */
function foreign(vm: Vm, o: HeapObject, handle: number, iface: VmClass | null, token: number, nargs: number, pkg: VmPackage, m: VmMethod, ci: number,
  base: number, D: number, bud: number, types: string, args: readonly number[]): number {
  helpers.bud = bud;
  const callee = invokeContext(vm, o, iface);
  let t: VmMethod | undefined;
  if (iface !== null) t = interfaceTarget(vm, o, iface, token, nargs);
  else {
    const cls = o.cls !== null && o.kind === Kind.Instance ? o.cls : vm.objectClass!;
    t = token & 0x80 ? packageVirtual(cls, token, pkg) : cls.vtable[token];
    if (t == null) return helpers.unresolved(m, ci);
  }
  if (callee === vm.context || t.native !== null) return invoke(vm, t, base, D, bud, types, args);
  if (t.isAbstract) throw new VmCrash(`invocation of abstract method ${t}`);
  vm.budget = bud + helpers.extra;
  vm.sp = base;
  const r = vm.callInContext(t, toWords(types, args), D, callee, vm.host.appletOf(callee, handle));
  helpers.bud = helpers.take(vm);
  return t.ret === RetKind.Word ? (r << 16) >> 16 : t.ret === RetKind.Int ? r | 0 : 0;
}

const helpers = {
  Thrown,
  foreign,
  // The firewall's slow paths (vm/firewall.ts), the budget left in `bud` first.
  field(vm: Vm, bud: number, o: HeapObject): void {
    helpers.bud = bud;
    fieldAccess(vm, o);
  },
  array(vm: Vm, bud: number, o: HeapObject): void {
    helpers.bud = bud;
    arrayAccess(vm, o);
  },
  storeRef(vm: Vm, bud: number, v: number): void {
    helpers.bud = bud;
    storeReference(vm, v);
  },
  special(vm: Vm, bud: number): void {
    helpers.bud = bud;
    specialAccess(vm);
  },
  throwing(vm: Vm, bud: number, o: HeapObject): void {
    helpers.bud = bud;
    throwAccess(vm, o);
  },
  cast(vm: Vm, bud: number, o: HeapObject | undefined, kind: Kind, cls: VmClass | null): void {
    helpers.bud = bud;
    if (o === undefined) vm.throwSys(SysEx.Security); // a number that names no object: hostile code
    castAccess(vm, o, kind, cls);
  },
  instanceOf,
  checkCast,
  virtualCall,
  interfaceCall,
  invoke,
  interp,
  findHandler,
  /**
   * The budget in compiled code: `bud` (an argument and a local of every compiled method, an
   * int) plus `extra` (what vm.budget held beyond BUDGET_CHUNK). A compiled method leaves its
   * remaining `bud` here when it returns.
   */
  bud: 0,
  extra: 0,
  /** vm.budget split: sets `extra`, returns the int part. */
  take(vm: Vm): number {
    const b = vm.budget;
    if (b > BUDGET_CHUNK) {
      helpers.extra = b - BUDGET_CHUNK;
      return BUDGET_CHUNK;
    }
    helpers.extra = 0;
    return b | 0;
  },
  /** `bud` went below 0: the budget ran out, unless `extra` has more. */
  refill(vm: Vm, bud: number): number {
    const total = bud + helpers.extra;
    if (total < 0) {
      vm.budget = 0; // as the interpreter leaves it
      helpers.bud = 0;
      helpers.extra = 0;
      throw new BudgetExhausted();
    }
    vm.budget = total;
    return helpers.take(vm);
  },
  noResource(vm: Vm, bud: number): never {
    helpers.bud = bud;
    return vm.throwSys(SysEx.System, SystemReason.NO_RESOURCE);
  },
  /** A VM-detected exception (vm.throwSys), the budget left in `bud` first. */
  sys(vm: Vm, bud: number, kind: SysEx): never {
    helpers.bud = bud;
    return vm.throwSys(kind);
  },
  unresolved(m: VmMethod, ci: number): never {
    throw new VmCrash(`unresolved method at constant pool index ${ci} in ${m}`);
  },
  crash(message: string): never {
    throw new VmCrash(message);
  },
};

// --- compilation ----------------------------------------------------------------------------

/** The deepest frame limit compiled code is used with (the JCRE's VM has 128). */
export const MAX_JS_FRAMES = 256;

/** Methods whose analysis passed and whose code is being generated (call cycles). */
const building = new Set<VmMethod>();

const reasons = new WeakMap<VmMethod, string>();

/** Why the JIT left `m` to the interpreter (undefined if it did not). */
export function refusalOf(m: VmMethod): string | undefined {
  return reasons.get(m);
}

function refuse(m: VmMethod, reason: string): false {
  m.compiled = null;
  reasons.set(m, reason);
  jitStats.refused++;
  if (jitStats.refusals.length < 200) jitStats.refusals.push({ method: m.toString(), reason });
  return false;
}

/**
 * Compiles `m` (and, first, the methods it calls statically) unless that was tried before.
 * Returns whether `m.compiled` is a function now (or will be, for a method being compiled).
 */
export function compileMethod(vm: Vm, m: VmMethod): boolean {
  if (m.compiled !== undefined) return m.compiled !== null;
  if (building.has(m)) return true;
  // Compiled frames are JS frames: past a few hundred the host stack, not the VM's limit,
  // would end the recursion (a RangeError instead of SystemException NO_RESOURCE).
  if (vm.maxFrames > MAX_JS_FRAMES) return refuse(m, `the VM allows ${vm.maxFrames} frames, more than the ${MAX_JS_FRAMES} compiled code can nest`);
  let a: Analysis;
  try {
    a = analyze(m);
  } catch (e) {
    if (e instanceof Refusal) return refuse(m, e.message);
    throw e;
  }
  building.add(m);
  try {
    const target = (t: VmMethod): StaticTarget => {
      if (t.compiled === undefined && !building.has(t)) compileMethod(vm, t);
      if (typeof t.compiled === 'function') return t.compiled;
      return building.has(t) ? 'pending' : null;
    };
    const gen = generate(a, { maxFrames: vm.maxFrames, stackWords: vm.stack.length }, target, !jitOptions.structured);
    jitDump?.(m, gen.source);
    const fn = new Function('J', 'K', gen.source)(helpers, gen.consts) as CompiledFn;
    fn.entry = new Function('fn', entrySource(a))(fn) as CompiledFn['entry'];
    fn.vm = vm;
    m.compiled = fn;
    jitStats.compiled++;
    return true;
  } catch (e) {
    // A generator bug (or a method too big for the JS engine): the interpreter runs it, and
    // the refusal says so (test/jit checks that none happens on the corpus).
    return refuse(m, `code generation failed: ${(e as Error).message}`);
  } finally {
    building.delete(m);
  }
}

/**
 * Runs compiled `m` with its arguments at vm.stack[base..] (the interpreter's invoke and
 * Vm.call); `depth` is the frame depth of the method. Returns the result as Vm.call does.
 */
export function enterCompiled(vm: Vm, m: VmMethod, base: number, depth: number): number {
  const fn = m.compiled as CompiledFn;
  if (fn.vm !== vm) throw new VmCrash(`${m} was compiled for another VM`);
  const saved = vm.depth;
  const bud = helpers.take(vm);
  helpers.bud = bud;
  try {
    return fn.entry!(vm, base, depth, bud);
  } finally {
    vm.depth = saved;
    // Both are at least what is left (vm.budget is stale after a return, J.bud after a throw).
    vm.budget = Math.min(vm.budget, helpers.bud + helpers.extra);
  }
}
