// Shared by the CAP loader tests: reading corpus CAPs, and editing one component of a decoded
// CAP (keeping the size fields and the Directory consistent unless told otherwise) to build
// malformed inputs.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readCap } from '../../../loader/cap/archive.ts';
import type { CapFile } from '../../../loader/cap/components.ts';
import { CORPUS_DIR } from '../../corpus.ts';

export function corpusBytes(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(resolve(CORPUS_DIR, rel)));
}

const cache = new Map<string, CapFile>();

/** A corpus CAP, decoded once per test file. */
export async function corpusCap(rel: string): Promise<CapFile> {
  let cap = cache.get(rel);
  if (!cap) {
    cap = await readCap(corpusBytes(rel), rel);
    cache.set(rel, cap);
  }
  return cap;
}

/** A fresh copy of a corpus CAP's components, to edit. */
export async function components(rel: string): Promise<Map<number, Uint8Array>> {
  const cap = await corpusCap(rel);
  return new Map([...cap.raw].map(([tag, b]) => [tag, b.slice()]));
}

/** Rewrites a u2 (or u4) size field and the Directory's entry for that component. */
export function fixSizes(map: Map<number, Uint8Array>, tag: number): void {
  const b = map.get(tag)!;
  const wide = tag === 13;
  const size = b.length - (wide ? 5 : 3);
  if (wide) new DataView(b.buffer, b.byteOffset).setUint32(1, size);
  else new DataView(b.buffer, b.byteOffset).setUint16(1, size);
  const dir = map.get(2)!;
  if (tag !== 2 && tag <= 12) new DataView(dir.buffer, dir.byteOffset).setUint16(3 + 2 * (tag - 1), size);
}

/** Replaces a component's bytes via `edit` and, by default, fixes up the sizes. */
export function edited(
  map: Map<number, Uint8Array>,
  tag: number,
  edit: (b: Uint8Array) => Uint8Array | void,
  sizes = true,
): Map<number, Uint8Array> {
  const out = new Map(map);
  const b = out.get(tag)!.slice();
  out.set(tag, edit(b) ?? b);
  if (sizes) fixSizes(out, tag);
  return out;
}

/** bytes with `insert` spliced in at `at` (replacing `remove` bytes). */
export function splice(b: Uint8Array, at: number, remove: number, insert: number[] = []): Uint8Array {
  return Uint8Array.from([...b.subarray(0, at), ...insert, ...b.subarray(at + remove)]);
}

export function setU2(b: Uint8Array, at: number, v: number): void {
  b[at] = v >> 8;
  b[at + 1] = v & 0xff;
}
