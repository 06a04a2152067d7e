// Every corpus CAP file with its Descriptor component left out, as Oracle's scriptgen leaves it
// out of every download (JCVM 3.0.5 6.14: "not required for execution"); the Directory is kept
// as it is. The loader then derives method boundaries, return kinds, static-ness and class
// tokens from the other components (loader/cap/decode/boundaries.ts, loader/derive.ts):
//  - each CAP decodes into the same methods as with its Descriptor, and links to the same
//    method facts (arguments, return kind, static or not, handlers);
//  - every suite, both builds (suite.json, suite-3.1.json), passes its scripts.

import { describe, expect, it } from 'vitest';
import { readCapPath } from '../../loader/cap/archive.ts';
import type { CapFile } from '../../loader/cap/components.ts';
import { ComponentTag } from '../../loader/cap/components.ts';
import { decodeCap } from '../../loader/cap/decode.ts';
import { readPackageFile } from '../../loader/files.ts';
import type { VmMethod } from '../../vm/types.ts';
import { Card } from '../../runtime/card.ts';
import { runSuite, type Suite } from '../../runtime/script/suite.ts';
import { resolve } from 'node:path';
import { CORPUS_DIR, corpusCapFiles, corpusSuites } from '../corpus.ts';

/** The same CAP file decoded from its components without the Descriptor. */
function stripped(cap: CapFile): CapFile {
  const raw = new Map(cap.raw);
  raw.delete(ComponentTag.Descriptor);
  const out = decodeCap(raw);
  if (cap.packagePath) out.packagePath = cap.packagePath;
  if (cap.descriptors) out.descriptors = cap.descriptors;
  return out;
}

async function cardWithout(suite: Suite): Promise<Card> {
  const card = new Card();
  for (const path of suite.load) card.load(stripped(await readPackageFile(path)));
  for (const i of suite.install) card.install(i.packageAid, i.appletAid, i.instanceAid, i.params);
  return card;
}

const facts = (m: VmMethod): string =>
  `${m.start}..${m.end} nargs ${m.nargs} ret ${m.ret} static ${m.isStatic} abstract ${m.isAbstract} handlers ${m.handlers.map((h) => `${h.start}-${h.end}>${h.handler}`).join(',')}`;

describe('corpus CAP files without the Descriptor component', () => {
  const caps = corpusCapFiles();

  it('decode into the same methods as with it', async () => {
    expect(caps.length).toBeGreaterThanOrEqual(3 * 11);
    for (const path of caps) {
      const cap = await readCapPath(path);
      const without = stripped(cap);
      expect(without.descriptor, path).toBeUndefined();
      const shape = (c: CapFile): string[] => c.method.methods.map((m) => `${m.offset} ${m.code_offset} ${m.bytecodes.length} ${m.nargs}`);
      expect(shape(without), path).toEqual(shape(cap));
    }
  });

  for (const name of corpusSuites()) {
    for (const file of ['suite.json', 'suite-3.1.json']) {
      it(`${name}/${file}: links to the same method facts, and every script passes`, async () => {
        const path = resolve(CORPUS_DIR, name, file);
        const r = await runSuite(path, cardWithout);
        expect(r.scripts.length).toBeGreaterThan(0);
        const failing = r.scripts.filter((s) => !s.passed).map((s) => `${s.script}: ${s.error ?? JSON.stringify(s.firstDiff)}`);
        if (failing.length) expect.fail(failing.join('\n'));
        // The linked methods agree with the Descriptor's, package by package.
        const a = new Card(), b = new Card();
        for (const p of r.suite.load) {
          const cap = await readPackageFile(p);
          a.load(cap);
          b.load(stripped(cap));
        }
        a.jcre.packages.forEach((pa, i) => {
          const pb = b.jcre.packages[i]!;
          expect(pb.linked.methods.map(facts), pa.linked.pkg.name).toEqual(pa.linked.methods.map(facts));
        });
      });
    }
  }
});
