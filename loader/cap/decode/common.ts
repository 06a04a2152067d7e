// What every component decoder shares: the component frame (tag, size), the reference
// encodings several components use (class_ref, static field/method refs, package_info), and the
// DecodeContext through which one component's references into another are checked once both
// are decoded (JCVM 3.0.5 / 3.1 chapter 6, compact format).

import { ByteReader, CapFormatError } from '../../bytes.ts';
import type { ClassRef, CpEntry, PackageInfo, StaticRef } from '../components.ts';
import { COMPONENT_NAMES } from '../components.ts';

export interface CapVersion {
  major: number;
  minor: number;
}

/** Facts about the whole CAP file that a component's references are checked against. */
export interface CrossFacts {
  importCount: number;
  /** Info offsets of the Class component's records. */
  classRecords: ReadonlyMap<number, 'class' | 'interface'>;
  /** Info offsets of method headers in the Method component. */
  methodStarts: ReadonlySet<number>;
  /** Size of the Method component's info. */
  methodInfoSize: number;
  /** Size in bytes of the static field image (Static Field component). */
  staticImageSize: number;
  cp: readonly CpEntry[];
}

type Deferred = { component: string; at: number; check: (f: CrossFacts) => string | undefined };

/**
 * Carries the CAP format version into the decoders (the layouts differ between 2.1, 2.2 and
 * 2.3) and collects the checks that need another component. decodeCap runs them with
 * `finish` once everything is decoded; a decoder used on its own only checks its own component.
 */
export class DecodeContext {
  private readonly deferred: Deferred[] = [];

  constructor(readonly version: CapVersion = { major: 2, minor: 1 }) {}

  /** At least CAP format 2.`minor`. */
  atLeast(minor: number): boolean {
    return this.version.major > 2 || (this.version.major === 2 && this.version.minor >= minor);
  }

  /** Records a check; `check` returns the rule broken, or undefined when it holds. */
  later(component: string, at: number, check: (f: CrossFacts) => string | undefined): void {
    this.deferred.push({ component, at, check });
  }

  /** Runs every recorded check, in the order recorded; throws at the first that fails. */
  finish(facts: CrossFacts): void {
    for (const d of this.deferred) {
      const rule = d.check(facts);
      if (rule !== undefined) throw new CapFormatError(d.component, d.at, rule);
    }
  }
}

/** Where each decoded record was read (component offset), for errors found after decoding. */
const positions = new WeakMap<object, number>();

export function recordAt<T extends object>(record: T, offset: number): T {
  positions.set(record, offset);
  return record;
}

export function positionOf(record: object): number {
  return positions.get(record) ?? 0;
}

export function componentName(tag: number): string {
  return COMPONENT_NAMES[tag] ?? `custom component ${tag}`;
}

/** The size field is a u2, except for the Static Resource component's u4 (JCVM 3.1 6.16). */
export function sizeFieldLength(tag: number): number {
  return tag === 13 ? 4 : 2;
}

/**
 * Opens a component: checks the tag and that the size field matches the bytes given, and
 * returns a reader positioned on the info. Offsets in errors count from the tag byte.
 */
export function openComponent(bytes: Uint8Array, tag: number): ByteReader {
  const name = componentName(tag);
  const r = new ByteReader(bytes, name);
  const t = r.u1('tag');
  if (t !== tag) r.fail(`tag is ${t}, expected ${tag} (${name})`, 0);
  const size = sizeFieldLength(tag) === 4 ? r.u4('size') : r.u2('size');
  if (size !== r.remaining) {
    r.fail(`size field says ${size} byte(s) of info, the component has ${r.remaining}`, 1);
  }
  return r;
}

/** Bytes before the info: tag and size. Info offsets (what components use) = reader offset - this. */
export function infoBase(tag: number): number {
  return 1 + sizeFieldLength(tag);
}

export function formatHex16(v: number): string {
  return '0x' + v.toString(16).padStart(4, '0');
}

/** AIDs are 5 to 16 bytes (ISO 7816-5; JCVM 6.4 package_info). */
export function readAid(r: ByteReader, what: string): Uint8Array {
  const at = r.offset;
  const len = r.u1(`${what} AID_length`);
  if (len < 5 || len > 16) r.fail(`${what} AID_length ${len} is not in 5..16`, at);
  return r.copy(len, `${what} AID`);
}

/** package_info (JCVM 6.4): minor, major, AID. */
export function readPackageInfo(r: ByteReader, what: string): PackageInfo {
  const minor_version = r.u1(`${what} minor_version`);
  const major_version = r.u1(`${what} major_version`);
  const AID = readAid(r, what);
  return { minor_version, major_version, AID };
}

export interface RefChecks {
  ctx: DecodeContext;
  /** Which record kinds an internal reference may name. */
  want?: 'class' | 'interface' | 'any';
}

/**
 * class_ref (JCVM 6.8.1): high bit set = external {package_token | 0x80, class_token};
 * else a 15-bit offset into the Class component's info, which must be a class or interface
 * record (checked once the Class component is decoded).
 */
export function readClassRef(r: ByteReader, what: string, checks: RefChecks): ClassRef {
  const at = r.offset;
  const v = r.u2(what);
  return classRefFrom(v, r.component, at, what, checks);
}

export function classRefFrom(v: number, component: string, at: number, what: string, checks: RefChecks): ClassRef {
  if (v & 0x8000) {
    const package_token = (v >> 8) & 0x7f;
    checks.ctx.later(component, at, (f) =>
      package_token < f.importCount
        ? undefined
        : `${what}: package token ${package_token} is not below the Import component's count ${f.importCount}`,
    );
    return { kind: 'external', package_token, class_token: v & 0xff };
  }
  const want = checks.want ?? 'any';
  checks.ctx.later(component, at, (f) => {
    const kind = f.classRecords.get(v);
    if (kind === undefined) return `${what} ${formatHex16(v)} is not the offset of a class or interface in the Class component`;
    if (want !== 'any' && kind !== want) return `${what} ${formatHex16(v)} names ${article(kind)}, expected ${article(want)}`;
    return undefined;
  });
  return { kind: 'internal', offset: v };
}

/**
 * static_field_ref / static_method_ref (JCVM 6.8.5, 6.8.6): external {package_token | 0x80,
 * class_token, token}, or internal {padding, u2 offset}. The padding byte is
 * method_info_block_index in CAP 2.3, which the compact format requires to be 0.
 */
export function readStaticRef(r: ByteReader, what: string, ctx: DecodeContext, target: 'field' | 'method'): StaticRef {
  const at = r.offset;
  const b0 = r.u1(what);
  if (b0 & 0x80) {
    const package_token = b0 & 0x7f;
    const class_token = r.u1(what);
    const token = r.u1(what);
    ctx.later(r.component, at, (f) =>
      package_token < f.importCount
        ? undefined
        : `${what}: package token ${package_token} is not below the Import component's count ${f.importCount}`,
    );
    return { kind: 'external', package_token, class_token, token };
  }
  if (b0 !== 0) r.fail(`${what}: internal reference with non-zero padding byte ${b0}`, at);
  const offset = r.u2(what);
  if (target === 'field') {
    ctx.later(r.component, at, (f) =>
      offset < f.staticImageSize
        ? undefined
        : `${what}: static field offset ${offset} is outside the static field image (${f.staticImageSize} bytes)`,
    );
  } else {
    ctx.later(r.component, at, (f) =>
      f.methodStarts.has(offset) ? undefined : `${what}: ${formatHex16(offset)} is not the offset of a method in the Method component`,
    );
  }
  return { kind: 'internal', offset };
}

const article = (kind: string): string => (kind === 'interface' ? 'an interface' : 'a class');

/** An offset into another component, as listings write it: @0002. */
export function atOffset(offset: number): string {
  return `@${offset.toString(16).padStart(4, '0')}`;
}

export function formatClassRef(ref: ClassRef | null): string {
  if (ref === null) return 'none';
  return ref.kind === 'internal' ? atOffset(ref.offset) : `${ref.package_token}.${ref.class_token}`;
}

export function formatStaticRef(ref: StaticRef): string {
  return ref.kind === 'internal' ? atOffset(ref.offset) : `${ref.package_token}.${ref.class_token}.${ref.token}`;
}

