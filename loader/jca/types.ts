// Java types as the CAP file encodes them (JCVM spec 6.14 type_descriptor_info, table 6-6): a
// string of nibbles, one per primitive type and `6`/`E` plus the four nibbles of a class_ref
// for references and reference arrays, padded with a zero nibble to whole bytes and
// preceded by the nibble count.

import type { ClassRefAst, TypeAst } from './ast.ts';

/** One element of a type descriptor: a type code and, for references, the class_ref. */
export interface TypeElem {
  code: number;
  classRef?: number;
}

export const TypeCode = {
  void: 0x1,
  boolean: 0x2,
  byte: 0x3,
  short: 0x4,
  int: 0x5,
  reference: 0x6,
  booleanArray: 0xa,
  byteArray: 0xb,
  shortArray: 0xc,
  intArray: 0xd,
  referenceArray: 0xe,
} as const;

const PRIMITIVE: Record<string, number> = { Z: 0x2, B: 0x3, S: 0x4, I: 0x5, V: 0x1 };
const NAME_TO_CHAR: Record<string, string> = { boolean: 'Z', byte: 'B', short: 'S', int: 'I' };

/** Splits a method descriptor `(Ljava/lang/Object;[BS)V` into parameter and return types. */
export function splitMethodSig(sig: string): { params: string[]; ret: string } {
  const close = sig.indexOf(')');
  const params: string[] = [];
  let p = 1;
  while (p < close) {
    let q = p;
    while (sig[q] === '[') q++;
    q = sig[q] === 'L' ? sig.indexOf(';', q) + 1 : q + 1;
    params.push(sig.slice(p, q));
    p = q;
  }
  return { params, ret: sig.slice(close + 1) };
}

/** Words of arguments (an int takes two), not counting `this`. */
export function paramWords(sig: string): number {
  return splitMethodSig(sig).params.reduce((n, t) => n + (t === 'I' ? 2 : 1), 0);
}

/** A descriptor's class name → class_ref, or undefined when unknown. */
export type ClassResolver = (internalName: string) => number | undefined;

/** Encodes one field type (`[B`, `Ljava/lang/Object;`) as elements; throws on an unknown class. */
export function fieldTypeElems(desc: string, resolve: ClassResolver): TypeElem {
  const array = desc.startsWith('[');
  const base = array ? desc.slice(1) : desc;
  if (base.startsWith('L')) {
    const name = base.slice(1, -1);
    const ref = resolve(name);
    if (ref === undefined) throw new UnknownClassError(name);
    return { code: array ? TypeCode.referenceArray : TypeCode.reference, classRef: ref };
  }
  const code = PRIMITIVE[base];
  if (code === undefined || base.length !== 1 || base.startsWith('[')) throw new Error(`bad field type '${desc}'`);
  return { code: array ? code + 8 : code };
}

export class UnknownClassError extends Error {
  constructor(readonly className: string) {
    super(`no class_ref known for ${className}`);
  }
}

export function methodSigElems(sig: string, resolve: ClassResolver): TypeElem[] {
  const { params, ret } = splitMethodSig(sig);
  return [...params, ret].map((t) => fieldTypeElems(t, resolve));
}

export function typeAstElem(t: TypeAst, classRef: (c: ClassRefAst) => number): TypeElem {
  if (t.kind === 'primitive') {
    const code = PRIMITIVE[NAME_TO_CHAR[t.name]!]!;
    return { code: t.array ? code + 8 : code };
  }
  return { code: t.array ? TypeCode.referenceArray : TypeCode.reference, classRef: classRef(t.cls) };
}

/** type_descriptor bytes: nibble_count then the nibbles, high nibble first, zero-padded. */
export function encodeTypeDescriptor(elems: readonly TypeElem[]): Uint8Array {
  const nibbles: number[] = [];
  for (const e of elems) {
    nibbles.push(e.code);
    if (e.classRef !== undefined) {
      const r = e.classRef;
      nibbles.push((r >> 12) & 0xf, (r >> 8) & 0xf, (r >> 4) & 0xf, r & 0xf);
    }
  }
  const out = new Uint8Array(1 + ((nibbles.length + 1) >> 1));
  out[0] = nibbles.length;
  nibbles.forEach((n, i) => {
    out[1 + (i >> 1)]! |= i % 2 === 0 ? n << 4 : n;
  });
  return out;
}

/**
 * Field descriptor `type` of a primitive (JCVM 6.14 table 6-20): 0x8000 | code; for
 * references the caller uses an offset into the type descriptor pool instead.
 */
export function primitiveFieldType(e: TypeElem): number | undefined {
  return e.code >= TypeCode.boolean && e.code <= TypeCode.int ? 0x8000 | e.code : undefined;
}

/** Size in bytes of a static field in the image (JCVM 6.11, table 6-15). */
export function staticFieldSize(t: TypeAst): number {
  return t.kind === 'primitive' && !t.array ? (t.name === 'int' ? 4 : t.name === 'short' ? 2 : 1) : 2;
}

/** Cells (16-bit words) of an instance field (JCVM 6.9 declared_instance_size). */
export function instanceFieldCells(t: TypeAst): number {
  return t.kind === 'primitive' && !t.array && t.name === 'int' ? 2 : 1;
}

export function isReference(t: TypeAst): boolean {
  return t.array || t.kind === 'class';
}
