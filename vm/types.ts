// The run-time shapes the interpreter works on. The linker (loader/link) builds them from
// CAP components; the runtime builds the API packages' ones from the export facts.
// Nothing here knows about CAP bytes or APDUs.

import type { Vm } from './interpreter.ts';

/** A native method: arguments are the words stack[base .. base+nargs). Returns the result, if any. */
export type NativeFn = (vm: Vm, base: number) => number | void;

/** What a method leaves on the stack: nothing, one word (byte, short, boolean, reference) or an int. */
export const enum RetKind {
  Void = 0,
  Word = 1,
  Int = 2,
}

export class VmMethod {
  /** Resolved constant pool of the method's package (bytecode methods only). */
  pkg!: VmPackage;
  /** Bytecode methods: the whole Method component info; pc values index it. */
  code: Uint8Array = EMPTY;
  /** pc of the first bytecode. */
  start = 0;
  /** pc one past the last bytecode. */
  end = 0;
  maxStack = 0;
  /** Words of locals, arguments included (the header's max_locals does not count them). */
  maxLocals = 0;
  /** Argument words, `this` included. */
  nargs = 0;
  ret: RetKind = RetKind.Void;
  isStatic = false;
  isAbstract = false;
  native: NativeFn | null = null;
  /** Exception handlers covering this method, innermost first (Method component order). */
  handlers: ExceptionHandler[] = [];
  /**
   * JIT hook (vm/jit): the compiled function, null when the method cannot be compiled (it runs
   * in the interpreter), undefined when compiling it was not tried yet.
   */
  compiled: ((vm: Vm, ...w: number[]) => number) | null | undefined = undefined;
  constructor(
    readonly name: string,
    /** Class that declares the method (for traces and the firewall). */
    readonly owner: VmClass | null,
  ) {}

  toString(): string {
    return `${this.owner ? this.owner.name + '.' : ''}${this.name}`;
  }
}

const EMPTY = new Uint8Array(0);

export interface ExceptionHandler {
  start: number;
  end: number;
  handler: number;
  /** null catches everything (finally). */
  catchType: VmClass | null;
}

export class VmClass {
  superClass: VmClass | null = null;
  /** Interfaces this class implements, directly or through superinterfaces/superclasses. */
  interfaces: VmClass[] = [];
  isInterface = false;
  isAbstract = false;
  isShareable = false;
  /** 16-bit cells of an instance, superclasses' fields included. */
  instanceCells = 0;
  /** First cell of this class's own fields (the superclasses' cells come before). */
  fieldBase = 0;
  /** Cells of an instance that hold references (superclasses' included). */
  refCells: number[] = [];
  /** Public virtual methods by token (0..127). */
  vtable: (VmMethod | undefined)[] = [];
  /** Package-visible virtual methods by token & 0x7f. */
  ptable: (VmMethod | undefined)[] = [];
  /** For invokeinterface: interface -> (interface method token -> virtual method token). */
  itables = new Map<VmClass, number[]>();
  /** Static methods and constructors by token (API and exported classes). */
  statics: (VmMethod | undefined)[] = [];
  constructor(
    /**
     * Fully qualified, slash-separated (javacard/framework/Applet). A CAP file names no class:
     * the linker names an applet's class from APPLET-INF/applet.xml when the archive has it.
     */
    public name: string,
    readonly pkg: VmPackage,
    readonly token: number,
  ) {}

  isSubclassOf(other: VmClass): boolean {
    if (other.isInterface) return this === other || this.interfaces.includes(other);
    for (let c: VmClass | null = this; c; c = c.superClass) if (c === other) return true;
    return false;
  }

  /** Public virtual method by token, for the runtime's calls (process, select...). */
  virtual(token: number): VmMethod | undefined {
    return this.vtable[token];
  }

  toString(): string {
    return this.name;
  }
}

/** Constant pool entry kinds as resolved by the linker. */
export const enum CpKind {
  Class = 1,
  InstanceField = 2,
  VirtualMethod = 3,
  SuperMethod = 4,
  StaticField = 5,
  StaticMethod = 6,
}

/**
 * A resolved constant pool, as parallel arrays so that the interpreter reads one number
 * or one reference per access.
 */
export class ResolvedPool {
  kind: Uint8Array;
  /** Class entries: the class; field/method entries: the class named by the reference. */
  cls: (VmClass | null)[];
  /** Instance fields: absolute cell index; static fields: byte offset in `image`; virtual methods: token. */
  index: Int32Array;
  /** Static fields: the static field image of the package that owns the field. */
  image: (Uint8Array | null)[];
  /** Static, private, constructor and super methods: the method to call. */
  method: (VmMethod | null)[];
  /** Method references: argument words, `this` included (from the Descriptor's types). */
  nargs: Uint8Array;
  constructor(readonly count: number) {
    this.kind = new Uint8Array(count);
    this.cls = new Array(count).fill(null);
    this.index = new Int32Array(count);
    this.image = new Array(count).fill(null);
    this.method = new Array(count).fill(null);
    this.nargs = new Uint8Array(count);
  }
}

/** A package on the card (or one of the API packages the runtime provides). */
export class VmPackage {
  cp: ResolvedPool = new ResolvedPool(0);
  /** Classes and interfaces by class token (exported and API packages), or in Class-component order. */
  classes: VmClass[] = [];
  /** Static field image (JCVM 6.10): references first, then primitive fields. */
  staticImage: Uint8Array = new Uint8Array(0);
  /** Reference fields at the start of the static image (2 bytes each). */
  staticRefCount = 0;
  /** Whether the package may use int bytecodes (Header ACC_INT). */
  intSupport = false;
  constructor(
    readonly name: string,
    readonly aid: Uint8Array,
    readonly major: number,
    readonly minor: number,
  ) {}
}

/** Object kinds: an instance, or an array of one of the newarray element types. */
export const enum Kind {
  Instance = 0,
  BooleanArray = 10,
  ByteArray = 11,
  ShortArray = 12,
  IntArray = 13,
  RefArray = 14,
}

/** Transient memory types as JCSystem names them (MEMORY_TYPE / CLEAR_ON_...). */
export const enum Transience {
  Persistent = 0,
  ClearOnReset = 1,
  ClearOnDeselect = 2,
}

/**
 * One object of the heap. One shape for instances and arrays so that every access site
 * sees the same hidden class.
 */
export class HeapObject {
  constructor(
    readonly kind: Kind,
    /** Instances: their class; reference arrays: the element class (null for Object). */
    readonly cls: VmClass | null,
    /** Instance cells (Int16Array), or the array elements. References are handles. */
    readonly data: Int8Array | Int16Array | Int32Array | Uint16Array,
    /** Owning context (package) id, for the firewall. */
    public owner: number,
    public transience: Transience,
  ) {
    this.offset = data.byteOffset;
  }
  /**
   * Byte offset of `data` in its storage buffer (data.byteOffset, kept as a plain field: the
   * typed-array getter is slow at the polymorphic store sites that pass it to the barrier).
   */
  readonly offset: number;
  /** State of natively implemented API objects (AID bytes, PIN counters, exception reason...). */
  native: unknown = null;
  /** Global arrays (the APDU buffer...) are accessible from every context. */
  global = false;

  get length(): number {
    return this.data.length;
  }
}
