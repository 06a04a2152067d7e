// Malformed JCA: each error names the file, line and column, and what was expected.

import { describe, expect, it } from 'vitest';
import { assembleJca, JcaAssemblyError, JcaSyntaxError, parseJca } from '../../../loader/jca/index.ts';

/** A package around `body`; the body starts on line 4. */
const pkg = (body: string): string => `.package p/q {\n\t.aid 0xA0:0:0:0:0x62;\n\t.version 1.0;\n${body}\n}\n`;

/** A class with one method whose code starts on line 8. */
const method = (code: string): string =>
  pkg(`\t.class public A 0 extends 0.0 {\n\t\t.method public f()V 0 {\n\t\t\t.stack 1;\n\t\t\t.locals 0;\n${code}\n\t\t}\n\t}`);

function errorOf(text: string): Error {
  try {
    assembleJca(text, { fileName: 't.jca' });
  } catch (e) {
    return e as Error;
  }
  throw new Error('no error');
}

describe('JCA syntax errors', () => {
  it.each([
    ['a short AID', '.package p/q {\n  .aid 0xA0:0:0;\n}', 't.jca:2:8: expected an AID of 5 to 16 bytes, found 3 bytes'],
    ['a bad version', pkg('\t.imports {\n\t\t0xA0:0x0:0x0:0x0:0x62:0x0:0x1 1;\n\t}'), "t.jca:5:33: expected a version such as 1.0, found '1'"],
    [
      'an unknown constant pool kind',
      pkg('\t.constantPool {\n\t\tfooRef 1;\n\t}'),
      "t.jca:5:3: expected a constant pool entry (classRef, instanceFieldRef, virtualMethodRef, superMethodRef, staticFieldRef, staticMethodRef), found 'fooRef'",
    ],
    ['a missing semicolon', method('\t\t\t\tL0: return'), "t.jca:8:15: expected an operand or ';' after return, found '}'"],
    ['an unknown mnemonic', method('\t\t\t\tL0: frobnicate;'), "t.jca:8:9: expected an instruction, found unknown mnemonic 'frobnicate'"],
    ['an unterminated comment', pkg('\t/* unterminated'), "t.jca:4:2: expected '*/' to close this comment, found end of file"],
    [
      'a bad parameter type',
      pkg('\t.class public A 0 extends 0.0 {\n\t\t.method public f(Q)V 0 {\n\t\t}\n\t}'),
      "t.jca:5:20: expected a parameter type (Z B S I [ or L...;) in the method descriptor, found 'Q'",
    ],
    ['an unclosed package', '.package p/q {\n\t.aid 0xA0:0:0:0:0x62;\n', "t.jca:3:1: expected '}' to close package p/q, found end of file"],
    ['a number for a name', pkg('\t.applet { 0xA0:0:0:0:0x62:1 0x12; }'), "t.jca:4:30: expected the applet class name, found '0x12'"],
    ['a bad octal number', method('\t\t\t\tL0: sload 09;'), "t.jca:8:15: expected an octal number (leading 0), found '09'"],
    ['a byte out of range in an AID', '.package p/q {\n\t.aid 0xA0:0x100:0:0:0x62;\n}', 't.jca:2:12: expected an AID byte in 0..255, found 256'],
  ])('%s', (_what, text, message) => {
    const e = errorOf(text);
    expect(e).toBeInstanceOf(JcaSyntaxError);
    expect(e.message).toBe(message);
  });

  it('carries file, line and column as fields', () => {
    const e = errorOf(method('\t\t\t\tL0: frobnicate;')) as JcaSyntaxError;
    expect([e.fileName, e.line, e.column]).toEqual(['t.jca', 8, 9]);
  });
});

describe('JCA assembly errors', () => {
  it.each([
    ['an undefined label', method('\t\t\t\tL0: goto L9;'), 't.jca:8:14: undefined label L9'],
    ['a byte operand out of range', method('\t\t\t\tL0: bspush 200;'), 't.jca:8:16: bspush: a byte value 200 out of range -128..127'],
    ['a missing operand', method('\t\t\t\tL0: sload;'), 't.jca:8:9: sload takes 1 operand(s), found 0'],
    [
      'a method without code',
      pkg('\t.class public A 0 extends 0.0 {\n\t\t.method public f()V 0 {\n\t\t}\n\t}'),
      't.jca:5:3: method f()V has no code (an abstract method must say so)',
    ],
    [
      'an unknown class',
      pkg('\t.imports {\n\t\t0xA0:0x0:0x0:0x0:0x62:0x0:0x1 1.0;\n\t}\n\t.constantPool {\n\t\tvirtualMethodRef Foo/bar()V;\n\t}'),
      't.jca:8:3: unknown class Foo',
    ],
  ])('%s', (_what, text, message) => {
    const e = errorOf(text);
    expect(e).toBeInstanceOf(JcaAssemblyError);
    expect(e.message).toBe(message);
  });
});

describe('JCA lexical forms', () => {
  it('reads decimal, hex and octal numbers, both comment styles and directives in any case', () => {
    const ast = parseJca(
      `/* block\n comment */ .PACKAGE a/b { // line comment\n .Aid 0xF0:74:0112:0x56:0x4D; .VERSION 2.3;\n}`,
    );
    expect(ast.name).toBe('a/b');
    expect(Array.from(ast.aid)).toEqual([0xf0, 74, 0o112, 0x56, 0x4d]);
    expect([ast.major, ast.minor]).toEqual([2, 3]);
  });
});
