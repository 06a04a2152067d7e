// Reading CAP files: the archive (ZIP), an unpacked directory, concatenated components, and the
// Java Card 3 deployment descriptors checked against the components.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { CapFormatError, hex } from '../../../loader/bytes.ts';
import { readCap, readCapArchive, readCapDirectory, readCapPath, splitComponents } from '../../../loader/cap/archive.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { corpusBytes, corpusCap } from './helpers.ts';

const ECHO = 'echo/echo.cap';
const tmp = mkdtempSync(join(tmpdir(), 'jcvm-cap-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function rezip(rel: string, change: (zip: JSZip) => void | Promise<void>): Promise<Uint8Array> {
  const zip = await JSZip.loadAsync(corpusBytes(rel));
  await change(zip);
  return zip.generateAsync({ type: 'uint8array' });
}

const APPLET_XML = (aid: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<applet-app xmlns="http://java.sun.com/xml/ns/javacard" version="3.0">
  <applet>
    <applet-class>conformance.echo.EchoApplet</applet-class>
    <applet-AID>${aid}</applet-AID>
  </applet>
</applet-app>`;

describe('CAP archives', () => {
  it('reads the components under <package>/javacard/ and the deployment descriptors', async () => {
    const cap = await corpusCap(ECHO);
    expect(cap.packagePath).toBe('conformance/echo');
    expect([...cap.raw.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
    expect(cap.descriptors!.applets).toEqual([{ aid: 'F04A43564D0101', className: 'conformance.echo.EchoApplet' }]);
    expect(cap.descriptors!.javacardXml).toBeDefined();
  });

  it('reads 2.2.2 converter archives, which have no deployment descriptors', async () => {
    const cap = await corpusCap('echo/cap-2.2.2/echo.cap');
    expect(cap.descriptors).toBeUndefined();
    expect(cap.packagePath).toBe('conformance/echo');
  });

  it('reads a library with shareable interfaces in javacard.xml and no applets', async () => {
    const cap = await corpusCap('firewall/cap-3.1/fwlib.cap');
    expect(cap.descriptors!.applets).toEqual([]);
    expect(JSON.stringify(cap.descriptors!.javacardXml)).toContain('conformance.fwlib.FwService');
  });

  it('refuses what is not a ZIP, or a ZIP without components', async () => {
    const junk = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4, 5, 6]);
    await expect(readCapArchive(junk, 'bad.cap')).rejects.toThrow(/^not a CAP file: bad\.cap: /);
    await expect(readCap(junk, 'bad.cap')).rejects.toThrow(/^not a CAP file: bad\.cap: /);
    const empty = new JSZip();
    empty.file('META-INF/MANIFEST.MF', 'Manifest-Version: 1.0\n');
    await expect(readCapArchive(await empty.generateAsync({ type: 'uint8array' }), 'x.cap')).rejects.toThrow(
      'not a CAP file: x.cap: no <package>/javacard/*.cap components',
    );
  });

  it('names a missing component', async () => {
    const bytes = await rezip(ECHO, (zip) => void zip.remove('conformance/echo/javacard/Method.cap'));
    const err = await readCap(bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapFormatError);
    expect((err as CapFormatError).message).toBe('Method component, offset 0: required component is missing');
  });

  it('refuses components of two packages', async () => {
    const bytes = await rezip(ECHO, async (zip) => {
      zip.file('other/javacard/Class.cap', await zip.file('conformance/echo/javacard/Class.cap')!.async('uint8array'));
    });
    await expect(readCap(bytes, 'two.cap')).rejects.toThrow('not a CAP file: two.cap: components of two packages');
  });

  it('ignores class files and unknown entries', async () => {
    const bytes = await rezip(ECHO, (zip) => {
      zip.file('conformance/echo/javacard/Extra.cap', 'whatever');
      zip.file('conformance/echo/Foo.class', 'not a class');
    });
    expect((await readCap(bytes)).method.methods).toHaveLength(9);
  });

  it('checks applet.xml against the Applet component', async () => {
    const wrong = await rezip(ECHO, (zip) => void zip.file('APPLET-INF/applet.xml', APPLET_XML('//aid/F04A43564D/0102')));
    await expect(readCap(wrong)).rejects.toThrow('APPLET-INF/applet.xml component, offset 0: applet AID F04A43564D0102 is not in the Applet component');
    const none = await rezip(ECHO, (zip) => void zip.file('APPLET-INF/applet.xml', '<applet-app version="3.0"></applet-app>'));
    await expect(readCap(none)).rejects.toThrow(
      "APPLET-INF/applet.xml component, offset 0: the Applet component's applet AID F04A43564D0101 is not in applet.xml",
    );
    const syntax = await rezip(ECHO, (zip) => void zip.file('APPLET-INF/applet.xml', APPLET_XML('F04A43564D0101')));
    await expect(readCap(syntax)).rejects.toThrow("applet-AID 'F04A43564D0101' is not //aid/<5-byte RID>/<PIX>");
    const broken = await rezip(ECHO, (zip) => void zip.file('APPLET-INF/applet.xml', '<applet-app><applet></applet-app>'));
    await expect(readCap(broken)).rejects.toThrow('APPLET-INF/applet.xml component, offset 0: not well-formed XML');
  });
});

describe('concatenated components', () => {
  it('reads the components back to back, in any order', async () => {
    const cap = await corpusCap('echo/cap-3.1/echo.cap');
    const parts = [...cap.raw.entries()].sort(([a], [b]) => b - a).map(([, b]) => b);
    const joined = Uint8Array.from(parts.flatMap((p) => [...p]));
    const again = await readCap(joined);
    expect(hex(again.header.package.AID)).toBe('F04A43564D01');
    expect(again.method.methods.map((m) => m.offset)).toEqual(cap.method.methods.map((m) => m.offset));
    expect(again.packagePath).toBeUndefined();
  });

  it('refuses truncated, repeated and unknown components', () => {
    expect(() => splitComponents(Uint8Array.from([1, 0, 5, 1, 2]))).toThrow('CAP file component, offset 0: truncated: component 1 declares 5 byte(s), 2 left');
    expect(() => splitComponents(Uint8Array.from([1, 0]))).toThrow('CAP file component, offset 0: truncated: component 1 has no complete size field');
    expect(() => splitComponents(Uint8Array.from([1, 0, 0, 1, 0, 0]))).toThrow('CAP file component, offset 3: component 1 appears twice');
    expect(() => splitComponents(Uint8Array.from([1, 0, 0, 14, 0, 0]))).toThrow('CAP file component, offset 3: unknown component tag 14');
    expect(splitComponents(Uint8Array.from([13, 0, 0, 0, 1, 7])).get(13)).toEqual(Uint8Array.from([13, 0, 0, 0, 1, 7]));
  });
});

describe('component directories', () => {
  const unpack = async (rel: string, into: string, flat: boolean): Promise<void> => {
    const zip = await JSZip.loadAsync(corpusBytes(rel));
    for (const f of Object.values(zip.files)) {
      if (f.dir) continue;
      const name = flat ? f.name.split('/').pop()! : f.name;
      if (flat && !name.endsWith('.cap')) continue;
      const path = join(into, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, await f.async('uint8array'));
    }
  };

  it('reads an unpacked archive, with its package path and descriptors', async () => {
    const dir = join(tmp, 'unpacked');
    await unpack(ECHO, dir, false);
    const cap = await readCapDirectory(dir);
    expect(cap.packagePath).toBe('conformance/echo');
    expect(cap.descriptors!.applets[0]!.aid).toBe('F04A43564D0101');
    expect((await readCapPath(dir)).method.methods).toHaveLength(9);
  });

  it('reads loose component files', async () => {
    const dir = join(tmp, 'loose');
    await unpack('objects/cap-3.1/objects.cap', dir, true);
    const cap = await readCapDirectory(dir);
    expect(cap.header.minor_version).toBe(3);
    expect(cap.packagePath).toBeUndefined();
    await expect(readCapDirectory(join(CORPUS_DIR, 'echo', 'src'))).rejects.toThrow(/^not a CAP file: .*no Header\.cap/);
  });

  it('reads a CAP file by path', async () => {
    expect((await readCapPath(join(CORPUS_DIR, ECHO))).packagePath).toBe('conformance/echo');
  });
});
