// Oracle apdutool script syntax (Java Card 2.2.2 development kit): the statements
//   powerup;  powerdown;  delay N;  echo "text";  output on|off;  extended on|off;
//   CLA INS P1 P2 Lc [data…] Le;            (short mode)
//   CLA INS P1 P2 LcHi LcLo [data…] LeHi LeLo;   (after `extended on;`)
// Every number is one byte, written 0x.. (hex) or in decimal. Keywords are case-insensitive.

import { formatExchange, formatModeChange } from './format.ts';
import { ScriptSyntaxError, tokenize, type Statement, type Token } from './lexer.ts';
import type { ApduStep, ScriptStep } from './types.ts';
import { encodeCommand } from './wire.ts';

export { formatExchange, formatModeChange, ScriptSyntaxError, encodeCommand };

export function parseScript(text: string, fileName = '<script>'): ScriptStep[] {
  const steps: ScriptStep[] = [];
  let extended = false;
  for (const st of tokenize(text, fileName)) {
    const first = st.tokens[0]!;
    if (/^[0-9]/.test(first.text) && !first.quoted) {
      steps.push(parseApdu(st, fileName, extended));
      continue;
    }
    const step = parseCommand(st, fileName);
    if (step === undefined) continue;
    if (step.kind === 'extended') extended = step.on;
    steps.push(step);
  }
  return steps;
}

/** A keyword statement; undefined for those that do nothing here (delay). */
function parseCommand(st: Statement, file: string): ScriptStep | undefined {
  const [first, ...args] = st.tokens as [Token, ...Token[]];
  const where = `${file}:${st.line}`;
  const fail = (problem: string): never => {
    throw new ScriptSyntaxError(file, st.line, problem);
  };
  const word = first.quoted ? '' : first.text.toLowerCase();
  const onOff = (): boolean => {
    const arg = args.length === 1 && !args[0]!.quoted ? args[0]!.text.toLowerCase() : '';
    if (arg !== 'on' && arg !== 'off') fail(`"${word}" takes one argument, on or off`);
    return arg === 'on';
  };
  switch (word) {
    case 'powerup':
    case 'powerdown':
      if (args.length > 0) fail(`"${word}" takes no argument`);
      return { kind: word, where };
    case 'extended':
      return { kind: 'extended', where, on: onOff() };
    case 'output':
      return { kind: 'output', where, on: onOff() };
    case 'echo':
      if (args.length !== 1 || !args[0]!.quoted) fail('"echo" takes one "quoted string"');
      return { kind: 'echo', where, text: args[0]!.text };
    case 'delay':
      // Timing means nothing to a simulated card: checked, then dropped.
      if (args.length !== 1 || !/^[0-9]+$/.test(args[0]!.text)) fail('"delay" takes one decimal number');
      return undefined;
    default:
      return fail(first.quoted ? 'a statement cannot start with a string' : `unknown command "${first.text}"`);
  }
}

function parseByte(t: Token, file: string): number {
  const fail = (problem: string): never => {
    throw new ScriptSyntaxError(file, t.line, problem);
  };
  if (t.quoted) fail(`a string ("${t.text}") inside an APDU`);
  let value = NaN;
  if (/^0[xX][0-9a-fA-F]+$/.test(t.text)) value = parseInt(t.text.slice(2), 16);
  else if (/^[0-9]+$/.test(t.text)) value = parseInt(t.text, 10);
  else fail(`"${t.text}" is not a number (write 0x.. or decimal)`);
  if (value > 0xff) fail(`${t.text} does not fit in a byte`);
  return value;
}

function parseApdu(st: Statement, file: string, extended: boolean): ApduStep {
  const fail = (problem: string): never => {
    throw new ScriptSyntaxError(file, st.line, problem);
  };
  const b = st.tokens.map((t) => parseByte(t, file));
  const lenBytes = extended ? 2 : 1; // Lc and Le are each this many bytes
  const minimum = 4 + 2 * lenBytes;
  if (b.length < minimum) {
    const form = extended ? 'CLA INS P1 P2 LcHi LcLo LeHi LeLo' : 'CLA INS P1 P2 Lc Le';
    fail(`an APDU needs at least ${form} (${minimum} bytes), found ${b.length}`);
  }
  const lc = extended ? (b[4]! << 8) | b[5]! : b[4]!;
  const given = b.length - minimum;
  if (given !== lc) {
    fail(`Lc announces ${lc} data byte(s) but ${given} stand between Lc and Le`);
  }
  const data = Uint8Array.from(b.slice(4 + lenBytes, 4 + lenBytes + lc));
  const le = extended ? (b[b.length - 2]! << 8) | b[b.length - 1]! : b[b.length - 1]!;
  const header = [b[0]!, b[1]!, b[2]!, b[3]!] as const;
  return {
    kind: 'apdu',
    where: `${file}:${st.line}`,
    extended,
    cla: header[0],
    ins: header[1],
    p1: header[2],
    p2: header[3],
    data,
    le,
    wire: encodeCommand(header, data, le, extended),
  };
}
