// The corpus's JCA files with the converter's CAP beside each, and the CAP's components read
// straight from the archive (not through loader/cap), for byte-for-byte comparisons.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import JSZip from 'jszip';
import { CORPUS_DIR, corpusSuites } from '../../corpus.ts';

export const COMPONENT_FILE_NAMES: readonly string[] = [
  '',
  'Header',
  'Directory',
  'Applet',
  'Import',
  'ConstantPool',
  'Class',
  'Method',
  'StaticField',
  'RefLocation',
  'Export',
  'Descriptor',
];

/** Every .jca of the corpus (root, cap-3.1/, cap-2.2.2/), as paths relative to CORPUS_DIR. */
export function corpusJcaFiles(): string[] {
  const out: string[] = [];
  for (const suite of corpusSuites()) {
    for (const sub of ['', 'cap-3.1', 'cap-2.2.2']) {
      const dir = resolve(CORPUS_DIR, suite, sub);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).sort()) if (f.endsWith('.jca')) out.push([suite, sub, f].filter(Boolean).join('/'));
    }
  }
  return out;
}

export function readCorpusText(rel: string): string {
  return readFileSync(resolve(CORPUS_DIR, rel), 'utf8');
}

/** Components of a CAP archive by file name (`Header`, `Method`, ...), Debug included. */
export async function readCapComponents(capPath: string): Promise<Map<string, Uint8Array>> {
  const zip = await JSZip.loadAsync(readFileSync(capPath));
  const out = new Map<string, Uint8Array>();
  for (const name of Object.keys(zip.files)) {
    const m = /\/javacard\/(\w+)\.cap$/.exec(name);
    if (m) out.set(m[1]!, await zip.file(name)!.async('uint8array'));
  }
  return out;
}

export function capBeside(rel: string): string {
  return resolve(CORPUS_DIR, rel.replace(/\.jca$/, '.cap'));
}
