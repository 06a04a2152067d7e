// Reference Location component (JCVM 6.12): the gap encoding, and the lists checked against the
// constant-pool indices actually found in the Method component.

import { describe, expect, it } from 'vitest';
import { DecodeContext, decodeCap, decodeRefLocation } from '../../../loader/cap/decode.ts';
import { components, corpusCap, edited, splice } from './helpers.ts';

const ECHO = 'echo/echo.cap';

/** A Reference Location component with the given gap bytes (no one-byte indices). */
function refLocation(byte2: number[], byte1: number[] = []): Uint8Array {
  const body = [byte1.length >> 8, byte1.length & 0xff, ...byte1, byte2.length >> 8, byte2.length & 0xff, ...byte2];
  return Uint8Array.from([9, body.length >> 8, body.length & 0xff, ...body]);
}

describe('Reference Location component', () => {
  it('turns gaps into offsets; 255 adds 255 and continues', () => {
    const r = decodeRefLocation(refLocation([5, 255, 0, 3, 255, 255, 10], [1, 2]), new DecodeContext());
    expect(r.byte_index_offsets).toEqual([1, 3]);
    expect(r.byte2_index_offsets).toEqual([5, 260, 263, 783]);
  });

  it('decodes echo', async () => {
    const r = (await corpusCap(ECHO)).refLocation;
    expect(r.byte_index_offsets.slice(0, 4)).toEqual([13, 21, 31, 41]);
    expect(r.byte2_index_offsets).toHaveLength(38);
  });

  it('rejects a list ending inside a 255 continuation, and repeated offsets', () => {
    expect(() => decodeRefLocation(refLocation([5, 255]), new DecodeContext())).toThrow(
      'RefLocation component, offset 8: offsets_to_byte2_indices ends with a 255 gap continuation and no final gap',
    );
    expect(() => decodeRefLocation(refLocation([5, 0]), new DecodeContext())).toThrow(
      'RefLocation component, offset 8: offsets_to_byte2_indices: gap 0 repeats offset 5',
    );
  });

  it('rejects counts past the component', () => {
    const b = refLocation([5]);
    b[6] = 2;
    expect(() => decodeRefLocation(b, new DecodeContext())).toThrow('RefLocation component, offset 7: truncated: offsets_to_byte2_indices needs 2 byte(s), 1 left');
  });

  it('must list exactly the constant-pool indices of the code', async () => {
    const shifted = edited(await components(ECHO), 9, (b) => void (b[5] = 14));
    expect(() => decodeCap(shifted)).toThrow('RefLocation component, offset 3: offsets_to_byte_indices: Method offset 14 is not a constant-pool index operand');
    // drop the first one-byte index: 13 is then missing
    const dropped = edited(await components(ECHO), 9, (b) => {
      const out = splice(b, 5, 1);
      out[4] = 15;
      out[5] = 21;
      return out;
    });
    expect(() => decodeCap(dropped)).toThrow('RefLocation component, offset 3: offsets_to_byte_indices: the constant-pool index at Method offset 13 is not listed');
  });

  it('must stay inside the Method component', async () => {
    // append a gap of 255 + 254 to the two-byte list: 452 + 509 = 961, past the 455 bytes
    const map = edited(await components(ECHO), 9, (b) => {
      const count = 5 + 16; // byte2_index_count
      const out = splice(b, b.length, 0, [255, 254]);
      out[count + 1] += 2;
      return out;
    });
    expect(() => decodeCap(map)).toThrow("RefLocation component, offset 62: offsets_to_byte2_indices: offset 961 is outside the Method component's info (455 bytes)");
  });
});
