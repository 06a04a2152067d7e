// CAP file mutation for the robustness tests: a seeded PRNG, corpus CAP archives read into
// components, AIDs made unique per variant, and the corruptions (truncate a component, flip
// bytes, change a size field or a count, delete a component, corrupt the ZIP archive).

import { readFileSync } from 'node:fs';
import JSZip from 'jszip';
import { hex } from '../../loader/bytes.ts';

/** mulberry32: a small deterministic PRNG. */
export function prng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: (xs) => xs[int(xs.length)]! };
}

const NAMES = ['', 'Header', 'Directory', 'Applet', 'Import', 'ConstantPool', 'Class', 'Method', 'StaticField', 'RefLocation', 'Export', 'Descriptor', 'Debug', 'StaticResources'];
const TAG_OF = new Map(NAMES.map((n, i) => [n, i]));

export interface Source {
  path: string;
  /** `<pkg>/javacard` */
  dir: string;
  /** component bytes by tag */
  components: Map<number, Uint8Array>;
  /** other archive files kept: META-INF/javacard.xml, APPLET-INF/applet.xml */
  others: Map<string, Uint8Array>;
}

export async function readSource(path: string): Promise<Source> {
  const zip = await JSZip.loadAsync(readFileSync(path));
  const components = new Map<number, Uint8Array>();
  const others = new Map<string, Uint8Array>();
  let dir = '';
  for (const f of Object.values(zip.files)) {
    if (f.dir) continue;
    const m = /^(.*\/javacard)\/([A-Za-z]+)\.cap$/.exec(f.name);
    if (m && TAG_OF.has(m[2]!)) {
      dir = m[1]!;
      components.set(TAG_OF.get(m[2]!)!, await f.async('uint8array'));
    } else if (f.name === 'META-INF/javacard.xml' || f.name === 'APPLET-INF/applet.xml') {
      others.set(f.name, await f.async('uint8array'));
    }
  }
  return { path, dir, components, others };
}

const sizeLen = (tag: number): number => (tag === 13 ? 4 : 2);
const infoAt = (tag: number): number => 1 + sizeLen(tag);

/** Gives the package and its applets AIDs of their own (same RID and length; last PIX bytes changed). */
export function uniquify(src: Source, n: number, takenPackages: Set<string>): { components: Map<number, Uint8Array>; others: Map<string, Uint8Array> } {
  const components = new Map([...src.components].map(([t, b]) => [t, b.slice()]));
  const others = new Map(src.others);
  const header = components.get(1)!;
  const len = header[12]!;
  const aid = header.subarray(13, 13 + len);
  if (len === 6) {
    // one PIX byte: the first value from 0x40 up that no package on the card has
    for (let v = 0x40; v <= 0xff; v++) {
      aid[5] = v;
      if (!takenPackages.has(hex(aid))) break;
    }
  } else if (len >= 7) {
    aid[len - 2] = 0x80 | ((n >> 8) & 0x7f);
    aid[len - 1] = n & 0xff;
  }
  const applet = components.get(3);
  if (applet) {
    let xml = others.has('APPLET-INF/applet.xml') ? new TextDecoder().decode(others.get('APPLET-INF/applet.xml')) : undefined;
    let at = 4;
    for (let i = 0; i < applet[3]!; i++) {
      const l = applet[at]!;
      const a = applet.subarray(at + 1, at + 1 + l);
      const before = hex(a);
      if (l >= 7) {
        a[l - 2] = 0xc0 | ((n >> 8) & 0x3f);
        a[l - 1] = (n + i) & 0xff;
      }
      if (xml) xml = xml.replace(`//aid/${before.slice(0, 10)}/${before.slice(10)}`, `//aid/${hex(a).slice(0, 10)}/${hex(a).slice(10)}`);
      at += 1 + l + 2;
    }
    if (xml) others.set('APPLET-INF/applet.xml', new TextEncoder().encode(xml));
  }
  return { components, others };
}

/** Offsets (from the component's tag byte) and widths of count fields, per component tag. */
function countFields(tag: number, format: string): [number, number][] {
  const i = infoAt(tag);
  switch (tag) {
    case 2: {
      const sizes = format === '2.3' ? 28 : format === '2.2' ? 24 : 22;
      return [[i + sizes + 6, 1], [i + sizes + 7, 1], [i + sizes + 8, 1], [i + sizes, 2], [i + sizes + 2, 2], [i + sizes + 4, 2]];
    }
    case 3: case 4: case 7: case 10: case 11: return [[i, 1]];
    case 5: case 9: return [[i, 2]];
    case 8: return [[i, 2], [i + 2, 2], [i + 4, 2]];
    default: return [];
  }
}

export type Kind = 'truncate' | 'flip' | 'size' | 'count' | 'delete' | 'zip';
const KINDS: Kind[] = ['truncate', 'flip', 'flip', 'size', 'count', 'count', 'delete', 'zip'];

export interface Variant {
  kind: Kind;
  what: string;
  bytes: Uint8Array;
}

export async function makeVariant(src: Source, n: number, rnd: ReturnType<typeof prng>, taken: Set<string>): Promise<Variant> {
  const { components, others } = uniquify(src, n, taken);
  const header = components.get(1)!;
  const format = `${header[3 + 5]}.${header[3 + 4]}`;
  let kind = rnd.pick(KINDS);

  const tags = [...components.keys()];
  // Flips go to the Method component half of the time: most survive decoding there, and then
  // reach the linker, install() and the interpreter.
  let tag = kind === 'flip' && components.has(7) && rnd.next() < 0.5 ? 7 : rnd.pick(tags);
  let what = '';
  switch (kind) {
    case 'truncate': {
      const c = components.get(tag)!;
      const keep = rnd.int(c.length);
      const t = c.slice(0, keep);
      const fixSize = rnd.next() < 0.5 && keep >= infoAt(tag);
      if (fixSize) new DataView(t.buffer).setUint16(1, keep - 3); // a consistent but shorter component
      components.set(tag, t);
      what = `${NAMES[tag]} cut to ${keep} of ${c.length} bytes${fixSize ? ' (size field fixed)' : ''}`;
      break;
    }
    case 'flip': {
      const c = components.get(tag)!;
      const k = 1 + rnd.int(4);
      const at: number[] = [];
      for (let j = 0; j < k; j++) {
        const p = rnd.int(c.length);
        c[p] = c[p]! ^ (1 + rnd.int(255));
        at.push(p);
      }
      what = `${NAMES[tag]} bytes ${at.join(',')} flipped`;
      break;
    }
    case 'size': {
      const c = components.get(tag)!;
      const dv = new DataView(c.buffer, c.byteOffset);
      const old = tag === 13 ? dv.getUint32(1) : dv.getUint16(1);
      const delta = rnd.pick([-3, -2, -1, 1, 2, 3, 64, -64]);
      const v = rnd.next() < 0.2 ? rnd.int(0x10000) : Math.max(0, old + delta) & 0xffff;
      if (tag === 13) dv.setUint32(1, v);
      else dv.setUint16(1, v);
      what = `${NAMES[tag]} size ${old} -> ${v}`;
      break;
    }
    case 'count': {
      const candidates = tags.filter((t) => countFields(t, format).some(([o, w]) => o + w <= components.get(t)!.length));
      tag = rnd.pick(candidates);
      const c = components.get(tag)!;
      const [o, w] = rnd.pick(countFields(tag, format).filter(([o2, w2]) => o2 + w2 <= c.length));
      const dv = new DataView(c.buffer, c.byteOffset);
      const old = w === 1 ? dv.getUint8(o) : dv.getUint16(o);
      const max = w === 1 ? 0xff : 0xffff;
      const v = rnd.pick([0, max, old + 1, old - 1, old + 2, old * 2, rnd.int(max + 1)]) & max;
      if (w === 1) dv.setUint8(o, v);
      else dv.setUint16(o, v);
      what = `${NAMES[tag]} count at ${o} ${old} -> ${v}`;
      break;
    }
    case 'delete': {
      components.delete(tag);
      what = `${NAMES[tag]} deleted`;
      break;
    }
    case 'zip':
      what = 'archive';
      break;
  }
  const zip = new JSZip();
  const date = new Date(Date.UTC(2026, 0, 1));
  for (const [t, b] of [...components].sort((x, y) => x[0] - y[0])) zip.file(`${src.dir}/${NAMES[t]}.cap`, b, { date });
  for (const [name, b] of others) zip.file(name, b, { date });
  let bytes = await zip.generateAsync({ type: 'uint8array', compression: kind === 'zip' ? 'DEFLATE' : 'STORE' });
  if (kind === 'zip') {
    const r = rnd.int(3);
    if (r === 0) {
      const keep = rnd.int(bytes.length);
      bytes = bytes.slice(0, keep);
      what = `archive cut to ${keep} of ${bytes.length} bytes`;
    } else {
      const k = 1 + rnd.int(r === 1 ? 2 : 8);
      const at: number[] = [];
      for (let j = 0; j < k; j++) {
        // r = 1: anywhere; r = 2: in the central directory / end record (last 30%)
        const p = r === 1 ? rnd.int(bytes.length) : bytes.length - 1 - rnd.int(Math.ceil(bytes.length * 0.3));
        bytes[p] = bytes[p]! ^ (1 + rnd.int(255));
        at.push(p);
      }
      what = `archive bytes ${at.join(',')} flipped`;
    }
    kind = 'zip';
  }
  return { kind, what, bytes };
}

