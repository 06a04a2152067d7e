// dumpCap and disassembleMethod: the listing of known items of the corpus.

import { describe, expect, it } from 'vitest';
import { dumpCap, disassembleMethod } from '../../../loader/cap/dump.ts';
import { corpusCapFiles, CORPUS_DIR } from '../../corpus.ts';
import { relative } from 'node:path';
import { corpusCap } from './helpers.ts';

describe('dumpCap', () => {
  it('lists every component of echo', async () => {
    const lines = dumpCap(await corpusCap('echo/echo.cap')).split('\n');
    for (const expected of [
      'CAP file conformance/echo, format 2.1',
      'Header: magic DECAFFED format 2.1 flags 0x04 (ACC_APPLET)',
      '  package F04A43564D01 version 1.0',
      '  component_sizes: Header 16, Directory 31, Applet 11, Import 21, ConstantPool 122, Class 12, Method 455, StaticField 10, RefLocation 58, Export 0, Descriptor 263',
      '  applet F04A43564D0101 install_method_offset 0x0038',
      '  [0] A0000000620101 version 1.6',
      'ConstantPool: 30 entries',
      '  [0] InstanceFieldref @0000.0 [B',
      '  [5] VirtualMethodref 0.3.1 ()V',
      '  [6] Classref @0000',
      '  [10] StaticMethodref 0.7.1 (S)V',
      '  [11] StaticMethodref @00f5 (L0.10;[B)V',
      '  class @0000 flags 0x00 super 0.3',
      '    declared_instance_size 5, first_reference_token 0, reference_count 3',
      '      token 7 -> 0x0043',
      '  byte indices (16): 13 21 31 41 163 169 174 182 325 371 374 385 388 411 434 444',
      '    field token 3 access 0x02 (private) instance @0000.3 type S',
      '    method token 7 access 0x01 (public) offset 0x0043 type (L0.10;)V bytecode_count 176 exception_handlers 0@0',
      '    0x0048 (L0.10;[B)V',
      '  applet F04A43564D0101 class conformance.echo.EchoApplet',
      'method 0x0043 class @0000 token 7 (L0.10;)V access 0x01 (public)',
      '  flags 0x0 max_stack 5 nargs 2 max_locals 1, 176 byte(s) of code at 0x0045',
      '      1: invokevirtual 8             // VirtualMethodref 0.3.3 ()Z',
      '      4: ifeq 7',
      '      7: newarray 11                 // byte[]',
    ]) {
      expect(lines).toContain(expected);
    }
  });

  it('expands switch tables and lists exception handlers', async () => {
    const lines = dumpCap(await corpusCap('arith/arith.cap')).split('\n');
    expect(lines).toContain('  handler [0] try 130..371 handler 374 catch_type_index 8 (Classref 1.9)');
    expect(lines).toContain('  handler [1] try 130..371 handler 383 catch_type_index 9 (Classref 1.5) stop_bit');
    expect(lines).toContain('  handler [0] pc 64..305 -> 308 catch 8 (Classref 1.9)');
    const at = lines.indexOf('      1: stableswitch 0..6 default -> 43');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 3)).toEqual(['             0 -> 22', '             1 -> 25']);
    expect(lines).toContain('      1: slookupswitch 6 pairs default -> 43');
    expect(lines).toContain('             -30000 -> 30');
  });

  it('shows the 2.3 class additions and static field data', async () => {
    const echo = dumpCap(await corpusCap('echo/cap-3.1/echo.cap'));
    expect(echo).toContain('    public_virtual_method_token_mapping: 0 1 2 3 4 5 6 7\n    CAP22_inheritable_public_method_token_count: 8\n');
    const objects = dumpCap(await corpusCap('objects/objects.cap'));
    expect(objects).toContain('  array_init [1] short[] 8 byte(s): 00 64 FF 38 01 2C 7F FF');
    expect(objects).toContain('  interface @0000 flags 0x08 (ACC_INTERFACE)');
    const fwlib = dumpCap(await corpusCap('firewall/fwlib.cap'));
    expect(fwlib).toContain('  class token 1 @0003 static fields [0] static methods [0x0001 0x0008 0x002b 0x0060]');
  });

  it.each(corpusCapFiles().map((f) => relative(CORPUS_DIR, f)))('lists every method of %s', async (rel) => {
    const cap = await corpusCap(rel);
    const text = dumpCap(cap);
    for (const m of cap.method.methods) expect(text).toContain(`\nmethod 0x${m.offset.toString(16).padStart(4, '0')} `);
    expect(text).not.toContain('.byte');
  });
});

describe('disassembleMethod', () => {
  it('lists offsets, operands and absolute branch targets', () => {
    const code = Uint8Array.from([0x10, 0xfb, 0x59, 0x01, 0x02, 0x61, 0xfb, 0x7a]);
    expect(disassembleMethod(code)).toEqual(['    0: bspush -5', '    2: sinc 1 2', '    5: ifne 0', '    7: return']);
  });

  it('annotates constant-pool operands when given the pool', () => {
    const code = Uint8Array.from([0x8d, 0x00, 0x00, 0x8d, 0x00, 0x05]);
    const cp = [{ tag: 6 as const, ref: { kind: 'external' as const, package_token: 0, class_token: 7, token: 1 } }];
    expect(disassembleMethod(code, cp)).toEqual([
      '    0: invokestatic 0              // StaticMethodref 0.7.1',
      '    3: invokestatic 5              // index 5 out of range',
    ]);
  });

  it('stops at bytes that do not decode', () => {
    expect(disassembleMethod(Uint8Array.from([0x00, 0xc0, 0x00]))).toEqual(['    0: nop', '    1: .byte 0xc0  // undefined opcode 0xc0']);
    expect(disassembleMethod(Uint8Array.from([0x11, 0x01]))).toEqual(['    0: .byte 0x11  // sspush runs past the end of the method']);
  });
});
