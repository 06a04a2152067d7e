// Where the shared conformance corpus lives: ../shared/corpus beside the repository (CI clones
// the repository with ../shared next to it).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CORPUS_DIR = resolve(REPO_ROOT, '../shared/corpus');

/** The suite folder names, in the corpus's order (suites.json). */
export function corpusSuites(): string[] {
  return JSON.parse(readFileSync(resolve(CORPUS_DIR, 'suites.json'), 'utf8')) as string[];
}

/** Every CAP file of the corpus (root: CAP 2.1, cap-3.1/: 2.3, cap-2.2.2/: 2.2.2 converter), sorted. */
export function corpusCapFiles(): string[] {
  const out: string[] = [];
  for (const suite of corpusSuites()) {
    for (const sub of ['', 'cap-3.1', 'cap-2.2.2']) {
      const dir = resolve(CORPUS_DIR, suite, sub);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (f.endsWith('.cap')) out.push(resolve(dir, f));
    }
  }
  return out.sort();
}
