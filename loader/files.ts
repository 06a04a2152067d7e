// Reading a package from disk in any of the forms developers have: a CAP archive, a folder
// of component files, or JCA text (assembled on the fly).

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { readCapPath } from './cap/archive.ts';
import type { CapFile } from './cap/components.ts';
import { decodeCap } from './cap/decode.ts';
import { assembleJca } from './jca/assemble.ts';

export async function readPackageFile(path: string): Promise<CapFile> {
  if (path.toLowerCase().endsWith('.jca')) {
    const asm = assembleJca(await readFile(path, 'utf8'), { fileName: basename(path) });
    const cap = decodeCap(asm.components);
    cap.packagePath = asm.packagePath;
    return cap;
  }
  return readCapPath(path);
}
