// Method component (JCVM spec 6.10) and the Reference
// Location component that lists where its code holds constant pool indices.
//   method_component info { u1 handler_count; exception_handler_info handlers[];
//                           method_info methods[] }
//   exception_handler_info { u2 start_offset; u2 stop_bit<<15 | active_length;
//                            u2 handler_offset; u2 catch_type_index }
//   method_header_info { u1 flags<<4 | max_stack; u1 nargs<<4 | max_locals }
//   extended_method_header_info { u1 (ACC_EXTENDED|flags)<<4; u1 max_stack; u1 nargs; u1 max_locals }
// Handlers are in method order and, within a method, in the order of its JCA exception table.
// A handler's stop_bit is set when no later handler's range contains its range, i.e. the
// search for a handler may stop after it (JCVM 6.10 exception_handler_info).

import { ByteWriter } from '../bytes.ts';
import type { PackageModel } from './model.ts';

const ACC_EXTENDED = 0x8;
const ACC_ABSTRACT = 0x4;

export function emitMethodComponent(pkg: PackageModel): Uint8Array {
  const w = new ByteWriter();
  const hs = pkg.handlers;
  if (hs.length > 255) throw new Error(`${pkg.fileName}: more than 255 exception handlers`);
  w.u1(hs.length);
  hs.forEach((h, i) => {
    const contained = hs.slice(i + 1).some((o) => o.start <= h.start && o.end >= h.end);
    w.u2(h.start).u2((contained ? 0 : 0x8000) | (h.end - h.start)).u2(h.handler).u2(h.catchType);
  });
  for (const m of pkg.methods) {
    if (w.length !== m.offset) throw new Error(`method ${m.ast.name}: layout offset ${m.offset} != ${w.length}`);
    const flags = m.isAbstract ? ACC_ABSTRACT : 0;
    if (m.extended) {
      w.u1((ACC_EXTENDED | flags) << 4).u1(m.ast.stack).u1(m.nargs).u1(m.ast.locals);
    } else {
      w.u1((flags << 4) | m.ast.stack).u1((m.nargs << 4) | m.ast.locals);
    }
    w.bytes(m.code.bytes);
  }
  return w.toBytes();
}

/**
 * Reference Location component (JCVM 6.12): offsets in the Method component's info of every
 * one-byte and two-byte constant pool index, each as the distance from the previous one;
 * a distance above 255 is written as 255s followed by the remainder.
 */
export function emitRefLocation(pkg: PackageModel): Uint8Array {
  const byte1: number[] = [];
  // The converter also lists each handler's catch_type_index (a u2 constant pool index in
  // the Method component, JCVM 6.12) unless it is 0 (a finally handler).
  const byte2: number[] = pkg.handlers.flatMap((h, i) => (h.catchType ? [1 + 8 * i + 6] : []));
  for (const m of pkg.methods) {
    const codeStart = m.offset + (m.extended ? 4 : 2);
    for (const s of m.code.cpSites) (s.wide ? byte2 : byte1).push(codeStart + s.offset);
  }
  const w = new ByteWriter();
  for (const list of [byte1, byte2]) {
    const deltas: number[] = [];
    let prev = 0;
    for (const off of list.sort((a, b) => a - b)) {
      let d = off - prev;
      while (d >= 255) {
        deltas.push(255);
        d -= 255;
      }
      deltas.push(d);
      prev = off;
    }
    w.u2(deltas.length).bytes(deltas);
  }
  return w.toBytes();
}
