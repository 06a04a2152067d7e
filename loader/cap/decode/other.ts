// The components this loader keeps without interpreting much: Debug (JCVM 6.15, raw, for
// debuggers) and Static Resources (JCVM 3.1 6.16, CAP 2.3), whose size field is a u4.

import type { StaticResourcesComponent } from '../components.ts';
import { ComponentTag } from '../components.ts';
import { openComponent } from './common.ts';

/** The Debug component's info, raw; only the frame is checked. */
export function decodeDebug(bytes: Uint8Array): Uint8Array {
  const r = openComponent(bytes, ComponentTag.Debug);
  return r.copy(r.remaining, 'Debug info');
}

export function decodeStaticResources(bytes: Uint8Array): StaticResourcesComponent {
  const r = openComponent(bytes, ComponentTag.StaticResources);
  const countAt = r.offset;
  const resource_count = r.u2('resource_count');
  if (resource_count === 0) r.fail('resource_count is 0: a CAP without resources has no Static Resource component', countAt);
  const directory: { id: number; size: number }[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < resource_count; i++) {
    const at = r.offset;
    const id = r.u2('resource_id');
    const size = r.u4('resource_size');
    if (seen.has(id)) r.fail(`resource_id ${id} appears twice`, at);
    // 6.16: a static resource is at most 32767 bytes.
    if (size > 32767) r.fail(`resource ${id}: resource_size ${size} is above 32767`, at + 2);
    seen.add(id);
    directory.push({ id, size });
  }
  const resources = directory.map(({ id, size }) => ({ id, data: r.copy(size, `static resource ${id}`) }));
  r.expectEnd('the Static Resource component');
  return { resources };
}
