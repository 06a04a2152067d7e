// The linker: turns a decoded CAP file into the run-time package the interpreter executes
// (JCVM spec 4.3 tokens and linking, 6.x component semantics). Imports are resolved by
// package AID and version against the packages the card already has (API packages and
// packages loaded before); every constant-pool entry is bound to a class, a field cell,
// a static image offset or a method. Nothing is changed on the card until `commit`.

import { hex } from './bytes.ts';
import type { CapFile, ClassInfo, ClassRef, InterfaceInfo, StaticRef } from './cap/components.ts';
import { PackageFlags } from './cap/components.ts';
import { deriveFacts, fillVirtualReturns } from './derive.ts';
import { OPCODES, instructionLength } from '../vm/opcodes.ts';
import { packageVirtual } from '../vm/ops/objects.ts';
import { CpKind, ResolvedPool, RetKind, VmClass, VmMethod, VmPackage, type ExceptionHandler } from '../vm/types.ts';

/** A package refused at load time: names what could not be linked and where. */
export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

/** What a package offers to the packages that import it (its Export component, or the API facts). */
export interface ExportedPackage {
  readonly pkg: VmPackage;
  classByToken(token: number): VmClass | undefined;
  staticMethod(classToken: number, token: number): VmMethod | undefined;
  staticField(classToken: number, token: number): { image: Uint8Array; offset: number } | undefined;
}

export interface PackageResolver {
  findPackage(aid: Uint8Array): ExportedPackage | undefined;
}

export interface LinkedApplet {
  aid: Uint8Array;
  install: VmMethod;
  /** The applet's class, when it can be told from the install method's owner. */
  cls: VmClass | null;
}

export interface LinkedPackage {
  pkg: VmPackage;
  applets: LinkedApplet[];
  /** What other packages may import (null when the package exports nothing). */
  exports: ExportedPackage | null;
  imports: ExportedPackage[];
  /** Class-component offset -> class, for diagnostics. */
  classesByOffset: Map<number, VmClass>;
  methods: VmMethod[];
  cap: CapFile;
}

/** Makes arrays for the static field image's array_init entries (JCVM 6.10). */
export type ArrayMaker = (type: number, values: Uint8Array) => number;

/** Name of the package as slash-separated path, from the CAP (header name, else archive path). */
function packageName(cap: CapFile): string {
  return cap.header.package_name || cap.packagePath || hex(cap.header.package.AID);
}

export interface LinkOptions {
  /** Where the static field image lives (the card's persistent memory); a fresh array by default. */
  staticImage?: (size: number) => Uint8Array;
  /** Write the non-default values into the static image (default); false when the image already holds the package's state (a card image reopened). */
  initStaticImage?: boolean;
}

export function link(cap: CapFile, resolver: PackageResolver, options: LinkOptions = {}): LinkedPackage {
  const info = cap.header.package;
  const name = packageName(cap);
  const pkg = new VmPackage(name, info.AID, info.major_version, info.minor_version);
  pkg.intSupport = (cap.header.flags & PackageFlags.ACC_INT) !== 0;

  // Imports: same major version, and a minor version at least the one the CAP was built against.
  const imports = cap.import.packages.map((p, i) => {
    const found = resolver.findPackage(p.AID);
    if (!found) {
      throw new LinkError(`Import component: package ${i} (AID ${hex(p.AID)} version ${p.major_version}.${p.minor_version}) is not on the card`);
    }
    if (found.pkg.major !== p.major_version || found.pkg.minor < p.minor_version) {
      throw new LinkError(
        `Import component: package ${i} (AID ${hex(p.AID)}) version ${p.major_version}.${p.minor_version} is incompatible with version ${found.pkg.major}.${found.pkg.minor} on the card`,
      );
    }
    return found;
  });

  const classesByOffset = new Map<number, VmClass>();
  const infoByClass = new Map<VmClass, ClassInfo | InterfaceInfo>();
  // Without a Descriptor, what the linker needs comes from the other components (derive.ts).
  const derived = cap.descriptor ? null : deriveFacts(cap);
  const tokenByOffset = derived?.classTokens ?? new Map<number, number>();
  for (const c of cap.descriptor?.classes ?? []) {
    if (c.this_class_ref.kind === 'internal') tokenByOffset.set(c.this_class_ref.offset, c.token);
  }
  const appletNames = new Map<string, string>();
  for (const a of cap.descriptors?.applets ?? []) appletNames.set(a.aid.toUpperCase(), a.className);

  const makeClass = (rec: ClassInfo | InterfaceInfo, isInterface: boolean): VmClass => {
    const token = tokenByOffset.get(rec.offset) ?? -1;
    const cls = new VmClass(`${name}/${isInterface ? 'Interface' : 'Class'}${token >= 0 ? token : '@' + rec.offset}`, pkg, token);
    cls.isInterface = isInterface;
    classesByOffset.set(rec.offset, cls);
    infoByClass.set(cls, rec);
    return cls;
  };
  for (const i of cap.class.interfaces) makeClass(i, true);
  for (const c of cap.class.classes) makeClass(c, false);

  const classRef = (ref: ClassRef, where: string): VmClass => {
    if (ref.kind === 'internal') {
      const c = classesByOffset.get(ref.offset);
      if (!c) throw new LinkError(`${where}: no class at Class component offset ${ref.offset}`);
      return c;
    }
    const imp = imports[ref.package_token];
    if (!imp) throw new LinkError(`${where}: package token ${ref.package_token} is not imported`);
    const c = imp.classByToken(ref.class_token);
    if (!c) throw new LinkError(`${where}: package ${imp.pkg.name} has no class with token ${ref.class_token}`);
    return c;
  };

  // Methods: one VmMethod per method_info; the Descriptor (or derive.ts) tells owner class, flags and type.
  const methodsByOffset = new Map<number, VmMethod>();
  const methods: VmMethod[] = [];
  const retUnknown = new Set<VmMethod>();
  for (const mi of cap.method.methods) {
    const classOffset = mi.class_offset ?? derived?.owners.get(mi.offset);
    const owner = classOffset !== undefined ? classesByOffset.get(classOffset) ?? null : null;
    const d = mi.descriptor;
    const typeDesc = d ? cap.descriptor?.types.type_desc.get(d.type_offset) : undefined;
    const m = new VmMethod(`method@${mi.offset}${typeDesc ?? ''}`, owner);
    m.pkg = pkg;
    m.code = cap.method.info;
    m.start = mi.code_offset;
    m.end = mi.code_offset + mi.bytecodes.length;
    m.maxStack = mi.max_stack;
    m.maxLocals = mi.nargs + mi.max_locals; // the header counts locals beyond the arguments
    m.nargs = mi.nargs;
    m.isAbstract = (mi.flags & 0x4) !== 0;
    if (derived) {
      m.isStatic = derived.statics.has(mi.offset);
      const ret = derived.returns.get(mi.offset);
      if (ret === undefined) retUnknown.add(m);
      else m.ret = ret;
    } else {
      m.isStatic = d ? (d.access_flags & 0x08) !== 0 : false;
      m.ret = retKindOf(typeDesc);
    }
    methodsByOffset.set(mi.offset, m);
    methods.push(m);
    if (!pkg.intSupport && !m.isAbstract) checkNoIntOpcodes(mi.bytecodes, mi.offset);
  }
  const methodAt = (offset: number, where: string): VmMethod => {
    const m = methodsByOffset.get(offset);
    if (!m) throw new LinkError(`${where}: no method at Method component offset ${offset}`);
    return m;
  };

  // Class hierarchy, instance layout, method tables, in superclass-first order.
  const done = new Set<VmClass>();
  const layout = (cls: VmClass, seen: Set<VmClass>): void => {
    if (done.has(cls)) return;
    if (seen.has(cls)) throw new LinkError(`Class component: class at offset ${infoByClass.get(cls)!.offset} is its own superclass`);
    seen.add(cls);
    const rec = infoByClass.get(cls)!;
    const where = `Class component, offset ${rec.offset}`;
    if (cls.isInterface) {
      const ir = rec as InterfaceInfo;
      const supers = ir.superinterfaces.map((r) => classRef(r, where));
      cls.interfaces = unique(supers.flatMap((s) => [s, ...s.interfaces]));
      cls.isShareable = (ir.flags & 0x4) !== 0 || supers.some((s) => s.isShareable);
      done.add(cls);
      return;
    }
    const cr = rec as ClassInfo;
    const sup = cr.super_class_ref ? classRef(cr.super_class_ref, where) : null;
    if (sup && infoByClass.has(sup)) layout(sup, seen);
    cls.superClass = sup;
    cls.fieldBase = sup ? sup.instanceCells : 0;
    cls.instanceCells = cls.fieldBase + cr.declared_instance_size;
    // Reference fields take consecutive tokens from first_reference_token (JCVM 6.8.1).
    cls.refCells = [...(sup ? sup.refCells : [])];
    for (let i = 0; i < cr.reference_count; i++) cls.refCells.push(cls.fieldBase + cr.first_reference_token + i);
    // Public methods: inherit the superclass's table, then this class's entries from the base token on.
    cls.vtable = sup ? sup.vtable.slice() : [];
    cr.public_virtual_method_table.forEach((off, i) => {
      if (off !== 0xffff) cls.vtable[cr.public_method_table_base + i] = methodAt(off, where);
    });
    // Package methods are visible only inside the package: inherit only from a same-package superclass.
    cls.ptable = sup && sup.pkg === pkg ? sup.ptable.slice() : [];
    cr.package_virtual_method_table.forEach((off, i) => {
      if (off !== 0xffff) cls.ptable[cr.package_method_table_base + i] = methodAt(off, where);
    });
    const direct: VmClass[] = [];
    for (const ii of cr.interfaces) {
      const iface = classRef(ii.interface, where);
      if (infoByClass.has(iface)) layout(iface, seen);
      cls.itables.set(iface, ii.index);
      direct.push(iface, ...iface.interfaces);
    }
    cls.interfaces = unique([...(sup ? sup.interfaces : []), ...direct]);
    cls.isShareable = cls.interfaces.some((i) => i.isShareable);
    done.add(cls);
  };
  for (const cls of classesByOffset.values()) layout(cls, new Set());
  fillVirtualReturns([...classesByOffset.values()], retUnknown);

  // Exception handlers: each belongs to the method whose code holds its start offset.
  const sortedMethods = methods.filter((m) => !m.isAbstract).sort((a, b) => a.start - b.start);
  const cpEntries = cap.constantPool.constant_pool;
  cap.method.exception_handlers.forEach((h, i) => {
    const where = `Method component, exception handler ${i}`;
    const m = sortedMethods.find((x) => h.start_offset >= x.start && h.start_offset < x.end);
    if (!m) throw new LinkError(`${where}: start offset ${h.start_offset} is in no method`);
    let catchType: VmClass | null = null;
    if (h.catch_type_index !== 0) {
      const e = cpEntries[h.catch_type_index];
      if (!e || e.tag !== 1) throw new LinkError(`${where}: catch type index ${h.catch_type_index} is not a Classref`);
      catchType = classRef(e.class_ref, where);
    }
    const eh: ExceptionHandler = { start: h.start_offset, end: h.start_offset + h.active_length, handler: h.handler_offset, catchType };
    m.handlers.push(eh);
  });

  // Static field image; the array_init arrays are made at commit, when the heap may change.
  pkg.staticImage = options.staticImage ? options.staticImage(cap.staticField.image_size) : new Uint8Array(cap.staticField.image_size);
  pkg.staticRefCount = cap.staticField.reference_count;
  {
    const sf = cap.staticField;
    const at = sf.reference_count * 2 + sf.default_value_count;
    if (at + sf.non_default_values.length > pkg.staticImage.length) {
      throw new LinkError(`StaticField component: non-default values (${sf.non_default_values.length} bytes at ${at}) overflow the image of ${sf.image_size} bytes`);
    }
    if (options.initStaticImage !== false) pkg.staticImage.set(sf.non_default_values, at);
  }

  const staticRef = (ref: StaticRef, isMethod: boolean, where: string): { image?: Uint8Array; offset?: number; method?: VmMethod } => {
    if (ref.kind === 'internal') {
      if (isMethod) return { method: methodAt(ref.offset, where) };
      if (ref.offset >= pkg.staticImage.length) throw new LinkError(`${where}: static field offset ${ref.offset} is outside the image of ${pkg.staticImage.length} bytes`);
      return { image: pkg.staticImage, offset: ref.offset };
    }
    const imp = imports[ref.package_token];
    if (!imp) throw new LinkError(`${where}: package token ${ref.package_token} is not imported`);
    if (isMethod) {
      const m = imp.staticMethod(ref.class_token, ref.token);
      if (!m) throw new LinkError(`${where}: ${imp.pkg.name} has no static method with class token ${ref.class_token}, method token ${ref.token}`);
      return { method: m };
    }
    const f = imp.staticField(ref.class_token, ref.token);
    if (!f) throw new LinkError(`${where}: ${imp.pkg.name} has no static field with class token ${ref.class_token}, field token ${ref.token}`);
    return f;
  };

  // The constant pool, bound.
  const cp = new ResolvedPool(cpEntries.length);
  cpEntries.forEach((e, i) => {
    const where = `ConstantPool component, entry ${i}`;
    cp.kind[i] = e.tag;
    switch (e.tag) {
      case CpKind.Class:
        cp.cls[i] = classRef(e.class_ref, where);
        break;
      case CpKind.InstanceField: {
        const c = classRef(e.class_ref, where);
        cp.cls[i] = c;
        cp.index[i] = c.fieldBase + e.token;
        break;
      }
      case CpKind.VirtualMethod:
      case CpKind.SuperMethod: {
        const c = classRef(e.class_ref, where);
        cp.cls[i] = c;
        cp.index[i] = e.token;
        const start = e.tag === CpKind.SuperMethod ? c.superClass : c;
        const target = start ? virtualLookup(start, e.token, pkg) : undefined;
        if (!target) throw new LinkError(`${where}: ${c.name} has no virtual method with token ${e.token}`);
        cp.nargs[i] = target.nargs;
        if (e.tag === CpKind.SuperMethod) cp.method[i] = target;
        break;
      }
      case CpKind.StaticField: {
        const r = staticRef(e.ref, false, where);
        cp.image[i] = r.image!;
        cp.index[i] = r.offset!;
        break;
      }
      case CpKind.StaticMethod: {
        const r = staticRef(e.ref, true, where);
        cp.method[i] = r.method!;
        cp.nargs[i] = r.method!.nargs;
        break;
      }
    }
  });
  pkg.cp = cp;
  pkg.classes = [...classesByOffset.values()];

  const applets: LinkedApplet[] = (cap.applet?.applets ?? []).map((a, i) => {
    const install = methodAt(a.install_method_offset, `Applet component, applet ${i}`);
    return { aid: a.AID, install, cls: install.owner };
  });
  for (const a of applets) {
    const className = appletNames.get(hex(a.aid));
    if (a.cls && className) a.cls.name = className.replace(/\./g, '/');
  }

  let exports: ExportedPackage | null = null;
  if (cap.export) {
    const ex = cap.export.class_exports.map((ce, i) => {
      const where = `Export component, class ${i}`;
      const cls = classesByOffset.get(ce.class_offset);
      if (!cls) throw new LinkError(`${where}: no class at Class component offset ${ce.class_offset}`);
      const fields = ce.static_field_offsets.map((off) => {
        if (off >= pkg.staticImage.length) throw new LinkError(`${where}: static field offset ${off} is outside the image`);
        return off;
      });
      const statics = ce.static_method_offsets.map((off) => methodAt(off, where));
      return { cls, fields, statics };
    });
    exports = {
      pkg,
      classByToken: (t) => ex[t]?.cls,
      staticMethod: (c, t) => ex[c]?.statics[t],
      staticField: (c, t) => {
        const off = ex[c]?.fields[t];
        return off === undefined ? undefined : { image: pkg.staticImage, offset: off };
      },
    };
  }

  return { pkg, applets, exports, imports, classesByOffset, methods, cap };
}

/** Public or package virtual method by token, looked up from `cls` (package tokens within `pkg`). */
export function virtualLookup(cls: VmClass, token: number, pkg: VmPackage): VmMethod | undefined {
  return token & 0x80 ? packageVirtual(cls, token, pkg) : cls.vtable[token];
}

/**
 * Creates the static arrays of the StaticField component's array_init (JCVM 6.10): their
 * references take the first reference slots of the image. Returns the handles made.
 */
export function initStaticArrays(linked: LinkedPackage, makeArray: ArrayMaker): number[] {
  const made: number[] = [];
  const image = linked.pkg.staticImage;
  linked.cap.staticField.array_init.forEach((ai, i) => {
    const h = makeArray(ai.type, ai.values);
    made.push(h);
    image[2 * i] = h >> 8;
    image[2 * i + 1] = h & 0xff;
  });
  return made;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Return kind from a method descriptor "(...)R". */
function retKindOf(desc: string | undefined): RetKind {
  if (!desc) return RetKind.Void;
  const r = desc.slice(desc.lastIndexOf(')') + 1);
  return r === 'V' ? RetKind.Void : r === 'I' ? RetKind.Int : RetKind.Word;
}

/** JCVM 6.4: a package without ACC_INT must not contain int bytecodes. */
function checkNoIntOpcodes(code: Uint8Array, methodOffset: number): void {
  for (let pc = 0; pc < code.length; ) {
    const info = OPCODES[code[pc]!];
    const len = instructionLength(code, pc);
    if (!info || len <= 0) return; // the decoder has already refused malformed code
    if (info.int) {
      throw new LinkError(`Method component, method at offset ${methodOffset}, pc ${pc}: ${info.name} needs int support but the Header lacks ACC_INT`);
    }
    pc += len;
  }
}
