// The Export component (JCVM 6.13): for each exported class or interface, by class token, its
// record in the Class component and the static fields and methods other packages may link to.

import type { ClassExportInfo, ExportComponent } from '../components.ts';
import { ComponentTag } from '../components.ts';
import { type DecodeContext, formatHex16, openComponent } from './common.ts';

export function decodeExport(bytes: Uint8Array, ctx: DecodeContext): ExportComponent {
  const r = openComponent(bytes, ComponentTag.Export);
  const countAt = r.offset;
  const class_count = r.u1('class_count');
  if (class_count === 0) r.fail('class_count is 0: a package that exports nothing has no Export component', countAt);
  const class_exports: ClassExportInfo[] = [];
  for (let i = 0; i < class_count; i++) {
    const at = r.offset;
    const what = `class_exports[${i}]`;
    const class_offset = r.u2('class_offset');
    const static_field_count = r.u1('static_field_count');
    const static_method_count = r.u1('static_method_count');
    ctx.later(r.component, at, (f) => {
      const kind = f.classRecords.get(class_offset);
      if (kind === undefined) return `${what}: class_offset ${formatHex16(class_offset)} is not the offset of a class or interface in the Class component`;
      // Interfaces have no static members to export (6.13).
      if (kind === 'interface' && (static_field_count || static_method_count)) return `${what}: an interface with static fields or methods`;
      return undefined;
    });
    const static_field_offsets: number[] = [];
    for (let k = 0; k < static_field_count; k++) {
      const fAt = r.offset;
      const o = r.u2('static_field_offsets');
      static_field_offsets.push(o);
      ctx.later(r.component, fAt, (f) =>
        o < f.staticImageSize ? undefined : `${what}: static field offset ${o} is outside the static field image (${f.staticImageSize} bytes)`,
      );
    }
    const static_method_offsets: number[] = [];
    for (let k = 0; k < static_method_count; k++) {
      const mAt = r.offset;
      const o = r.u2('static_method_offsets');
      static_method_offsets.push(o);
      ctx.later(r.component, mAt, (f) =>
        f.methodStarts.has(o) ? undefined : `${what}: static method offset ${formatHex16(o)} is not the offset of a method in the Method component`,
      );
    }
    class_exports.push({ class_offset, static_field_offsets, static_method_offsets });
  }
  r.expectEnd('the Export component');
  return { class_exports };
}
