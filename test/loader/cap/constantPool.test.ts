// Constant Pool component (JCVM 6.8): entries, and references that must land on the right
// thing in other components.

import { describe, expect, it } from 'vitest';
import { CpTag } from '../../../loader/cap/components.ts';
import { DecodeContext, decodeCap, decodeConstantPool } from '../../../loader/cap/decode.ts';
import { components, corpusCap, edited, setU2 } from './helpers.ts';

const ECHO = 'echo/echo.cap';
const entryAt = (i: number): number => 5 + 4 * i;

describe('Constant Pool component', () => {
  it('decodes the entries of each kind', async () => {
    const cp = (await corpusCap(ECHO)).constantPool.constant_pool;
    expect(cp).toHaveLength(30);
    expect(cp[0]).toEqual({ tag: CpTag.InstanceFieldref, class_ref: { kind: 'internal', offset: 0 }, token: 0 });
    expect(cp[5]).toEqual({ tag: CpTag.VirtualMethodref, class_ref: { kind: 'external', package_token: 0, class_token: 3 }, token: 1 });
    expect(cp[6]).toEqual({ tag: CpTag.Classref, class_ref: { kind: 'internal', offset: 0 } });
    expect(cp[7]).toEqual({ tag: CpTag.StaticMethodref, ref: { kind: 'internal', offset: 1 } });
    expect(cp[10]).toEqual({ tag: CpTag.StaticMethodref, ref: { kind: 'external', package_token: 0, class_token: 7, token: 1 } });
  });

  it('moves class offsets by the 2.3 signature_pool_length', async () => {
    const cp = (await corpusCap('echo/cap-3.1/echo.cap')).constantPool.constant_pool;
    expect(cp[6]).toEqual({ tag: CpTag.Classref, class_ref: { kind: 'internal', offset: 2 } });
  });

  it('rejects an unknown tag', async () => {
    const b = (await components(ECHO)).get(5)!.slice();
    b[entryAt(3)] = 9;
    expect(() => decodeConstantPool(b, new DecodeContext())).toThrow(
      'ConstantPool component, offset 17: entry 3: unknown constant pool tag 9 (expected 1..6)',
    );
    b[entryAt(3)] = 0;
    expect(() => decodeConstantPool(b, new DecodeContext())).toThrow('unknown constant pool tag 0');
  });

  it('rejects a count that does not match the entries', async () => {
    const b = (await components(ECHO)).get(5)!.slice();
    setU2(b, 3, 31);
    expect(() => decodeConstantPool(b, new DecodeContext())).toThrow(
      'ConstantPool component, offset 3: count 31 needs 124 byte(s) of entries, the component has 120',
    );
  });

  it('needs internal class references to name a Class component record', async () => {
    const map = edited(await components(ECHO), 5, (b) => setU2(b, entryAt(6) + 1, 5));
    expect(() => decodeCap(map)).toThrow(
      'ConstantPool component, offset 30: entry 6 (Classref) class_ref 0x0005 is not the offset of a class or interface in the Class component',
    );
  });

  it('needs internal StaticMethodrefs to name a method', async () => {
    const map = edited(await components(ECHO), 5, (b) => setU2(b, entryAt(7) + 2, 2));
    expect(() => decodeCap(map)).toThrow(
      'ConstantPool component, offset 34: entry 7 (StaticMethodref): 0x0002 is not the offset of a method in the Method component',
    );
    const pad = edited(await components(ECHO), 5, (b) => void (b[entryAt(7) + 1] = 1));
    expect(() => decodeCap(pad)).toThrow('ConstantPool component, offset 34: entry 7 (StaticMethodref): internal reference with non-zero padding byte 1');
  });

  it('needs internal StaticFieldrefs inside the static field image', async () => {
    const cap = await corpusCap('objects/objects.cap');
    const i = cap.constantPool.constant_pool.findIndex((e) => e.tag === CpTag.StaticFieldref && e.ref.kind === 'internal');
    const map = edited(await components('objects/objects.cap'), 5, (b) => setU2(b, entryAt(i) + 2, cap.staticField.image_size));
    expect(() => decodeCap(map)).toThrow(
      `ConstantPool component, offset ${entryAt(i) + 1}: entry ${i} (StaticFieldref): static field offset 8 is outside the static field image (8 bytes)`,
    );
  });

  it('refuses package-visible method tokens on another package', async () => {
    const map = edited(await components(ECHO), 5, (b) => void (b[entryAt(5) + 3] = 0x81));
    expect(() => decodeCap(map)).toThrow(
      'ConstantPool component, offset 25: entry 5 (VirtualMethodref): package-visible token 0x81 on a class of another package',
    );
  });

  it('needs field and method references to name a class, not an interface', async () => {
    // objects (2.1): the interface Tagged is the record at 0x0000, Label the class at 0x0001
    const cap = await corpusCap('objects/objects.cap');
    const i = cap.constantPool.constant_pool.findIndex((e) => e.tag === CpTag.InstanceFieldref && e.class_ref.kind === 'internal');
    const map = edited(await components('objects/objects.cap'), 5, (b) => setU2(b, entryAt(i) + 1, 0));
    expect(() => decodeCap(map)).toThrow(`entry ${i} (InstanceFieldref) class 0x0000 names an interface, expected a class`);
  });
});
