import { describe, expect, it } from 'vitest';
import { parseScript } from '../../runtime/script/apdutool.ts';
import { compareOutput, NO_LINE, runScript, ScriptRunError, splitLines } from '../../runtime/script/runner.ts';
import type { ApduCard } from '../../runtime/script/types.ts';

/** Answers 9000 to every command; logs each call (commands as hex). */
function loggingCard(log: string[]): ApduCard {
  return {
    powerOn: () => (log.push('on'), Uint8Array.of(0x3b)),
    powerOff: () => void log.push('off'),
    transmit: (cmd) => (log.push(Buffer.from(cmd).toString('hex')), Uint8Array.of(0x90, 0x00)),
  };
}

describe('runScript', () => {
  it('powers the card, sends the wire bytes, prints one line per APDU and mode change', () => {
    const log: string[] = [];
    const lines = runScript(
      loggingCard(log),
      parseScript('powerup;\n0x80 0x20 0 0 0 5;\nextended on;\n0x80 0x20 0 0 0 0 1 0;\npowerdown;\npowerup;\npowerdown;'),
    );
    expect(log).toEqual(['on', '8020000005', '80200000000100', 'off', 'on', 'off']);
    expect(lines).toEqual([
      'CLA: 80, INS: 20, P1: 00, P2: 00, Lc: 00, Le: 00, SW1: 90, SW2: 00',
      'Extended APDU mode enabled.',
      'CLA: 80, INS: 20, P1: 00, P2: 00, Lc: 00, 00, 00Le: 00, 00, 00, SW1: 90, SW2: 00',
    ]);
  });
  it('prints echo text and prints nothing between "output off;" and "output on;"', () => {
    const lines = runScript(
      loggingCard([]),
      parseScript('powerup;\necho "start";\noutput off;\n0x80 0x10 0 0 0 0;\necho "hidden";\noutput on;\n0x80 0x11 0 0 0 0;'),
    );
    expect(lines).toEqual(['start', 'CLA: 80, INS: 11, P1: 00, P2: 00, Lc: 00, Le: 00, SW1: 90, SW2: 00']);
  });
  it('names the step where the card failed and keeps what was printed before', () => {
    const card = loggingCard([]);
    const steps = parseScript('powerup;\n0x80 0x10 0 0 0 0;\n0x80 0x11 0 0 0 0;', 'f.scr');
    card.transmit = (cmd) => (cmd[1] === 0x11 ? Uint8Array.of(0x90) : Uint8Array.of(0x90, 0x00));
    try {
      runScript(card, steps);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScriptRunError);
      expect(e).toMatchObject({ where: 'f.scr:3', message: 'f.scr:3: the card answered 1 byte(s), no room for SW1 SW2' });
      expect((e as ScriptRunError).lines).toHaveLength(1);
    }
  });
});

describe('compareOutput', () => {
  it('accepts the same lines, with or without a final newline, LF or CRLF', () => {
    expect(compareOutput(['a', 'b'], 'a\nb\n')).toEqual({ ok: true });
    expect(compareOutput(['a', 'b'], 'a\r\nb')).toEqual({ ok: true });
    expect(compareOutput([], '')).toEqual({ ok: true });
  });
  it('reports the first differing line, 1-based', () => {
    expect(compareOutput(['a', 'x', 'c'], 'a\nb\nc\n')).toEqual({
      ok: false,
      firstDiff: { line: 2, expected: 'b', actual: 'x' },
    });
  });
  it('reports a missing or an extra line', () => {
    expect(compareOutput(['a'], 'a\nb\n')).toEqual({ ok: false, firstDiff: { line: 2, expected: 'b', actual: NO_LINE } });
    expect(compareOutput(['a', 'b'], 'a\n')).toEqual({ ok: false, firstDiff: { line: 2, expected: NO_LINE, actual: 'b' } });
  });
  it('treats a blank line as a line', () => {
    expect(splitLines('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(compareOutput(['a', 'b'], 'a\n\nb\n').ok).toBe(false);
  });
});
