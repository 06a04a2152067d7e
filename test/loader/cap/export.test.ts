// Export component (JCVM 6.13): a library package's exported classes and static members.

import { describe, expect, it } from 'vitest';
import { DecodeContext, decodeCap, decodeExport } from '../../../loader/cap/decode.ts';
import { components, corpusCap, edited, setU2 } from './helpers.ts';

// fwlib (2.1): class token 0 = the interface FwService (record 0x0000), class token 1 = LibUtil
// (record 0x0003) with one static field and four static methods (offsets at 14, 16, 18, 20).
const FWLIB = 'firewall/fwlib.cap';

describe('Export component', () => {
  it('decodes the exported classes by token', async () => {
    const e = (await corpusCap(FWLIB)).export!;
    expect(e.class_exports).toEqual([
      { class_offset: 0, static_field_offsets: [], static_method_offsets: [] },
      { class_offset: 3, static_field_offsets: [0], static_method_offsets: [0x01, 0x08, 0x2b, 0x60] },
    ]);
    expect((await corpusCap('echo/echo.cap')).export).toBeUndefined();
  });

  it('needs class_offset to be a class or interface record', async () => {
    const map = edited(await components(FWLIB), 10, (b) => setU2(b, 4, 1));
    expect(() => decodeCap(map)).toThrow(
      'Export component, offset 4: class_exports[0]: class_offset 0x0001 is not the offset of a class or interface in the Class component',
    );
  });

  it('needs static methods to be methods and static fields inside the image', async () => {
    const m = edited(await components(FWLIB), 10, (b) => setU2(b, 20, 0x61));
    expect(() => decodeCap(m)).toThrow(
      'Export component, offset 20: class_exports[1]: static method offset 0x0061 is not the offset of a method in the Method component',
    );
    const size = (await corpusCap(FWLIB)).staticField.image_size;
    const f = edited(await components(FWLIB), 10, (b) => setU2(b, 12, size));
    expect(() => decodeCap(f)).toThrow(
      `Export component, offset 12: class_exports[1]: static field offset ${size} is outside the static field image (${size} bytes)`,
    );
  });

  it('rejects an empty Export component', () => {
    expect(() => decodeExport(Uint8Array.from([10, 0, 1, 0]), new DecodeContext())).toThrow(
      'Export component, offset 3: class_count is 0: a package that exports nothing has no Export component',
    );
  });

  it('must be present exactly when the Header says ACC_EXPORT', async () => {
    const map = await components(FWLIB);
    map.delete(10);
    expect(() => decodeCap(map)).toThrow('Export component, offset 0: required component is missing');
    const noFlag = edited(await components(FWLIB), 1, (b) => void (b[9] = 0), false);
    expect(() => decodeCap(noFlag)).toThrow('Export component, offset 0: present, but the Header flags lack ACC_EXPORT');
  });
});
