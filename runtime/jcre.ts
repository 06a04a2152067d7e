// The Java Card Runtime Environment (JCRE spec 3.0.5/3.1): the package and applet
// registries, applet installation, selection (chapter 4), APDU dispatch to process()
// and the mapping of uncaught exceptions to status words. It owns the VM and the heap.

import { equalBytes, hex } from '../loader/bytes.ts';
import { initStaticArrays, link, LinkError, type ExportedPackage, type LinkedPackage, type PackageResolver } from '../loader/link.ts';
import type { CapFile } from '../loader/cap/components.ts';
import { BudgetExhausted, SysEx, Thrown, VmCrash } from '../vm/errors.ts';
import { Heap, HeapExhausted } from '../vm/heap.ts';
import { JCRE_CONTEXT } from '../vm/firewall.ts';
import { CardMemory, type MemoryOptions } from './memory/card-memory.ts';
import { BlockKind } from './memory/eeprom.ts';
import { restoreDirectory, type SavedCard } from './memory/image.ts';
import { Vm, type StepHook } from '../vm/interpreter.ts';
import { Kind, Transience, type HeapObject, type VmClass, type VmMethod } from '../vm/types.ts';
import { ApduStateCode, channelOf, claOnChannel, parseCommand, type ParsedCommand, swBytes as sw } from './apdu.ts';
import { ApiRegistry, MissingNative } from './api/registry.ts';
import { frameworkNatives } from './api/framework.ts';
import { globalPlatformNatives } from './api/globalplatform.ts';
import { LinkState } from './transport/link.ts';
import { securityNatives } from './api/security.ts';
import type { NativeApplication, SelectionPolicy } from './native-app.ts'; // native applications (issue 8)

// The JCRE's context id is the firewall's (vm/firewall.ts); re-exported for the runtime.
export { JCRE_CONTEXT };

export interface CardPackage {
  linked: LinkedPackage;
  /** Context id of everything the package's applets own. */
  context: number;
  /** The package's code: its CAP components as loaded, in a code block of persistent memory. */
  code: Uint8Array;
}

/** What one open logical channel has selected. */
export interface ChannelState {
  applet: AppletInstance | null;
  native: NativeApplication | null;
}

export interface AppletInstance {
  aid: Uint8Array;
  /** The applet object. */
  handle: number;
  pkg: CardPackage;
  /** The JCRE-owned AID object of the instance (JCSystem.getAID, lookupAID). */
  aidHandle: number;
  cls: VmClass;
}

/** An AID object's state: the handle of the byte array holding its bytes (card memory). */
export interface AidState {
  bytes: number;
}

/** Installation failed; the card is unchanged. */
export class InstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstallError';
  }
}

/** Deletion refused (the card is unchanged): nothing with that AID, or something still depends on it. */
export class DeleteError extends Error {
  constructor(
    readonly reason: 'not-found' | 'in-use',
    message: string,
  ) {
    super(message);
    this.name = 'DeleteError';
  }
}

export interface JcreOptions extends MemoryOptions {
  /** Bytecodes one APDU may execute before the applet is stopped (6F00). */
  instructionBudget?: number;
  /** APDU buffer size in bytes (at least 133; JCRE 3.0.5 §9.x). */
  apduBufferSize?: number;
  trace?: (line: string) => void;
  /** Called before every bytecode (coverage; vm/trace.ts); applet code then runs in the interpreter. */
  step?: StepHook;
  /**
   * Compile applet methods to JavaScript (vm/jit) on their first call; on by default (the
   * interpreter runs what the JIT refuses, and everything when tracing). false: interpreter only.
   */
  jit?: boolean;
  /** Seed of a deterministic card random source (RandomData, key generation); absent: the OS CSPRNG. */
  randomSeed?: string;
  /** Logical channels the card supports, 1 (the basic channel only) to 20; default 20. */
  logicalChannels?: number;
}

/** Per-APDU state of javacard.framework.APDU. */
export class ApduSession {
  state: ApduStateCode = ApduStateCode.INITIAL;
  cmd: Uint8Array = new Uint8Array(4);
  parsed: ParsedCommand = { case: 1, extended: false, nc: 0, dataOffset: 5, ne: 0, hasLe: false };
  /** Command data bytes handed to the applet so far. */
  received = 0;
  /** setOutgoingLength value, and bytes sent so far. */
  outLength = 0;
  sent = 0;
  /** Response data chunks (sendBytes / sendBytesLong), joined at the end. */
  chunks: Uint8Array[] = [];
  outBytes = 0;
}

export class Jcre implements PackageResolver {
  /** EEPROM and RAM images: where every object and static field lives (runtime/memory). */
  readonly memory: CardMemory;
  readonly heap: Heap;
  readonly vm: Vm;
  readonly api: ApiRegistry;
  readonly packages: CardPackage[] = [];
  readonly applets: AppletInstance[] = [];
  readonly instructionBudget: number;
  /** The global APDU buffer (a byte array object every context may access). */
  readonly apduBufferHandle: number;
  readonly apduBuffer: Int8Array;
  /** JCRE-owned singletons: the APDU object, and one exception object per class. */
  readonly apduHandle: number;
  private readonly exceptionObjects = new Map<VmClass, number>();
  private readonly aidClass: VmClass;
  /** Transient arrays, to clear at reset and deselect. */
  readonly transients: number[] = [];

  /** The applet selected on the channel of the command being processed (process() swaps it per channel). */
  selected: AppletInstance | null = null;
  /** Logical channels (JCRE 4.2-4.6): what is selected on each open one; null when closed. Channel 0 is always open. */
  readonly channels: (ChannelState | null)[];
  /** The logical channel of the command being processed (JCSystem.getAssignedChannel). */
  currentChannel = 0;
  /** Set while select() and the SELECT's process() run. */
  selectingApplet = false;
  /** Instance being installed: register() completes it. */
  installing: { pkg: CardPackage; classAid: Uint8Array; registered: AppletInstance | null } | null = null;
  apdu = new ApduSession();
  /** The transmission protocol's side of the APDU natives (runtime/transport). */
  readonly link = new LinkState();
  /** Run at every card reset, after transient arrays are cleared (natives' CLEAR_ON_RESET state). */
  readonly onReset: (() => void)[] = [];
  /** Transaction nesting depth (0 or 1). */
  transactionDepth = 0;
  // >>> native applications (runtime/native-app.ts): registered by the Card, selected by AID
  readonly nativeApps: NativeApplication[] = [];
  /** Native applications that come and go (security domains in a registry): asked at each lookup. */
  readonly nativeSources: (() => NativeApplication[])[] = [];
  /** The native application selected on the channel of the command being processed. */
  selectedNative: NativeApplication | null = null;
  /**
   * The application implicitly selected on the basic channel (GPCS 6.4.2.1.1: the one with the
   * Card Reset privilege): selected there at every reset, by a SELECT without AID there, and
   * whenever nothing else is selected there.
   */
  defaultApplication: NativeApplication | null = null;
  /** The platform's rules on what may be selected (null: anything). */
  selectionPolicy: SelectionPolicy | null = null;
  // <<< native applications
  private nextContext = 1;
  /** The context of the last applet entry point the JCRE called. */
  private lastContext = JCRE_CONTEXT;

  /** The context id the next package loaded gets (for the card image). */
  get nextContextId(): number {
    return this.nextContext;
  }

  /** The JCRE's own objects (for the card image). */
  jcreObjects(): { apduBuffer: number; apdu: number; exceptions: [VmClass, number][] } {
    return { apduBuffer: this.apduBufferHandle, apdu: this.apduHandle, exceptions: [...this.exceptionObjects] };
  }

  /** A new card, or (`saved`) the card a card image holds (CardImageError when it is not consistent). */
  constructor(options: JcreOptions = {}, saved?: SavedCard & { file: string }) {
    this.instructionBudget = options.instructionBudget ?? 50_000_000;
    const channels = options.logicalChannels ?? 20;
    if (!Number.isInteger(channels) || channels < 1 || channels > 20) throw new RangeError(`logical channels: 1 to 20, not ${channels}`);
    this.channels = Array.from({ length: channels }, (_, i) => (i === 0 ? { applet: null, native: null } : null));
    this.memory = new CardMemory(options, saved);
    this.memory.journalFull = () => this.throwException('javacard/framework/TransactionException', 3 /* BUFFER_FULL */);
    this.heap = new Heap(this.memory);
    this.api = new ApiRegistry(frameworkNatives(this));
    this.api.bind(securityNatives(this, { randomSeed: options.randomSeed }));
    this.api.bind(globalPlatformNatives(this)); // org.globalplatform (runtime/api/globalplatform.ts)
    this.vm = new Vm(this.heap, this, { trace: options.trace, step: options.step, jit: options.jit ?? true });
    this.vm.objectClass = this.api.cls('java/lang/Object');
    this.vm.barrier = this.memory;
    this.aidClass = this.api.cls('javacard/framework/AID');
    if (saved) {
      const own = restoreDirectory(this, saved.directory, saved.file);
      this.apduBufferHandle = own.apduBuffer;
      this.apduBuffer = this.heap.get(own.apduBuffer)!.data as Int8Array;
      this.apduHandle = own.apdu;
      for (const [cls, h] of own.exceptions) this.exceptionObjects.set(cls, h);
      this.nextContext = own.nextContext;
      return;
    }
    const size = Math.max(133, options.apduBufferSize ?? 261);
    // The APDU buffer is transient (CLEAR_ON_RESET) JCRE memory: RAM, not EEPROM.
    this.apduBufferHandle = this.heap.newArray(Kind.ByteArray, size, JCRE_CONTEXT, null, Transience.ClearOnReset);
    const buf = this.heap.get(this.apduBufferHandle)!;
    buf.global = true;
    this.apduBuffer = buf.data as Int8Array;
    this.apduHandle = this.heap.newInstance(this.api.cls('javacard/framework/APDU'), JCRE_CONTEXT);
    this.heap.get(this.apduHandle)!.global = true; // a temporary JCRE entry point (JCRE 6.2.1)
    // The JCRE's exception objects exist from the start, as on a card: throwing one never
    // needs memory (out of memory itself is thrown this way).
    for (const name of [...Object.values(SYS_EXCEPTION_CLASS), ...JCRE_EXCEPTIONS]) this.exceptionObject(this.api.cls(name), 0);
  }

  // --- VmHost -------------------------------------------------------------------------

  /** The active context (owner of new objects): the VM's, the one source of truth. */
  get context(): number {
    return this.vm.context;
  }

  /**
   * The applet instance that becomes active when a call switches to `context` on the object
   * `receiver`: the applet whose object it is; else the selected applet if it is of that
   * context; else the context's first instance (objects do not record which instance of a
   * package made them, only the package's context).
   */
  appletOf(context: number, receiver: number): AppletInstance | null {
    const own = this.applets.find((a) => a.handle === receiver);
    if (own) return own;
    if (this.selected && this.selected.pkg.context === context) return this.selected;
    return this.applets.find((a) => a.pkg.context === context) ?? null;
  }

  /** JCRE 6.2.1: the JCRE's AID objects are permanent entry points; its other entry points are temporary. */
  isPermanentEntryPoint(o: HeapObject): boolean {
    return o.kind === Kind.Instance && (o.cls === this.aidClass || this.permanentEntryPointClasses.has(o.cls!));
  }

  systemException(kind: SysEx, reason = 0): number {
    const name = SYS_EXCEPTION_CLASS[kind];
    return this.exceptionObject(this.api.cls(name), reason);
  }

  /** The JCRE-owned instance of an API exception class, with its reason set. */
  exceptionObject(cls: VmClass, reason: number): number {
    let h = this.exceptionObjects.get(cls);
    if (h === undefined) {
      h = this.jcreObject(() => this.heap.newInstance(cls, JCRE_CONTEXT));
      this.heap.get(h)!.global = true; // a temporary JCRE entry point (JCRE 6.2.1)
      this.exceptionObjects.set(cls, h);
    }
    this.heap.get(h)!.native = reason;
    return h;
  }

  throwException(className: string, reason: number): never {
    throw new Thrown(this.exceptionObject(this.api.cls(className), reason));
  }

  // --- Packages -----------------------------------------------------------------------

  findPackage(aid: Uint8Array): ExportedPackage | undefined {
    const onCard = this.packages.find((p) => equalBytes(p.linked.pkg.aid, aid));
    if (onCard) return onCard.linked.exports ?? { pkg: onCard.linked.pkg, classByToken: () => undefined, staticMethod: () => undefined, staticField: () => undefined };
    return this.api.findPackage(aid);
  }

  /** Link and add a package. Throws LinkError and leaves the card unchanged on failure. */
  loadPackage(cap: CapFile): CardPackage {
    const aid = cap.header.package.AID;
    if (this.findPackage(aid)) throw new LinkError(`Header component: a package with AID ${hex(aid)} is already on the card`);
    let image: Uint8Array | null = null;
    let linked: LinkedPackage;
    try {
      linked = link(cap, this, { staticImage: (size) => (image = this.memory.persistentBytes(size)) });
    } catch (e) {
      if (image) this.memory.releaseBytes(image);
      if (e instanceof HeapExhausted) throw new LinkError(`StaticField component: the static field image does not fit in persistent memory (${e.message})`);
      throw e;
    }
    let code: Uint8Array;
    try {
      code = this.storeCode(cap);
    } catch (e) {
      if (image) this.memory.releaseBytes(image);
      if (e instanceof HeapExhausted) throw new LinkError(`the package's code (${[...cap.raw.values()].reduce((n, c) => n + c.length, 0)} bytes) does not fit in persistent memory (${e.message})`);
      throw e;
    }
    const pkg: CardPackage = { linked, context: this.nextContext, code };
    const made: number[] = [];
    try {
      initStaticArrays(linked, (type, values) => {
        const h = this.makeInitArray(type, values, pkg.context);
        made.push(h);
        return h;
      });
    } catch (e) {
      for (const h of made) this.heap.release(h);
      if (image) this.memory.releaseBytes(image);
      this.memory.releaseBytes(code);
      throw new LinkError(`StaticField component: static arrays do not fit in memory (${(e as Error).message})`);
    }
    this.nextContext++;
    this.packages.push(pkg);
    return pkg;
  }

  /** Program the package's components (as loaded) into a code block: one counted write. */
  private storeCode(cap: CapFile): Uint8Array {
    let length = 0;
    for (const c of cap.raw.values()) length += c.length;
    const code = this.memory.persistentBytes(length, BlockKind.Code);
    this.memory.eeprom.beforeWriteUnlogged(code.byteOffset, length);
    let at = 0;
    for (const c of cap.raw.values()) {
      code.set(c, at);
      at += c.length;
    }
    return code;
  }

  private makeInitArray(type: number, values: Uint8Array, owner: number): number {
    // array_init types: 2 boolean, 3 byte, 4 short, 5 int (JCVM 6.10).
    const kind = [0, 0, Kind.BooleanArray, Kind.ByteArray, Kind.ShortArray, Kind.IntArray][type]!;
    const size = type === 4 ? 2 : type === 5 ? 4 : 1;
    const h = this.heap.newArray(kind, values.length / size, owner);
    const data = this.heap.get(h)!.data;
    const dv = new DataView(values.buffer, values.byteOffset, values.length);
    for (let i = 0; i < data.length; i++) {
      data[i] = size === 1 ? dv.getInt8(i) : size === 2 ? dv.getInt16(2 * i) : dv.getInt32(4 * i);
    }
    return h;
  }

  // --- Transactions (JCRE 7) -------------------------------------------------------------

  /** Reused for every transaction's allocation log (a transaction is a hot path: bench txn). */
  private readonly txLog: number[] = [];

  beginTransaction(): void {
    this.memory.eeprom.begin();
    if (this.txLog.length !== 0) this.txLog.length = 0;
    this.heap.allocationLog = this.txLog;
    this.transactionDepth = 1;
  }

  commitTransaction(): void {
    this.memory.eeprom.commit();
    this.heap.allocationLog = null;
    this.transactionDepth = 0;
  }

  /** Roll back every persistent write of the transaction and drop the objects it created. */
  abortTransaction(): void {
    this.memory.eeprom.abort();
    this.transactionDepth = 0;
    this.dropTransactionObjects();
  }

  /**
   * JCRE 7.6.3: objects created inside an aborted transaction are deleted and every
   * reference to them reads null afterwards.
   */
  private dropTransactionObjects(): void {
    const log = this.heap.allocationLog?.slice();
    this.heap.allocationLog = null;
    if (!log || log.length === 0) return;
    const dead = new Set(log);
    for (const h of log) this.heap.release(h);
    const objects = this.heap.objects;
    for (let h = 1; h < objects.length; h++) {
      const o = objects[h];
      if (!o) continue;
      if (o.kind === Kind.RefArray) {
        for (let i = 0; i < o.data.length; i++) if (dead.has(o.data[i]!)) o.data[i] = 0;
      } else if (o.kind === Kind.Instance && o.cls) {
        for (const c of o.cls.refCells) if (dead.has(o.data[c]!)) o.data[c] = 0;
      }
    }
    for (const p of this.packages) {
      const img = p.linked.pkg.staticImage;
      for (let i = 0; i < p.linked.pkg.staticRefCount; i++) {
        if (dead.has((img[2 * i]! << 8) | img[2 * i + 1]!)) img[2 * i] = img[2 * i + 1] = 0;
      }
    }
    for (let i = this.transients.length - 1; i >= 0; i--) if (dead.has(this.transients[i]!)) this.transients.splice(i, 1);
  }

  /**
   * A native's write of `length` elements at `index` of `o` (the JCRE writing for an API
   * method): counted and journalled like bytecode stores. `atomic` writes outside a
   * transaction are made all-or-nothing with the journal of their own; non-atomic ones are
   * never journalled. Transient arrays are written directly.
   */
  persistentWrite(o: HeapObject, index: number, length: number, atomic: boolean, write: () => void): void {
    if (o.transience !== Transience.Persistent || o.data.buffer !== this.memory.eeprom.buffer || length === 0) {
      // A transient array's write counts once, as a persistent one does (jcvm --stats).
      if (length !== 0 && o.transience !== Transience.Persistent && this.vm.countTransient) this.vm.transientWrites++;
      write();
      return;
    }
    const eeprom = this.memory.eeprom;
    const bpe = o.data.BYTES_PER_ELEMENT;
    const offset = o.data.byteOffset + index * bpe;
    if (!atomic) {
      eeprom.beforeWriteUnlogged(offset, length * bpe);
      write();
    } else if (this.transactionDepth) {
      this.memory.beforeWrite(offset, length * bpe);
      write();
    } else {
      eeprom.begin();
      try {
        this.memory.beforeWrite(offset, length * bpe);
        write();
      } catch (e) {
        if (eeprom.inTransaction) eeprom.abort();
        throw e;
      }
      eeprom.commit();
    }
  }

  // --- Object deletion (JCSystem.requestObjectDeletion) -----------------------------------

  /** Set by JCSystem.requestObjectDeletion: collect at the end of the APDU. */
  deletionRequested = false;

  /**
   * Delete the persistent and transient objects nothing reaches and return their memory.
   * Roots: the JCRE's objects, the applet instances and their AID objects, every package's
   * static reference fields. References are followed through reference arrays, instances'
   * reference fields, and (conservatively: any number that names a live handle) the state
   * natives keep. Runs between APDUs, when no frame holds a reference.
   * @returns the number of objects deleted
   */
  collectGarbage(): number {
    return this.sweep(this.markReachable());
  }

  /**
   * Marks what the roots reach (see collectGarbage); `without` leaves applet instances and
   * packages out of the roots (what deleting them would leave).
   */
  private markReachable(without?: { applets?: readonly AppletInstance[]; packages?: readonly CardPackage[] }): Uint8Array {
    const objects = this.heap.objects;
    const marked = new Uint8Array(objects.length);
    const stack: number[] = [this.apduHandle, this.apduBufferHandle, ...this.exceptionObjects.values(), ...this.namedObjects.values()];
    for (const a of this.applets) if (!without?.applets?.includes(a)) stack.push(a.handle, a.aidHandle);
    for (const n of this.natives()) stack.push(...n.roots()); // native applications' card memory
    for (const p of this.packages) {
      if (without?.packages?.includes(p)) continue;
      const img = p.linked.pkg.staticImage;
      for (let i = 0; i < p.linked.pkg.staticRefCount; i++) stack.push((img[2 * i]! << 8) | img[2 * i + 1]!);
    }
    const visitNative = (v: unknown, depth: number): void => {
      if (typeof v === 'number') stack.push(v);
      else if (Array.isArray(v)) for (const x of v) visitNative(x, depth + 1);
      else if (v && typeof v === 'object' && depth < 4 && !ArrayBuffer.isView(v)) for (const x of Object.values(v)) visitNative(x, depth + 1);
    };
    while (stack.length) {
      const h = stack.pop()!;
      if (!Number.isInteger(h) || h <= 0 || h >= objects.length || marked[h]) continue;
      const o = objects[h];
      if (!o) continue;
      marked[h] = 1;
      if (o.kind === Kind.RefArray) for (let i = 0; i < o.data.length; i++) stack.push(o.data[i]!);
      else if (o.kind === Kind.Instance && o.cls) for (const c of o.cls.refCells) stack.push(o.data[c]! & 0xffff);
      if (o.native !== null) visitNative(o.native, 0);
    }
    return marked;
  }

  /** Deletes every object `marked` leaves out; returns how many. */
  private sweep(marked: Uint8Array): number {
    const objects = this.heap.objects;
    let freed = 0;
    for (let h = 1; h < objects.length; h++) {
      if (objects[h] && !marked[h]) {
        this.heap.release(h);
        freed++;
      }
    }
    if (freed) {
      for (let i = this.transients.length - 1; i >= 0; i--) if (!objects[this.transients[i]!]) this.transients.splice(i, 1);
      this.memory.eeprom.coalesce();
      this.memory.ram.coalesce();
    }
    return freed;
  }

  // --- Installation -------------------------------------------------------------------

  /**
   * Create an applet instance (GlobalPlatform INSTALL [for install] semantics): calls the
   * class's install(bArray, bOffset, bLength) with bArray = [Li][AID][Lc][control][La][params].
   */
  install(packageAid: Uint8Array, classAid: Uint8Array, instanceAid: Uint8Array, installData: Uint8Array): AppletInstance {
    const pkg = this.packages.find((p) => equalBytes(p.linked.pkg.aid, packageAid));
    if (!pkg) throw new InstallError(`no package with AID ${hex(packageAid)} on the card`);
    const applet = pkg.linked.applets.find((a) => equalBytes(a.aid, classAid));
    if (!applet) throw new InstallError(`package ${hex(packageAid)} has no applet class with AID ${hex(classAid)}`);
    if (instanceAid.length < 5 || instanceAid.length > 16) throw new InstallError(`instance AID ${hex(instanceAid)} must be 5 to 16 bytes`);
    if (this.applets.some((a) => equalBytes(a.aid, instanceAid))) throw new InstallError(`an applet instance with AID ${hex(instanceAid)} already exists`);
    const bArray = this.heap.newArray(Kind.ByteArray, installData.length, JCRE_CONTEXT, null, Transience.ClearOnReset);
    const arr = this.heap.get(bArray)!;
    arr.global = true;
    (arr.data as Int8Array).set(installData);
    this.installing = { pkg, classAid, registered: null };
    // Handles live before install() (new objects may also reuse freed handles below the top).
    const existing = new Set(this.heap.handles(() => true));
    try {
      this.runApplet(pkg.context, null, () => this.vm.call(applet.install, [bArray, 0, installData.length]));
      const inst = this.installing.registered;
      if (!inst) throw new InstallError(`applet ${hex(classAid)} did not call register() in install()`);
      // The instance AID is what the applet registered: the class AID for register(), its own
      // choice (normally the instance AID of the install data) for register(bArray, off, len).
      return inst;
    } catch (e) {
      // Nothing of a failed installation stays: drop the registration and its objects.
      const inst = this.installing?.registered;
      if (inst) this.applets.splice(this.applets.indexOf(inst), 1);
      // The JCRE-owned exception objects made meanwhile (throwIt) are not the applet's: they stay.
      const keep = new Set(this.exceptionObjects.values());
      for (const h of [...this.heap.handles(() => true)]) if (!existing.has(h) && !keep.has(h)) this.heap.release(h);
      for (let i = this.transients.length - 1; i >= 0; i--) if (!this.heap.get(this.transients[i]!)) this.transients.splice(i, 1);
      this.memory.eeprom.coalesce(); // freed neighbours merge: the memory is exactly as before
      this.memory.ram.coalesce();
      if (e instanceof Thrown) throw new InstallError(`install() of ${hex(classAid)} threw ${this.describeThrown(e.handle)}`);
      if (isHostStop(e)) throw new InstallError(`install() of ${hex(classAid)} stopped: ${(e as Error).message}`);
      if (e instanceof HeapExhausted) throw new InstallError(`install() of ${hex(classAid)}: ${e.message}`);
      throw e;
    } finally {
      this.installing = null;
      this.heap.release(bArray);
    }
  }

  // Deletion (JCRE 11.3.4): deleteApplet and deletePackage, in the card manager block below.

  /** Called by Applet.register(): records the instance being installed. */
  register(appletHandle: number, aid: Uint8Array): void {
    const ins = this.installing;
    const obj = this.heap.get(appletHandle);
    if (!ins || ins.registered || !obj || obj.cls === null) this.throwException('javacard/framework/SystemException', 6 /* ILLEGAL_USE */);
    if (aid.length < 5 || aid.length > 16) this.throwException('javacard/framework/SystemException', 1 /* ILLEGAL_VALUE */);
    if (this.applets.some((a) => equalBytes(a.aid, aid))) this.throwException('javacard/framework/SystemException', 4 /* ILLEGAL_AID */);
    const aidHandle = this.newAidObject(aid);
    const inst: AppletInstance = { aid: aid.slice(), handle: appletHandle, pkg: ins.pkg, aidHandle, cls: obj.cls };
    ins.registered = inst;
    this.applets.push(inst);
  }

  /** Make a JCRE-owned object: never part of an applet's transaction (an abort keeps it). */
  jcreObject(make: () => number): number {
    const log = this.heap.allocationLog;
    this.heap.allocationLog = null;
    try {
      return make();
    } catch (e) {
      // Out of memory while applet code runs: the applet sees SystemException.NO_RESOURCE.
      if (e instanceof HeapExhausted) this.throwException('javacard/framework/SystemException', e.reason);
      throw e;
    } finally {
      this.heap.allocationLog = log;
    }
  }

  newAidObject(aid: Uint8Array): number {
    const bytes = this.jcreObject(() => this.heap.newArray(Kind.ByteArray, aid.length, JCRE_CONTEXT));
    (this.heap.get(bytes)!.data as Int8Array).set(new Int8Array(aid.buffer, aid.byteOffset, aid.length));
    const h = this.jcreObject(() => this.heap.newInstance(this.aidClass, JCRE_CONTEXT));
    const o = this.heap.get(h)!;
    o.native = { bytes } satisfies AidState;
    o.global = true; // a permanent JCRE entry point (JCRE 6.2.1)
    return h;
  }

  /** The bytes of an AID object (a view of its byte array in card memory), or null for another object. */
  aidBytes(o: HeapObject | undefined): Uint8Array | null {
    const st = o?.native as AidState | null | undefined;
    if (!o || o.cls !== this.api.cls('javacard/framework/AID') || !st || typeof st.bytes !== 'number') return null;
    const arr = this.heap.get(st.bytes);
    return arr ? new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.length) : null;
  }

  /** Bytecodes charged to the budget by applet code since the card was made (jcvm --stats). */
  bytecodes = 0;

  /**
   * Run host-initiated applet code in the applet's context (the JCRE's context was active
   * before: getPreviousContextAID answers null), with a fresh instruction budget. `applet` is
   * null while install() runs before register().
   */
  private runApplet<T>(context: number, applet: AppletInstance | null, fn: () => T): T {
    this.vm.budget = this.instructionBudget;
    // No context sees what another left on the stack (words above a frame's locals are
    // readable by code a verifier would refuse): the stack is cleared when the context changes.
    if (context !== this.lastContext) {
      this.vm.stack.fill(0);
      this.lastContext = context;
    }
    // A context switch from the JCRE's context. The applet whose entry point runs is the
    // currently selected one for CLEAR_ON_DESELECT memory (JCRE 6.1.6): the applet being
    // selected or deselected, the one processing the command, and during install() the new
    // applet (JCRE 11.2).
    try {
      return this.vm.inContext(context, applet, fn, context);
    } finally {
      this.bytecodes += this.instructionBudget - Math.max(this.vm.budget, 0);
      // JCRE 7.6: a transaction still open when the applet's entry point returns, normally or
      // by an exception, is aborted by the JCRE. (Not after a power loss: recovery does it.)
      if (this.transactionDepth && this.memory.eeprom.inTransaction && !this.memory.eeprom.powerLost) this.abortTransaction();
    }
  }

  // --- APDU processing ----------------------------------------------------------------

  /**
   * Power-up: an interrupted transaction or atomic update is rolled back (and the objects the
   * transaction created are dropped), then the card resets.
   */
  powerUp(): void {
    if (this.memory.eeprom.recover()) this.dropTransactionObjects();
    this.heap.allocationLog = null;
    this.memory.eeprom.tearAt = -1;
    this.reset();
  }

  /** Reset: transient memory cleared, nothing selected (JCRE 3.1: card reset). */
  reset(): void {
    this.selected = null;
    // Only the basic channel is open after a reset, with the default application (if any) selected.
    for (let i = 0; i < this.channels.length; i++) this.channels[i] = i === 0 ? { applet: null, native: this.defaultApplication } : null;
    this.currentChannel = 0;
    this.selectingApplet = false;
    this.transactionDepth = 0;
    this.selectedNative = null;
    for (const n of this.natives()) n.reset(); // native applications' RAM state cleared
    for (const h of this.transients) this.heap.get(h)?.data.fill(0);
    for (const hook of this.onReset) hook();
  }

  /** Process one command APDU; returns response data + SW1 SW2. */
  process(cmd: Uint8Array): Uint8Array {
    const parsed = parseCommand(cmd);
    if (!parsed) return sw(0x6700);
    const s = this.apdu;
    s.cmd = cmd;
    s.parsed = parsed;
    s.state = ApduStateCode.INITIAL;
    s.received = 0;
    s.outLength = 0;
    s.sent = 0;
    s.chunks.length = 0;
    s.outBytes = 0;
    // The buffer holds the header (and, for extended APDUs, the 3 length bytes) as received;
    // the rest is zero (API, class APDU: the JCRE zeroes the buffer before each new message).
    const buf = this.apduBuffer;
    buf.fill(0);
    buf.set(cmd.subarray(0, Math.min(parsed.dataOffset, cmd.length)) as unknown as Int8Array);

    const cla = cmd[0]!, ins = cmd[1]!;
    // Logical channels (JCRE 4.4-4.6): the command runs with its channel's selection.
    const ch = channelOf(cla);
    const isSelectByAid = (cla & 0x80) === 0 && ins === 0xa4 && cmd[2] === 0x04;
    if ((cla & 0x80) === 0 && ins === 0x70) return this.manageChannel(cmd, parsed, ch);
    let state = ch < this.channels.length ? this.channels[ch] : undefined;
    const opening = !state;
    if (!state) {
      // SELECT FILE on a closed channel opens it (4.5.2); anything else: the channel is not open.
      if (!isSelectByAid || ch >= this.channels.length) return sw(0x6881);
      state = this.channels[ch] = { applet: null, native: null };
    }
    this.currentChannel = ch;
    this.selected = state.applet;
    this.selectedNative = state.native;
    try {
      const r = this.processOnChannel(cmd, parsed, isSelectByAid);
      // A SELECT that opened a channel and selected nothing closes it again.
      if (opening && !this.selected && !this.selectedNative) this.channels[ch] = null;
      return r;
    } finally {
      const open = this.channels[ch];
      if (open) {
        open.applet = this.selected;
        open.native = this.selectedNative;
      }
    }
  }

  private processOnChannel(cmd: Uint8Array, parsed: ParsedCommand, isSelectByAid: boolean): Uint8Array {
    const ch = this.currentChannel;
    if (isSelectByAid) {
      const aid = cmd.subarray(parsed.dataOffset, parsed.dataOffset + parsed.nc);
      // SELECT without an AID on the basic channel: the default application.
      const found = aid.length === 0 && ch === 0 ? (this.defaultApplication ?? undefined) : this.findForSelect(aid, cmd[3]!);
      if (found) {
        const refused = this.selectionPolicy?.(found.aid) ?? null;
        if (refused !== null) return sw(refused);
        if (!isNative(found)) return this.select(found);
        const r = this.selectNative(found, cmd);
        if (r) return r; // else absent (a file system not yet personalised): routed as if it did not exist
      }
      // No application matches: the command goes to the selected one as an ordinary one (as cref does).
      if (!this.selected && !this.selectedNative && (ch !== 0 || !this.defaultApplication)) return sw(0x6a82);
    }
    // Nothing selected on the basic channel (an applet refused selection): the default application answers there.
    if (!this.selected && !this.selectedNative && ch === 0) this.selectedNative = this.defaultApplication;
    if (this.selectedNative) return this.selectedNative.process(cmd, ch);
    if (!this.selected) return sw(0x6999);
    return this.dispatch(this.selected);
  }

  // >>> native applications (runtime/native-app.ts)
  /** Every native application on the card now. */
  private natives(): NativeApplication[] {
    return this.nativeSources.length ? [...this.nativeApps, ...this.nativeSources.flatMap((s) => s())] : this.nativeApps;
  }

  /**
   * Selects native application `app` on the current channel when it accepts (the applet or native
   * selected there before is deselected); null when it refuses (nothing changes).
   */
  private selectNative(app: NativeApplication, cmd: Uint8Array, openedFrom?: number): Uint8Array | null {
    const r = app.select(cmd, this.currentChannel, openedFrom);
    if (r[r.length - 2] !== 0x90 || r[r.length - 1] !== 0x00) return null;
    if (this.selected) this.deselect(this.selected);
    if (this.selectedNative && this.selectedNative !== app) this.selectedNative.deselect(this.currentChannel);
    this.selectedNative = app;
    return r;
  }
  // <<< native applications

  /**
   * JCRE 4.5, GPCS 6.4.2.1.2: exact AID match first, else the first application (natives, then
   * applet instances) whose AID starts with the bytes; P2 "next occurrence" steps through those.
   */
  private findForSelect(aid: Uint8Array, p2: number): AppletInstance | NativeApplication | undefined {
    if (aid.length < 5 || aid.length > 16) return undefined;
    const all: (AppletInstance | NativeApplication)[] = [...this.natives(), ...this.applets];
    const exact = all.find((a) => equalBytes(a.aid, aid));
    if (exact && (p2 & 0x03) === 0) return exact;
    const partial = all.filter((a) => (!isNative(a) || a.partialAid) && a.aid.length >= aid.length && equalBytes(a.aid.subarray(0, aid.length), aid));
    const current = this.selectedNative ?? this.selected;
    if ((p2 & 0x03) === 0x02 && current) {
      // next occurrence
      const i = partial.indexOf(current);
      return i >= 0 ? partial[i + 1] : partial[0];
    }
    return exact ?? partial[0];
  }

  private select(inst: AppletInstance): Uint8Array {
    this.selectingApplet = true;
    try {
      const status = this.selectInstance(inst);
      return status === 0x9000 ? this.dispatch(inst) : sw(status);
    } finally {
      this.selectingApplet = false;
    }
  }

  /**
   * Select `inst` on the current channel (JCRE 4.5): an applet whose context is active on
   * another channel must be multiselectable (6985); the channel's applet is deselected; the
   * applet's select() (or MultiSelectable.select) must accept (6999). Returns the status word.
   */
  private selectInstance(inst: AppletInstance): number {
    const elsewhere = this.activeElsewhere(inst);
    if (elsewhere.context && !this.isMultiSelectable(inst)) return 0x6985;
    if (this.selected) this.deselect(this.selected);
    if (this.selectedNative) this.selectedNative.deselect(this.currentChannel);
    this.selectedNative = null;
    let ok = false;
    try {
      ok = this.runApplet(inst.pkg.context, inst, () => this.callSelect(inst, elsewhere)) !== 0;
    } catch (e) {
      if (!(e instanceof Thrown || isHostStop(e))) throw e;
    }
    if (!ok) return 0x6999;
    this.selected = inst;
    return 0x9000;
  }

  private deselect(inst: AppletInstance): void {
    // The channel's selection is dropped first, so that "still active" means on another channel.
    this.selected = null;
    const open = this.channels[this.currentChannel];
    if (open) open.applet = null;
    const elsewhere = this.activeElsewhere(inst);
    try {
      this.runApplet(inst.pkg.context, inst, () => {
        if (elsewhere.context && this.isMultiSelectable(inst)) this.vm.call(this.multiSelectableMethod(inst, 1), [inst.handle, elsewhere.instance ? 1 : 0]); // MultiSelectable.deselect(appInstStillActive)
        else this.vm.call(inst.cls.virtual(4)!, [inst.handle]); // deselect()
      });
    } catch (e) {
      if (!(e instanceof Thrown || isHostStop(e))) throw e;
    }
    // CLEAR_ON_DESELECT memory belongs to the context: cleared when no channel has it active any more.
    if (!elsewhere.context) {
      for (const h of this.transients) {
        const o = this.heap.get(h);
        if (o && o.transience === Transience.ClearOnDeselect && o.owner === inst.pkg.context) o.data.fill(0);
      }
    }
  }

  // --- Logical channels (JCRE 4.2-4.6) --------------------------------------------------

  /** Whether `inst`'s context, and `inst` itself, are selected on a channel other than the current one. */
  private activeElsewhere(inst: AppletInstance): { context: boolean; instance: boolean } {
    let context = false, instance = false;
    this.channels.forEach((c, i) => {
      if (!c || !c.applet || i === this.currentChannel) return;
      if (c.applet.pkg.context === inst.pkg.context) context = true;
      if (c.applet === inst) instance = true;
    });
    return { context, instance };
  }

  private isMultiSelectable(inst: AppletInstance): boolean {
    return inst.cls.isSubclassOf(this.api.cls('javacard/framework/MultiSelectable'));
  }

  /** MultiSelectable.select(Z)Z (token 0) or deselect(Z)V (token 1) of the instance's class. */
  private multiSelectableMethod(inst: AppletInstance, token: number) {
    const map = inst.cls.itables.get(this.api.cls('javacard/framework/MultiSelectable'));
    const m = map ? inst.cls.virtual(map[token]!) : undefined;
    if (!m) throw new VmCrash(`${inst.cls.name} implements MultiSelectable without its method ${token}`);
    return m;
  }

  /** select() or, when its context is already active elsewhere, MultiSelectable.select(appInstAlreadyActive). */
  private callSelect(inst: AppletInstance, elsewhere: { context: boolean; instance: boolean }): number {
    if (elsewhere.context && this.isMultiSelectable(inst)) return this.vm.call(this.multiSelectableMethod(inst, 0), [inst.handle, elsewhere.instance ? 1 : 0]) as number;
    return this.vm.call(inst.cls.virtual(6)!, [inst.handle]) as number; // select()
  }

  /** Whether an applet instance is selected on any channel (JCSystem.isAppletActive). */
  isActive(inst: AppletInstance): boolean {
    return this.channels.some((c) => c?.applet === inst) || this.selected === inst;
  }

  /** Whether the native application with AID `aid` is selected on any channel (its deletion waits until it is not). */
  isNativeActive(aid: Uint8Array): boolean {
    return this.channels.some((c) => !!c?.native && equalBytes(c.native.aid, aid)) || (!!this.selectedNative && equalBytes(this.selectedNative.aid, aid));
  }

  /** MANAGE CHANNEL open (P1 00) and close (P1 80), JCRE 4.4.1, 4.5.1, 4.6.1; never forwarded to an applet. */
  private manageChannel(cmd: Uint8Array, parsed: ParsedCommand, origin: number): Uint8Array {
    const cla = cmd[0]!, p1 = cmd[2]!, p2 = cmd[3]!;
    if ((cla & 0x40) === 0 ? (cla & 0x0c) !== 0 : (cla & 0x20) !== 0) return sw(0x6882); // secure messaging
    if ((p1 !== 0x00 && p1 !== 0x80) || p2 > 19) return sw(0x6a81);
    if (origin >= this.channels.length || !this.channels[origin] || this.channels.length === 1) return sw(0x6881);
    if (p1 === 0x80) {
      if (p2 === 0) return sw(0x6a81);
      const closing = p2 < this.channels.length ? this.channels[p2] : null;
      if (!closing) return sw(0x6200); // not open: a warning, nothing changes
      this.onChannel(p2, () => {
        if (this.selected) this.deselect(this.selected);
        if (this.selectedNative) this.selectedNative.deselect(p2);
      });
      this.channels[p2] = null;
      return sw(0x9000);
    }
    let ch = p2;
    if (p2 === 0) {
      if (!parsed.hasLe || parsed.ne !== 1) return sw(0x6c01);
      ch = this.channels.findIndex((c, i) => i > 0 && c === null);
      if (ch < 0) return sw(0x6a81);
    } else if (p2 >= this.channels.length || this.channels[p2]) return sw(0x6a86);
    this.channels[ch] = { applet: null, native: null };
    // The application to select: the origin channel's from a non-basic channel; from the basic
    // channel the default applet for the new channel, which this card does not have (JCRE
    // 4.5.1; the default application is implicitly selected on the basic channel only, GPCS 6.4.2.1.1).
    const from = origin !== 0 ? this.channels[origin]! : null;
    const candidate = from ? (from.applet ?? from.native) : null;
    if (candidate) {
      let status = this.selectionPolicy?.(candidate.aid) ?? 0x9000;
      if (status === 0x9000) {
        this.onChannel(ch, () => {
          if (isNative(candidate)) {
            // As if selected by its full AID (P2 0C: no response data to give).
            const select = Uint8Array.of(claOnChannel(0x00, ch), 0xa4, 0x04, 0x0c, candidate.aid.length, ...candidate.aid);
            if (!this.selectNative(candidate, select, origin)) status = 0x6999;
            return;
          }
          this.selectingApplet = true;
          try {
            status = this.selectInstance(candidate);
          } finally {
            this.selectingApplet = false;
          }
        });
      }
      if (status !== 0x9000) {
        this.channels[ch] = null;
        return sw(status);
      }
    }
    return p2 === 0 ? Uint8Array.of(ch, 0x90, 0x00) : sw(0x9000);
  }

  /** Run `fn` as the JCRE would on logical channel `ch` (its selection swapped in and saved back). */
  private onChannel(ch: number, fn: () => void): void {
    const saved = [this.currentChannel, this.selected, this.selectedNative] as const;
    const state = this.channels[ch]!;
    this.currentChannel = ch;
    this.selected = state.applet;
    this.selectedNative = state.native;
    try {
      fn();
    } finally {
      state.applet = this.selected;
      state.native = this.selectedNative;
      [this.currentChannel, this.selected, this.selectedNative] = saved;
    }
  }

  /** Call process(apdu) and turn its outcome into a response. */
  private dispatch(inst: AppletInstance): Uint8Array {
    const s = this.apdu;
    if (s.parsed.extended && !inst.cls.isSubclassOf(this.api.cls('javacardx/apdu/ExtendedLength'))) return sw(0x6700);
    let status = 0x9000;
    try {
      this.runApplet(inst.pkg.context, inst, () => this.vm.call(inst.cls.virtual(7)!, [inst.handle, this.apduHandle])); // process(APDU)
    } catch (e) {
      status = this.statusOf(e);
      s.chunks.length = 0;
      s.outBytes = 0;
    }
    if (this.deletionRequested) {
      // JCSystem.requestObjectDeletion: the collection runs when process() has returned.
      this.deletionRequested = false;
      this.collectGarbage();
    }
    return this.response(status);
  }

  /** The status word for an exception that left process(): ISOException's reason, else 6F00. */
  statusOf(e: unknown): number {
    if (e instanceof Thrown) {
      const obj = this.heap.get(e.handle);
      if (obj && obj.cls && obj.cls.isSubclassOf(this.api.cls('javacard/framework/ISOException'))) return (obj.native as number) & 0xffff;
      return 0x6f00;
    }
    if (isHostStop(e)) {
      this.lastHostError = e as Error;
      return 0x6f00;
    }
    throw e;
  }

  /** The last host-side reason a command ended in 6F00 (budget, missing native), for diagnostics. */
  lastHostError: Error | null = null;

  private response(status: number): Uint8Array {
    const s = this.apdu;
    const out = new Uint8Array(s.outBytes + 2);
    let at = 0;
    for (const c of s.chunks) {
      out.set(c, at);
      at += c.length;
    }
    out[at] = status >> 8;
    out[at + 1] = status & 0xff;
    return out;
  }

  describeThrown(handle: number): string {
    const o: HeapObject | undefined = this.heap.get(handle);
    if (!o || !o.cls) return 'an exception';
    const reason = typeof o.native === 'number' ? ` (reason ${o.native})` : '';
    return `${o.cls.name.replace(/\//g, '.')}${reason}`;
  }

  // === GlobalPlatform card manager (runtime/gp) ===========================================
  // The card manager's applications (security domains, the reference installer) are native
  // applications (nativeApps, nativeSources, defaultApplication) under its selectionPolicy; it
  // keeps its registry in JCRE-owned objects named here (roots of the collector, saved in the
  // card image), and deletes applets and packages through the JCRE.

  /** The card manager, for org.globalplatform's natives (runtime/api/globalplatform.ts); null: none. */
  cardManager: object | null = null;
  /** JCRE-owned objects kept by name (the card manager's registry): collector roots, saved in the card image. */
  readonly namedObjects = new Map<string, number>();
  /** Classes of permanent JCRE entry points besides AID (org.globalplatform's GPRegistryEntry, SecureChannel). */
  readonly permanentEntryPointClasses = new Set<VmClass>();
  /** GPSystem.setATRHistBytes: the ATR's historical bytes from the next reset on (set by the Card). */
  atrHistoricalBytes: ((bytes: Uint8Array) => void) | null = null;

  /**
   * INSTALL [for personalization] then STORE DATA (GPCS 11.5.2.3.3, 11.11): the security domain
   * passes `data` to the application's org.globalplatform.Application.processData(buf, off, len),
   * in the applet's context as process() runs, the data in the APDU buffer at offset 5 after the
   * header `header` (4 bytes + Lc). Null when the instance does not implement Application; else
   * the status word (9000, an ISOException's reason, 6F00 for another exception).
   */
  processData(aid: Uint8Array, header: ArrayLike<number>, data: Uint8Array): number | null {
    const inst = this.instanceByAid(aid);
    const method = inst && this.applicationMethod(inst);
    if (!inst || !method || data.length > this.apduBuffer.length - 5) return null;
    this.apduBuffer.fill(0);
    this.apduBuffer.set(Int8Array.from(header, (b) => (b << 24) >> 24), 0);
    this.apduBuffer.set(new Int8Array(data.buffer, data.byteOffset, data.length), 5);
    try {
      this.runApplet(inst.pkg.context, inst, () => this.vm.call(method, [inst.handle, this.apduBufferHandle, 5, data.length]));
    } catch (e) {
      return this.statusOf(e);
    }
    return 0x9000;
  }

  /** Whether the instance `aid` implements org.globalplatform.Application. */
  implementsApplication(aid: Uint8Array): boolean {
    const inst = this.instanceByAid(aid);
    return !!inst && !!this.applicationMethod(inst);
  }

  /** processData of an instance that implements org.globalplatform.Application (interface method token 0). */
  private applicationMethod(inst: AppletInstance): VmMethod | undefined {
    let iface: VmClass;
    try {
      iface = this.api.cls('org/globalplatform/Application');
    } catch {
      return undefined;
    }
    if (!inst.cls.isSubclassOf(iface)) return undefined;
    const token = inst.cls.itables.get(iface)?.[0];
    return token === undefined ? undefined : inst.cls.virtual(token);
  }

  /**
   * Deletes applet instances (all or none) and the objects only they reached (JCRE 11.3). Refused with a
   * DeleteError, the card unchanged, when it is selected or another applet or package still
   * reaches it.
   */
  deleteApplet(aid: Uint8Array, ...more: Uint8Array[]): void {
    const instances = [aid, ...more].map((a) => this.instanceByAid(a) ?? fail(a));
    this.deleteInstances([...new Set(instances)], []);
    function fail(a: Uint8Array): never {
      throw new DeleteError('not-found', `no applet instance with AID ${hex(a)}`);
    }
  }

  /**
   * Deletes a package (and, `withApplets`, its applet instances first, all or none). Refused
   * with a DeleteError, the card unchanged, while another package imports it, instances of it
   * exist (without `withApplets`), or live objects of its classes or its context remain.
   */
  deletePackage(aid: Uint8Array, withApplets = false): void {
    const pkg = this.packages.find((p) => equalBytes(p.linked.pkg.aid, aid));
    if (!pkg) throw new DeleteError('not-found', `no package with AID ${hex(aid)}`);
    const importer = this.packages.find((p) => p !== pkg && p.linked.imports.some((i) => equalBytes(i.pkg.aid, aid)));
    if (importer) throw new DeleteError('in-use', `package ${hex(aid)} is imported by package ${hex(importer.linked.pkg.aid)}`);
    const instances = this.applets.filter((a) => a.pkg === pkg);
    if (instances.length && !withApplets) throw new DeleteError('in-use', `package ${hex(aid)} has applet instances: ${instances.map((a) => hex(a.aid)).join(', ')}`);
    this.deleteInstances(instances, [pkg]);
  }

  private deleteInstances(instances: AppletInstance[], packages: CardPackage[]): void {
    const selected = instances.find((a) => this.isActive(a)); // on any logical channel
    if (selected) throw new DeleteError('in-use', `applet ${hex(selected.aid)} is selected`);
    const marked = this.markReachable({ applets: instances, packages });
    for (const a of instances) {
      if (marked[a.handle]) throw new DeleteError('in-use', `applet ${hex(a.aid)} is still referenced from another context`);
    }
    for (const p of packages) {
      const classes = new Set(p.linked.classesByOffset.values());
      this.heap.objects.forEach((o, h) => {
        if (o && marked[h] && ((o.cls && classes.has(o.cls)) || o.owner === p.context)) {
          throw new DeleteError('in-use', `an object of package ${hex(p.linked.pkg.aid)} (handle ${h}) is still referenced`);
        }
      });
    }
    for (const a of instances) this.applets.splice(this.applets.indexOf(a), 1);
    for (const p of packages) {
      this.packages.splice(this.packages.indexOf(p), 1);
      this.memory.releaseBytes(p.linked.pkg.staticImage);
      this.memory.releaseBytes(p.code);
    }
    this.sweep(marked);
    this.memory.eeprom.coalesce();
  }
  // === end of the GlobalPlatform card manager hook ========================================

  instanceByAid(aid: Uint8Array): AppletInstance | undefined {
    return this.applets.find((a) => equalBytes(a.aid, aid));
  }

  /** The active applet instance (JCSystem.getAID): the one being installed, else the VM's. */
  currentApplet(): AppletInstance | null {
    if (this.installing?.registered && this.context === this.installing.pkg.context) return this.installing.registered;
    return (this.vm.applet as AppletInstance | null) ?? null;
  }

  /** The applet instance active before the last context switch (JCSystem.getPreviousContextAID), null for the JCRE. */
  previousApplet(): AppletInstance | null {
    return (this.vm.previousApplet as AppletInstance | null) ?? null;
  }

  /**
   * JCSystem.getAppletShareableInterfaceObject (JCRE 6.2.7.2): the server's
   * getShareableInterfaceObject(clientAID, parameter) runs in the server's context, one frame
   * below the caller's; null when no instance has the AID. An exception it throws goes on to
   * the client.
   */
  shareableInterfaceObject(serverAid: Uint8Array, parameter: number): number {
    const server = this.instanceByAid(serverAid);
    if (!server) return 0;
    const client = this.currentApplet();
    const vm = this.vm;
    return vm.callInContext(server.cls.virtual(5)!, [server.handle, client?.aidHandle ?? 0, parameter], vm.depth, server.pkg.context, server);
  }

}

const SYS_EXCEPTION_CLASS: Record<SysEx, string> = {
  [SysEx.NullPointer]: 'java/lang/NullPointerException',
  [SysEx.ArrayIndexOutOfBounds]: 'java/lang/ArrayIndexOutOfBoundsException',
  [SysEx.NegativeArraySize]: 'java/lang/NegativeArraySizeException',
  [SysEx.ClassCast]: 'java/lang/ClassCastException',
  [SysEx.Arithmetic]: 'java/lang/ArithmeticException',
  [SysEx.Security]: 'java/lang/SecurityException',
  [SysEx.ArrayStore]: 'java/lang/ArrayStoreException',
  [SysEx.System]: 'javacard/framework/SystemException',
};

/**
 * Host-side reasons an applet's code stops without a Java Card exception: the budget, a
 * native the runtime lacks, a state only invalid code reaches. The card answers 6F00 (or
 * refuses the installation) and stays usable; `lastHostError` keeps the reason.
 */
function isHostStop(e: unknown): boolean {
  return e instanceof BudgetExhausted || e instanceof MissingNative || e instanceof VmCrash;
}

/** API exceptions whose JCRE-owned instance the natives throw (throwIt and the JCRE's own). */
const JCRE_EXCEPTIONS = [
  'javacard/framework/ISOException',
  'javacard/framework/APDUException',
  'javacard/framework/TransactionException',
  'javacard/framework/PINException',
  'javacard/framework/CardException',
  'javacard/framework/CardRuntimeException',
  'javacard/framework/UserException',
  'javacard/security/CryptoException',
];


/** Whether a selection candidate is a native application (else an applet instance). */
function isNative(a: AppletInstance | NativeApplication): a is NativeApplication {
  return 'process' in a;
}
