// Errors of the JCA front end. A syntax error names the file, the line and column (both
// 1-based) and what the parser expected; a semantic error (an unknown label, a class that
// is not declared) does the same, since both are mistakes in the text the user can fix.

export interface SourcePos {
  readonly line: number;
  readonly column: number;
}

export class JcaSyntaxError extends Error {
  constructor(
    readonly fileName: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${fileName}:${line}:${column}: ${detail}`);
    this.name = 'JcaSyntaxError';
  }
}

/** Well-formed JCA that cannot be assembled (unknown name, value out of range...). */
export class JcaAssemblyError extends Error {
  constructor(
    readonly fileName: string,
    readonly pos: SourcePos | undefined,
    readonly detail: string,
  ) {
    super(pos ? `${fileName}:${pos.line}:${pos.column}: ${detail}` : `${fileName}: ${detail}`);
    this.name = 'JcaAssemblyError';
  }
}
