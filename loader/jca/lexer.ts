// The JCA lexer. JCA (the converter's `-out JCA`) is line-oriented C-like text: directives
// start with a dot and are case-insensitive, comments are // and /* */, numbers are decimal,
// hex (0x) or octal (leading 0), and dotted numbers (`0.3`, `1.6`, `0.3.1`) name external
// packages, classes and members by token. Two things need care:
//  - a method signature is glued to its name (`install([BSB)V`, `0.3.1()V`); its `;` and `/`
//    are part of the descriptor, so a name directly followed by `(` takes the descriptor along;
//  - a bare type descriptor (`Ljavacard/framework/APDU;` after `.descriptor`) can only be told
//    from an identifier by context, so the parser asks for it explicitly.

import { JcaSyntaxError, type SourcePos } from './errors.ts';

export type TokenKind = 'directive' | 'ident' | 'number' | 'dotted' | 'punct' | 'eof';

export interface Token extends SourcePos {
  readonly kind: TokenKind;
  /** Source text; for directives the lower-cased name with its dot. */
  readonly text: string;
  /** number: its value. */
  readonly value?: number;
  /** dotted: the numbers between the dots. */
  readonly parts?: readonly number[];
  /** ident or dotted directly followed by a method descriptor, e.g. `()V`. */
  readonly sig?: string;
}

const PUNCT = new Set(['{', '}', ';', ':', '=', ',', '[', ']']);
const IDENT_START = /[A-Za-z_$<]/;
const IDENT_PART = /[A-Za-z0-9_$<>/]/;
const BASE_TYPES = 'ZBSIV';

export class Lexer {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private ahead: Token | undefined;

  constructor(
    private readonly text: string,
    readonly fileName = '<jca>',
  ) {}

  peek(): Token {
    this.ahead ??= this.scan();
    return this.ahead;
  }

  next(): Token {
    const t = this.peek();
    this.ahead = undefined;
    return t;
  }

  error(at: SourcePos, detail: string): never {
    throw new JcaSyntaxError(this.fileName, at.line, at.column, detail);
  }

  /**
   * Reads a field type descriptor (`B`, `[B`, `Ljava/lang/Object;`) at the current position.
   * Only valid when no token has been peeked.
   */
  typeDescriptor(): { text: string } & SourcePos {
    if (this.ahead) throw new Error('typeDescriptor() after peek()');
    this.skipBlank();
    const start = this.here();
    const end = this.scanFieldType(this.pos, false);
    if (end < 0) this.error(start, `expected a type descriptor such as Ljavacard/framework/APDU;, found '${this.text[this.pos] ?? 'end of file'}'`);
    const text = this.text.slice(this.pos, end);
    this.pos = end;
    return { text, ...start };
  }

  private here(): SourcePos {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private skipBlank(): void {
    const s = this.text;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === '\n') {
        this.pos++;
        this.line++;
        this.lineStart = this.pos;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
        this.pos++;
      } else if (c === '/' && s[this.pos + 1] === '/') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else if (c === '/' && s[this.pos + 1] === '*') {
        const open = this.here();
        const close = s.indexOf('*/', this.pos + 2);
        if (close < 0) this.error(open, "expected '*/' to close this comment, found end of file");
        for (let i = this.pos; i < close; i++) {
          if (s[i] === '\n') {
            this.line++;
            this.lineStart = i + 1;
          }
        }
        this.pos = close + 2;
      } else {
        break;
      }
    }
  }

  private scan(): Token {
    this.skipBlank();
    const s = this.text;
    const at = this.here();
    if (this.pos >= s.length) return { kind: 'eof', text: '', ...at };
    const c = s[this.pos]!;
    const start = this.pos;

    if (PUNCT.has(c)) {
      this.pos++;
      return { kind: 'punct', text: c, ...at };
    }
    if (c === '.' && /[A-Za-z]/.test(s[this.pos + 1] ?? '')) {
      this.pos++;
      while (this.pos < s.length && /[A-Za-z0-9_]/.test(s[this.pos]!)) this.pos++;
      return { kind: 'directive', text: s.slice(start, this.pos).toLowerCase(), ...at };
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(s[this.pos + 1] ?? ''))) {
      return this.scanNumber(at);
    }
    if (IDENT_START.test(c)) {
      while (this.pos < s.length && IDENT_PART.test(s[this.pos]!)) this.pos++;
      const text = s.slice(start, this.pos);
      const sig = this.scanSignature(at);
      return sig === undefined ? { kind: 'ident', text, ...at } : { kind: 'ident', text, sig, ...at };
    }
    this.error(at, `expected a directive, name, number or punctuation, found '${c}'`);
  }

  private scanNumber(at: SourcePos): Token {
    const s = this.text;
    const start = this.pos;
    if (s[this.pos] === '-') this.pos++;
    let value: number;
    if (s[this.pos] === '0' && (s[this.pos + 1] === 'x' || s[this.pos + 1] === 'X')) {
      this.pos += 2;
      const digits = this.pos;
      while (this.pos < s.length && /[0-9A-Fa-f]/.test(s[this.pos]!)) this.pos++;
      if (this.pos === digits) this.error(at, `expected hex digits after 0x, found '${s[this.pos] ?? 'end of file'}'`);
      value = parseInt(s.slice(digits, this.pos), 16);
    } else {
      const digits = this.pos;
      while (this.pos < s.length && /[0-9]/.test(s[this.pos]!)) this.pos++;
      const d = s.slice(digits, this.pos);
      // A dotted number (`0.3.1`, `1.6`) names tokens or a version: its parts are decimal.
      if (s[this.pos] === '.' && /[0-9]/.test(s[this.pos + 1] ?? '') && s[start] !== '-') {
        const parts = [parseInt(d, 10)];
        while (s[this.pos] === '.' && /[0-9]/.test(s[this.pos + 1] ?? '')) {
          this.pos++;
          const p = this.pos;
          while (this.pos < s.length && /[0-9]/.test(s[this.pos]!)) this.pos++;
          parts.push(parseInt(s.slice(p, this.pos), 10));
        }
        const text = s.slice(start, this.pos);
        const sig = this.scanSignature(at);
        return sig === undefined ? { kind: 'dotted', text, parts, ...at } : { kind: 'dotted', text, parts, sig, ...at };
      }
      if (d.length > 1 && d[0] === '0') {
        if (/[89]/.test(d)) this.error(at, `expected an octal number (leading 0), found '${d}'`);
        value = parseInt(d, 8);
      } else {
        value = parseInt(d, 10);
      }
    }
    if (/[A-Za-z_]/.test(s[this.pos] ?? '')) this.error(at, `expected a number, found '${s.slice(start, this.pos + 1)}'`);
    if (s[start] === '-') value = -value;
    return { kind: 'number', text: s.slice(start, this.pos), value, ...at };
  }

  /** A method descriptor glued to the name just scanned, or undefined if none follows. */
  private scanSignature(at: SourcePos): string | undefined {
    const s = this.text;
    if (s[this.pos] !== '(') return undefined;
    let p = this.pos + 1;
    while (p < s.length && s[p] !== ')') {
      const end = this.scanFieldType(p, false);
      if (end < 0) {
        const where = { line: at.line, column: p - this.lineStart + 1 };
        this.error(where, `expected a parameter type (Z B S I [ or L...;) in the method descriptor, found '${s[p]}'`);
      }
      p = end;
    }
    if (p >= s.length) this.error(at, "expected ')' to close the method descriptor, found end of file");
    const end = this.scanFieldType(p + 1, true);
    if (end < 0) {
      this.error({ line: at.line, column: p + 2 - this.lineStart }, `expected a return type after ')' in the method descriptor, found '${s[p + 1] ?? 'end of file'}'`);
    }
    const sig = s.slice(this.pos, end);
    this.pos = end;
    return sig;
  }

  /** End offset of the field type starting at p, or -1. */
  private scanFieldType(p: number, allowVoid: boolean): number {
    const s = this.text;
    let q = p;
    while (s[q] === '[') q++;
    const c = s[q];
    if (c === undefined) return -1;
    if (c === 'L') {
      const semi = s.indexOf(';', q);
      if (semi < 0 || /[\s()]/.test(s.slice(q + 1, semi)) || semi === q + 1) return -1;
      return semi + 1;
    }
    if (!BASE_TYPES.includes(c)) return -1;
    if (c === 'V' && (!allowVoid || q !== p)) return -1;
    return q + 1;
  }
}

export function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'punct':
      return `'${t.text}'`;
    case 'directive':
      return `directive ${t.text}`;
    default:
      return `'${t.text}${t.sig ?? ''}'`;
  }
}
