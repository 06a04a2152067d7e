// The Constant Pool component (JCVM 6.8): count u2, then 4-byte cp_info entries. Entries do not
// refer to each other; they refer into the Class component, the static field image, the Method
// component and imported packages, which DecodeContext checks once those are known.

import type { ConstantPoolComponent, CpEntry } from '../components.ts';
import { ComponentTag, CpTag } from '../components.ts';
import { type DecodeContext, openComponent, readClassRef, readStaticRef, recordAt } from './common.ts';

export const CP_TAG_NAMES: Record<number, string> = {
  1: 'Classref',
  2: 'InstanceFieldref',
  3: 'VirtualMethodref',
  4: 'SuperMethodref',
  5: 'StaticFieldref',
  6: 'StaticMethodref',
};

export function decodeConstantPool(bytes: Uint8Array, ctx: DecodeContext): ConstantPoolComponent {
  const r = openComponent(bytes, ComponentTag.ConstantPool);
  const countAt = r.offset;
  const count = r.u2('count');
  if (count * 4 !== r.remaining) {
    r.fail(`count ${count} needs ${count * 4} byte(s) of entries, the component has ${r.remaining}`, countAt);
  }
  const constant_pool: CpEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = r.offset;
    const tag = r.u1('cp_info tag');
    const what = `entry ${i} (${CP_TAG_NAMES[tag] ?? '?'})`;
    let entry: CpEntry;
    switch (tag) {
      case CpTag.Classref: {
        const class_ref = readClassRef(r, `${what} class_ref`, { ctx });
        r.u1('padding');
        entry = { tag, class_ref };
        break;
      }
      case CpTag.InstanceFieldref:
      case CpTag.VirtualMethodref:
      case CpTag.SuperMethodref: {
        const class_ref = readClassRef(r, `${what} class`, { ctx, want: 'class' });
        const token = r.u1('token');
        // 6.8.3/6.8.4: a package-visible (high bit set) method token is only meaningful for a
        // class of this package.
        if (tag !== CpTag.InstanceFieldref && token & 0x80 && class_ref.kind === 'external') {
          r.fail(`${what}: package-visible token 0x${token.toString(16)} on a class of another package`, at);
        }
        entry = { tag, class_ref, token };
        break;
      }
      case CpTag.StaticFieldref:
        entry = { tag, ref: readStaticRef(r, what, ctx, 'field') };
        break;
      case CpTag.StaticMethodref:
        entry = { tag, ref: readStaticRef(r, what, ctx, 'method') };
        break;
      default:
        return r.fail(`entry ${i}: unknown constant pool tag ${tag} (expected 1..6)`, at);
    }
    constant_pool.push(recordAt(entry, at));
  }
  r.expectEnd('the Constant Pool component');
  return { constant_pool };
}
