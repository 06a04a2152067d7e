// Debug (JCVM 6.15, kept raw) and Static Resources (JCVM 3.1 6.16, CAP 2.3, u4 size).

import { describe, expect, it } from 'vitest';
import { hex } from '../../../loader/bytes.ts';
import { decodeCap, decodeDebug, decodeStaticResources } from '../../../loader/cap/decode.ts';
import { components } from './helpers.ts';

/** A Static Resource component: tag 13, u4 size, resource_count, directory, data. */
function resources(list: [number, number[]][]): Uint8Array {
  const body: number[] = [list.length >> 8, list.length & 0xff];
  for (const [id, data] of list) body.push(id >> 8, id & 0xff, 0, 0, data.length >> 8, data.length & 0xff);
  for (const [, data] of list) body.push(...data);
  return Uint8Array.from([13, 0, 0, body.length >> 8, body.length & 0xff, ...body]);
}

describe('Static Resources component', () => {
  it('decodes resources by id', () => {
    const r = decodeStaticResources(resources([[1, [0xaa, 0xbb]], [7, [0xcc]]]));
    expect(r.resources.map((x) => [x.id, hex(x.data)])).toEqual([
      [1, 'AABB'],
      [7, 'CC'],
    ]);
  });

  it('rejects duplicate ids, oversized resources, no resources and short data', () => {
    expect(() => decodeStaticResources(resources([[1, [1]], [1, [2]]]))).toThrow('StaticResources component, offset 13: resource_id 1 appears twice');
    const big = resources([[1, []]]);
    big[11] = 0x80; // resource_size 0x00008000
    expect(() => decodeStaticResources(big)).toThrow('StaticResources component, offset 9: resource 1: resource_size 32768 is above 32767');
    expect(() => decodeStaticResources(resources([]))).toThrow('StaticResources component, offset 5: resource_count is 0');
    const short = resources([[1, [1, 2]]]);
    expect(() => decodeStaticResources(short.subarray(0, short.length - 1))).toThrow('StaticResources component, offset 1: size field says 10 byte(s) of info, the component has 9');
  });

  it('is part of a CAP 2.3 file, and not of a 2.1 file', async () => {
    const res = resources([[3, [1, 2, 3]]]);
    const map = await components('echo/cap-3.1/echo.cap');
    map.set(13, res);
    const dir = map.get(2)!.slice();
    new DataView(dir.buffer).setUint32(27, res.length - 5);
    map.set(2, dir);
    expect(decodeCap(map).staticResources!.resources[0]!.id).toBe(3);
    const old = await components('echo/echo.cap');
    old.set(13, res);
    expect(() => decodeCap(old)).toThrow('StaticResources component, offset 0: component tag 13 is not defined in CAP format 2.1');
  });
});

describe('Debug component', () => {
  it('is kept raw', async () => {
    const map = await components('echo/cap-3.1/echo.cap');
    map.set(12, Uint8Array.from([12, 0, 3, 1, 2, 3]));
    const dir = map.get(2)!.slice();
    dir[3 + 2 * 11 + 1] = 3;
    map.set(2, dir);
    expect(Array.from(decodeCap(map).debug!)).toEqual([1, 2, 3]);
    expect(() => decodeDebug(Uint8Array.from([12, 0, 4, 1]))).toThrow('Debug component, offset 1: size field says 4 byte(s) of info, the component has 1');
  });

  it('must be listed in the Directory', async () => {
    const map = await components('echo/cap-3.1/echo.cap');
    map.set(12, Uint8Array.from([12, 0, 1, 9]));
    expect(() => decodeCap(map)).toThrow('Directory component, offset 25: component_sizes gives Debug 0 byte(s), the component has 1');
  });
});
