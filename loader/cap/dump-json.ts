// `jcvm cap dump --json`: the parsed CAP file as JSON, component by component, with the field
// names of the CAP specification (as loader/cap/components.ts keeps them). Byte arrays become
// upper-case hex strings, Maps become objects (or arrays of [key, value] pairs when the keys are
// not strings or numbers), bigints become decimal strings. Each method also gets its bytecode
// listing, as `cap dump` prints it; the raw component bytes are left out (the fields hold them).

import { hex } from '../bytes.ts';
import type { CapFile } from './components.ts';
import { disassembleMethod } from './dump.ts';

/** A JSON-safe copy of `value` (see the file comment). */
export function toJsonValue(value: unknown, seen: Set<object> = new Set()): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (value instanceof Uint8Array) return hex(value);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Map) {
      const entries = [...value.entries()];
      if (entries.every(([k]) => typeof k === 'string' || typeof k === 'number')) return Object.fromEntries(entries.map(([k, v]) => [String(k), toJsonValue(v, seen)]));
      return entries.map(([k, v]) => [toJsonValue(k, seen), toJsonValue(v, seen)]);
    }
    if (value instanceof Set) return [...value].map((v) => toJsonValue(v, seen));
    if (Array.isArray(value)) return value.map((v) => toJsonValue(v, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const j = toJsonValue(v, seen);
      if (j !== undefined) out[k] = j;
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** The CAP file as a JSON-safe object: every component, methods with their listings. */
export function capToJson(cap: CapFile): Record<string, unknown> {
  const { raw: _raw, method, ...components } = cap;
  const json = toJsonValue(components) as Record<string, unknown>;
  json.method = {
    exception_handlers: toJsonValue(method.exception_handlers),
    info: hex(method.info),
    methods: method.methods.map((m) => ({
      ...(toJsonValue(m) as Record<string, unknown>),
      listing: disassembleMethod(m.bytecodes, cap.constantPool.constant_pool, cap.descriptor?.types),
    })),
  };
  json.componentTags = [...cap.raw.keys()];
  return json;
}
