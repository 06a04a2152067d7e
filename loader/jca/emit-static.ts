// Static Field component (JCVM spec 6.11): the image size, the reference count, the array
// initializers (segment 1), the size of the default-valued primitives (segment 3) and the
// initial values of segment 4, in image order (see model.ts for the segments).
//   info { u2 image_size; u2 reference_count; u2 array_init_count;
//          array_init_info { u1 type; u2 count; u1 values[count] } array_init[];
//          u2 default_value_count; u2 non_default_value_count; u1 non_default_values[] }

import { ByteWriter } from '../bytes.ts';
import type { TypeAst } from './ast.ts';
import type { PackageModel } from './model.ts';
import { isReference, staticFieldSize } from './types.ts';

/** array_init_info type codes (JCVM 6.11 table "Array Types"). */
const ARRAY_TYPE: Record<string, number> = { boolean: 2, byte: 3, short: 4, int: 5 };

export interface StaticFieldFacts {
  info: Uint8Array;
  arrayInitCount: number;
  arrayInitSize: number;
}

function putValue(w: ByteWriter, size: number, v: number): void {
  if (size === 1) w.u1(v);
  else if (size === 2) w.u2(v);
  else w.u4(v);
}

function elementSize(t: TypeAst): number {
  return t.kind === 'primitive' ? (t.name === 'int' ? 4 : t.name === 'short' ? 2 : 1) : 2;
}

export function emitStaticField(pkg: PackageModel): StaticFieldFacts {
  const arrays = new ByteWriter();
  const nonDefault = new ByteWriter();
  let arrayInitCount = 0;
  let arrayInitSize = 0;
  let references = 0;
  let defaultBytes = 0;
  for (const sf of pkg.image) {
    const f = sf.ast;
    if (isReference(f.type)) {
      references++;
      if (f.init?.kind === 'array') {
        if (f.type.kind !== 'primitive') throw new Error(`${f.name}: only primitive arrays can have initializers`);
        const size = elementSize(f.type);
        arrays.u1(ARRAY_TYPE[f.type.name]!).u2(f.init.values.length * size);
        for (const v of f.init.values) putValue(arrays, size, v);
        arrayInitCount++;
        arrayInitSize += f.init.values.length * size;
      }
    } else if (f.init?.kind === 'value') {
      putValue(nonDefault, staticFieldSize(f.type), f.init.value);
    } else {
      defaultBytes += staticFieldSize(f.type);
    }
  }
  const w = new ByteWriter();
  w.u2(pkg.imageSize).u2(references).u2(arrayInitCount).bytes(arrays.toBytes());
  w.u2(defaultBytes).u2(nonDefault.length).bytes(nonDefault.toBytes());
  return { info: w.toBytes(), arrayInitCount, arrayInitSize };
}
