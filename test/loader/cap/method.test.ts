// Method component (JCVM 6.10) and the code in it (chapter 7): methods cut out with the
// Descriptor, instructions checked against vm/opcodes.ts, exception handlers.

import { describe, expect, it } from 'vitest';
import { PackageFlags } from '../../../loader/cap/components.ts';
import { DecodeContext, decodeCap, decodeMethod } from '../../../loader/cap/decode.ts';
import { components, corpusCap, edited, setU2 } from './helpers.ts';
import { decodeAll } from '../../../loader/cap/bytecode.ts';

const ECHO = 'echo/echo.cap';
const ARITH = 'arith/arith.cap';
// echo (2.1): the first method header is at info offset 1 (component offset 4), its code at
// component offset 6; the Descriptor's first method_descriptor_info is at component offset 48.
const CODE = 6;
const FIRST_METHOD_DESCRIPTOR = 48;

function capThrows(map: Map<number, Uint8Array>, message: string): void {
  expect(() => decodeCap(map)).toThrow(message);
}

describe('Method component', () => {
  it('is cut into the methods the Descriptor lists', async () => {
    const cap = await corpusCap(ECHO);
    expect(cap.method.methods.map((m) => [m.offset, m.bytecodes.length])).toEqual([
      [0x01, 53], [0x38, 9], [0x43, 176], [0xf5, 35], [0x11a, 24], [0x134, 39], [0x15d, 39], [0x186, 26], [0x1a2, 35],
    ]);
    const init = cap.method.methods[0]!;
    expect(init).toMatchObject({ flags: 0, max_stack: 3, nargs: 1, max_locals: 1, code_offset: 3, class_offset: 0 });
    expect(init.descriptor).toMatchObject({ token: 255, access_flags: 0x82 });
    expect(Array.from(init.bytecodes.subarray(0, 4))).toEqual([0x18, 0x8c, 0x00, 0x10]); // aload_0; invokespecial 16
    expect(cap.method.info.length).toBe(455);
  });

  it('keeps abstract methods with no code', async () => {
    const cap = await corpusCap('objects/objects.cap');
    const abstract = cap.method.methods.filter((m) => m.flags & 0x4);
    expect(abstract).toHaveLength(1);
    expect(abstract[0]!.bytecodes.length).toBe(0);
  });

  it('decodes the exception handler table', async () => {
    const cap = await corpusCap(ARITH);
    expect(cap.method.exception_handlers).toEqual([
      { start_offset: 130, stop_bit: false, active_length: 241, handler_offset: 374, catch_type_index: 8 },
      { start_offset: 130, stop_bit: true, active_length: 241, handler_offset: 383, catch_type_index: 9 },
    ]);
  });

  describe('instructions', () => {
    const patch = async (at: number, bytes: number[]) =>
      edited(await components(ECHO), 7, (b) => bytes.forEach((v, k) => (b[at + k] = v)));

    it('rejects an undefined opcode, naming the method and pc', async () => {
      capThrows(await patch(CODE, [0xc0]), 'Method component, offset 6: undefined opcode 0xc0 at pc 0 of the method at 0x0001');
      capThrows(await patch(CODE + 4, [0xba]), 'Method component, offset 10: undefined opcode 0xba at pc 4 of the method at 0x0001');
    });

    it('rejects impdep1 and impdep2', async () => {
      capThrows(await patch(CODE, [0xfe]), 'Method component, offset 6: undefined opcode 0xfe (impdep1) at pc 0 of the method at 0x0001');
      capThrows(await patch(CODE, [0xff]), 'undefined opcode 0xff (impdep2) at pc 0');
    });

    it('rejects an instruction running past the end of its method', async () => {
      // pc 52 is the method's final return; make it a 3-byte invokespecial
      capThrows(await patch(CODE + 52, [0x8c]), 
        'Method component, offset 58: invokespecial runs past the end of the method at pc 52 of the method at 0x0001',
      );
    });

    it('rejects branches out of the method or into an instruction', async () => {
      // pc 35: if_scmpge +13
      capThrows(await patch(CODE + 36, [0x7f]), 
        'Method component, offset 41: if_scmpge branches to 162, which is not an instruction of the method at pc 35 of the method at 0x0001',
      );
      capThrows(await patch(CODE + 36, [0x03]), 'if_scmpge branches to 38, which is not an instruction of the method');
      capThrows(await patch(CODE + 36, [0x80]), 'if_scmpge branches to -93');
    });

    it('rejects constant-pool indices out of range or of the wrong kind', async () => {
      capThrows(await patch(CODE + 2, [0x00, 0x40]), 
        'Method component, offset 7: invokespecial index 64 is not below the constant pool count 30 at pc 1 of the method at 0x0001',
      );
      capThrows(await patch(CODE + 2, [0x00, 0x06]), 
        'invokespecial index 6 names a Classref, expected StaticMethodref or SuperMethodref at pc 1',
      );
      // pc 9: putfield_a 0 -> putfield_a 5 (a VirtualMethodref)
      capThrows(await patch(CODE + 10, [5]), 'putfield_a index 5 names a VirtualMethodref, expected InstanceFieldref at pc 9');
    });

    it('rejects a checkcast/instanceof array type other than 0 and 10..14', async () => {
      // the first checkcast in objects: find it through the decoder, then corrupt its type byte
      const cap = await corpusCap('objects/objects.cap');
      let at = -1;
      for (const m of cap.method.methods) {
        const pc = m.bytecodes.indexOf(0x94);
        if (pc >= 0 && decodeAll(m.bytecodes).instructions.some((i) => i.pc === pc)) {
          at = 3 + m.code_offset + pc;
          break;
        }
      }
      expect(at).toBeGreaterThan(0);
      const map = edited(await components('objects/objects.cap'), 7, (b) => {
        b[at + 1] = 25;
      });
      capThrows(map, `Method component, offset ${at}: checkcast array type 25 is not 0 or 10..14`);
    });

    it('rejects int instructions in a package without ACC_INT', async () => {
      capThrows(await patch(CODE, [0x0a]), 'Method component, offset 6: iconst_0 uses the int type but the Header has no ACC_INT at pc 0');
      const cap = await corpusCap('intops/intops.cap');
      expect(cap.header.flags & PackageFlags.ACC_INT).toBeTruthy();
    });
  });

  describe('exception handlers', () => {
    const handler = async (field: number, v: number) => edited(await components(ARITH), 7, (b) => setU2(b, 4 + field, v));

    it('rejects a handler count the component cannot hold', async () => {
      const b = (await components(ECHO)).get(7)!.slice();
      b[3] = 255;
      expect(() => decodeMethod(b, new DecodeContext())).toThrow(
        'Method component, offset 3: handler_count 255 needs 2040 byte(s) of handlers, the component has 454',
      );
    });

    it('rejects ranges outside the methods', async () => {
      capThrows(await handler(0, 0xfff0), 
        'Method component, offset 4: exception handler 0: active range 65520..65761 is outside the methods (17..',
      );
      capThrows(await handler(4, 3), 'Method component, offset 8: exception handler 0: handler_offset 3 is outside the methods');
    });

    it('rejects ranges that leave their method or split an instruction', async () => {
      capThrows(await handler(2, 0x7fff), 'exception handler 0: active range 130..32897 is outside the methods');
      capThrows(await handler(2, 300), 
        'Method component, offset 4: exception handler 0: active range ends at 430, past the method at 0x0040',
      );
      capThrows(await handler(0, 132), 'Method component, offset 4: exception handler 0: start_offset 132 is not an instruction boundary');
      capThrows(await handler(4, 375), 
        'Method component, offset 8: exception handler 0: handler_offset 375 is not an instruction of the method at 0x0040',
      );
    });

    it('needs catch_type_index to name a Classref', async () => {
      capThrows(await handler(6, 7), 'Method component, offset 10: exception handler 0: catch_type_index 7 is not a Classref entry');
      capThrows(await handler(6, 40), 
        'Method component, offset 10: exception handler 0: catch_type_index 40 is not below the constant pool count 32',
      );
    });
  });

  describe('against the Descriptor', () => {
    const descriptor = async (at: number, v: number) => edited(await components(ECHO), 11, (b) => setU2(b, at, v));

    it('rejects bytes that belong to no method, and overlapping methods', async () => {
      capThrows(await descriptor(FIRST_METHOD_DESCRIPTOR + 6, 52), 
        'Method component, offset 58: bytes 55..55 belong to no method of the Descriptor',
      );
      capThrows(await descriptor(FIRST_METHOD_DESCRIPTOR + 6, 54), 
        'Method component, offset 59: method at 0x0038 overlaps the method before it',
      );
    });

    it('rejects a method_offset outside the methods', async () => {
      capThrows(await descriptor(FIRST_METHOD_DESCRIPTOR + 2, 0x500), 
        "Descriptor component, offset 48: method_offset 0x0500 is not inside the Method component's methods (1..455)",
      );
      capThrows(await descriptor(FIRST_METHOD_DESCRIPTOR + 2, 0), 'method_offset 0x0000 is not inside');
    });

    it('needs the method header and the Descriptor to agree on ACC_ABSTRACT', async () => {
      const map = edited(await components(ECHO), 7, (b) => void (b[4] = 0x43));
      expect(() => decodeCap(map)).toThrow(
        'Descriptor component, offset 48: method at 0x0001: ACC_ABSTRACT differs between the Descriptor and the method header',
      );
    });

    it("checks each method's exception handler range", async () => {
      // arith: the method at 0x0040 owns handlers 0..1; give it 0..2
      const cap = await corpusCap(ARITH);
      const m = cap.method.methods.find((x) => x.offset === 0x40)!;
      const { positionOf } = await import('../../../loader/cap/decode/common.ts');
      const at = positionOf(m.descriptor!) + 8;
      const map = edited(await components(ARITH), 11, (b) => setU2(b, at, 3));
      expect(() => decodeCap(map)).toThrow(
        `Descriptor component, offset ${at}: method at 0x0040: exception handlers 0..2 are beyond handler_count 2`,
      );
    });
  });
});
