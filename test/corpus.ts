// Where the shared conformance corpus lives: ../shared/corpus beside the repository (CI clones
// the repository with ../shared next to it).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CORPUS_DIR = resolve(REPO_ROOT, '../shared/corpus');

/** The suite folder names, in the corpus's order (suites.json). */
export function corpusSuites(): string[] {
  return JSON.parse(readFileSync(resolve(CORPUS_DIR, 'suites.json'), 'utf8')) as string[];
}
