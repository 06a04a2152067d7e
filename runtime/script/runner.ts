// Plays a parsed script against a card and prints what `apdutool -nobanner -noatr` would.

import { formatExchange, formatModeChange } from './format.ts';
import type { ApduCard, ScriptStep } from './types.ts';

/** A step the card could not carry out (a host error in the card, not a status word). */
export class ScriptRunError extends Error {
  constructor(
    readonly where: string,
    cause: unknown,
    /** What was printed before the failing step. */
    readonly lines: readonly string[],
  ) {
    super(`${where}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ScriptRunError';
  }
}

/**
 * Runs the steps in order and returns the output lines. powerup/powerdown print nothing
 * (-noatr). `output off;` silences everything until `output on;` and `echo` prints its text;
 * neither occurs in the corpus, so both follow the apdutool documentation rather than a sample.
 */
export function runScript(card: ApduCard, steps: readonly ScriptStep[]): string[] {
  const lines: string[] = [];
  let output = true;
  const print = (line: string): void => {
    if (output) lines.push(line);
  };
  for (const step of steps) {
    try {
      runStep(step);
    } catch (e) {
      throw new ScriptRunError(step.where, e, lines);
    }
  }
  return lines;

  function runStep(step: ScriptStep): void {
    switch (step.kind) {
      case 'powerup':
        card.powerOn();
        break;
      case 'powerdown':
        card.powerOff();
        break;
      case 'extended':
        print(formatModeChange(step.on));
        break;
      case 'output':
        output = step.on;
        break;
      case 'echo':
        print(step.text);
        break;
      case 'apdu':
        print(formatExchange(step, card.transmit(step.wire)));
        break;
    }
  }
}

export interface OutputDiff {
  /** 1-based line number. */
  readonly line: number;
  readonly expected: string;
  readonly actual: string;
}

/** Shown in a diff where one side has no line. */
export const NO_LINE = '<no line>';

/** Splits an expected-output file into lines: "\n" or "\r\n", and the final newline is not a line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Line-by-line exact comparison; reports the first line that differs (or is missing). */
export function compareOutput(
  actual: readonly string[],
  expectedText: string,
): { ok: boolean; firstDiff?: OutputDiff } {
  const expected = splitLines(expectedText);
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i] ?? NO_LINE;
    const e = expected[i] ?? NO_LINE;
    if (a !== e || i >= actual.length || i >= expected.length) {
      return { ok: false, firstDiff: { line: i + 1, expected: e, actual: a } };
    }
  }
  return { ok: true };
}
