// The Method component (JCVM 6.10, method_component_compact): handler_count, the exception
// handler table, then method_info records (a 2-byte header, or 4 bytes with ACC_EXTENDED, then
// the bytecodes). The records carry no lengths: where each method starts and how long its code
// is comes from the Descriptor component, so splitting happens in methods.ts once both are read.

import type { ExceptionHandlerInfo, MethodComponent } from '../components.ts';
import { ComponentTag, CpTag } from '../components.ts';
import { type DecodeContext, infoBase, openComponent, recordAt } from './common.ts';

export function decodeMethod(bytes: Uint8Array, ctx: DecodeContext): MethodComponent {
  const r = openComponent(bytes, ComponentTag.Method);
  const base = infoBase(ComponentTag.Method);
  const info = bytes.slice(base);
  const handler_count = r.u1('handler_count');
  const methodsStart = 1 + 8 * handler_count;
  if (methodsStart > info.length) {
    r.fail(`handler_count ${handler_count} needs ${8 * handler_count} byte(s) of handlers, the component has ${info.length - 1}`, base);
  }
  const exception_handlers: ExceptionHandlerInfo[] = [];
  for (let i = 0; i < handler_count; i++) {
    const at = r.offset;
    const start_offset = r.u2('start_offset');
    const bitfield = r.u2('bitfield');
    const handler_offset = r.u2('handler_offset');
    const catchAt = r.offset;
    const catch_type_index = r.u2('catch_type_index');
    const active_length = bitfield & 0x7fff;
    const what = `exception handler ${i}`;
    // 6.10: offsets are into the info item; the try block and the handler lie in the methods.
    if (start_offset < methodsStart || start_offset + active_length > info.length) {
      r.fail(`${what}: active range ${start_offset}..${start_offset + active_length} is outside the methods (${methodsStart}..${info.length})`, at);
    }
    if (handler_offset < methodsStart || handler_offset >= info.length) {
      r.fail(`${what}: handler_offset ${handler_offset} is outside the methods (${methodsStart}..${info.length})`, at + 4);
    }
    // 0 marks a finally (catch-all) handler; otherwise the catch type is a Classref (6.10).
    if (catch_type_index !== 0) {
      ctx.later(r.component, catchAt, (f) => {
        const e = f.cp[catch_type_index];
        if (e === undefined) return `${what}: catch_type_index ${catch_type_index} is not below the constant pool count ${f.cp.length}`;
        return e.tag === CpTag.Classref ? undefined : `${what}: catch_type_index ${catch_type_index} is not a Classref entry`;
      });
    }
    exception_handlers.push(
      recordAt({ start_offset, stop_bit: (bitfield & 0x8000) !== 0, active_length, handler_offset, catch_type_index }, at),
    );
  }
  // The methods themselves: at least one header must follow the handlers.
  if (info.length - methodsStart < 2) r.fail('no method_info after the exception handlers', r.offset);
  // The method_info area is consumed here and cut into methods by splitMethods (methods.ts),
  // which checks that the Descriptor's methods cover it exactly.
  r.skip(r.remaining, 'methods');
  r.expectEnd('the Method component');
  return { exception_handlers, methods: [], info };
}
