// Arrays (JCVM 7.5): newarray of each primitive type (10 boolean, 11 byte, 12 short, 13 int),
// anewarray, the typed loads and stores, arraylength; NullPointerException on a null array,
// ArrayIndexOutOfBoundsException for -1 and length (NPE wins over AIOOBE), NegativeArraySizeException,
// and bastore truncating a short to a byte.

import { expect } from 'vitest';
import { Kind } from '../../../vm/types.ts';
import { INDEX_OUT_OF_BOUNDS, NEGATIVE_SIZE, NULL_POINTER, table, type Check, type Row, type Table } from '../harness.ts';


/** The returned handle is an array of `kind` holding `values`. */
function isArray(kind: Kind, values: number[], elementClass?: string): Check {
  return (handle, loaded) => {
    const o = loaded.heap.get(handle);
    expect(o, `handle ${handle}`).toBeDefined();
    expect(o!.kind).toBe(kind);
    expect(Array.from(o!.data)).toEqual(values);
    if (elementClass !== undefined) expect(o!.cls?.name).toBe(elementClass);
  };
}

const A = { returns: 'A', params: 'S', stack: 4, locals: 1, cp: ['.classRef 0.0', '.classRef 0.7'] } as const; // java/lang/Object, NullPointerException
const S = { returns: 'S', params: 'S', stack: 5, locals: 2, cp: ['.classRef 0.0'] } as const;
const I = { returns: 'I', params: 'S', stack: 6, locals: 2 } as const;

const TYPES: [number, string, Kind][] = [
  [10, 'boolean', Kind.BooleanArray],
  [11, 'byte', Kind.ByteArray],
  [12, 'short', Kind.ShortArray],
  [13, 'int', Kind.IntArray],
];

/** Loads and stores of each type, named so that the body can be written once. */
const ACCESS: Record<number, { load: string; store: string; value: string }> = {
  10: { load: 'baload', store: 'bastore', value: 'sconst_1' },
  11: { load: 'baload', store: 'bastore', value: 'sconst_1' },
  12: { load: 'saload', store: 'sastore', value: 'sconst_1' },
  13: { load: 'iaload', store: 'iastore', value: 'iconst_1' },
};

function boundsRows(): Row[] {
  const rows: Row[] = [];
  for (const [t, name] of TYPES) {
    const { load, store, value } = ACCESS[t]!;
    const pop = t === 13 ? 'pop2' : 'pop';
    for (const [idx, expected] of [[-1, INDEX_OUT_OF_BOUNDS], [3, INDEX_OUT_OF_BOUNDS], [-32768, INDEX_OUT_OF_BOUNDS], [32767, INDEX_OUT_OF_BOUNDS], [2, 0], [0, 0]] as const) {
      rows.push([`${name}[3] ${load} at ${idx}`, `sconst_3; newarray ${t}; sload_0; ${load}; ${pop}; sconst_0; sreturn;`, [idx], expected]);
      rows.push([`${name}[3] ${store} at ${idx}`, `sconst_3; newarray ${t}; sload_0; ${value}; ${store}; sconst_0; sreturn;`, [idx], expected]);
    }
    rows.push([`${name}[0] ${load} at 0`, `sconst_0; newarray ${t}; sload_0; ${load}; ${pop}; sconst_0; sreturn;`, [0], INDEX_OUT_OF_BOUNDS]);
    rows.push([`null ${load}`, `aconst_null; sload_0; ${load}; ${pop}; sconst_0; sreturn;`, [0], NULL_POINTER]);
    rows.push([`null ${store}`, `aconst_null; sload_0; ${value}; ${store}; sconst_0; sreturn;`, [0], NULL_POINTER]);
    rows.push([`null ${load} at -1: NullPointerException first`, `aconst_null; sload_0; ${load}; ${pop}; sconst_0; sreturn;`, [-1], NULL_POINTER]);
    rows.push([`newarray ${t} (${name}) of -1`, `sload_0; newarray ${t}; pop; sconst_0; sreturn;`, [-1], NEGATIVE_SIZE]);
    rows.push([`newarray ${t} (${name}) of -32768`, `sload_0; newarray ${t}; pop; sconst_0; sreturn;`, [-32768], NEGATIVE_SIZE]);
  }
  return rows;
}

export const tables: Table[] = [
  table('newarray / anewarray', A, [
    ...TYPES.map(([t, name, kind]): Row => [`newarray ${t} (${name}[4]) is zero-filled`, `sload_0; newarray ${t}; areturn;`, [4], isArray(kind, [0, 0, 0, 0])]),
    ...TYPES.map(([t, name, kind]): Row => [`newarray ${t} (${name}[0])`, `sload_0; newarray ${t}; areturn;`, [0], isArray(kind, [])]),
    ['newarray 11 of 1000 bytes', 'sload_0; newarray 11; areturn;', [1000], isArray(Kind.ByteArray, new Array(1000).fill(0))],
    ['anewarray Object[3] is all null', 'sload_0; anewarray 0; areturn;', [3], isArray(Kind.RefArray, [0, 0, 0], 'java/lang/Object')],
    ['anewarray NullPointerException[2]', 'sload_0; anewarray 1; areturn;', [2], isArray(Kind.RefArray, [0, 0], 'java/lang/NullPointerException')],
    ['anewarray of 0', 'sload_0; anewarray 0; areturn;', [0], isArray(Kind.RefArray, [])],
    ['anewarray of -1', 'sload_0; anewarray 0; areturn;', [-1], NEGATIVE_SIZE],
    ['anewarray of -32768', 'sload_0; anewarray 0; areturn;', [-32768], NEGATIVE_SIZE],
    ['newarray then stores', 'sconst_3; newarray 12; dup; sconst_0; sspush -32768; sastore; dup; sconst_2; sspush 32767; sastore; areturn;', [0], isArray(Kind.ShortArray, [-32768, 0, 32767])],
    ['int array stores', 'sconst_2; newarray 13; dup; sconst_0; iipush 0x12345678; iastore; dup; sconst_1; iipush -2147483648; iastore; areturn;', [0], isArray(Kind.IntArray, [0x12345678, -0x80000000])],
  ]),
  table('arraylength', S, [
    ...TYPES.map(([t, name]): Row => [`arraylength of ${name}[n]`, `sload_0; newarray ${t}; arraylength; sreturn;`, [7], 7]),
    ['arraylength of Object[n]', 'sload_0; anewarray 0; arraylength; sreturn;', [5], 5],
    ['arraylength of an empty array', 'sconst_0; newarray 11; arraylength; sreturn;', [0], 0],
    ['arraylength of 32767 bytes', 'sload_0; newarray 11; arraylength; sreturn;', [32767], 32767],
    ['arraylength of null', 'aconst_null; arraylength; sreturn;', [0], NULL_POINTER],
  ]),
  table('byte and boolean arrays', S, [
    ['bastore / baload', 'sconst_3; newarray 11; astore_1; aload_1; sconst_1; bspush -7; bastore; aload_1; sconst_1; baload; sreturn;', [0], -7],
    ['baload sign-extends', 'sconst_1; newarray 11; astore_1; aload_1; sconst_0; bspush -128; bastore; aload_1; sconst_0; baload; sreturn;', [0], -128],
    ['bastore truncates 0x1234 to 0x34', 'sconst_1; newarray 11; astore_1; aload_1; sconst_0; sload_0; bastore; aload_1; sconst_0; baload; sreturn;', [0x1234], 0x34],
    ['bastore truncates 0x00FF to -1', 'sconst_1; newarray 11; astore_1; aload_1; sconst_0; sload_0; bastore; aload_1; sconst_0; baload; sreturn;', [0xff], -1],
    ['bastore truncates 0x0180 to -128', 'sconst_1; newarray 11; astore_1; aload_1; sconst_0; sload_0; bastore; aload_1; sconst_0; baload; sreturn;', [0x180], -128],
    ['bastore truncates -32768 to 0', 'sconst_1; newarray 11; astore_1; aload_1; sconst_0; sload_0; bastore; aload_1; sconst_0; baload; sreturn;', [-32768], 0],
    ['bastore writes only its element', 'sconst_3; newarray 11; astore_1; aload_1; sconst_1; sconst_m1; bastore; aload_1; sconst_0; baload; aload_1; sconst_2; baload; sadd; sreturn;', [0], 0],
    ['boolean array: true and false', 'sconst_2; newarray 10; astore_1; aload_1; sconst_1; sconst_1; bastore; aload_1; sconst_0; baload; bspush 10; smul; aload_1; sconst_1; baload; sadd; sreturn;', [0], 1],
  ]),
  table('short arrays', S, [
    ['sastore / saload of -32768', 'sconst_2; newarray 12; astore_1; aload_1; sconst_1; sload_0; sastore; aload_1; sconst_1; saload; sreturn;', [-32768], -32768],
    ['sastore / saload of 0x7FFF', 'sconst_2; newarray 12; astore_1; aload_1; sconst_1; sload_0; sastore; aload_1; sconst_1; saload; sreturn;', [0x7fff], 0x7fff],
    ['sastore / saload of 0x00FF (not a byte)', 'sconst_2; newarray 12; astore_1; aload_1; sconst_1; sload_0; sastore; aload_1; sconst_1; saload; sreturn;', [0xff], 0xff],
    ['sastore at index 299 of 300', 'sspush 300; newarray 12; astore_1; aload_1; sspush 299; sload_0; sastore; aload_1; sspush 299; saload; aload_1; sspush 298; saload; sadd; sreturn;', [1234], 1234],
  ]),
  table('int arrays', I, [
    ['iastore / iaload', 'sconst_2; newarray 13; astore_1; aload_1; sconst_1; iipush 0x12345678; iastore; aload_1; sconst_1; iaload; ireturn;', [0], 0x12345678],
    ['iastore / iaload of MIN', 'sconst_2; newarray 13; astore_1; aload_1; sconst_0; iipush -2147483648; iastore; aload_1; sconst_0; iaload; ireturn;', [0], -0x80000000],
    ['iastore / iaload of 0x0000FFFF', 'sconst_2; newarray 13; astore_1; aload_1; sconst_0; iipush 65535; iastore; aload_1; sconst_0; iaload; ireturn;', [0], 0xffff],
    ['iastore / iaload of -1', 'sconst_2; newarray 13; astore_1; aload_1; sconst_0; iconst_m1; iastore; aload_1; sconst_0; iaload; ireturn;', [0], -1],
    ['iastore writes only its element', 'sconst_3; newarray 13; astore_1; aload_1; sconst_1; iconst_m1; iastore; aload_1; sconst_0; iaload; aload_1; sconst_2; iaload; iadd; ireturn;', [0], 0],
    ['iaload at the argument index', 'sconst_3; newarray 13; astore_1; aload_1; sconst_2; iipush 77777; iastore; aload_1; sload_0; iaload; ireturn;', [2], 77777],
    ['iaload at 3 of 3', 'sconst_3; newarray 13; astore_1; aload_1; sload_0; iaload; ireturn;', [3], INDEX_OUT_OF_BOUNDS],
  ]),
  table('reference arrays', { ...S, cp: ['.classRef 0.0'] }, [
    ['aastore / aaload the same object', 'sconst_2; anewarray 0; astore_1; aload_1; sconst_1; aload_1; aastore; aload_1; sconst_1; aaload; aload_1; if_acmpeq L1; sconst_0; sreturn; L1: sconst_1; sreturn;', [0], 1],
    ['aaload of an unset element is null', 'sconst_2; anewarray 0; sconst_0; aaload; ifnull L1; sconst_0; sreturn; L1: sconst_1; sreturn;', [0], 1],
    ['aastore of null', 'sconst_2; anewarray 0; astore_1; aload_1; sconst_0; aload_1; aastore; aload_1; sconst_0; aconst_null; aastore; aload_1; sconst_0; aaload; ifnull L1; sconst_0; sreturn; L1: sconst_1; sreturn;', [0], 1],
    ['an array in an Object[] keeps its length', 'sconst_1; anewarray 0; astore_1; aload_1; sconst_0; bspush 9; newarray 11; aastore; aload_1; sconst_0; aaload; checkcast 11 0; arraylength; sreturn;', [0], 9],
    ['aaload at -1', 'sconst_2; anewarray 0; sload_0; aaload; pop; sconst_0; sreturn;', [-1], INDEX_OUT_OF_BOUNDS],
    ['aaload at length', 'sconst_2; anewarray 0; sload_0; aaload; pop; sconst_0; sreturn;', [2], INDEX_OUT_OF_BOUNDS],
    ['aastore at -1', 'sconst_2; anewarray 0; sload_0; aconst_null; aastore; sconst_0; sreturn;', [-1], INDEX_OUT_OF_BOUNDS],
    ['aastore at length', 'sconst_2; anewarray 0; sload_0; aconst_null; aastore; sconst_0; sreturn;', [2], INDEX_OUT_OF_BOUNDS],
    ['aaload from null', 'aconst_null; sload_0; aaload; pop; sconst_0; sreturn;', [0], NULL_POINTER],
    ['aastore into null', 'aconst_null; sload_0; aconst_null; aastore; sconst_0; sreturn;', [0], NULL_POINTER],
  ]),
  table('bounds, null and negative sizes', { returns: 'S', params: 'S', stack: 5, locals: 0 }, boundsRows()),
];
