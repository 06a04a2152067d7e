// disassembleToJca then assembleJca gives back the components of every CAP file of the corpus.

import { describe, expect, it } from 'vitest';
import { hex } from '../../../loader/bytes.ts';
import { assembleJca, disassembleToJca, type CapFormat } from '../../../loader/jca/index.ts';
import { capBeside, COMPONENT_FILE_NAMES, corpusJcaFiles, readCapComponents } from './jca-corpus.ts';

const caps = corpusJcaFiles().map(capBeside);

async function componentsByTag(path: string): Promise<Map<number, Uint8Array>> {
  const byName = await readCapComponents(path);
  const out = new Map<number, Uint8Array>();
  for (const [name, bytes] of byName) {
    const tag = COMPONENT_FILE_NAMES.indexOf(name);
    if (tag > 0) out.set(tag, bytes);
  }
  return out;
}

describe('JCA disassembler round trip', () => {
  it.each(caps.map((p) => [p.slice(p.indexOf('corpus/') + 7), p]))('%s', async (_rel, path) => {
    const components = await componentsByTag(path);
    const text = disassembleToJca(components, { packagePath: 'test/pkg' });
    const header = components.get(1)!;
    const format = `${header[8]}.${header[7]}` as CapFormat;
    const asm = assembleJca(text, { fileName: 'disassembled.jca', format });
    expect([...asm.components.keys()].sort()).toEqual([...components.keys()].sort());
    for (const [tag, bytes] of components) expect(hex(asm.components.get(tag)!), COMPONENT_FILE_NAMES[tag]).toBe(hex(bytes));
    expect(asm.packagePath).toBe('test/pkg');
  });

  it('names the package after its AID when not told', async () => {
    const text = disassembleToJca(await componentsByTag(caps.find((p) => p.endsWith('/echo/echo.cap'))!));
    expect(text).toContain('.package pkgF04A43564D01 {');
    expect(text).toContain('.aid 0xF0:0x4A:0x43:0x56:0x4D:0x1;');
  });
});
