// Acceptance: every JCA file of the corpus assembles to the components of the CAP file the
// converter wrote beside it, byte for byte (all but Debug, which we do not produce).

import { describe, expect, it } from 'vitest';
import { hex } from '../../../loader/bytes.ts';
import { assembleJca } from '../../../loader/jca/index.ts';
import { capBeside, COMPONENT_FILE_NAMES, corpusJcaFiles, readCapComponents, readCorpusText } from './jca-corpus.ts';

const files = corpusJcaFiles();

describe('JCA corpus', () => {
  it('has the JCA files of every build', () => {
    // 13 packages × 3 builds, less crypto's 2.2.2 build (the 2.2.2 converter has no such API).
    expect(files.length).toBe(38);
  });

  it.each(files)('%s assembles to the converter’s components', async (rel) => {
    const asm = assembleJca(readCorpusText(rel), { fileName: rel });
    const real = await readCapComponents(capBeside(rel));
    real.delete('Debug');
    const expected = new Map([...real].map(([name, bytes]) => [name, hex(bytes)]));
    const actual = new Map(
      [...asm.components].map(([tag, bytes]) => [COMPONENT_FILE_NAMES[tag] ?? `tag${tag}`, hex(bytes)]),
    );
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [name, bytes] of expected) expect(actual.get(name), name).toBe(bytes);
    expect(asm.format).toBe(rel.includes('cap-3.1/') ? '2.3' : '2.1');
  });
});
