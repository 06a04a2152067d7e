// The Debug component (JCVM spec 3.0.5 section 6.14, tag 12), read for source lines: its
// string table, and per method the location of its method_info in the Method component, its
// name and its line table (bytecode ranges relative to the method's first bytecode).
// The loader keeps the component raw (cap.debug: the bytes after tag and size).

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

export class DebugFormatError extends Error {}

/** Reads a Debug component's body (after tag and size). */
export function parseDebugComponent(body: Uint8Array): DebugInfo {
  let at = 0;
  const need = (n: number, what: string) => {
    if (at + n > body.length) throw new DebugFormatError(`Debug component: ${what} at offset ${at} runs past the end (${body.length} bytes)`);
  };
  const u1 = (what: string) => {
    need(1, what);
    return body[at++]!;
  };
  const u2 = (what: string) => {
    need(2, what);
    const v = (body[at]! << 8) | body[at + 1]!;
    at += 2;
    return v;
  };
  const strings: string[] = [];
  const stringCount = u2('string_count');
  const decoder = new TextDecoder();
  for (let i = 0; i < stringCount; i++) {
    const len = u2('utf8_info length');
    need(len, 'utf8_info bytes');
    strings.push(decoder.decode(body.subarray(at, at + len)));
    at += len;
  }
  const str = (i: number) => strings[i] ?? `#${i}`;
  const packageName = str(u2('package_name_index'));
  const methods = new Map<number, DebugMethod>();
  const classCount = u2('class_count');
  for (let c = 0; c < classCount; c++) {
    u2('name_index');
    u2('access_flags');
    u2('location');
    u2('superclass_name_index');
    const sourceFile = str(u2('source_file_index'));
    const interfaceCount = u1('interface_count');
    const fieldCount = u2('field_count');
    const methodCount = u2('method_count');
    at += 2 * interfaceCount;
    at += 10 * fieldCount; // name, descriptor, flags, contents (u4)
    const file = sourceFile.includes('/') ? sourceFile : `${packageName}/${sourceFile}`;
    for (let m = 0; m < methodCount; m++) {
      const name = str(u2('method name_index'));
      const descriptor = str(u2('descriptor_index'));
      u2('access_flags');
      const location = u2('location');
      const headerSize = u1('header_size');
      u2('body_size');
      const variableCount = u2('variable_count');
      const lineCount = u2('line_count');
      at += 9 * variableCount;
      const table: { start: number; end: number; line: number }[] = [];
      for (let l = 0; l < lineCount; l++) table.push({ start: u2('start_pc'), end: u2('end_pc'), line: u2('source_line') });
      methods.set(location + headerSize, {
        file,
        name: `${name}${descriptor.startsWith('(') ? descriptor : ''}`,
        lineOf: (offset) => table.find((r) => offset >= r.start && offset <= r.end)?.line ?? null,
      });
    }
  }
  if (at > body.length) throw new DebugFormatError(`Debug component: tables run past the end (${body.length} bytes)`);
  return { packageName, methodAt: (pc) => methods.get(pc) };
}
