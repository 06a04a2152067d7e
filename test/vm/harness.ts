// Runs JCA method bodies on a fresh card, through our own assembler, the CAP decoder and the
// linker (no hand-made byte arrays): the per-opcode-family tests of test/vm are written with it.
//
//   runStatic('sload_0; sload_1; sadd; sreturn;', { args: [32767, 1], returns: 'S' })  // -32768
//
// The body becomes `static run(<params>)<ret>` of a public class T (extends java/lang/Object)
// in a library package `test/vm` that imports java/lang (token 0) and javacard/framework
// (token 1). The constant pool holds exactly `cp` (index 0 first), so bodies can name entries by
// number; `fields`, `methods` and `classes` add to T and to the package. The assembler sets
// the Header's ACC_INT itself whenever an int opcode, field or signature occurs.
//
// A Java Card exception that leaves `run` is rethrown as UncaughtJavaCard (its message is the
// class name, e.g. java/lang/ArithmeticException); `outcome` returns it as data instead.

import { expect } from 'vitest';
import { decodeCap } from '../../loader/cap/decode.ts';
import type { CapFile } from '../../loader/cap/components.ts';
import { assembleJca, parseJca, type AssembledCap } from '../../loader/jca/index.ts';
import { Card } from '../../runtime/card.ts';
import { Thrown } from '../../vm/errors.ts';
import type { VmMethod } from '../../vm/types.ts';

/** Return type of `run`: a short-sized word, an int, nothing, or a reference (java/lang/Object). */
export type RetType = 'S' | 'B' | 'Z' | 'I' | 'V' | 'A';

export interface PackageParts {
  /** Constant pool entries in index order, as JCA lines (`staticFieldRef short T/s`); ';' optional. */
  cp?: readonly string[];
  /** Field declarations of class T (`static short s;`, `short f 0;`). */
  fields?: readonly string[];
  /** More methods of class T, as JCA text. */
  methods?: string;
  /** More classes and interfaces of the package, as JCA text. */
  classes?: string;
  /** public method table of T after equals (token 0), e.g. ['m()S;'] for a virtual m with token 1. */
  publicMethods?: readonly string[];
}

export interface RunOptions extends PackageParts {
  /** One value per parameter (an int is given whole and split into two words). */
  args?: readonly number[];
  /** Parameter descriptors of run, e.g. 'SS', 'I', 'Ljava/lang/Object;'. Default: 'S' per arg. */
  params?: string;
  returns?: RetType;
  /** .stack and .locals of run (locals beyond the parameters). */
  stack?: number;
  locals?: number;
  /** Exception table rows of run: `L0 L1 L2 3;` (start end handler catch-type-index). */
  handlers?: readonly string[];
  /** Instruction budget for the call (default 100 000, so that a wrong branch cannot hang a test). */
  budget?: number;
}

/** A Java Card exception that left the method under test. */
export class UncaughtJavaCard extends Error {
  constructor(
    readonly className: string,
    /** The reason of a CardException-style object (SystemException...), else null. */
    readonly reason: number | null,
    readonly thrown: Thrown,
  ) {
    super(reason === null ? className : `${className} (reason ${reason})`);
    this.name = 'UncaughtJavaCard';
  }
}

const OBJECT_BINDING = '.descriptor Ljava/lang/Object; 0.0;';

let packageCounter = 0;

/** JCA text of the test package. */
export function packageJca(parts: PackageParts & { runMethod?: string }): string {
  const n = packageCounter++ & 0x7f;
  const cp = (parts.cp ?? []).map((l) => `\t\t${l.trim().replace(/;?$/, ';')}`).join('\n');
  const fields = parts.fields?.length ? `\t\t.fields {\n${parts.fields.map((f) => `\t\t\t${f.trim().replace(/;?$/, ';')}`).join('\n')}\n\t\t}\n` : '';
  const pub = ['equals(Ljava/lang/Object;)Z;', ...(parts.publicMethods ?? [])].map((e) => `\t\t\t${e}`).join('\n');
  return `.package test/vm {
	.aid 0xF0:0x4A:0x43:0x56:0x4D:0xFF:0x${n.toString(16)};
	.version 1.0;
	.imports {
		0xA0:0x0:0x0:0x0:0x62:0x0:0x1 1.0;		// java/lang
		0xA0:0x0:0x0:0x0:0x62:0x1:0x1 1.6;		// javacard/framework
	}
	.constantPool {
${cp}
	}
	.class public T 0 extends 0.0 {
${fields}		.publicMethodTable 1 {
${pub}
		}
		.packageMethodTable 0 {
		}
${parts.runMethod ?? ''}
${parts.methods ?? ''}
	}
${parts.classes ?? ''}
}
`;
}

function descriptorOf(ret: RetType): string {
  return ret === 'A' ? 'Ljava/lang/Object;' : ret;
}

/** JCA of `static run(params)ret` with the body. */
export function runMethodJca(body: string, o: RunOptions): string {
  const params = o.params ?? 'S'.repeat(o.args?.length ?? 0);
  const sig = `(${params})${descriptorOf(o.returns ?? 'S')}`;
  const handlers = o.handlers?.length ? `\t\t\t.exceptionTable {\n${o.handlers.map((h) => `\t\t\t\t${h.trim().replace(/;?$/, ';')}`).join('\n')}\n\t\t\t}\n` : '';
  return `		.method static run${sig} {
			.stack ${o.stack ?? 8};
			.locals ${o.locals ?? 4};
			${sig.includes('Ljava/lang/Object;') ? OBJECT_BINDING : ''}
${body}
${handlers}		}`;
}

/** A test package on a fresh card. */
export class Loaded {
  /** Methods by `Class.name(sig)`, and by `name` alone when the name is unique. */
  readonly methods = new Map<string, VmMethod>();

  constructor(
    readonly card: Card,
    readonly asm: AssembledCap,
    readonly cap: CapFile,
    jca: string,
  ) {
    // linked.methods follows the Method component, which the assembler lays out in JCA order
    // (classes as declared, methods as declared; interfaces have none). Pair them up and check
    // each pairing against the argument count and descriptor the linker derived.
    const linked = card.jcre.packages.at(-1)!.linked;
    const ast = parseJca(jca);
    const declared = ast.classes.filter((c) => !c.isInterface).flatMap((c) => c.methods.map((m) => ({ cls: c.name, m })));
    if (declared.length !== linked.methods.length) throw new Error(`harness: ${declared.length} methods in the JCA, ${linked.methods.length} linked`);
    const names = new Map<string, number>();
    declared.forEach(({ m }) => names.set(m.name, (names.get(m.name) ?? 0) + 1));
    declared.forEach(({ cls, m }, i) => {
      const vm = linked.methods[i]!;
      const words = (m.modifiers.includes('static') ? 0 : 1) + paramWords(m.sig);
      const shape = (d: string): string => d.slice(d.indexOf('(')).replace(/L[^;]*;/g, 'L;');
      if (vm.nargs !== words || shape(vm.name) !== shape(m.sig)) {
        throw new Error(`harness: method ${i} is ${vm.name} (nargs ${vm.nargs}), expected ${cls}.${m.name}${m.sig}`);
      }
      this.methods.set(`${cls}.${m.name}${m.sig}`, vm);
      if (names.get(m.name) === 1) this.methods.set(m.name, vm);
    });
  }

  method(key: string): VmMethod {
    const m = this.methods.get(key);
    if (!m) throw new Error(`harness: no method ${key} (have ${[...this.methods.keys()].join(', ')})`);
    return m;
  }

  /** Calls a method with words (`this` first for instance methods); Thrown becomes UncaughtJavaCard. */
  callWords(key: string, words: readonly number[], budget = 100_000): number {
    const vm = this.card.jcre.vm;
    vm.budget = budget;
    try {
      return vm.call(this.method(key), words);
    } catch (e) {
      if (e instanceof Thrown) throw this.describe(e);
      throw e;
    }
  }

  describe(e: Thrown): UncaughtJavaCard {
    const o = this.card.jcre.heap.get(e.handle);
    const reason = typeof o?.native === 'number' ? o.native : null;
    return new UncaughtJavaCard(o?.cls?.name ?? `<handle ${e.handle}>`, reason, e);
  }

  get heap() {
    return this.card.jcre.heap;
  }

  /** Header flags as assembled. */
  get headerFlags(): number {
    return this.cap.header.flags;
  }
}

/** Words of the arguments of a parameter descriptor list. */
export function paramWords(sig: string): number {
  let n = 0;
  const params = sig.slice(sig.indexOf('(') + 1, sig.indexOf(')'));
  for (let i = 0; i < params.length; i++) {
    const c = params[i]!;
    if (c === '[') {
      while (params[i] === '[') i++;
      if (params[i] === 'L') i = params.indexOf(';', i);
      n++;
    } else if (c === 'L') {
      i = params.indexOf(';', i);
      n++;
    } else n += c === 'I' ? 2 : 1;
  }
  return n;
}

/** Words of argument values under a parameter list ('I' values split high word first). */
export function argWords(params: string, args: readonly number[]): number[] {
  const words: number[] = [];
  let k = 0;
  for (let i = 0; i < params.length; i++) {
    const c = params[i]!;
    const v = args[k++];
    if (v === undefined) throw new Error(`harness: too few arguments for (${params})`);
    if (c === '[') {
      while (params[i] === '[') i++;
      if (params[i] === 'L') i = params.indexOf(';', i);
      words.push(v);
    } else if (c === 'L') {
      i = params.indexOf(';', i);
      words.push(v);
    } else if (c === 'I') {
      words.push(v >> 16, v & 0xffff);
    } else words.push(v);
  }
  if (k !== args.length) throw new Error(`harness: ${args.length} arguments for (${params})`);
  return words;
}

// --- opcode coverage --------------------------------------------------------------------

/** Mnemonics executed while recording is on (see coverage.test.ts). */
export const executed = new Set<string>();
let recording = false;

export function recordOpcodes(on: boolean): void {
  recording = on;
}

function newCard(): Card {
  // test/vm is the interpreter's suite: test/jit/vm-tests.test.ts runs it again with the JIT.
  if (!recording) return new Card({ jit: false });
  return new Card({
    trace: (line) => {
      const m = /: (\S+)/.exec(line);
      if (m) executed.add(m[1]!);
    },
  });
}

// --- entry points -----------------------------------------------------------------------

/** Assembles, decodes and loads a package on a fresh card (with `run` when `body` is given). */
export function load(parts: PackageParts & { runMethod?: string }): Loaded {
  const jca = packageJca(parts);
  const asm = assembleJca(jca, { fileName: 'test-vm.jca' });
  const cap = decodeCap(asm.components);
  const card = newCard();
  card.load(cap);
  return new Loaded(card, asm, cap, jca);
}

export function loadRun(body: string, o: RunOptions = {}): Loaded {
  return load({ ...o, runMethod: runMethodJca(body, o) });
}

function decodeResult(ret: RetType, v: number): number {
  return ret === 'A' ? v & 0xffff : v;
}

/** Runs `body` as static run(...) and returns its result (0 for void). */
export function runStatic(body: string, o: RunOptions = {}): number {
  const loaded = loadRun(body, o);
  const params = o.params ?? 'S'.repeat(o.args?.length ?? 0);
  const key = `T.run(${params})${descriptorOf(o.returns ?? 'S')}`;
  return decodeResult(o.returns ?? 'S', loaded.callWords(key, argWords(params, o.args ?? []), o.budget));
}

export type Outcome = { value: number } | { thrown: string; reason: number | null };

/** runStatic, with an uncaught Java Card exception as data. */
export function outcome(body: string, o: RunOptions = {}): Outcome {
  try {
    return { value: runStatic(body, o) };
  } catch (e) {
    if (e instanceof UncaughtJavaCard) return { thrown: e.className, reason: e.reason };
    throw e;
  }
}

// --- tables -----------------------------------------------------------------------------

/** An expected uncaught exception (reason checked only when given). */
export interface Throws {
  throws: string;
  reason?: number;
}

export function throws(className: string, reason?: number): Throws {
  return reason === undefined ? { throws: className } : { throws: className, reason };
}

export const ARITHMETIC = throws('java/lang/ArithmeticException');
export const NULL_POINTER = throws('java/lang/NullPointerException');
export const INDEX_OUT_OF_BOUNDS = throws('java/lang/ArrayIndexOutOfBoundsException');
export const NEGATIVE_SIZE = throws('java/lang/NegativeArraySizeException');
export const CLASS_CAST = throws('java/lang/ClassCastException');
export const ARRAY_STORE = throws('java/lang/ArrayStoreException');
export const NO_RESOURCE = throws('javacard/framework/SystemException', 5);

/** Checks on the result with access to the card (heap objects a method returned). */
export type Check = (value: number, loaded: Loaded) => void;

export type Expected = number | Throws | Check;

/** One table row: description, body, arguments, expected result. */
export type Row = [description: string, body: string, args: readonly number[], expected: Expected];

/** Rows that share options (signature, stack, constant pool, extra classes...). */
export interface Table {
  title: string;
  options: RunOptions;
  rows: Row[];
}

export function table(title: string, options: RunOptions, rows: Row[]): Table {
  return { title, options, rows };
}

/** Runs one row and asserts its expected outcome. */
export function checkRow(options: RunOptions, body: string, args: readonly number[], expected: Expected): void {
  const o = { ...options, args };
  if (typeof expected === 'function') {
    const loaded = loadRun(body, o);
    const params = o.params ?? 'S'.repeat(args.length);
    const ret = o.returns ?? 'S';
    let v: number;
    try {
      v = loaded.callWords(`T.run(${params})${descriptorOf(ret)}`, argWords(params, args), o.budget);
    } catch (e) {
      throw e instanceof UncaughtJavaCard ? new Error(`unexpected ${e.message}`) : e;
    }
    expected(decodeResult(ret, v), loaded);
    return;
  }
  const got = outcome(body, o);
  if (typeof expected === 'number') {
    expect(got).toEqual({ value: expected });
  } else if (expected.reason === undefined) {
    expect('thrown' in got ? got.thrown : got).toEqual(expected.throws);
  } else {
    expect(got).toEqual({ thrown: expected.throws, reason: expected.reason });
  }
}
