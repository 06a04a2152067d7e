// What the card's memory holds: used and free persistent and transient memory, per package
// (static field images and the objects its applets own) and per applet instance, and the
// persistent writes of each APDU (writes wear EEPROM: a developer wants to see them).

import { hex } from '../../loader/bytes.ts';
import { Kind, Transience } from '../../vm/types.ts';
import type { Jcre } from '../jcre.ts';
import { BlockKind, MANUFACTURING, PAGE, type Eeprom } from './eeprom.ts';

/**
 * The EEPROM cost model: programming a page costs PAGE_PROGRAM_US, each byte BYTE_US more
 * (orders of magnitude of a smart card EEPROM: a page write of a few milliseconds).
 */
export const EEPROM_COST = { pageProgramMicros: 2000, byteMicros: 5 } as const;

function simulatedEepromMicros(pages: number, bytes: number): number {
  return pages * EEPROM_COST.pageProgramMicros + bytes * EEPROM_COST.byteMicros;
}

/** One region of the persistent memory map. */
export interface Region {
  name: string;
  /** Map letter. */
  letter: string;
  bytes: number;
  /** Blocks (heap regions) or 1. */
  blocks: number;
}

const KIND_REGION: Record<number, [string, string]> = {
  0: ['free', '.'],
  [BlockKind.Object]: ['objects', 'o'],
  [BlockKind.StaticImage]: ['static fields', 's'],
  [BlockKind.Code]: ['application code', 'C'],
  [BlockKind.File]: ['files', 'F'],
  [BlockKind.Os]: ['OS data', 'X'],
};

/** The persistent memory as regions (fixed ones, then the heap's blocks by kind) and a picture, `cells` characters wide per row. */
function memoryMap(e: Eeprom, rows = 8, cols = 64): { regions: Region[]; picture: string[] } {
  const fixed: [string, string, number, number][] = [
    ['OS tables', 'T', 0, MANUFACTURING.start],
    ['manufacturing record', 'M', MANUFACTURING.start, MANUFACTURING.size],
    ['commit buffer', 'J', e.journalStart, e.journalSize],
  ];
  const regions = new Map<string, Region>();
  for (const [name, letter, , size] of fixed) regions.set(name, { name, letter, bytes: size, blocks: 1 });
  // One letter per byte range, then one character per cell: the letter that covers most of it.
  const letters = new Uint8Array(e.size);
  for (const [, letter, start, size] of fixed) letters.fill(letter.charCodeAt(0), start, start + size);
  for (const b of e.blocks()) {
    const [name, letter] = KIND_REGION[b.kind] ?? ['unknown', '?'];
    const r = regions.get(name) ?? { name, letter, bytes: 0, blocks: 0 };
    r.bytes += b.size;
    r.blocks++;
    regions.set(name, r);
    letters.fill(letter.charCodeAt(0), b.offset - 4, b.offset - 4 + b.size);
  }
  const cell = Math.max(1, Math.ceil(e.size / (rows * cols)));
  const picture: string[] = [];
  let line = '';
  for (let at = 0; at < e.size; at += cell) {
    const counts = new Map<number, number>();
    for (let i = at; i < Math.min(e.size, at + cell); i++) counts.set(letters[i]!, (counts.get(letters[i]!) ?? 0) + 1);
    let best = 46, n = -1; // '.'
    for (const [c, k] of counts) if (k > n || (k === n && c !== 46)) [best, n] = [c, k];
    line += String.fromCharCode(best);
    if (line.length === cols) {
      picture.push(line);
      line = '';
    }
  }
  if (line) picture.push(line);
  return { regions: [...regions.values()], picture: picture.map((l, i) => `${String(i * cols * cell).padStart(8)} ${l}`).concat([`(one character = ${cell} bytes)`]) };
}

/** The most-programmed pages: [page start offset, program cycles], most worn first. */
function wornPages(e: Eeprom, count = 5): [number, number][] {
  const pages: [number, number][] = [];
  e.pageWrites.forEach((n, i) => {
    if (n) pages.push([i * PAGE, n]);
  });
  return pages.sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, count);
}
import { FsStore } from '../fs/store.ts';

export interface MemoryUse {
  persistent: number;
  transient: number;
  objects: number;
}

export interface MemoryReport {
  persistent: { size: number; used: number; free: number; largestFree: number };
  transient: { size: number; used: number; free: number };
  commitBuffer: { capacity: number };
  jcre: MemoryUse;
  /** The ISO 7816-4 file system (runtime/fs), part of the JCRE's memory, when the card has one. */
  fileSystem?: { bytes: number; files: number };
  packages: { aid: string; name: string; staticImage: number; use: MemoryUse; applets: string[] }[];
  /**
   * Per applet instance: the objects of its package's context that its applet object reaches
   * (objects record their package's context, not the instance that made them; what two
   * instances share, or what only static fields reach, counts for each instance that reaches it).
   */
  applets: { aid: string; package: string; use: MemoryUse }[];
  writesSinceReset: number;
  writesPerApdu: { command: string; writes: number }[];
  /** Regions of persistent memory and a picture of them. */
  map: { regions: Region[]; picture: string[] };
  /** EEPROM wear and its simulated time in this session (null unless CardOptions.eepromWear). */
  eeprom: null | { pagesProgrammed: number; bytesWritten: number; simulatedMs: number; mostWorn: [number, number][]; pageSize: number };
}

/** Object sizes are counted as their data (the allocator's 4-byte block header and padding aside). */
export function memoryReport(rt: Jcre, writesPerApdu: { command: string; writes: number }[]): MemoryReport {
  const byContext = new Map<number, MemoryUse>();
  const use = (ctx: number): MemoryUse => {
    let u = byContext.get(ctx);
    if (!u) byContext.set(ctx, (u = { persistent: 0, transient: 0, objects: 0 }));
    return u;
  };
  for (const o of rt.heap.objects) {
    if (!o) continue;
    const u = use(o.owner);
    u.objects++;
    if (o.transience === Transience.Persistent) u.persistent += o.data.byteLength;
    else u.transient += o.data.byteLength;
  }
  const e = rt.memory.eeprom, ram = rt.memory.ram;
  const ramSize = ram.size - ram.heapStart;
  return {
    persistent: { size: e.size, used: e.size - e.heapStart - e.free, free: e.free, largestFree: e.largestFree },
    transient: { size: ramSize, used: ramSize - ram.free, free: ram.free },
    commitBuffer: { capacity: e.journalCapacity },
    jcre: use(0),
    ...fileSystemUse(rt),
    packages: rt.packages.map((p) => ({
      aid: hex(p.linked.pkg.aid),
      name: p.linked.pkg.name,
      staticImage: p.linked.pkg.staticImage.length,
      use: use(p.context),
      applets: rt.applets.filter((a) => a.pkg === p).map((a) => hex(a.aid)),
    })),
    applets: rt.applets.map((a) => ({ aid: hex(a.aid), package: hex(a.pkg.linked.pkg.aid), use: reachableUse(rt, a.handle, a.pkg.context) })),
    writesSinceReset: writesPerApdu.reduce((n, w) => n + w.writes, 0),
    writesPerApdu: writesPerApdu.slice(),
    map: memoryMap(e),
    eeprom: !e.wearModel ? null : { pagesProgrammed: e.pagesProgrammed, bytesWritten: e.bytesWritten, simulatedMs: simulatedEepromMicros(e.pagesProgrammed, e.bytesWritten) / 1000, mostWorn: wornPages(e), pageSize: PAGE },
  };
}

function fileSystemUse(rt: Jcre): { fileSystem?: { bytes: number; files: number } } {
  const fs = FsStore.find(rt);
  return fs ? { fileSystem: { bytes: fs.object!.data.byteLength, files: fs.files.length } } : {};
}

/** Memory of the objects of `context` that `root` reaches (through reference arrays and reference fields). */
function reachableUse(rt: Jcre, root: number, context: number): MemoryUse {
  const u: MemoryUse = { persistent: 0, transient: 0, objects: 0 };
  const seen = new Set<number>();
  const stack = [root];
  while (stack.length) {
    const h = stack.pop()!;
    const o = rt.heap.get(h);
    if (!o || seen.has(h) || o.owner !== context) continue;
    seen.add(h);
    u.objects++;
    if (o.transience === Transience.Persistent) u.persistent += o.data.byteLength;
    else u.transient += o.data.byteLength;
    if (o.kind === Kind.RefArray) for (let i = 0; i < o.data.length; i++) stack.push(o.data[i]!);
    else if (o.kind === Kind.Instance && o.cls) for (const c of o.cls.refCells) stack.push(o.data[c]! & 0xffff);
  }
  return u;
}

export function formatMemoryReport(r: MemoryReport): string[] {
  const report = r;
  const kib = (n: number): string => (n >= 10240 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
  const lines = [
    `persistent memory: ${kib(r.persistent.used)} used, ${kib(r.persistent.free)} free of ${kib(r.persistent.size)} (largest free block ${kib(r.persistent.largestFree)}); commit buffer ${kib(r.commitBuffer.capacity)}`,
    `transient memory:  ${kib(r.transient.used)} used, ${kib(r.transient.free)} free of ${kib(r.transient.size)}`,
    `JCRE:              ${r.jcre.objects} objects, ${kib(r.jcre.persistent)} persistent, ${kib(r.jcre.transient)} transient`,
  ];
  if (r.fileSystem) lines.push(`  of which the file system: ${kib(r.fileSystem.bytes)}, ${r.fileSystem.files} files (MF, DFs, EFs, secret EFs)`);
  for (const p of r.packages) {
    lines.push(
      `package ${p.name} (${p.aid}): static fields ${kib(p.staticImage)}; ${p.use.objects} objects, ${kib(p.use.persistent)} persistent, ${kib(p.use.transient)} transient${p.applets.length ? `; applets ${p.applets.length > 6 ? `${p.applets.slice(0, 6).join(' ')} and ${p.applets.length - 6} more` : p.applets.join(' ')}` : ''}`,
    );
    for (const a of r.applets.filter((x) => x.package === p.aid)) {
      lines.push(`  applet ${a.aid}: ${a.use.objects} objects reached, ${kib(a.use.persistent)} persistent, ${kib(a.use.transient)} transient`);
    }
  }
  lines.push('persistent memory map:');
  for (const r of report.map.regions) lines.push(`  ${r.letter} ${r.name.padEnd(22)} ${kib(r.bytes).padStart(10)}${r.blocks > 1 ? ` in ${r.blocks} blocks` : ''}`);
  for (const l of report.map.picture) lines.push(`  ${l}`);
  const w = report.eeprom;
  if (w) lines.push(
    `EEPROM wear in this session: ${w.pagesProgrammed} page programs, ${w.bytesWritten} bytes written (simulated programming time ${w.simulatedMs.toFixed(1)} ms at ${EEPROM_COST.pageProgramMicros} µs a page and ${EEPROM_COST.byteMicros} µs a byte); most worn ${w.pageSize}-byte pages: ${w.mostWorn.map(([at, n]) => `${at}: ${n}`).join(', ') || 'none'}`,
  );
  lines.push(`persistent writes since the last power-up: ${r.writesSinceReset}${r.writesPerApdu.length ? ', by APDU:' : ''}`);
  for (const w of r.writesPerApdu) if (w.writes) lines.push(`  ${w.command}: ${w.writes} writes`);
  return lines;
}
