// writeCapArchive: the archive holds the assembled components where the converter puts them,
// and a manifest with the package's facts.

import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { assembleJca, writeCapArchive } from '../../../loader/jca/index.ts';
import { readCorpusText } from './jca-corpus.ts';

const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));

describe('writeCapArchive', () => {
  it('lays out an applet package like the converter', async () => {
    const asm = assembleJca(readCorpusText('echo/echo.jca'));
    const zip = await JSZip.loadAsync(await writeCapArchive(asm, { date }));
    expect(Object.keys(zip.files)).toEqual([
      'META-INF/MANIFEST.MF',
      ...['Header', 'Directory', 'Applet', 'Import', 'ConstantPool', 'Class', 'Method', 'StaticField', 'RefLocation', 'Descriptor'].map(
        (n) => `conformance/echo/javacard/${n}.cap`,
      ),
      'APPLET-INF/applet.xml',
    ]);
    const method = await zip.file('conformance/echo/javacard/Method.cap')!.async('uint8array');
    expect(method).toEqual(asm.components.get(7));

    const mf = await zip.file('META-INF/MANIFEST.MF')!.async('string');
    const lines = mf.split('\r\n');
    expect(lines).toContain('Classic-Package-AID: //aid/F04A43564D/01');
    expect(lines).toContain('Name: conformance/echo');
    expect(lines).toContain('Java-Card-CAP-Creation-Time: Fri, 02 Jan 2026 03:04:05 GMT');
    expect(lines).toContain('Java-Card-CAP-File-Version: 2.1');
    expect(lines).toContain('Java-Card-Package-Version: 1.0');
    expect(lines).toContain('Java-Card-Package-Name: conformance.echo');
    expect(lines).toContain('Java-Card-Package-AID: 0xf0:0x4a:0x43:0x56:0x4d:0x01');
    expect(lines).toContain('Java-Card-Applet-1-Name: EchoApplet');
    expect(lines).toContain('Java-Card-Applet-1-AID: 0xf0:0x4a:0x43:0x56:0x4d:0x01:0x01');
    expect(lines).toContain('Java-Card-Imported-Package-1-AID: 0xa0:0x00:0x00:0x00:0x62:0x01:0x01');
    expect(lines).toContain('Java-Card-Imported-Package-1-Version: 1.6');
    expect(lines).toContain('Java-Card-Integer-Support-Required: FALSE');
    expect(lines.every((l) => new TextEncoder().encode(l).length <= 72)).toBe(true);

    const xml = await zip.file('APPLET-INF/applet.xml')!.async('string');
    expect(xml).toContain('<applet-class>conformance.echo.EchoApplet</applet-class>');
    expect(xml).toContain('<applet-AID>//aid/F04A43564D/0101</applet-AID>');
  });

  it('writes a library with its Export component and no applet descriptor', async () => {
    const asm = assembleJca(readCorpusText('firewall/cap-3.1/fwlib.jca'));
    const zip = await JSZip.loadAsync(await writeCapArchive(asm, { date }));
    expect(zip.file('conformance/fwlib/javacard/Export.cap')).not.toBeNull();
    expect(zip.file('conformance/fwlib/javacard/Applet.cap')).toBeNull();
    expect(zip.file('APPLET-INF/applet.xml')).toBeNull();
    const mf = await zip.file('META-INF/MANIFEST.MF')!.async('string');
    expect(mf).toContain('Java-Card-CAP-File-Version: 2.3\r\n');
  });

  it('marks int support from the Header flags', async () => {
    const asm = assembleJca(readCorpusText('intops/intops.jca'));
    const mf = await (await JSZip.loadAsync(await writeCapArchive(asm, { date }))).file('META-INF/MANIFEST.MF')!.async('string');
    expect(mf).toContain('Java-Card-Integer-Support-Required: TRUE\r\n');
  });

  it('is reproducible for a fixed date', async () => {
    const asm = assembleJca(readCorpusText('pin/pin.jca'));
    expect(await writeCapArchive(asm, { date })).toEqual(await writeCapArchive(asm, { date }));
  });
});
