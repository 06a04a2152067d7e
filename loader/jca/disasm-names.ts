// Names for a disassembled CAP file. A CAP keeps no names, so the disassembler makes them up
// from what identifies each thing, such that assembling the text gives the same tokens and
// offsets back:
//   classes  C<offset>, interfaces I<offset>     (Class component offset)
//   virtual methods  v<token> (public), p<token & 0x7f> (package), i<token> (interface)
//   other methods  <init>, install (an applet's), m<offset> (Method component offset)
//   instance fields  f<token>; static fields  s<offset> (image offset)
//   classes of other packages in descriptors  L@<package token>.<class token>; bound by
//   `.descriptor` lines to the tokens.
// Method table rows must carry the same signature as the constant pool entries that name
// them (the assembler matches name and signature), so each virtual method token's signature
// is looked up once here for the whole class hierarchy.

import type { CapFile, ClassRef } from '../cap/components.ts';

export type DecodedClass = CapFile['class']['classes'][number];

export class Names {
  readonly pkgPath: string;
  /** Class component offset → class_info, for the classes (not interfaces). */
  private readonly classes = new Map<number, DecodedClass>();
  private readonly interfaceOffsets = new Set<number>();
  /** Method offset → method descriptor + owning class offset. */
  readonly methodAt = new Map<number, { classOffset: number; flags: number; token: number; typeOffset: number }>();
  /** Static image offset → declaring class offset. */
  readonly staticOwner = new Map<number, number>();
  private readonly installOffsets: Set<number>;
  /** `classOffset:token` → method signature seen in the constant pool. */
  private readonly cpVirtualSigs = new Map<string, string>();

  constructor(
    readonly cap: CapFile,
    pkgPath: string,
  ) {
    this.pkgPath = pkgPath;
    for (const c of cap.class.classes) this.classes.set(c.offset, c);
    for (const i of cap.class.interfaces) this.interfaceOffsets.add(i.offset);
    this.installOffsets = new Set(cap.applet?.applets.map((a) => a.install_method_offset) ?? []);
    for (const cd of cap.descriptor!.classes) {
      if (cd.this_class_ref.kind !== 'internal') continue;
      const owner = cd.this_class_ref.offset;
      for (const m of cd.methods) {
        if (m.method_offset) this.methodAt.set(m.method_offset, { classOffset: owner, flags: m.access_flags, token: m.token, typeOffset: m.type_offset });
      }
      for (const f of cd.fields) {
        if (f.field_ref.kind === 'static' && f.field_ref.ref.kind === 'internal') this.staticOwner.set(f.field_ref.ref.offset, owner);
      }
    }
    cap.constantPool.constant_pool.forEach((e, i) => {
      if ((e.tag === 3 || e.tag === 4) && e.class_ref.kind === 'internal') {
        this.cpVirtualSigs.set(`${e.class_ref.offset}:${e.token}`, this.methodSig(cap.descriptor!.types.constant_pool_types[i]!));
      }
    });
  }

  className(offset: number): string {
    return `${this.interfaceOffsets.has(offset) ? 'I' : 'C'}${offset}`;
  }

  /** A class_ref as JCA writes it in class positions: a name, or `pkg.cls`. */
  classRef(ref: ClassRef): string {
    return ref.kind === 'internal' ? this.className(ref.offset) : `${ref.package_token}.${ref.class_token}`;
  }

  methodName(offset: number): string {
    const m = this.methodAt.get(offset);
    if (!m) return `m${offset}`;
    if (m.flags & 0x80) return '<init>';
    if (m.flags & 0x08) return this.installOffsets.has(offset) ? 'install' : `m${offset}`;
    return m.token === 0xff ? `m${offset}` : this.virtualName(m.token);
  }

  virtualName(token: number, isInterface = false): string {
    if (token === 0xff) return '';
    if (isInterface) return `i${token}`;
    return token & 0x80 ? `p${token & 0x7f}` : `v${token}`;
  }

  /** A decoded type ('S', '[B', 'L0.10;', 'L@001b;') as a Java descriptor with our class names. */
  descriptorType(t: string): string {
    const m = /^(\[?)L(?:(\d+)\.(\d+)|@([0-9a-fA-F]+));$/.exec(t);
    if (!m) return t;
    const name = m[4] !== undefined ? `${this.pkgPath}/${this.className(parseInt(m[4], 16))}` : `@${m[2]}.${m[3]}`;
    return `${m[1]}L${name};`;
  }

  /** A decoded type as a JCA field type: `short`, `byte[]`, `C27`, `0.3[]`. */
  fieldType(t: string): string {
    const prim: Record<string, string> = { Z: 'boolean', B: 'byte', S: 'short', I: 'int' };
    const array = t.startsWith('[');
    const base = array ? t.slice(1) : t;
    let name = prim[base];
    if (!name) {
      const m = /^L(?:(\d+)\.(\d+)|@([0-9a-fA-F]+));$/.exec(base);
      if (!m) throw new Error(`unexpected field type ${t}`);
      name = m[3] !== undefined ? this.className(parseInt(m[3], 16)) : `${m[1]}.${m[2]}`;
    }
    return array ? `${name}[]` : name;
  }

  /** The types at a type descriptor offset. */
  types(offset: number): string[] {
    const t = this.cap.descriptor!.types.decoded?.get(offset);
    if (!t) throw new Error(`no type descriptor at ${offset}`);
    return t;
  }

  methodSig(offset: number): string {
    const t = this.types(offset).map((x) => this.descriptorType(x));
    return `(${t.slice(0, -1).join('')})${t[t.length - 1]}`;
  }

  /** `.descriptor` lines binding the other packages' classes a signature names. */
  bindings(sig: string, indent: string): string[] {
    const out: string[] = [];
    for (const m of sig.matchAll(/L@(\d+)\.(\d+);/g)) {
      const line = `${indent}.descriptor\tL@${m[1]}.${m[2]};\t${m[1]}.${m[2]};`;
      if (!out.includes(line)) out.push(line);
    }
    return out;
  }

  superOf(offset: number): number | undefined {
    const s = this.classes.get(offset)?.super_class_ref;
    return s?.kind === 'internal' ? s.offset : undefined;
  }

  /**
   * Signature of virtual token `token` of class `offset`: its declaration in the class or a
   * superclass of this package, else a constant pool entry naming it on the class or a
   * subclass, else `()V` (a method of another package nobody here calls).
   */
  virtualSig(offset: number, token: number): string {
    for (let c: number | undefined = offset; c !== undefined; c = this.superOf(c)) {
      for (const m of this.methodAt.values()) {
        // Virtual: neither ACC_STATIC (0x08) nor ACC_INIT (0x80).
        if (m.classOffset === c && m.token === token && !(m.flags & 0x88)) return this.methodSig(m.typeOffset);
      }
      const family = [c, ...this.subclasses(c)];
      for (const k of family) {
        const s = this.cpVirtualSigs.get(`${k}:${token}`);
        if (s) return s;
      }
    }
    return '()V';
  }

  private subclasses(offset: number): number[] {
    const out: number[] = [];
    for (const c of this.classes.values()) {
      for (let s = this.superOf(c.offset); s !== undefined; s = this.superOf(s)) {
        if (s === offset) {
          out.push(c.offset);
          break;
        }
      }
    }
    return out;
  }
}
