// Class component (JCVM 6.9): interface and class records, method tables, and the CAP 2.3
// additions (signature pool length, token mapping, CAP22 inheritable count).

import { describe, expect, it } from 'vitest';
import { DecodeContext, decodeCap, decodeClass } from '../../../loader/cap/decode.ts';
import { components, corpusCap, edited, setU2 } from './helpers.ts';

const ECHO = 'echo/echo.cap';
const ECHO31 = 'echo/cap-3.1/echo.cap';

describe('Class component', () => {
  it('decodes a 2.1 class record', async () => {
    const cls = (await corpusCap(ECHO)).class;
    expect(cls.interfaces).toEqual([]);
    expect(cls.signature_pool.length).toBe(0);
    expect(cls.classes).toHaveLength(1);
    expect(cls.classes[0]).toEqual({
      offset: 0,
      flags: 0,
      super_class_ref: { kind: 'external', package_token: 0, class_token: 3 },
      declared_instance_size: 5,
      first_reference_token: 0,
      reference_count: 3,
      public_method_table_base: 7,
      public_method_table_count: 1,
      package_method_table_base: 0,
      package_method_table_count: 0,
      public_virtual_method_table: [0x43],
      package_virtual_method_table: [],
      interfaces: [],
    });
  });

  it('reads the 2.3 signature pool length, token mapping and CAP22 count', async () => {
    const c = (await corpusCap(ECHO31)).class;
    expect(c.signature_pool_types).toEqual(new Map());
    expect(c.classes[0]!.offset).toBe(2);
    expect(c.classes[0]!.public_virtual_method_token_mapping).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(c.classes[0]!.CAP22_inheritable_public_method_token_count).toBe(8);
    // objects' Label: publicMethodTable 1 2 in the .jca, tag()S mapped to 255
    const label = (await corpusCap('objects/cap-3.1/objects.cap')).class.classes[0]!;
    expect(label.public_virtual_method_token_mapping).toEqual([0, 255]);
    expect(label.CAP22_inheritable_public_method_token_count).toBe(2);
    expect(label.interfaces).toEqual([{ interface: { kind: 'internal', offset: 2 }, index: [1] }]);
  });

  it('decodes interfaces', async () => {
    const c = (await corpusCap('firewall/fwlib.cap')).class;
    expect(c.interfaces).toEqual([
      { offset: 0, flags: 0xc, superinterfaces: [{ kind: 'external', package_token: 1, class_token: 2 }] },
    ]);
  });

  it('rejects a 2.3 class record cut short', async () => {
    const b = (await components(ECHO31)).get(6)!;
    const short = b.slice(0, b.length - 1);
    short[2] = short.length - 3;
    expect(() => decodeClass(short, new DecodeContext({ major: 2, minor: 3 }))).toThrow(
      'Class component, offset 25: truncated: CAP22_inheritable_public_method_token_count needs 1 byte(s), 0 left',
    );
    // and the same bytes read as 2.1 are not a class record
    expect(() => decodeClass(b, new DecodeContext())).toThrow('Class component');
  });

  it('rejects reserved flags, and ACC_REMOTE before 2.2', async () => {
    const b = (await components(ECHO)).get(6)!.slice();
    b[3] = 0x10;
    expect(() => decodeClass(b, new DecodeContext())).toThrow('Class component, offset 3: class flags 0x1 have the reserved bit set');
    b[3] = 0x20;
    expect(() => decodeClass(b, new DecodeContext())).toThrow('Class component, offset 3: ACC_REMOTE needs CAP format 2.2 or later');
  });

  it('needs super_class_ref to name a class of the Class component', async () => {
    const map = edited(await components(ECHO), 6, (b) => setU2(b, 4, 3));
    expect(() => decodeCap(map)).toThrow(
      'Class component, offset 4: class 0x0000 super_class_ref 0x0003 is not the offset of a class or interface in the Class component',
    );
    // objects (2.1): Tagged is the interface at 0x0000, Label the class at 0x0001
    const objects = edited(await components('objects/objects.cap'), 6, (b) => setU2(b, 5, 0));
    expect(() => decodeCap(objects)).toThrow('Class component, offset 5: class 0x0001 super_class_ref 0x0000 names an interface, expected a class');
  });

  it('needs implemented interfaces to be interfaces', async () => {
    const label = (await corpusCap('objects/objects.cap')).class.classes[0]!;
    expect(label.interfaces[0]!.interface).toEqual({ kind: 'internal', offset: 0 });
    // Label: bitfield, super (2), 7 bytes, one public method (2), then the interface ref at 3 + 1 + 12
    const map = edited(await components('objects/objects.cap'), 6, (b) => setU2(b, 16, 1));
    expect(() => decodeCap(map)).toThrow('Class component, offset 16: class 0x0001 implemented interface 0x0001 names a class, expected an interface');
  });

  it('needs virtual method table entries to be methods', async () => {
    const map = edited(await components(ECHO), 6, (b) => setU2(b, 13, 0x44));
    expect(() => decodeCap(map)).toThrow(
      'Class component, offset 13: class 0x0000 public_virtual_method_table[0] 0x0044 is not the offset of a method in the Method component',
    );
  });
});
