// Splits an apdutool script into statements: tokens up to each ';', with line numbers.
// Comments are `// …` to the end of the line and `/* … */`; a statement may span lines.

/** A malformed script: names the file and line and what is wrong there. */
export class ScriptSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'ScriptSyntaxError';
  }
}

export interface Token {
  readonly text: string;
  readonly line: number;
  /** A "double-quoted" string (echo's argument), quotes removed. */
  readonly quoted: boolean;
}

export interface Statement {
  readonly line: number;
  readonly tokens: readonly Token[];
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f';

export function tokenize(text: string, file: string): Statement[] {
  const statements: Statement[] = [];
  let tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const fail = (at: number, problem: string): never => {
    throw new ScriptSyntaxError(file, at, problem);
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (isSpace(c)) {
      i++;
    } else if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) fail(line, 'comment /* is never closed');
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
    } else if (c === ';') {
      if (tokens.length === 0) fail(line, "empty statement (a ';' with nothing before it)");
      statements.push({ line: tokens[0]!.line, tokens });
      tokens = [];
      i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      const newline = text.indexOf('\n', i + 1);
      if (end < 0 || (newline >= 0 && newline < end)) fail(line, 'string is not closed on its line');
      tokens.push({ text: text.slice(i + 1, end), line, quoted: true });
      i = end + 1;
    } else {
      const start = i;
      while (
        i < text.length &&
        !isSpace(text[i]!) &&
        text[i] !== ';' &&
        text[i] !== '"' &&
        !text.startsWith('//', i) &&
        !text.startsWith('/*', i)
      ) {
        i++;
      }
      tokens.push({ text: text.slice(start, i), line, quoted: false });
    }
  }
  if (tokens.length > 0) fail(tokens[0]!.line, "statement is not ended by ';'");
  return statements;
}
