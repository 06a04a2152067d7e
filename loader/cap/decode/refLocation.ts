// The Reference Location component (JCVM 6.12): where the Method component holds constant-pool
// indices, as two lists of gaps between successive Method info offsets (one-byte indices of
// getfield_T/putfield_T, two-byte indices of everything else and of catch types). A gap above
// 254 is written as 255s followed by the remainder: each 255 adds 255 and emits nothing.

import type { ByteReader } from '../../bytes.ts';
import type { RefLocationComponent } from '../components.ts';
import { ComponentTag } from '../components.ts';
import { type DecodeContext, openComponent } from './common.ts';

export function decodeRefLocation(bytes: Uint8Array, ctx: DecodeContext): RefLocationComponent {
  const r = openComponent(bytes, ComponentTag.ReferenceLocation);
  const byte_index_offsets = readOffsets(r, ctx, 'offsets_to_byte_indices');
  const byte2_index_offsets = readOffsets(r, ctx, 'offsets_to_byte2_indices');
  r.expectEnd('the Reference Location component');
  return { byte_index_offsets, byte2_index_offsets };
}

function readOffsets(r: ByteReader, ctx: DecodeContext, what: string): number[] {
  const count = r.u2(`${what} count`);
  const deltas = r.sub(count, what);
  const offsets: number[] = [];
  let offset = 0;
  let escaped = false;
  while (deltas.remaining > 0) {
    const at = deltas.offset;
    const d = deltas.u1(what);
    offset += d;
    if (d === 255) {
      escaped = true;
      continue;
    }
    // A 0 gap (other than after 255s) would list the same offset twice.
    if (d === 0 && !escaped && offsets.length > 0) r.fail(`${what}: gap 0 repeats offset ${offset}`, at);
    escaped = false;
    offsets.push(offset);
    const o = offset;
    ctx.later(r.component, at, (f) =>
      o < f.methodInfoSize ? undefined : `${what}: offset ${o} is outside the Method component's info (${f.methodInfoSize} bytes)`,
    );
  }
  if (escaped) r.fail(`${what} ends with a 255 gap continuation and no final gap`, deltas.offset - 1);
  return offsets;
}
