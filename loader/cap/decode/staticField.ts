// The Static Field component (JCVM 6.11): what is needed to build the static field image —
// reference fields first (arrays initialised by <clinit> first among them), then primitive
// fields with default values, then those with non-default values, whose bytes are given.

import type { ArrayInitInfo, StaticFieldComponent } from '../components.ts';
import { ComponentTag } from '../components.ts';
import { openComponent } from './common.ts';

/** Element sizes of array_init types: 2 boolean, 3 byte, 4 short, 5 int (6.11). */
export const ARRAY_INIT_ELEMENT_SIZE: Record<number, number> = { 2: 1, 3: 1, 4: 2, 5: 4 };

export function decodeStaticField(bytes: Uint8Array): StaticFieldComponent {
  const r = openComponent(bytes, ComponentTag.StaticField);
  const imageAt = r.offset;
  const image_size = r.u2('image_size');
  const reference_count = r.u2('reference_count');
  const arrayCountAt = r.offset;
  const array_init_count = r.u2('array_init_count');
  // Initialised arrays are reference fields of segment 1 of the image.
  if (array_init_count > reference_count) {
    r.fail(`array_init_count ${array_init_count} is above reference_count ${reference_count}`, arrayCountAt);
  }
  const array_init: ArrayInitInfo[] = [];
  for (let i = 0; i < array_init_count; i++) {
    const at = r.offset;
    const type = r.u1('array_init type');
    const size = ARRAY_INIT_ELEMENT_SIZE[type];
    if (size === undefined) r.fail(`array_init[${i}] type ${type} is not 2..5 (boolean, byte, short, int)`, at);
    const count = r.u2('array_init count');
    if (count % size !== 0) r.fail(`array_init[${i}] count ${count} is not a multiple of the element size ${size}`, at + 1);
    array_init.push({ type, values: r.copy(count, `array_init[${i}] values`) });
  }
  const default_value_count = r.u2('default_value_count');
  const non_default_value_count = r.u2('non_default_value_count');
  const non_default_values = r.copy(non_default_value_count, 'non_default_values');
  r.expectEnd('the Static Field component');
  // 6.11: image_size = reference_count * 2 + default_value_count + non_default_value_count.
  const expected = reference_count * 2 + default_value_count + non_default_value_count;
  if (image_size !== expected) {
    r.fail(
      `image_size ${image_size} is not reference_count * 2 + default_value_count + non_default_value_count = ${expected}`,
      imageAt,
    );
  }
  return { image_size, reference_count, array_init, default_value_count, non_default_values };
}
