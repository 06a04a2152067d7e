// Token-level helpers shared by the JCA parser's parts: expectations that fail with a
// JcaSyntaxError saying what was expected and what was found, and the small shared forms
// (AIDs, versions, class references, field types, `.descriptor` bindings).

import type { ClassRefAst, DescriptorBinding, TypeAst } from './ast.ts';
import type { SourcePos } from './errors.ts';
import { describe, type Lexer, type Token } from './lexer.ts';

export class Cursor {
  /** Where the last consumed token ended: a missing ';' is reported there, not on the next line. */
  private lastEnd: SourcePos = { line: 1, column: 1 };

  constructor(readonly lex: Lexer) {}

  peek(): Token {
    return this.lex.peek();
  }

  next(): Token {
    const t = this.lex.next();
    this.lastEnd = { line: t.line, column: t.column + t.text.length + (t.sig?.length ?? 0) };
    return t;
  }

  /** `expected X, found Y`; `found` is a token or a description of what was there. */
  fail(at: SourcePos, expected: string, found: Token | string): never {
    this.lex.error(at, `expected ${expected}, found ${typeof found === 'string' ? found : describe(found)}`);
  }

  isPunct(p: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === p;
  }

  acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.next();
    return true;
  }

  punct(p: string, what = `'${p}'`): Token {
    const end = this.lastEnd;
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== p) this.fail(p === ';' ? end : t, what, t);
    return t;
  }

  isDirective(name: string): boolean {
    const t = this.peek();
    return t.kind === 'directive' && t.text === name;
  }

  directive(name: string): Token {
    const t = this.next();
    if (t.kind !== 'directive' || t.text !== name) this.fail(t, name, t);
    return t;
  }

  /** An identifier (case-sensitive) without a glued signature. */
  ident(what: string): Token {
    const t = this.next();
    if (t.kind !== 'ident' || t.sig !== undefined) this.fail(t, what, t);
    return t;
  }

  /** A keyword compared case-insensitively. */
  isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.sig === undefined && t.text.toLowerCase() === word;
  }

  number(what: string, min = -Infinity, max = Infinity): number {
    const t = this.next();
    if (t.kind !== 'number') this.fail(t, what, t);
    const v = t.value!;
    if (v < min || v > max) this.fail(t, `${what} in ${min}..${max}`, String(v));
    return v;
  }

  /** `{` ... `}` with items parsed by `item` until the closing brace. */
  block(item: () => void, what: string): void {
    this.punct('{', `'{' to open ${what}`);
    while (!this.isPunct('}')) {
      if (this.peek().kind === 'eof') this.fail(this.peek(), `'}' to close ${what}`, this.peek());
      item();
    }
    this.next();
  }

  /** `0xA0:0x0:0x0:0x0:0x62:0x1:0x1` */
  aid(): Uint8Array {
    const first = this.peek();
    const bytes: number[] = [this.number('an AID byte such as 0xA0', 0, 255)];
    while (this.acceptPunct(':')) bytes.push(this.number('an AID byte', 0, 255));
    if (bytes.length < 5 || bytes.length > 16) this.fail(first, 'an AID of 5 to 16 bytes', `${bytes.length} bytes`);
    return Uint8Array.from(bytes);
  }

  /** `1.6` → major 1, minor 6. */
  version(): { major: number; minor: number } {
    const t = this.next();
    if (t.kind === 'dotted' && t.parts!.length === 2 && t.sig === undefined) {
      const [major, minor] = t.parts as [number, number];
      if (major > 255 || minor > 255) this.fail(t, 'a version with parts 0..255', t);
      return { major, minor };
    }
    this.fail(t, 'a version such as 1.0', t);
  }

  /** A class of this package by name, or an imported one as `pkg.cls`. */
  classRef(what = 'a class name or package.class tokens'): ClassRefAst {
    const t = this.next();
    return this.classRefFrom(t, what);
  }

  classRefFrom(t: Token, what: string): ClassRefAst {
    const pos = { line: t.line, column: t.column };
    if (t.kind === 'ident' && t.sig === undefined && !t.text.includes('/')) {
      return { kind: 'local', name: t.text, pos };
    }
    if (t.kind === 'dotted' && t.parts!.length === 2 && t.sig === undefined) {
      const [pkg, cls] = t.parts as [number, number];
      return { kind: 'external', pkg, cls, pos };
    }
    this.fail(t, what, t);
  }

  /** `short`, `byte[]`, `Shape`, `0.0[]` */
  type(): TypeAst {
    const t = this.next();
    let result: TypeAst;
    const prim = t.kind === 'ident' && t.sig === undefined ? t.text : '';
    if (prim === 'boolean' || prim === 'byte' || prim === 'short' || prim === 'int') {
      result = { kind: 'primitive', name: prim, array: false };
    } else {
      result = { kind: 'class', cls: this.classRefFrom(t, 'a field type'), array: false };
    }
    if (this.acceptPunct('[')) {
      this.punct(']', "']' after '[' in an array type");
      result.array = true;
    }
    return result;
  }

  /** After `.descriptor`: `Ljavacard/framework/APDU; 0.10;` */
  binding(at: SourcePos): DescriptorBinding {
    const d = this.lex.typeDescriptor();
    if (!d.text.startsWith('L')) this.fail(d, 'a class type descriptor', `'${d.text}'`);
    const cls = this.classRef('the package.class tokens of the descriptor');
    this.punct(';', "';' after a .descriptor binding");
    return { descriptor: d.text, cls, pos: { line: at.line, column: at.column } };
  }
}

export function posOf(t: SourcePos): SourcePos {
  return { line: t.line, column: t.column };
}
