import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatExchange, formatModeChange, parseScript } from '../../runtime/script/apdutool.ts';
import type { ApduStep } from '../../runtime/script/types.ts';
import { CORPUS_DIR } from '../corpus.ts';

const step = (line: string, extended = false): ApduStep =>
  parseScript(`${extended ? 'extended on;' : ''}${line}`, 't.scr').find((s): s is ApduStep => s.kind === 'apdu')!;
const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const expectedLines = (rel: string): string[] => readFileSync(resolve(CORPUS_DIR, rel), 'utf8').split('\n');

describe('formatExchange reproduces apdutool 2.2.2 lines', () => {
  const echo = expectedLines('echo/echo.scr.expected.out');

  it('case 3 SELECT with no response data', () => {
    const s = step('0x00 0xA4 0x04 0x00 0x07 0xF0 0x4A 0x43 0x56 0x4D 0x01 0x01 0x00;');
    expect(formatExchange(s, bytes('9000'))).toBe(echo[0]);
  });
  it('case 1', () => {
    expect(formatExchange(step('0x80 0x10 0x00 0x00 0x00 0x00;'), bytes('9000'))).toBe(echo[1]);
  });
  it('case 4 echo', () => {
    const s = step('0x80 0x40 0x00 0x00 0x04 0xDE 0xAD 0xBE 0xEF 0x04;');
    expect(formatExchange(s, bytes('deadbeef9000'))).toBe(echo[10]);
  });
  it('a 256-byte response prints Le: 00 then all 256 bytes', () => {
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const line = formatExchange(step('0x80 0x50 0x00 0x00 0x00 0x00;'), Uint8Array.from([...data, 0x90, 0x00]));
    expect(line).toBe(echo[12]);
    expect(line.startsWith('CLA: 80, INS: 50, P1: 00, P2: 00, Lc: 00, Le: 00, 00, 01, 02,')).toBe(true);
  });
  it('an error status word with no data', () => {
    expect(formatExchange(step('0x80 0x70 0x6A 0x88 0x00 0x00;'), bytes('6a88'))).toBe(echo[13]);
  });

  it('extended mode: three-byte lengths and no ", " before "Le:"', () => {
    const ext = expectedLines('apdu-ext/ext.scr.expected.out');
    const data = Array.from({ length: 1000 }, (_, i) => `0x${(i & 0xff).toString(16)}`).join(' ');
    const s = step(`0x80 0x10 0x00 0x00 0x03 0xE8 ${data} 0x00 0x08;`, true);
    expect(formatExchange(s, bytes('03e8e72c03e800079000'))).toBe(ext[3]);
    // Lc = 0 in extended mode still prints three bytes, glued to "Le:"
    const ne = step('0x80 0x24 0x00 0x00 0x00 0x00 0x02 0x58;', true);
    expect(formatExchange(ne, bytes('02589000'))).toBe(ext[5]);
    expect(ext[5]).toBe('CLA: 80, INS: 24, P1: 00, P2: 00, Lc: 00, 00, 00Le: 00, 00, 02, 02, 58, SW1: 90, SW2: 00');
  });

  it('mode-change lines', () => {
    const ext = expectedLines('apdu-ext/ext.scr.expected.out');
    expect(formatModeChange(true)).toBe(ext[2]);
    expect(formatModeChange(false)).toBe(ext[8]);
  });

  it('refuses a response without a status word', () => {
    expect(() => formatExchange(step('0x80 0x10 0x00 0x00 0x00 0x00;'), bytes('90'))).toThrow(
      'the card answered 1 byte(s), no room for SW1 SW2',
    );
  });
});
