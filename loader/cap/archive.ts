// Getting at a CAP file's components: the CAP (JAR/ZIP) archive with the components as
// <package path>/javacard/<Name>.cap (JCVM 6.2), a directory of loose component files, or the
// components simply concatenated (the form a card receives them in, JCVM 6.1). Java Card 3
// converters add META-INF/javacard.xml and APPLET-INF/applet.xml, which are read and checked
// against the components.

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import { CapFormatError, hex } from '../bytes.ts';
import type { CapFile } from './components.ts';
import { COMPONENT_NAMES } from './components.ts';
import { sizeFieldLength } from './decode/common.ts';
import { decodeCap } from './decode.ts';

/** Component tags by file name (Header.cap … StaticResources.cap). */
export const COMPONENT_FILES: ReadonlyMap<string, number> = new Map(
  Object.entries(COMPONENT_NAMES).map(([tag, name]) => [`${name}.cap`, Number(tag)]),
);

const ZIP_SIGNATURES = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
];

function isZip(bytes: Uint8Array): boolean {
  return ZIP_SIGNATURES.some((sig) => sig.every((b, i) => bytes[i] === b));
}

/** A CAP archive, a directory-less raw concatenation of components: chosen by the ZIP signature. */
export async function readCap(bytes: Uint8Array, name = 'CAP file'): Promise<CapFile> {
  return isZip(bytes) ? readCapArchive(bytes, name) : decodeCap(splitComponents(bytes));
}

/** Reads a CAP archive, a raw component file, or a directory of component files from disk. */
export async function readCapPath(path: string): Promise<CapFile> {
  if ((await stat(path)).isDirectory()) return readCapDirectory(path);
  return readCap(new Uint8Array(await readFile(path)), path);
}

/**
 * Splits a concatenation of components (tag u1, size u2 — u4 for Static Resources — info) into
 * a map by tag. Each tag may appear once.
 */
export function splitComponents(bytes: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let at = 0;
  while (at < bytes.length) {
    const tag = bytes[at]!;
    if (!(tag >= 1 && tag <= 13) && tag < 128) throw new CapFormatError('CAP file', at, `unknown component tag ${tag}`);
    const n = sizeFieldLength(tag);
    if (at + 1 + n > bytes.length) throw new CapFormatError('CAP file', at, `truncated: component ${tag} has no complete size field`);
    let size = 0;
    for (let k = 0; k < n; k++) size = size * 256 + bytes[at + 1 + k]!;
    const end = at + 1 + n + size;
    if (end > bytes.length) {
      throw new CapFormatError('CAP file', at, `truncated: component ${tag} declares ${size} byte(s), ${bytes.length - at - 1 - n} left`);
    }
    if (out.has(tag)) throw new CapFormatError('CAP file', at, `component ${tag} appears twice`);
    out.set(tag, bytes.slice(at, end));
    at = end;
  }
  return out;
}

export async function readCapArchive(bytes: Uint8Array, name = 'CAP file'): Promise<CapFile> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (e) {
    throw new Error(`not a CAP file: ${name}: ${(e as Error).message}`);
  }
  const components = new Map<number, Uint8Array>();
  let packagePath: string | undefined;
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    const m = /^(?:(.*)\/)?javacard\/([^/]+)$/.exec(entry.name);
    const tag = m ? COMPONENT_FILES.get(m[2]!) : undefined;
    if (!m || tag === undefined) continue; // class files, manifests, anything else
    const path = m[1] ?? '';
    if (packagePath !== undefined && path !== packagePath) {
      throw new Error(`not a CAP file: ${name}: components of two packages (${packagePath}, ${path})`);
    }
    packagePath = path;
    components.set(tag, await entry.async('uint8array'));
  }
  if (packagePath === undefined) throw new Error(`not a CAP file: ${name}: no <package>/javacard/*.cap components`);
  const cap = decodeCap(components);
  cap.packagePath = packagePath;
  const xml = async (p: string): Promise<string | undefined> => zip.file(p)?.async('string');
  attachDescriptors(cap, await xml('META-INF/javacard.xml'), await xml('APPLET-INF/applet.xml'));
  return cap;
}

/**
 * A directory holding the component files (Header.cap …), either directly or as an unpacked
 * archive (<package path>/javacard/*.cap, with META-INF/ and APPLET-INF/ beside).
 */
export async function readCapDirectory(dir: string): Promise<CapFile> {
  const found = await findComponentDir(dir, 6);
  if (found === undefined) throw new Error(`not a CAP file: ${dir}: no Header.cap in it or below it`);
  const components = new Map<number, Uint8Array>();
  for (const file of await readdir(found)) {
    const tag = COMPONENT_FILES.get(file);
    if (tag !== undefined) components.set(tag, new Uint8Array(await readFile(join(found, file))));
  }
  const cap = decodeCap(components);
  const rel = relative(dir, found).split(sep).join('/');
  if (rel.endsWith('javacard')) cap.packagePath = rel.replace(/\/?javacard$/, '');
  const xml = async (p: string): Promise<string | undefined> => readFile(join(dir, p), 'utf8').catch(() => undefined);
  attachDescriptors(cap, await xml('META-INF/javacard.xml'), await xml('APPLET-INF/applet.xml'));
  return cap;
}

async function findComponentDir(dir: string, depth: number): Promise<string | undefined> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name === 'Header.cap')) return dir;
  if (depth === 0) return undefined;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const found = await findComponentDir(join(dir, e.name), depth - 1);
    if (found) return found;
  }
  return undefined;
}

const APPLET_XML = 'APPLET-INF/applet.xml';

/**
 * Fills CapFile.descriptors from the Java Card 3 deployment descriptors and checks that the
 * applets of applet.xml are exactly those of the Applet component.
 */
export function attachDescriptors(cap: CapFile, javacardXml?: string, appletXml?: string): void {
  if (javacardXml === undefined && appletXml === undefined) return;
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });
  const parse = (text: string, file: string): unknown => {
    try {
      return parser.parse(text, true);
    } catch (e) {
      throw new CapFormatError(file, 0, `not well-formed XML: ${(e as Error).message}`);
    }
  };
  const descriptors: NonNullable<CapFile['descriptors']> = { applets: [] };
  if (javacardXml !== undefined) descriptors.javacardXml = parse(javacardXml, 'META-INF/javacard.xml');
  if (appletXml !== undefined) {
    const doc = parse(appletXml, APPLET_XML) as { 'applet-app'?: { applet?: unknown } };
    const app = doc['applet-app'];
    if (app === undefined || typeof app !== 'object') throw new CapFormatError(APPLET_XML, 0, 'no <applet-app> root element');
    descriptors.appletXml = doc;
    const list = app.applet === undefined ? [] : Array.isArray(app.applet) ? app.applet : [app.applet];
    for (const a of list as Record<string, unknown>[]) {
      const className = String(a['applet-class'] ?? '');
      const aidText = String(a['applet-AID'] ?? '');
      if (!className) throw new CapFormatError(APPLET_XML, 0, 'an <applet> without <applet-class>');
      descriptors.applets.push({ aid: parseAidUri(aidText), className });
    }
    const inXml = new Set(descriptors.applets.map((a) => a.aid));
    const inCap = new Set((cap.applet?.applets ?? []).map((a) => hex(a.AID)));
    for (const aid of inXml) {
      if (!inCap.has(aid)) throw new CapFormatError(APPLET_XML, 0, `applet AID ${aid} is not in the Applet component`);
    }
    for (const aid of inCap) {
      if (!inXml.has(aid)) throw new CapFormatError(APPLET_XML, 0, `the Applet component's applet AID ${aid} is not in applet.xml`);
    }
  }
  cap.descriptors = descriptors;
}

/** //aid/<RID>/<PIX> (Java Card 3 deployment descriptors) to upper-case hex of RID + PIX. */
export function parseAidUri(text: string): string {
  const m = /^\/\/aid\/([0-9A-Fa-f]{10})\/([0-9A-Fa-f]{0,22})$/.exec(text.trim());
  if (!m || m[2]!.length % 2) throw new CapFormatError(APPLET_XML, 0, `applet-AID '${text}' is not //aid/<5-byte RID>/<PIX>`);
  return (m[1]! + m[2]!).toUpperCase();
}

