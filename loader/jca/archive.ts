// The CAP file as an archive, laid out like the converter's: META-INF/MANIFEST.MF (deflated,
// CRLF lines wrapped at 72 bytes as JAR manifests are), then the components stored
// uncompressed as <package path>/javacard/<Name>.cap in tag order, then, for applet
// packages, APPLET-INF/applet.xml naming the applet classes (JCVM spec 6.1, Java Card 3
// runtime descriptor). The Debug component and the class files are not written.

import JSZip from 'jszip';
import { hex } from '../bytes.ts';
import { COMPONENT_NAMES, ComponentTag as Tag } from '../cap/components.ts';
import type { AssembledCap } from './assemble.ts';


export interface ArchiveOptions {
  /** Java-Card-CAP-Creation-Time and the entries' dates; fixed for reproducible archives. */
  date?: Date;
}

/** `0xf0:0x4a:...` as the manifest writes AIDs. */
function manifestAid(aid: Uint8Array): string {
  return Array.from(aid, (b) => '0x' + b.toString(16).padStart(2, '0')).join(':');
}

/** `//aid/F04A43564D/0710`: RID, then PIX (Java Card 3 AID URI). */
function aidUri(aid: Uint8Array): string {
  return `//aid/${hex(aid.subarray(0, 5))}/${hex(aid.subarray(5))}`;
}

/** JAR manifest line: at most 72 bytes, continued on lines starting with a space. */
function wrap(line: string): string {
  const parts = [line.slice(0, 72)];
  for (let i = 72; i < line.length; i += 71) parts.push(' ' + line.slice(i, i + 71));
  return parts.join('\r\n');
}

/** Reads the manifest's facts back from the Header and Import components. */
function facts(asm: AssembledCap) {
  const header = asm.components.get(Tag.Header)!;
  const info = header.subarray(3);
  const flags = info[6]!;
  const version = `${info[8]}.${info[7]}`;
  const imports: { aid: Uint8Array; version: string }[] = [];
  const imp = asm.components.get(Tag.Import)?.subarray(3);
  if (imp) {
    let p = 1;
    for (let i = 0; i < imp[0]!; i++) {
      const minor = imp[p]!, major = imp[p + 1]!, len = imp[p + 2]!;
      imports.push({ aid: imp.subarray(p + 3, p + 3 + len), version: `${major}.${minor}` });
      p += 3 + len;
    }
  }
  return { intSupport: (flags & 0x01) !== 0, version, imports };
}

export function manifest(asm: AssembledCap, date: Date): string {
  const f = facts(asm);
  const lines = [
    'Manifest-Version: 1.0',
    'Created-By: jcvm',
    'Runtime-Descriptor-Version: 3.0',
    'Application-Type: classic-applet',
    `Classic-Package-AID: ${aidUri(asm.packageAid)}`,
    'Sealed: true',
    '',
    `Name: ${asm.packagePath}`,
    `Java-Card-CAP-Creation-Time: ${date.toUTCString()}`,
    'Java-Card-Converter-Version: jcvm JCA assembler',
    'Java-Card-Converter-Provider: jcvm',
    `Java-Card-CAP-File-Version: ${asm.format}`,
    `Java-Card-Package-Version: ${f.version}`,
    `Java-Card-Package-Name: ${asm.packagePath.replace(/\//g, '.')}`,
    `Java-Card-Package-AID: ${manifestAid(asm.packageAid)}`,
  ];
  asm.applets.forEach((a, i) => {
    lines.push(`Java-Card-Applet-${i + 1}-Name: ${a.name}`, `Java-Card-Applet-${i + 1}-AID: ${manifestAid(a.aid)}`);
  });
  f.imports.forEach((p, i) => {
    lines.push(`Java-Card-Imported-Package-${i + 1}-AID: ${manifestAid(p.aid)}`, `Java-Card-Imported-Package-${i + 1}-Version: ${p.version}`);
  });
  lines.push(`Java-Card-Integer-Support-Required: ${f.intSupport ? 'TRUE' : 'FALSE'}`, '', '');
  return lines.map(wrap).join('\r\n');
}

function appletXml(asm: AssembledCap): string {
  const pkg = asm.packagePath.replace(/\//g, '.');
  const applets = asm.applets
    .map(
      (a) =>
        `  <applet>\n    <description>${a.name}</description>\n    <display-name>${a.name}</display-name>\n` +
        `    <applet-class>${pkg}.${a.name}</applet-class>\n    <applet-AID>${aidUri(a.aid)}</applet-AID>\n  </applet>\n`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<applet-app xmlns="http://java.sun.com/xml/ns/javacard" version="3.0">\n' +
    applets +
    '</applet-app>\n'
  );
}

export async function writeCapArchive(asm: AssembledCap, options: ArchiveOptions = {}): Promise<Uint8Array> {
  const date = options.date ?? new Date();
  const zip = new JSZip();
  zip.file('META-INF/MANIFEST.MF', manifest(asm, date), { date, compression: 'DEFLATE', createFolders: false });
  for (const tag of [...asm.components.keys()].sort((a, b) => a - b)) {
    const name = COMPONENT_NAMES[tag] ?? `Custom${tag}`;
    zip.file(`${asm.packagePath}/javacard/${name}.cap`, asm.components.get(tag)!, { date, compression: 'STORE', createFolders: false });
  }
  if (asm.applets.length) zip.file('APPLET-INF/applet.xml', appletXml(asm), { date, compression: 'STORE', createFolders: false });
  return zip.generateAsync({ type: 'uint8array' });
}
