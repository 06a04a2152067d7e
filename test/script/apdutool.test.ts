import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCommand, parseScript, ScriptSyntaxError } from '../../runtime/script/apdutool.ts';
import type { ApduStep, ScriptStep } from '../../runtime/script/types.ts';
import { CORPUS_DIR, corpusSuites } from '../corpus.ts';

const apdus = (steps: ScriptStep[]): ApduStep[] => steps.filter((s): s is ApduStep => s.kind === 'apdu');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const wireOf = (line: string, extended = false): string => {
  const steps = apdus(parseScript(`${extended ? 'extended on;\n' : ''}${line}`, 't.scr'));
  expect(steps).toHaveLength(1);
  return hex(steps[0]!.wire);
};

describe('corpus scripts parse with the APDU counts of suite.json', () => {
  const cases = corpusSuites().flatMap((suite) => {
    const json = JSON.parse(readFileSync(resolve(CORPUS_DIR, suite, 'suite.json'), 'utf8')) as {
      scripts: string[];
      apdus: Record<string, number>;
    };
    return json.scripts.map((script) => ({ suite, script, count: json.apdus[script] }));
  });
  it.each(cases)('$suite/$script has $count APDUs', ({ suite, script, count }) => {
    const steps = parseScript(readFileSync(resolve(CORPUS_DIR, suite, script), 'utf8'), script);
    expect(apdus(steps)).toHaveLength(count!);
    expect(steps[0]!.kind).toBe('powerup');
    expect(steps[steps.length - 1]!.kind).toBe('powerdown');
  });
  it('totals the 270 APDUs the corpus README announces', () => {
    const total = cases.reduce((n, c) => n + c.count!, 0);
    expect(total).toBe(270);
  });
});

describe('wire encoding (apdutool 2.2.2: Le 0 means no Le field)', () => {
  it('case 1: Lc 00, Le 00 -> the 4-byte header', () => {
    expect(wireOf('0x80 0x10 0x00 0x00 0x00 0x00;')).toBe('80100000');
  });
  it('case 2: Lc 00, Le > 0', () => {
    expect(wireOf('0x80 0x20 0x05 0x00 0x00 0x05;')).toBe('8020050005');
  });
  it('case 3: Lc > 0, Le 00', () => {
    expect(wireOf('0x80 0x30 0x00 0x00 0x03 0xAA 0xBB 0xCC 0x00;')).toBe('8030000003aabbcc');
  });
  it('case 4: Lc > 0, Le > 0', () => {
    expect(wireOf('0x80 0x40 0x00 0x00 0x04 0xDE 0xAD 0xBE 0xEF 0x04;')).toBe('8040000004deadbeef04');
  });
  it('case 2E: 00 LeHi LeLo', () => {
    expect(wireOf('0x80 0x20 0x02 0x58 0x00 0x00 0x02 0x58;', true)).toBe('8020025800' + '0258');
  });
  it('case 3E: 00 LcHi LcLo data', () => {
    expect(wireOf('0x80 0x30 0x00 0x00 0x00 0x02 0x11 0x22 0x00 0x00;', true)).toBe('8030000000' + '0002' + '1122');
  });
  it('case 4E: 00 LcHi LcLo data LeHi LeLo', () => {
    expect(wireOf('0x80 0x30 0x00 0x00 0x01 0x00 ' + '0x5A '.repeat(256) + '0x01 0x2C;', true)).toBe(
      '8030000000' + '0100' + '5a'.repeat(256) + '012c',
    );
  });
  it('extended mode with neither data nor Le is the 4-byte case 1', () => {
    expect(wireOf('0x80 0x10 0x00 0x00 0x00 0x00 0x00 0x00;', true)).toBe('80100000');
  });
  it('small lengths in extended mode still use the extended form', () => {
    expect(wireOf('0x80 0x10 0x00 0x00 0x00 0x01 0x42 0x00 0x08;', true)).toBe('80100000' + '000001' + '42' + '0008');
  });
  it('encodeCommand builds a 65535-byte extended command', () => {
    const wire = encodeCommand([0x80, 0x10, 0, 0], new Uint8Array(0xffff), 0xffff, true);
    expect(wire.length).toBe(4 + 3 + 0xffff + 2);
    expect(Array.from(wire.subarray(4, 7))).toEqual([0, 0xff, 0xff]);
  });
});

describe('parsing', () => {
  it('reads commands, comments, decimal numbers and statements over several lines', () => {
    const steps = parseScript(
      [
        '// a comment',
        'POWERUP; /* block',
        '   comment */ delay 100;',
        'echo "hello; world";',
        '128 16 0 0',
        '  2 0x01 // inside a statement',
        '  0x02 0;',
        'extended on; extended OFF;',
        'output off; output on;',
        'powerdown;',
      ].join('\n'),
      'x.scr',
    );
    expect(steps.map((s) => s.kind)).toEqual([
      'powerup', 'echo', 'apdu', 'extended', 'extended', 'output', 'output', 'powerdown',
    ]);
    const apdu = steps[2] as ApduStep;
    expect(apdu.where).toBe('x.scr:5');
    expect([apdu.cla, apdu.ins, apdu.p1, apdu.p2, apdu.le]).toEqual([0x80, 0x10, 0, 0, 0]);
    expect(Array.from(apdu.data)).toEqual([1, 2]);
    expect(steps[1]).toMatchObject({ text: 'hello; world', where: 'x.scr:4' });
    expect(steps[4]).toMatchObject({ kind: 'extended', on: false, where: 'x.scr:8' });
  });
  it('marks APDUs after "extended on;" as extended until "extended off;"', () => {
    const steps = apdus(
      parseScript('0x80 0x10 0 0 0 1;\nextended on;\n0x80 0x10 0 0 0 0 0 1;\nextended off;\n0x80 0x10 0 0 0 1;'),
    );
    expect(steps.map((s) => s.extended)).toEqual([false, true, false]);
  });
});

describe('malformed scripts are refused with file:line and the reason', () => {
  const bad: [string, string][] = [
    ['powerup;\n0x80 0x10 0x00 0x00 0x02 0x01 0x00;', 'bad.scr:2: Lc announces 2 data byte(s) but 1 stand between Lc and Le'],
    ['powerup;\n\n0x80 0x10 0x00 0x00 0x00;', 'bad.scr:3: an APDU needs at least CLA INS P1 P2 Lc Le (6 bytes), found 5'],
    ['extended on;\n0x80 0x10 0x00 0x00 0x00 0x00;', 'bad.scr:2: an APDU needs at least CLA INS P1 P2 LcHi LcLo LeHi LeLo (8 bytes), found 6'],
    ['0x80 0x10\n 0xZZ 0x00 0x00 0x00;', 'bad.scr:2: "0xZZ" is not a number (write 0x.. or decimal)'],
    ['0x80 0x10 0x100 0x00 0x00 0x00;', 'bad.scr:1: 0x100 does not fit in a byte'],
    ['powerup;\n0x80 0x10 0x00 0x00 0x00 0x00', "bad.scr:2: statement is not ended by ';'"],
    ['powerup;\n/* never closed\n', 'bad.scr:2: comment /* is never closed'],
    ['reset;', 'bad.scr:1: unknown command "reset"'],
    ['powerup now;', 'bad.scr:1: "powerup" takes no argument'],
    ['\nextended yes;', 'bad.scr:2: "extended" takes one argument, on or off'],
    ['echo hello;', 'bad.scr:1: "echo" takes one "quoted string"'],
    ['echo "unclosed;\n', 'bad.scr:1: string is not closed on its line'],
    ['delay soon;', 'bad.scr:1: "delay" takes one decimal number'],
    ['powerup;;', "bad.scr:1: empty statement (a ';' with nothing before it)"],
  ];
  it.each(bad)('%j', (text, message) => {
    expect(() => parseScript(text, 'bad.scr')).toThrow(ScriptSyntaxError);
    expect(() => parseScript(text, 'bad.scr')).toThrow(message);
  });
  it('names the file "<script>" when none is given and keeps the line number', () => {
    try {
      parseScript('powerup;\nbogus;');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScriptSyntaxError);
      expect(e).toMatchObject({ file: '<script>', line: 2, message: '<script>:2: unknown command "bogus"' });
    }
  });
});
