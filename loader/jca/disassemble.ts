// CAP components → JCA text that assembleJca turns back into the same components. The
// components are decoded by loader/cap; names are made up (see disasm-names.ts) since a CAP
// file keeps none. The output follows the converter's JCA layout (package directives,
// imports, applets, constant pool with an index comment per entry, then the classes and
// interfaces in Class component order).

import { decodeCap } from '../cap/decode.ts';
import type { CapFile } from '../cap/components.ts';
import { disassembleClass } from './disasm-class.ts';
import { Names } from './disasm-names.ts';

export interface DisassembleOptions {
  /** Internal package name (`com/example/wallet`); a CAP file does not hold it. */
  packagePath?: string;
}

/** `0xA0:0x0:0x0:0x0:0x62:0x1:0x1`, as the converter writes AIDs. */
function aidText(aid: Uint8Array): string {
  return Array.from(aid, (b) => '0x' + b.toString(16).toUpperCase()).join(':');
}

function hexName(aid: Uint8Array): string {
  return Array.from(aid, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
}

export function disassembleToJca(components: Map<number, Uint8Array>, options: DisassembleOptions = {}): string {
  const cap = decodeCap(components);
  if (!cap.descriptor) throw new Error('the JCA form needs the Descriptor component (names, tokens and types), which this CAP file lacks');
  const pkgPath = options.packagePath ?? cap.packagePath ?? `pkg${hexName(cap.header.package.AID)}`;
  const n = new Names(cap, pkgPath);
  const h = cap.header;
  const out: string[] = [
    `// disassembled by jcvm: CAP format ${h.major_version}.${h.minor_version}`,
    '',
    `.package ${pkgPath} {`,
    `\t.aid ${aidText(h.package.AID)};`,
    `\t.version ${h.package.major_version}.${h.package.minor_version};`,
    '',
    '\t.imports {',
    ...cap.import.packages.map((p) => `\t\t${aidText(p.AID)} ${p.major_version}.${p.minor_version};`),
    '\t}',
    '',
  ];
  if (cap.applet) {
    out.push('\t.applet {');
    for (const a of cap.applet.applets) {
      const owner = n.methodAt.get(a.install_method_offset)?.classOffset;
      if (owner === undefined) throw new Error(`applet install method at ${a.install_method_offset} is not described`);
      out.push(`\t\t${aidText(a.AID)} ${n.className(owner)};`);
    }
    out.push('\t}', '');
  }
  out.push('\t.constantPool {');
  cap.constantPool.constant_pool.forEach((e, i) => {
    out.push(`\t\t// ${i}`, ...cpEntry(n, e, cap.descriptor!.types.constant_pool_types[i]!));
  });
  out.push('\t}', '');
  const offsets = [...cap.class.interfaces.map((x) => x.offset), ...cap.class.classes.map((x) => x.offset)].sort((a, b) => a - b);
  for (const off of offsets) out.push(...disassembleClass(n, off));
  out.push('}', '');
  return out.join('\n');
}

function cpEntry(n: Names, e: CapFile['constantPool']['constant_pool'][number], typeOffset: number): string[] {
  switch (e.tag) {
    case 1:
      return [`\t\tclassRef ${n.classRef(e.class_ref)};`];
    case 2: {
      const type = n.fieldType(n.types(typeOffset)[0]!);
      const member = e.class_ref.kind === 'internal' ? `${n.classRef(e.class_ref)}/f${e.token}` : `${n.classRef(e.class_ref)}.${e.token}`;
      return [`\t\tinstanceFieldRef ${type} ${member};`];
    }
    case 5: {
      const type = n.fieldType(n.types(typeOffset)[0]!);
      const r = e.ref;
      if (r.kind === 'external') return [`\t\tstaticFieldRef ${type} ${r.package_token}.${r.class_token}.${r.token};`];
      const owner = n.staticOwner.get(r.offset);
      if (owner === undefined) throw new Error(`static field at image offset ${r.offset} is not described`);
      return [`\t\tstaticFieldRef ${type} ${n.className(owner)}/s${r.offset};`];
    }
    default: {
      const sig = n.methodSig(typeOffset);
      const kind = e.tag === 3 ? 'virtualMethodRef' : e.tag === 4 ? 'superMethodRef' : 'staticMethodRef';
      let member: string;
      if (e.tag === 6) {
        const r = e.ref;
        if (r.kind === 'external') member = `${r.package_token}.${r.class_token}.${r.token}`;
        else {
          const owner = n.methodAt.get(r.offset)?.classOffset;
          if (owner === undefined) throw new Error(`static method at ${r.offset} is not described`);
          member = `${n.className(owner)}/${n.methodName(r.offset)}`;
        }
      } else {
        member = e.class_ref.kind === 'internal' ? `${n.classRef(e.class_ref)}/${n.virtualName(e.token)}` : `${n.classRef(e.class_ref)}.${e.token}`;
      }
      return [`\t\t${kind} ${member}${sig};`, ...n.bindings(sig, '\t\t\t')];
    }
  }
}
