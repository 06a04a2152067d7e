// The card image on disk (`--card <file>`): the card's whole persistent state in one file,
// written at the end of every APDU that changed it, atomically (temporary file, fsync,
// rename), so that a kill at any moment leaves the previous image or the new one.
//
// File layout (big-endian numbers):
//   [0, 8)     magic "JCVMCARD"
//   [8, 10)    format version
//   [10, 12)   reserved, 0
//   [12, 16)   EEPROM image length E
//   [16, 20)   RAM layout length R
//   [20, 24)   directory length D
//   [24, ...)  the EEPROM image (objects, static field images, allocator, commit buffer:
//              runtime/memory/eeprom.ts), the RAM image with every transient array zeroed
//              (only its layout survives: transient contents are lost at power-down), the
//              directory (UTF-8 JSON: the handle table, the package and applet registries,
//              the JCRE's own objects)
//   [end-32, end)  SHA-256 of everything before it
//
// Decision: each package's CAP components are kept in a code block of the EEPROM image, as
// loaded, and opening an image links them again (the static field images are in the EEPROM
// image and are not initialised again). Object data and static fields are EEPROM bytes too.

import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { equalBytes, fromHex, hex } from '../../loader/bytes.ts';
import { splitComponents } from '../../loader/cap/archive.ts';
import { decodeCap } from '../../loader/cap/decode.ts';
import { link } from '../../loader/link.ts';
import { Heap } from '../../vm/heap.ts';
import { HeapObject, Kind, Transience, type VmClass } from '../../vm/types.ts';
import { loadRecord, saveRecord, type SavedRecord } from '../api/records.ts';
import type { CardPackage, Jcre } from '../jcre.ts';

const MAGIC = 'JCVMCARD';
export const IMAGE_VERSION = 1;
const HEADER = 24;
const DIGEST = 32;

/** A card image that cannot be opened: corrupt, foreign, or of another format. The file is left as it is. */
export class CardImageError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`card image ${file}: ${message}`);
    this.name = 'CardImageError';
  }
}

/** A class as the image names it: an API class by name, a card package's class by package index and Class-component offset. */
type ClassRef = string | [number, number] | null;

/** One handle: [handle, kind, class, in RAM (1) or EEPROM (0), byte offset, length, owner, transience, global (1/0), native record]. */
type ObjectEntry = [number, Kind, ClassRef, 0 | 1, number, number, number, Transience, 0 | 1, SavedRecord];

export interface CardDirectory {
  /** Persistent writes since the card was made. */
  writes: number;
  nextContext: number;
  jcre: { apduBuffer: number; apdu: number; exceptions: [string, number][] };
  packages: {
    /** The package's code block in the EEPROM image: [offset, length] of its components (tag, size, info). */
    code: [number, number];
    path?: string;
    descriptorApplets?: { aid: string; className: string }[];
    context: number;
    /** Byte offset of the static field image in the EEPROM image. */
    staticImage: number;
  }[];
  applets: { aid: string; handle: number; package: number; aidObject: number; cls: ClassRef; className: string }[];
  objects: ObjectEntry[];
  /** Reusable handles below the top, in reuse order. */
  free: number[];
  transients: number[];
  /** Handles made by a transaction that power loss interrupted (dropped by recovery). */
  allocationLog: number[] | null;
  /** Persistent writes of each APDU of the last session (the memory report). */
  writesPerApdu: { command: string; writes: number }[];
  /** The JCRE's named objects (the GlobalPlatform card manager's registry), name -> handle. */
  named?: Record<string, number>;
  /** The card manager's options when the card has one (CardOptions.gp, bytes as hex): reopening brings it back. */
  cardManager?: Record<string, string | number | boolean | null> | null;
}

/** What an image holds, decoded and checked for integrity (not yet for consistency: restoreDirectory does that). */
export interface SavedCard {
  eeprom: ArrayBuffer;
  ram: ArrayBuffer;
  directory: CardDirectory;
}

// --- capture ------------------------------------------------------------------------------

export function captureDirectory(rt: Jcre, writesPerApdu: { command: string; writes: number }[], cardManager: CardDirectory['cardManager'] = null): CardDirectory {
  const pkgIndex = new Map<CardPackage, number>();
  rt.packages.forEach((p, i) => pkgIndex.set(p, i));
  const classOffsets = new Map<VmClass, [number, number]>();
  rt.packages.forEach((p, i) => {
    for (const [offset, cls] of p.linked.classesByOffset) classOffsets.set(cls, [i, offset]);
  });
  const classRef = (cls: VmClass | null, where: string): ClassRef => {
    if (!cls) return null;
    const own = classOffsets.get(cls);
    if (own) return own;
    if (rt.api.classes.get(cls.name) === cls) return cls.name;
    throw new Error(`${where}: class ${cls.name} is neither an API class nor a class of a package on the card`);
  };
  const ram = rt.memory.ram.buffer;
  const own = rt.jcreObjects();
  // The reason in a JCRE-owned exception object lives only until the exception is caught
  // (RAM state): it is not card state, and saving it would rewrite the image at every throw.
  const jcreExceptions = new Set(own.exceptions.map(([, h]) => h));
  const objects: ObjectEntry[] = [];
  rt.heap.objects.forEach((o, h) => {
    if (!o) return;
    const where = `object ${h}`;
    const record = jcreExceptions.has(h) ? 0 : saveRecord(o.native, where);
    objects.push([h, o.kind, classRef(o.cls, where), o.data.buffer === ram ? 1 : 0, o.data.byteOffset, o.data.length, o.owner, o.transience, o.global ? 1 : 0, record]);
  });
  return {
    writes: rt.memory.eeprom.writes,
    nextContext: rt.nextContextId,
    jcre: { apduBuffer: own.apduBuffer, apdu: own.apdu, exceptions: own.exceptions.map(([c, h]) => [c.name, h]) },
    packages: rt.packages.map((p) => {
      const cap = p.linked.cap;
      return {
        code: [p.code.byteOffset, p.code.length],
        ...(cap.packagePath !== undefined ? { path: cap.packagePath } : {}),
        ...(cap.descriptors ? { descriptorApplets: cap.descriptors.applets } : {}),
        context: p.context,
        staticImage: p.linked.pkg.staticImage.byteOffset,
      };
    }),
    applets: rt.applets.map((a) => ({
      aid: hex(a.aid),
      handle: a.handle,
      package: pkgIndex.get(a.pkg)!,
      aidObject: a.aidHandle,
      cls: classRef(a.cls, `applet ${hex(a.aid)}`),
      className: a.cls.name,
    })),
    objects,
    free: rt.heap.freeHandles.slice(),
    transients: rt.transients.slice(),
    allocationLog: rt.memory.eeprom.inTransaction || rt.memory.eeprom.powerLost ? (rt.heap.allocationLog?.slice() ?? null) : null,
    writesPerApdu: writesPerApdu.slice(-1000),
    ...(rt.namedObjects.size ? { named: Object.fromEntries(rt.namedObjects) } : {}),
    ...(cardManager ? { cardManager } : {}),
  };
}

/**
 * A quick fingerprint of what can change the directory: persistent writes, handles taken or
 * freed, the registries, and the records that natives change in place (the crypto objects'
 * class records; plain records and numbers are set once, JCRE exception reasons are not saved).
 * Equal stamps mean an equal directory, so the directory need not be captured.
 */
export function changeStamp(rt: Jcre): string {
  let stamp = `${rt.memory.eeprom.writes}/${rt.heap.mutations}/${rt.packages.length}/${rt.applets.length}/${rt.memory.eeprom.powerLost}`;
  for (const o of rt.heap.objects) {
    const n = o?.native;
    if (n !== null && typeof n === 'object' && Object.getPrototypeOf(n) !== Object.prototype) stamp += JSON.stringify(n);
  }
  return stamp;
}

// --- the file -------------------------------------------------------------------------------

/** The image file's bytes for the card's current state. */
export function encodeImage(rt: Jcre, directory: CardDirectory | string): Uint8Array {
  const dir = Buffer.from(typeof directory === 'string' ? directory : JSON.stringify(directory), 'utf8');
  const eeprom = new Uint8Array(rt.memory.eeprom.buffer);
  // RAM: the layout (block headers) only; transient contents never reach the disk.
  const ram = new Uint8Array(rt.memory.ram.buffer.slice(0));
  for (const o of rt.heap.objects) if (o && o.data.buffer === rt.memory.ram.buffer) ram.fill(0, o.data.byteOffset, o.data.byteOffset + o.data.byteLength);
  const total = HEADER + eeprom.length + ram.length + dir.length + DIGEST;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  v.setUint16(8, IMAGE_VERSION);
  v.setUint32(12, eeprom.length);
  v.setUint32(16, ram.length);
  v.setUint32(20, dir.length);
  let at = HEADER;
  out.set(eeprom, at);
  out.set(ram, (at += eeprom.length));
  out.set(dir, (at += ram.length));
  out.set(createHash('sha256').update(out.subarray(0, total - DIGEST)).digest(), total - DIGEST);
  return out;
}

/** Checks the magic, version, lengths and checksum, and parses the directory. */
export function decodeImage(bytes: Uint8Array, file: string): SavedCard {
  const fail = (msg: string): never => {
    throw new CardImageError(file, msg);
  };
  if (bytes.length < HEADER + DIGEST || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) fail('not a jcvm card image (no JCVMCARD header)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const version = v.getUint16(8);
  if (version !== IMAGE_VERSION) fail(`image format ${version}; this jcvm reads format ${IMAGE_VERSION}`);
  const e = v.getUint32(12), r = v.getUint32(16), d = v.getUint32(20);
  const total = HEADER + e + r + d + DIGEST;
  if (total !== bytes.length) fail(`${bytes.length} bytes, but its header announces ${total} (truncated or extended)`);
  const digest = createHash('sha256').update(bytes.subarray(0, total - DIGEST)).digest();
  if (!equalBytes(digest, bytes.subarray(total - DIGEST))) fail('checksum mismatch: the file is corrupt');
  const copy = (from: number, n: number): ArrayBuffer => bytes.slice(from, from + n).buffer;
  let directory: CardDirectory;
  try {
    directory = JSON.parse(Buffer.from(bytes.subarray(HEADER + e + r, HEADER + e + r + d)).toString('utf8')) as CardDirectory;
  } catch (err) {
    return fail(`directory: ${(err as Error).message}`);
  }
  return { eeprom: copy(HEADER, e), ram: copy(HEADER + e, r), directory };
}

/**
 * Remove the temporary files that writers killed mid-write left beside `file` (a live
 * process's file is left alone). The image itself was never touched by them.
 */
export function removeStaleTemporaries(file: string): void {
  const prefix = `.${basename(file)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(resolve(file)));
  } catch {
    return;
  }
  for (const name of names) {
    const m = name.startsWith(prefix) && name.endsWith('.tmp') ? /^(\d+)$/.exec(name.slice(prefix.length, -4)) : null;
    if (!m || isAlive(Number(m[1]))) continue;
    try {
      unlinkSync(resolve(dirname(resolve(file)), name));
    } catch {
      /* gone already */
    }
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readImageFile(file: string): SavedCard {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new CardImageError(file, (e as Error).message);
  }
  return decodeImage(bytes, file);
}

/** Replace `file` with `bytes` so that a crash at any point leaves the old file or the new one. */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const tmp = resolve(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  // The rename itself is durable once the directory is synced (not every platform allows it).
  try {
    const dfd = openSync(dirname(file), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* directories cannot be opened for fsync here: the rename is still atomic */
  }
}

// --- restore ------------------------------------------------------------------------------

/** The JCRE's own objects, as restored (the Jcre constructor takes them over). */
export interface RestoredJcre {
  apduBuffer: number;
  apdu: number;
  exceptions: [VmClass, number][];
  nextContext: number;
}

/**
 * Rebuild the handle table, the packages (linked again from their components, static images
 * left as the EEPROM holds them) and the applet registry of a fresh Jcre whose memory is the
 * saved EEPROM and RAM. Throws CardImageError naming the first inconsistency.
 */
export function restoreDirectory(rt: Jcre, dir: CardDirectory, file: string): RestoredJcre {
  const fail = (where: string, msg: string): never => {
    throw new CardImageError(file, `directory, ${where}: ${msg}`);
  };
  const isInt = (x: unknown, min = 0, max = 0xffffffff): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
  if (!dir || typeof dir !== 'object' || !Array.isArray(dir.packages) || !Array.isArray(dir.objects) || !Array.isArray(dir.applets)) fail('top', 'missing packages, objects or applets');
  const eeprom = rt.memory.eeprom, ram = rt.memory.ram;

  // Packages, in load order: each links against the API and the packages before it.
  dir.packages.forEach((p, i) => {
    const where = `package ${i}`;
    let raw: Map<number, Uint8Array>;
    const [offset, length] = Array.isArray(p.code) ? p.code : [NaN, NaN];
    if (!isInt(offset, eeprom.heapStart, eeprom.size) || !isInt(length, 1, eeprom.size - offset)) fail(where, `code block ${JSON.stringify(p.code)} is outside persistent memory`);
    const code = new Uint8Array(eeprom.buffer, offset, length);
    try {
      raw = splitComponents(code);
    } catch (e) {
      return fail(where, `code: ${(e as Error).message}`);
    }
    try {
      const cap = decodeCap(raw);
      if (p.path !== undefined) cap.packagePath = p.path;
      if (p.descriptorApplets) cap.descriptors = { applets: p.descriptorApplets };
      const linked = link(cap, rt, {
        staticImage: (size) => {
          if (!isInt(p.staticImage, eeprom.heapStart, eeprom.size - size)) fail(where, `static field image at ${p.staticImage} is outside persistent memory`);
          return new Uint8Array(eeprom.buffer, p.staticImage, size);
        },
        initStaticImage: false,
      });
      if (!isInt(p.context, 1, 0xff)) fail(where, `context ${p.context}`);
      rt.packages.push({ linked, context: p.context, code });
    } catch (e) {
      if (e instanceof CardImageError) throw e;
      return fail(where, (e as Error).message);
    }
  });

  const classOf = (ref: ClassRef, where: string): VmClass | null => {
    if (ref === null) return null;
    if (typeof ref === 'string') return rt.api.classes.get(ref) ?? fail(where, `no API class ${ref}`);
    if (!Array.isArray(ref) || ref.length !== 2) return fail(where, `bad class reference ${JSON.stringify(ref)}`);
    const cls = rt.packages[ref[0]]?.linked.classesByOffset.get(ref[1]);
    return cls ?? fail(where, `no class at offset ${ref[1]} of package ${ref[0]}`);
  };

  // The handle table.
  const objects: (HeapObject | undefined)[] = [undefined];
  for (const entry of dir.objects) {
    const [h, kind, ref, inRam, offset, length, owner, transience, global, record] = entry;
    const where = `object ${JSON.stringify(h)}`;
    if (!isInt(h, 1, 0x7fff) || objects[h] !== undefined) fail(where, 'bad or repeated handle');
    const bpe = { [Kind.Instance]: 2, [Kind.BooleanArray]: 1, [Kind.ByteArray]: 1, [Kind.ShortArray]: 2, [Kind.IntArray]: 4, [Kind.RefArray]: 2 }[kind];
    if (bpe === undefined) fail(where, `kind ${kind}`);
    const mem = inRam === 1 ? ram : eeprom;
    if (!isInt(length, 0, 0x7fff) || !isInt(offset, mem.heapStart, mem.size) || offset % bpe! !== 0 || offset + length * bpe! > mem.size) fail(where, `data at ${offset}, ${length} element(s), outside ${inRam ? 'RAM' : 'persistent memory'}`);
    if (!isInt(owner, 0, 0xff) || !isInt(transience, 0, 2)) fail(where, `owner ${owner}, transience ${transience}`);
    const cls = classOf(ref, where);
    if (kind === Kind.Instance && (!cls || cls.instanceCells !== length)) fail(where, `an instance of ${cls?.name ?? 'no class'} with ${length} cell(s)`);
    const o = new HeapObject(kind, cls, Heap.view(kind, mem.buffer, offset, length), owner, transience);
    o.global = global === 1;
    try {
      o.native = loadRecord(record, where);
    } catch (e) {
      fail(where, (e as Error).message);
    }
    objects[h] = o;
  }
  const free = Array.isArray(dir.free) ? dir.free : fail('free', 'missing');
  // Handles freed above the highest live one (a deleted package's last objects) are still in the table.
  for (const h of free) if (isInt(h, 1, 0x7fff) && h >= objects.length) objects.length = h + 1;
  for (let h = 0; h < objects.length; h++) if (!(h in objects)) objects[h] = undefined;
  for (const h of free) if (!isInt(h, 1, objects.length - 1) || objects[h]) fail('free', `handle ${h} is not free`);
  rt.heap.restore(objects, free);
  const live = (h: unknown, where: string): number => (isInt(h, 1, 0x7fff) && objects[h] ? h : fail(where, `handle ${JSON.stringify(h)} names no object`));

  for (const a of dir.applets) {
    const where = `applet ${a.aid}`;
    const pkg = rt.packages[a.package] ?? fail(where, `no package ${a.package}`);
    const cls = classOf(a.cls, where);
    if (!cls) return fail(where, 'no class');
    if (typeof a.className === 'string' && a.className) cls.name = a.className;
    const aid = fromHex(a.aid);
    if (aid.length < 5 || aid.length > 16 || rt.applets.some((x) => equalBytes(x.aid, aid))) fail(where, 'bad or repeated AID');
    rt.applets.push({ aid, handle: live(a.handle, where), pkg, aidHandle: live(a.aidObject, where), cls });
  }
  for (const h of dir.transients ?? []) rt.transients.push(live(h, 'transients'));
  for (const [name, h] of Object.entries(dir.named ?? {})) rt.namedObjects.set(name, live(h, `named object ${name}`));
  if (dir.allocationLog) rt.heap.allocationLog = dir.allocationLog.map((h) => live(h, 'allocation log'));
  eeprom.writes = isInt(dir.writes) ? dir.writes : 0;
  const exceptions: [VmClass, number][] = (dir.jcre?.exceptions ?? []).map(([name, h]) => [classOf(name, 'JCRE exceptions')!, live(h, `JCRE exception ${name}`)]);
  const nextContext = isInt(dir.nextContext, 1, 0x100) ? dir.nextContext : fail('nextContext', String(dir.nextContext));
  return { apduBuffer: live(dir.jcre?.apduBuffer, 'APDU buffer'), apdu: live(dir.jcre?.apdu, 'APDU object'), exceptions, nextContext };
}
