// The three compact layouts side by side: CAP 2.1 (JC 2.1 – 3.0.5), 2.2 (JC 2.2: package name,
// signature pool, Debug size in the Directory) and 2.3 (JC 3.1: Static Resource size as a u4,
// per-class token mapping). The corpus has 2.1 and 2.3; a 2.2 file is made from the 2.3 echo.

import { describe, expect, it } from 'vitest';
import { decodeCap } from '../../../loader/cap/decode.ts';
import { components, corpusCap, fixSizes, splice } from './helpers.ts';

async function echo22(): Promise<Map<number, Uint8Array>> {
  const map = await components('echo/cap-3.1/echo.cap');
  const header = map.get(1)!.slice();
  header[7] = 2; // CAP format 2.2
  map.set(1, header);
  // Directory: drop the u4 Static_Resource_Component_Size (bytes 27..30)
  const dir = splice(map.get(2)!, 27, 4);
  map.set(2, dir);
  fixSizes(map, 2);
  new DataView(dir.buffer).setUint16(5, dir.length - 3);
  // Class: drop public_virtual_method_token_mapping (8 bytes) and the CAP22 count
  const cls = map.get(6)!;
  map.set(6, cls.slice(0, cls.length - 9));
  fixSizes(map, 6);
  return map;
}

describe('CAP format versions', () => {
  it('reads a 2.2 file: package_name_info, 12 Directory sizes, signature pool, no token mapping', async () => {
    const cap = decodeCap(await echo22());
    expect(cap.header.minor_version).toBe(2);
    expect(cap.directory.component_sizes).toHaveLength(12);
    expect(cap.class.classes[0]!.offset).toBe(2);
    expect(cap.class.classes[0]!.public_virtual_method_token_mapping).toBeUndefined();
    expect(cap.method.methods).toHaveLength(9);
  });

  it('decodes the same package the same way in 2.1 and 2.3, up to the Class offsets', async () => {
    const a = await corpusCap('echo/echo.cap');
    const b = await corpusCap('echo/cap-3.1/echo.cap');
    expect(b.method.info).toEqual(a.method.info);
    expect(b.refLocation).toEqual(a.refLocation);
    expect(b.constantPool.constant_pool.map((e) => e.tag)).toEqual(a.constantPool.constant_pool.map((e) => e.tag));
    expect([...b.descriptor!.types.type_desc.values()].map((t) => t.replace(/@0002/g, '@0000'))).toEqual([
      ...a.descriptor!.types.type_desc.values(),
    ]);
  });

  it('refuses a 2.3 file labelled 2.1', async () => {
    const map = await components('echo/cap-3.1/echo.cap');
    map.get(1)![7] = 1;
    expect(() => decodeCap(map)).toThrow('Header component, offset 19: 1 byte(s) left over after the Header component');
  });
});
