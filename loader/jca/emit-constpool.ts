// Constant Pool component (JCVM spec 6.8): u2 count, then 4-byte cp_info entries.
//   CONSTANT_Classref (1):            u1 tag, class_ref, u1 padding
//   CONSTANT_InstanceFieldref (2),
//   CONSTANT_VirtualMethodref (3),
//   CONSTANT_SuperMethodref (4):      u1 tag, class_ref, u1 token
//   CONSTANT_StaticFieldref (5),
//   CONSTANT_StaticMethodref (6):     u1 tag, internal {u1 padding 0, u2 offset} or
//                                     external {u1 0x80|package_token, u1 class_token, u1 token}
// Each entry's type (for the Descriptor component's constant_pool_types) is computed here too.

import { ByteWriter } from '../bytes.ts';
import type { CpEntryAst } from './ast.ts';
import { classRefValue } from './model.ts';
import type { Resolver } from './resolve.ts';
import { methodSigElems, typeAstElem, UnknownClassError, type TypeElem } from './types.ts';

export interface CpResolved {
  bytes: Uint8Array;
  /** Type for the Descriptor component; undefined for a Classref (0xFFFF). */
  type?: TypeElem[];
}

export function resolveCpEntry(r: Resolver, e: CpEntryAst): CpResolved {
  const pkg = r.pkg;
  const w = new ByteWriter();
  const classRef = (c: Parameters<typeof classRefValue>[1]) => classRefValue(pkg, c);
  switch (e.kind) {
    case 'classRef':
      w.u1(1).u2(classRef(e.cls)).u1(0);
      return { bytes: w.toBytes() };
    case 'instanceFieldRef': {
      const type = [typeAstElem(e.type, classRef)];
      if (e.member.kind === 'external') {
        w.u1(2).u2(0x8000 | (e.member.pkg << 8) | e.member.cls).u1(e.member.token);
      } else {
        const c = r.cls(e.member.cls, e.pos);
        w.u1(2).u2(c.offset).u1(r.instanceFieldToken(c, e.member.name, e.pos));
      }
      return { bytes: w.toBytes(), type };
    }
    case 'staticFieldRef': {
      const type = [typeAstElem(e.type, classRef)];
      w.u1(5);
      if (e.member.kind === 'external') {
        w.u1(0x80 | e.member.pkg).u1(e.member.cls).u1(e.member.token);
      } else {
        const f = r.staticField(r.cls(e.member.cls, e.pos), e.member.name, e.pos);
        w.u1(0).u2(f.offset!);
      }
      return { bytes: w.toBytes(), type };
    }
    default: {
      let type: TypeElem[];
      try {
        type = methodSigElems(e.sig, r.classResolver(e.bindings));
      } catch (err) {
        if (err instanceof UnknownClassError) r.fail(e.pos, `no .descriptor binding for class ${err.className} in ${e.sig}`);
        throw err;
      }
      const tag = e.kind === 'virtualMethodRef' ? 3 : e.kind === 'superMethodRef' ? 4 : 6;
      w.u1(tag);
      if (e.member.kind === 'external') {
        if (tag === 6) w.u1(0x80 | e.member.pkg).u1(e.member.cls).u1(e.member.token);
        else w.u2(0x8000 | (e.member.pkg << 8) | e.member.cls).u1(e.member.token);
        return { bytes: w.toBytes(), type };
      }
      const { name } = e.member;
      const c = r.cls(e.member.cls, e.pos);
      if (tag === 6) {
        const m = c.methods.find((x) => x.ast.name === name && x.ast.sig === e.sig);
        if (!m) return r.fail(e.pos, `no method ${name}${e.sig} in class ${c.ast.name}`);
        w.u1(0).u2(m.offset);
      } else {
        w.u2(c.offset).u1(r.virtualToken(c, name, e.sig, e.pos));
      }
      return { bytes: w.toBytes(), type };
    }
  }
}

export function emitConstantPool(entries: readonly CpResolved[]): Uint8Array {
  const w = new ByteWriter();
  w.u2(entries.length);
  for (const e of entries) w.bytes(e.bytes);
  return w.toBytes();
}
