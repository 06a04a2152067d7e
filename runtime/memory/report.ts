// What the card's memory holds: used and free persistent and transient memory, per package
// (static field images and the objects its applets own) and per applet instance, and the
// persistent writes of each APDU (writes wear EEPROM: a developer wants to see them).

import { hex } from '../../loader/bytes.ts';
import { Transience } from '../../vm/types.ts';
import type { Jcre } from '../jcre.ts';
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
  writesSinceReset: number;
  writesPerApdu: { command: string; writes: number }[];
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
    writesSinceReset: writesPerApdu.reduce((n, w) => n + w.writes, 0),
    writesPerApdu: writesPerApdu.slice(),
  };
}

function fileSystemUse(rt: Jcre): { fileSystem?: { bytes: number; files: number } } {
  const fs = FsStore.find(rt);
  return fs ? { fileSystem: { bytes: fs.object!.data.byteLength, files: fs.files.length } } : {};
}

export function formatMemoryReport(r: MemoryReport): string[] {
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
  }
  lines.push(`persistent writes since the last power-up: ${r.writesSinceReset}${r.writesPerApdu.length ? ', by APDU:' : ''}`);
  for (const w of r.writesPerApdu) if (w.writes) lines.push(`  ${w.command}: ${w.writes} writes`);
  return lines;
}
