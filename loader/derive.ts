// What the linker takes from the Descriptor component (JCVM 6.14), rebuilt from the other
// components when a CAP file comes without one (6.14: "not required for execution"; Oracle's
// scriptgen never sends it). Used only then: with a Descriptor the linker reads it as before.
//
//  - class tokens: an exported class's token is its index in the Export component (6.13);
//    other classes have no token anyone can name, so none is invented.
//  - a method's class: the topmost class whose public or package method table lists it
//    (6.8), the class an Export entry lists it under; unknown for static methods,
//    constructors and private methods nothing else names (cosmetic: names in traces).
//  - static or not: static when named by an invokestatic, the Applet component (install) or
//    the Export component, and not by an invokespecial. The Export component lists
//    constructors among its static methods (6.13); one this package never calls is told by
//    its first instructions (aload_0, invokespecial: the superclass constructor call javac
//    puts first; the converter keeps it). The interpreter only asks for invokespecial's
//    receiver check, whose targets (constructors, private and super methods) are never static.
//  - return kind: from the method's own return instructions (areturn/sreturn word, ireturn
//    int, return void); for one without any (abstract, or it always throws) from the methods
//    sharing its virtual method slot (see fillVirtualReturns).

import type { CapFile, ClassInfo } from './cap/components.ts';
import { CpTag, MethodFlags } from './cap/components.ts';
import { readMethodHeader } from './cap/decode/methods.ts';
import { OPCODES, instructionLength } from '../vm/opcodes.ts';
import { RetKind, type VmClass, type VmMethod } from '../vm/types.ts';

export interface DerivedFacts {
  /** Class component offset -> class token (exported classes). */
  classTokens: Map<number, number>;
  /** Method offset -> Class component offset of its class. */
  owners: Map<number, number>;
  /** Method offsets of static methods. */
  statics: Set<number>;
  /** Method offset -> return kind, when the method's code tells it. */
  returns: Map<number, RetKind>;
}

const RETURN_KIND: Record<string, RetKind> = { areturn: RetKind.Word, sreturn: RetKind.Word, ireturn: RetKind.Int, return: RetKind.Void };

export function deriveFacts(cap: CapFile): DerivedFacts {
  const classTokens = new Map<number, number>();
  const owners = new Map<number, number>();
  const statics = new Set<number>();
  const returns = new Map<number, RetKind>();

  const info = cap.method.info;
  cap.export?.class_exports.forEach((ce, token) => {
    classTokens.set(ce.class_offset, token);
    for (const off of ce.static_method_offsets) {
      if (!looksLikeConstructor(info, off)) statics.add(off);
      owners.set(off, ce.class_offset);
    }
  });
  for (const a of cap.applet?.applets ?? []) statics.add(a.install_method_offset);

  // Superclasses first, so a method inherited into a subclass's table keeps its declaring class.
  const byOffset = new Map(cap.class.classes.map((c) => [c.offset, c]));
  const depth = (c: ClassInfo): number => {
    let n = 0;
    for (let s = c.super_class_ref; s?.kind === 'internal'; s = byOffset.get(s.offset)?.super_class_ref ?? null) n++;
    return n;
  };
  for (const c of [...cap.class.classes].sort((a, b) => depth(a) - depth(b))) {
    for (const off of [...c.public_virtual_method_table, ...c.package_virtual_method_table]) {
      if (off !== 0xffff && !owners.has(off)) owners.set(off, c.offset);
    }
  }

  const cp = cap.constantPool.constant_pool;
  const special = new Set<number>();
  for (const m of cap.method.methods) {
    if (m.flags & MethodFlags.ACC_ABSTRACT) continue;
    for (let pc = m.code_offset, end = m.code_offset + m.bytecodes.length; pc < end; ) {
      const op = OPCODES[info[pc]!];
      const len = instructionLength(info, pc, end);
      if (!op || len <= 0) break; // the decoder has already refused malformed code
      const kind = RETURN_KIND[op.name];
      if (kind !== undefined && !returns.has(m.offset)) returns.set(m.offset, kind);
      if (op.name === 'invokestatic' || op.name === 'invokespecial') {
        const e = cp[(info[pc + 1]! << 8) | info[pc + 2]!];
        if (e?.tag === CpTag.StaticMethodref && e.ref.kind === 'internal') (op.name === 'invokestatic' ? statics : special).add(e.ref.offset);
      }
      pc += len;
    }
  }
  for (const off of special) statics.delete(off);
  return { classTokens, owners, statics, returns };
}

/** A constructor's code starts with aload_0 (0x18) and invokespecial (0x8c) of the superclass's. */
function looksLikeConstructor(info: Uint8Array, off: number): boolean {
  const { flags, code_offset } = readMethodHeader(info, off);
  if (flags & MethodFlags.ACC_ABSTRACT) return false;
  return info[code_offset] === 0x18 && info[code_offset + 1] === 0x8c;
}

/**
 * A method without a return instruction (abstract, or one that always throws) takes the return
 * kind of a method in the same virtual method slot: the method it overrides (this package's
 * or an imported one, whose kind the API facts or that package give) or one that overrides it.
 * `unknown` are such methods; a slot where none tells keeps RetKind.Void.
 */
export function fillVirtualReturns(classes: readonly VmClass[], unknown: ReadonlySet<VmMethod>): void {
  if (unknown.size === 0) return;
  const parent = new Map<VmMethod, VmMethod>();
  const find = (m: VmMethod): VmMethod => {
    let r = m;
    while (parent.has(r)) r = parent.get(r)!;
    return r;
  };
  const union = (a: VmMethod, b: VmMethod): void => {
    const ra = find(a), rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const c of classes) {
    const sup = c.superClass;
    if (!sup) continue;
    sup.vtable.forEach((m, t) => {
      const own = c.vtable[t];
      if (m && own) union(own, m);
    });
    if (sup.pkg === c.pkg) {
      sup.ptable.forEach((m, t) => {
        const own = c.ptable[t];
        if (m && own) union(own, m);
      });
    }
  }
  const known = new Map<VmMethod, RetKind>();
  for (const c of classes) {
    for (const m of [...c.vtable, ...c.ptable, ...(c.superClass?.vtable ?? [])]) {
      if (m && !unknown.has(m)) known.set(find(m), m.ret);
    }
  }
  for (const m of unknown) {
    const r = known.get(find(m));
    if (r !== undefined) m.ret = r;
  }
}
