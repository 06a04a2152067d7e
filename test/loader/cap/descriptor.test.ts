// Descriptor component (JCVM 6.14): classes, fields, methods, and type_descriptor_info with its
// nibble-encoded types.

import { describe, expect, it } from 'vitest';
import { DescriptorAccess } from '../../../loader/cap/components.ts';
import { DecodeContext, decodeCap, decodeDescriptor } from '../../../loader/cap/decode.ts';
import { positionOf } from '../../../loader/cap/decode/common.ts';
import { components, corpusCap, edited, setU2 } from './helpers.ts';

const ECHO = 'echo/echo.cap';
// echo (2.1) Descriptor: the class at 4, its five fields from 13 (7 bytes each), its nine
// methods from 48 (12 bytes each), type_descriptor_info from 156; the type descriptor at type
// offset 0x3e ("[B", bytes 01 B0) is at 156 + 0x3e = 218.
const TYPES = 156;

describe('Descriptor component', () => {
  it('decodes classes, fields and methods', async () => {
    const d = (await corpusCap(ECHO)).descriptor!;
    expect(d.classes).toHaveLength(1);
    const c = d.classes[0]!;
    expect(c).toMatchObject({ token: 0, access_flags: DescriptorAccess.ACC_PUBLIC, this_class_ref: { kind: 'internal', offset: 0 } });
    expect(c.fields[0]).toEqual({
      token: 0,
      access_flags: 0x12,
      field_ref: { kind: 'instance', class_ref: { kind: 'internal', offset: 0 }, token: 0 },
      type: 0x3e,
    });
    expect(c.fields[3]!.type).toBe(0x8004); // short
    expect(c.methods[2]).toEqual({
      token: 7,
      access_flags: 0x01,
      method_offset: 0x43,
      type_offset: 0x5a,
      bytecode_count: 176,
      exception_handler_count: 0,
      exception_handler_index: 0,
    });
  });

  it('decodes the type descriptors, methods in method form', async () => {
    const t = (await corpusCap('echo/cap-3.1/echo.cap')).descriptor!.types;
    expect(t.constant_pool_types).toHaveLength(30);
    expect(t.constant_pool_types[6]).toBe(0xffff);
    expect(t.type_desc.get(0x48)).toBe('(L0.10;[B)V'); // case2(APDU, byte[])
    expect(t.type_desc.get(0x5a)).toBe('(L0.10;)V'); // process(APDU)
    expect(t.type_desc.get(0x50)).toBe('([BSS)S');
    expect(t.decoded!.get(0x3e)).toEqual(['[B']);
    expect(t.decoded!.get(0x42)).toEqual(['V']);
    // internal class references in types: objects' Shape[] (class at 0x31) and Tagged[] (interface at 0)
    const objects = (await corpusCap('objects/objects.cap')).descriptor!.types;
    expect([...objects.type_desc.values()]).toEqual(expect.arrayContaining(['[L@0031;', '[L@0000;']));
  });

  const echo = async (): Promise<Uint8Array> => (await components(ECHO)).get(11)!.slice();

  it('rejects undefined type nibbles, bad padding and cut references', async () => {
    const b = await echo();
    b[219] = 0x70;
    expect(() => decodeDescriptor(b, new DecodeContext())).toThrow('Descriptor component, offset 218: type_descriptor has undefined type nibble 0x7');
    b[219] = 0xb1;
    expect(() => decodeDescriptor(b, new DecodeContext())).toThrow('Descriptor component, offset 218: type_descriptor padding nibble is not 0');
    b[219] = 0x60;
    expect(() => decodeDescriptor(b, new DecodeContext())).toThrow('Descriptor component, offset 218: type_descriptor ends inside a class reference');
    b[218] = 0;
    expect(() => decodeDescriptor(b, new DecodeContext())).toThrow('Descriptor component, offset 218: type_descriptor with nibble_count 0');
  });

  it('rejects type offsets that are not type descriptors', async () => {
    const m = await echo();
    setU2(m, 52, 0x3f);
    expect(() => decodeDescriptor(m, new DecodeContext())).toThrow(
      'Descriptor component, offset 52: classes[0] methods[0]: type offset 63 is not the start of a type descriptor',
    );
    const f = await echo();
    setU2(f, 18, 0x42);
    expect(() => decodeDescriptor(f, new DecodeContext())).toThrow('Descriptor component, offset 18: classes[0] fields[0]: field type ()V is a method type');
    const p = await echo();
    setU2(p, 39, 0x8007);
    expect(() => decodeDescriptor(p, new DecodeContext())).toThrow(
      'Descriptor component, offset 39: classes[0] fields[3]: primitive type 0x8007 is not 0x8002..0x8005',
    );
    const c = await echo();
    setU2(c, TYPES + 2, 0x3f);
    expect(() => decodeDescriptor(c, new DecodeContext())).toThrow(
      'Descriptor component, offset 158: constant_pool_types[0] 63 is not the start of a type descriptor',
    );
  });

  it('needs constant_pool_types to match the constant pool', async () => {
    const classType = edited(await components(ECHO), 11, (b) => setU2(b, TYPES + 2 + 12, 0x3e));
    expect(() => decodeCap(classType)).toThrow('Descriptor component, offset 156: constant_pool_types[6] gives a type for a Classref');
    const noType = edited(await components(ECHO), 11, (b) => setU2(b, TYPES + 2, 0xffff));
    expect(() => decodeCap(noType)).toThrow('Descriptor component, offset 156: constant_pool_types[0] has no type for a field or method reference');
    // the count, checked through DecodeContext with a shorter constant pool
    const cap = await corpusCap(ECHO);
    const ctx = new DecodeContext();
    decodeDescriptor(cap.raw.get(11)!, ctx);
    const facts = { importCount: 2, classRecords: new Map([[0, 'class' as const]]), methodStarts: new Set<number>(), methodInfoSize: 455, staticImageSize: 0 };
    expect(() => ctx.finish({ ...facts, cp: cap.constantPool.constant_pool.slice(0, 29) })).toThrow(
      "Descriptor component, offset 156: constant_pool_count 30 differs from the Constant Pool component's count 29",
    );
  });

  it('describes classes of this package only, each once', async () => {
    const b = await echo();
    setU2(b, 6, 0x8003);
    expect(() => decodeDescriptor(b, new DecodeContext())).toThrow('Descriptor component, offset 6: classes[0] this_class_ref names a class of another package');
    const cap = await corpusCap('objects/objects.cap');
    const classes = cap.descriptor!.classes.filter((c) => !(c.access_flags & 0x40));
    const [first, second] = classes;
    const target = first!.this_class_ref.kind === 'internal' ? first!.this_class_ref.offset : -1;
    const map = edited(await components('objects/objects.cap'), 11, (x) => setU2(x, positionOf(second!) + 2, target));
    expect(() => decodeCap(map)).toThrow(`Descriptor component, offset 0: class 0x${target.toString(16).padStart(4, '0')} is described twice`);
  });

  it('keeps interface methods without code and abstract methods without bytecodes', async () => {
    // fwlib (2.1): the interface FwService is described first; its first method's method_offset is at 15
    const b = (await components('firewall/fwlib.cap')).get(11)!.slice();
    setU2(b, 15, 1);
    expect(() => decodeDescriptor(b, new DecodeContext())).toThrow(
      'Descriptor component, offset 15: classes[0] methods[0]: an interface method with method_offset 1 and bytecode_count 0',
    );
    const cap = await corpusCap('objects/objects.cap');
    const abstract = cap.descriptor!.classes.flatMap((c) => (c.access_flags & 0x40 ? [] : c.methods)).find((m) => m.access_flags & 0x40)!;
    const o = (await components('objects/objects.cap')).get(11)!.slice();
    setU2(o, positionOf(abstract) + 6, 1);
    expect(() => decodeDescriptor(o, new DecodeContext())).toThrow(
      `Descriptor component, offset ${positionOf(abstract) + 6}: classes[`,
    );
    expect(() => decodeDescriptor(o, new DecodeContext())).toThrow('an abstract method with bytecode_count 1');
  });
});
