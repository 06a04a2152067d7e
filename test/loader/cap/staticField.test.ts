// Static Field component (JCVM 6.11): the image layout numbers and the array initialisers.

import { describe, expect, it } from 'vitest';
import { hex } from '../../../loader/bytes.ts';
import { decodeStaticField } from '../../../loader/cap/decode.ts';
import { components, corpusCap, setU2 } from './helpers.ts';

// objects (2.1): image_size 8, reference_count 3, three initialised arrays (byte, short, boolean),
// default_value_count 2, no non-default values. The first array_init_info is at offset 9.
const OBJECTS = 'objects/objects.cap';

describe('Static Field component', () => {
  it('decodes the image sizes and array initialisers', async () => {
    const sf = (await corpusCap(OBJECTS)).staticField;
    expect(sf).toMatchObject({ image_size: 8, reference_count: 3, default_value_count: 2 });
    expect(sf.array_init.map((a) => [a.type, hex(a.values)])).toEqual([
      [3, '1122334455'],
      [4, '0064FF38012C7FFF'],
      [2, '010001'],
    ]);
    expect(sf.non_default_values.length).toBe(0);
  });

  const objects = async (): Promise<Uint8Array> => (await components(OBJECTS)).get(8)!.slice();

  it('rejects an array_init type outside 2..5', async () => {
    const b = await objects();
    b[9] = 6;
    expect(() => decodeStaticField(b)).toThrow('StaticField component, offset 9: array_init[0] type 6 is not 2..5 (boolean, byte, short, int)');
    b[9] = 1;
    expect(() => decodeStaticField(b)).toThrow('array_init[0] type 1 is not 2..5');
  });

  it('rejects an image_size that does not add up', async () => {
    const b = await objects();
    setU2(b, 3, 9);
    expect(() => decodeStaticField(b)).toThrow(
      'StaticField component, offset 3: image_size 9 is not reference_count * 2 + default_value_count + non_default_value_count = 8',
    );
  });

  it('rejects more initialised arrays than reference fields', async () => {
    const b = await objects();
    setU2(b, 7, 4);
    expect(() => decodeStaticField(b)).toThrow('StaticField component, offset 7: array_init_count 4 is above reference_count 3');
  });

  it('rejects a short array with an odd byte count', async () => {
    const b = await objects();
    setU2(b, 18, 7); // the short[] initialiser's count
    expect(() => decodeStaticField(b)).toThrow('StaticField component, offset 18: array_init[1] count 7 is not a multiple of the element size 2');
  });

  it('rejects counts that run past the component', async () => {
    const b = await objects();
    setU2(b, 36, 1); // non_default_value_count 1, no byte follows
    expect(() => decodeStaticField(b)).toThrow('StaticField component, offset 38: truncated: non_default_values needs 1 byte(s), 0 left');
  });
});
