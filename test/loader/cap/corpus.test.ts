// Every corpus CAP (CAP 2.1 from the 3.2 converter at target 3.0.5, 2.1 from the 2.2.2
// converter, 2.3 at target 3.1.0) decodes, and agrees with the converter's own .jca listing.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hex } from '../../../loader/bytes.ts';
import { decodeInstruction } from '../../../loader/cap/bytecode.ts';
import type { CapFile, MethodInfo } from '../../../loader/cap/components.ts';
import { CORPUS_DIR, corpusCapFiles } from '../../corpus.ts';
import { corpusCap } from './helpers.ts';
import { parseJca } from './jca.ts';

/** A method's instructions in the JCA's form: mnemonic, operands, branch targets as "L". */
function normalised(m: MethodInfo): string {
  const out: string[] = [];
  for (let pc = 0; pc < m.bytecodes.length; ) {
    const ins = decodeInstruction(m.bytecodes, pc);
    if (typeof ins === 'string') throw new Error(ins);
    const parts = [ins.op.name];
    if (ins.switch) {
      const table = ins.op.operands === 'T' || ins.op.operands === 'U';
      parts.push('L');
      if (table) parts.push(String(ins.switch.cases[0]!.match), String(ins.switch.cases.at(-1)!.match), ...ins.switch.cases.map(() => 'L'));
      else parts.push(String(ins.switch.cases.length), ...ins.switch.cases.flatMap((c) => [String(c.match), 'L']));
    } else {
      for (const o of ins.operands) parts.push(o.kind === 'o' || o.kind === 'O' ? 'L' : String(o.value));
    }
    out.push(parts.join(' '));
    pc += ins.length;
  }
  return out.join('; ');
}

const files = corpusCapFiles();

describe('corpus CAP files', () => {
  it('finds the three builds of every suite', () => {
    expect(files.length).toBe(38);
    expect(files.filter((f) => f.includes('/cap-3.1/')).length).toBe(13);
    expect(files.filter((f) => f.includes('/cap-2.2.2/')).length).toBe(12);
  });

  describe.each(files.map((f) => relative(CORPUS_DIR, f)))('%s', (rel) => {
    const jca = parseJca(readFileSync(CORPUS_DIR + '/' + rel.replace(/\.cap$/, '.jca'), 'utf8'));
    let cap: CapFile;

    it('decodes', async () => {
      cap = await corpusCap(rel);
      const minor = rel.includes('cap-3.1/') ? 3 : 1;
      expect(cap.header.minor_version).toBe(minor);
      expect(cap.packagePath).toMatch(/^conformance\/\w+$/);
    });

    it('agrees with the .jca on AIDs and counts', async () => {
      cap = await corpusCap(rel);
      expect(hex(cap.header.package.AID)).toBe(jca.packageAid);
      expect((cap.applet?.applets ?? []).map((a) => hex(a.AID))).toEqual(jca.appletAids);
      expect(cap.import.packages.length).toBe(jca.importCount);
      expect(cap.constantPool.constant_pool.length).toBe(jca.cpCount);
      expect(cap.class.classes.length + cap.class.interfaces.length).toBe(jca.classCount);
      expect(cap.descriptor!.classes.reduce((n, c) => n + c.methods.length, 0)).toBe(jca.methodCount);
    });

    it('has the same bytecodes as the .jca, method by method', async () => {
      cap = await corpusCap(rel);
      const ours = cap.method.methods.filter((m) => m.bytecodes.length > 0).map(normalised).sort();
      expect(ours).toEqual([...jca.methods].sort());
    });

    it('has the exception handlers of the .jca', async () => {
      cap = await corpusCap(rel);
      const ours = cap.method.exception_handlers.map((h) => h.catch_type_index).sort((a, b) => a - b);
      expect(ours).toEqual([...jca.catchTypes].sort((a, b) => a - b));
    });
  });
});
