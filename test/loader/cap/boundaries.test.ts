// Method boundaries without a Descriptor component (loader/cap/decode/boundaries.ts): the walk
// from the starts other components name, and what it refuses; the dump and the JCA
// disassembler on such a CAP file.

import { describe, expect, it } from 'vitest';
import { ComponentTag } from '../../../loader/cap/components.ts';
import { decodeCap } from '../../../loader/cap/decode.ts';
import { dumpCap } from '../../../loader/cap/dump.ts';
import { disassembleToJca } from '../../../loader/jca/disassemble.ts';
import { components, corpusCap, setU2 } from './helpers.ts';

const ECHO = 'echo/echo.cap';

async function withoutDescriptor(rel: string): Promise<Map<number, Uint8Array>> {
  const map = await components(rel);
  map.delete(ComponentTag.Descriptor);
  return map;
}

describe('method boundaries without a Descriptor', () => {
  it('finds the same methods, including those no other component names (laid out between the others)', async () => {
    const map = await withoutDescriptor(ECHO);
    const shape = (ms: { offset: number; bytecodes: Uint8Array }[]): string[] => ms.map((m) => `${m.offset}+${m.bytecodes.length}`);
    expect(shape(decodeCap(map).method.methods)).toEqual(shape((await corpusCap(ECHO)).method.methods));
  });

  it('refuses a method reference that points into the code of another method', async () => {
    const map = await withoutDescriptor(ECHO);
    const applet = map.get(ComponentTag.Applet)!.slice();
    setU2(applet, 12, 60); // install() is at 56, its code at 58..67
    map.set(ComponentTag.Applet, applet);
    expect(() => decodeCap(map)).toThrow(/Method component, offset \d+: the method at 0x0038 runs into the method at 0x003c/);
  });

  it('refuses a method reference outside the methods', async () => {
    const map = await withoutDescriptor(ECHO);
    const applet = map.get(ComponentTag.Applet)!.slice();
    setU2(applet, 12, 0x7000);
    map.set(ComponentTag.Applet, applet);
    expect(() => decodeCap(map)).toThrow(/a method reference names offset 0x7000, which is not inside the Method component's methods/);
  });

  it('dumps the CAP file with the Descriptor marked absent; the JCA form needs it', async () => {
    const map = await withoutDescriptor(ECHO);
    expect(dumpCap(decodeCap(map))).toContain('Descriptor: absent (method boundaries derived from the other components)');
    expect(() => disassembleToJca(map)).toThrow('the JCA form needs the Descriptor component');
  });
});
