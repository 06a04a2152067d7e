// The Debug component (JCVM spec 3.0.5 section 6.14, tag 12), read for source lines: its
// string table, and per method the location of its method_info in the Method component, its
// name and its line table (bytecode ranges relative to the method's first bytecode).
// The loader keeps the component raw (cap.debug: the bytes after tag and size).

import { ByteReader } from '../../loader/bytes.ts';

export interface DebugMethod {
  /** Source file, package path included ("conformance/echo/EchoApplet.java"). */
  file: string;
  /** "process(Ljavacard/framework/APDU;)V" */
  name: string;
  /** The source line of the bytecode at `offset` from the method's first bytecode, or null. */
  lineOf(offset: number): number | null;
}

export interface DebugInfo {
  packageName: string;
  /** The method whose first bytecode is at `pc` in the Method component. */
  methodAt(pc: number): DebugMethod | undefined;
}

/** Reads a Debug component's body (after tag and size); CapFormatError when it is cut short. */
export function parseDebugComponent(body: Uint8Array): DebugInfo {
  const r = new ByteReader(body, 'Debug');
  const strings: string[] = [];
  const stringCount = r.u2('string_count');
  const decoder = new TextDecoder();
  for (let i = 0; i < stringCount; i++) strings.push(decoder.decode(r.bytesView(r.u2('utf8_info length'), 'utf8_info bytes')));
  const str = (i: number) => strings[i] ?? `#${i}`;
  const packageName = str(r.u2('package_name_index'));
  const methods = new Map<number, DebugMethod>();
  const classCount = r.u2('class_count');
  for (let c = 0; c < classCount; c++) {
    r.skip(8, 'name_index, access_flags, location, superclass_name_index');
    const sourceFile = str(r.u2('source_file_index'));
    const interfaceCount = r.u1('interface_count');
    const fieldCount = r.u2('field_count');
    const methodCount = r.u2('method_count');
    r.skip(2 * interfaceCount, 'interface_names');
    r.skip(10 * fieldCount, 'fields'); // name, descriptor, flags, contents (u4)
    const file = sourceFile.includes('/') ? sourceFile : `${packageName}/${sourceFile}`;
    for (let m = 0; m < methodCount; m++) {
      const name = str(r.u2('method name_index'));
      const descriptor = str(r.u2('descriptor_index'));
      r.u2('access_flags');
      const location = r.u2('location');
      const headerSize = r.u1('header_size');
      r.u2('body_size');
      const variableCount = r.u2('variable_count');
      const lineCount = r.u2('line_count');
      r.skip(9 * variableCount, 'variable_table');
      const table: { start: number; end: number; line: number }[] = [];
      for (let l = 0; l < lineCount; l++) table.push({ start: r.u2('start_pc'), end: r.u2('end_pc'), line: r.u2('source_line') });
      methods.set(location + headerSize, {
        file,
        name: `${name}${descriptor.startsWith('(') ? descriptor : ''}`,
        lineOf: (offset) => table.find((e) => offset >= e.start && offset <= e.end)?.line ?? null,
      });
    }
  }
  return { packageName, methodAt: (pc) => methods.get(pc) };
}
