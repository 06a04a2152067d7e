// Header, Directory, Applet and Import components: decoded fields, and malformed inputs with
// the error each must give (JCVM 6.4–6.7).

import { describe, expect, it } from 'vitest';
import { hex } from '../../../loader/bytes.ts';
import { ComponentTag } from '../../../loader/cap/components.ts';
import {
  DecodeContext,
  decodeApplet,
  decodeCap,
  decodeDirectory,
  decodeHeader,
  decodeImport,
} from '../../../loader/cap/decode.ts';
import { components, corpusCap, edited, setU2, splice } from './helpers.ts';

const ECHO = 'echo/echo.cap'; // CAP 2.1
const ECHO31 = 'echo/cap-3.1/echo.cap'; // CAP 2.3

describe('Header component', () => {
  it('decodes 2.1 and 2.3 headers', async () => {
    const h21 = (await corpusCap(ECHO)).header;
    expect(h21).toMatchObject({ magic: 0xdecaffed, major_version: 2, minor_version: 1, flags: 0x04, package_name: '' });
    expect(hex(h21.package.AID)).toBe('F04A43564D01');
    const h23 = (await corpusCap(ECHO31)).header;
    expect(h23.minor_version).toBe(3);
    expect(h23.package).toMatchObject({ major_version: 1, minor_version: 0 });
  });

  it('reads the 2.3 package_name_info byte', async () => {
    const bytes = (await components(ECHO31)).get(ComponentTag.Header)!;
    expect(bytes.length).toBe(20); // 2.1's 19 bytes plus name_length 0
    const named = splice(bytes, 19, 1, [3, 0x61, 0x2f, 0x62]);
    named[2] = named.length - 3;
    expect(decodeHeader(named).package_name).toBe('a/b');
  });

  it('rejects a bad magic', async () => {
    const b = (await components(ECHO)).get(1)!.slice();
    b[3] = 0xca;
    expect(() => decodeHeader(b)).toThrow('Header component, offset 3: bad magic 0xCACAFFED, expected 0xDECAFFED');
  });

  it('rejects unsupported versions and the extended format', async () => {
    const base = (await components(ECHO)).get(1)!;
    const v = base.slice();
    v[8] = 3;
    expect(() => decodeHeader(v)).toThrow('Header component, offset 7: unsupported CAP format version 3.1 (expected 2.1, 2.2 or 2.3)');
    v[8] = 2;
    v[7] = 4;
    expect(() => decodeHeader(v)).toThrow('unsupported CAP format version 2.4');
    const f = base.slice();
    f[9] = 0x0c;
    expect(() => decodeHeader(f)).toThrow('Header component, offset 9: ACC_EXTENDED: the extended CAP format is not supported');
    f[9] = 0x14;
    expect(() => decodeHeader(f)).toThrow('Header component, offset 9: flags 0x14 has reserved bits set');
  });

  it('rejects a wrong tag, a wrong size and truncation', async () => {
    const map = await components(ECHO);
    expect(() => decodeHeader(map.get(2)!)).toThrow('Header component, offset 0: tag is 2, expected 1 (Header)');
    const b = map.get(1)!;
    expect(() => decodeHeader(b.subarray(0, b.length - 1))).toThrow(
      'Header component, offset 1: size field says 16 byte(s) of info, the component has 15',
    );
    const short = b.slice(0, b.length - 1);
    short[2] = short.length - 3;
    expect(() => decodeHeader(short)).toThrow('Header component, offset 13: truncated: package AID needs 6 byte(s), 5 left');
    expect(() => decodeHeader(new Uint8Array([1]))).toThrow('Header component, offset 1: truncated: size needs 2 byte(s), 0 left');
  });

  it('rejects an AID length outside 5..16 and left-over bytes', async () => {
    const b = (await components(ECHO)).get(1)!.slice();
    b[12] = 4;
    expect(() => decodeHeader(b)).toThrow('Header component, offset 12: package AID_length 4 is not in 5..16');
    const long = splice(b, b.length, 0, [0]);
    long[12] = 6;
    long[2] = long.length - 3;
    expect(() => decodeHeader(long)).toThrow('Header component, offset 19: 1 byte(s) left over after the Header component');
  });
});

describe('Directory component', () => {
  it('has 11 sizes in 2.1 and 13 in 2.3, the last a u4', async () => {
    expect((await corpusCap(ECHO)).directory.component_sizes).toHaveLength(11);
    const d = (await corpusCap(ECHO31)).directory;
    expect(d.component_sizes).toEqual([17, 37, 11, 21, 122, 23, 455, 10, 58, 0, 263, 0, 0]);
    expect(d).toMatchObject({ import_count: 2, applet_count: 1, custom_components: [] });
    expect(d.static_field_size).toEqual({ image_size: 0, array_init_count: 0, array_init_size: 0 });
  });

  it('is misread with the wrong format version', async () => {
    const dir = (await components(ECHO31)).get(2)!;
    expect(() => decodeDirectory(dir, new DecodeContext({ major: 2, minor: 1 }))).toThrow(
      'Directory component, offset 34: 6 byte(s) left over after the Directory component',
    );
  });

  it('must give every component its actual size', async () => {
    const map = edited(await components(ECHO), 2, (b) => setU2(b, 3 + 2 * 2, 12), false);
    expect(() => decodeCap(map)).toThrow('Directory component, offset 7: component_sizes gives Applet 12 byte(s), the component has 11');
    const own = edited(await components(ECHO), 2, (b) => setU2(b, 5, 40), false);
    expect(() => decodeCap(own)).toThrow('Directory component, offset 5: component_sizes gives the Directory 40 byte(s), it has 31');
  });

  it('must count the imports and applets', async () => {
    const imports = edited(await components(ECHO), 2, (b) => void (b[31] = 3), false);
    expect(() => decodeCap(imports)).toThrow("Directory component, offset 31: import_count 3 differs from the Import component's count 2");
    const applets = edited(await components(ECHO31), 2, (b) => void (b[38] = 2), false);
    expect(() => decodeCap(applets)).toThrow("Directory component, offset 38: applet_count 2 differs from the Applet component's count 1");
  });

  it('must agree with the Static Field component', async () => {
    const map = edited(await components(ECHO), 2, (b) => setU2(b, 25, 2), false);
    expect(() => decodeCap(map)).toThrow(
      'Directory component, offset 25: static_field_size (2, 0, 0) differs from the Static Field component (0, 0, 0)',
    );
  });

  it('rejects custom component tags below 128', async () => {
    const map = await components(ECHO);
    const dir = splice(map.get(2)!, 33, 1, [1, 5, 0, 0, 5, 1, 2, 3, 4, 5]);
    dir[2] = dir.length - 3;
    setU2(dir, 5, dir.length - 3);
    expect(() => decodeDirectory(dir, new DecodeContext())).toThrow('Directory component, offset 34: custom component_tag 5 is not in 128..255');
  });
});

describe('Applet component', () => {
  it('lists the applets with their install methods', async () => {
    const a = (await corpusCap(ECHO)).applet!;
    expect(a.applets.map((x) => [hex(x.AID), x.install_method_offset])).toEqual([['F04A43564D0101', 0x38]]);
  });

  it('needs install_method_offset to be a method', async () => {
    const map = edited(await components(ECHO), 3, (b) => setU2(b, 12, 0x39));
    expect(() => decodeCap(map)).toThrow(
      'Applet component, offset 12: applet 0: install_method_offset 0x0039 is not the offset of a method in the Method component',
    );
  });

  it('rejects count 0, a count too large, and an applet outside the package RID', async () => {
    const b = (await components(ECHO)).get(3)!;
    expect(() => decodeApplet(Uint8Array.from([3, 0, 1, 0]), new DecodeContext())).toThrow(
      'Applet component, offset 3: count is 0: a package without applets has no Applet component',
    );
    const two = b.slice();
    two[3] = 2;
    expect(() => decodeApplet(two, new DecodeContext())).toThrow('Applet component, offset 14: truncated: applet 1 AID_length needs 1 byte(s), 0 left');
    const rid = edited(await components(ECHO), 3, (x) => void (x[5] = 0xa0));
    expect(() => decodeCap(rid)).toThrow("Applet component, offset 0: applet 0: AID A04A43564D0101 does not have the package's RID F04A43564D");
  });

  it('must be present exactly when the Header says ACC_APPLET', async () => {
    const map = await components(ECHO);
    map.delete(3);
    expect(() => decodeCap(map)).toThrow('Applet component, offset 0: required component is missing');
    const noFlag = edited(await components(ECHO), 1, (b) => void (b[9] = 0), false);
    expect(() => decodeCap(noFlag)).toThrow('Applet component, offset 0: present, but the Header flags lack ACC_APPLET');
  });
});

describe('Import component', () => {
  it('lists the imported packages', async () => {
    const i = (await corpusCap(ECHO)).import;
    expect(i.packages.map((p) => `${hex(p.AID)} ${p.major_version}.${p.minor_version}`)).toEqual([
      'A0000000620101 1.6',
      'A0000000620001 1.0',
    ]);
  });

  it('rejects a count too large for the bytes and above 128', async () => {
    const b = (await components(ECHO)).get(4)!.slice();
    b[3] = 3;
    expect(() => decodeImport(b)).toThrow('Import component, offset 24: truncated: package 2 minor_version needs 1 byte(s), 0 left');
    b[3] = 129;
    expect(() => decodeImport(b)).toThrow('Import component, offset 3: count 129 is above 128');
  });

  it('bounds the package tokens of external references', async () => {
    // constant pool entry 5 is VirtualMethodref 0.3.1; make it 5.3.1
    const map = edited(await components(ECHO), 5, (b) => void (b[5 + 4 * 5 + 1] = 0x85));
    expect(() => decodeCap(map)).toThrow(
      "ConstantPool component, offset 26: entry 5 (VirtualMethodref) class: package token 5 is not below the Import component's count 2",
    );
  });
});

describe('required components', () => {
  it.each([
    [ComponentTag.Header, 'Header'],
    [ComponentTag.Directory, 'Directory'],
    [ComponentTag.Import, 'Import'],
    [ComponentTag.ConstantPool, 'ConstantPool'],
    [ComponentTag.Class, 'Class'],
    [ComponentTag.Method, 'Method'],
    [ComponentTag.StaticField, 'StaticField'],
    [ComponentTag.ReferenceLocation, 'RefLocation'],
  ])('a CAP file without component %i (%s) is refused', async (tag, name) => {
    const map = await components(ECHO);
    map.delete(tag);
    expect(() => decodeCap(map)).toThrow(`${name} component, offset 0: required component is missing`);
  });

  it('a CAP file without its Descriptor (JCVM 6.14: optional) decodes, the Directory still giving its size', async () => {
    const map = await components(ECHO);
    map.delete(ComponentTag.Descriptor);
    const cap = decodeCap(map);
    expect(cap.descriptor).toBeUndefined();
    expect(cap.method.methods.length).toBe((await corpusCap(ECHO)).method.methods.length);
  });
});
