// The lines `apdutool -nobanner -noatr` (Java Card 2.2.2) prints, reproduced byte for byte so
// that a run can be compared with the corpus's .scr.expected.out files.
//
// Short mode:    CLA: 80, INS: 40, P1: 00, P2: 00, Lc: 04, de, ad, be, ef, Le: 04, de, ad, be, ef, SW1: 90, SW2: 00
// Extended mode: the same with Lc and Le as three bytes each and no ", " before "Le:"
//                (…, Lc: 00, 03, e8, 00, 01, …, e7Le: 00, 00, 08, …), as apdutool 2.2.2 prints it.
// "Le" is the number of response data bytes received (not the Le sent), then those bytes.

import { hex2 } from './hex.ts';
import type { ApduStep } from './types.ts';

/** What apdutool prints on `extended on;` / `extended off;` (both seen in apdu-ext's ext.scr.expected.out). */
export function formatModeChange(on: boolean): string {
  return on ? 'Extended APDU mode enabled.' : 'Extended APDU mode disabled.';
}

// Extended mode prints a length as three bytes; the corpus only shows values < 65536, so the
// top byte's meaning for larger ones is our guess (bits 16..23).
const length = (n: number, extended: boolean): number[] =>
  extended ? [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff] : [n & 0xff];

const list = (bytes: Iterable<number>): string => Array.from(bytes, hex2).join(', ');

export function formatExchange(step: ApduStep, response: Uint8Array): string {
  if (response.length < 2) {
    throw new Error(`the card answered ${response.length} byte(s), no room for SW1 SW2`);
  }
  const data = response.subarray(0, response.length - 2);
  const sw1 = response[response.length - 2]!;
  const sw2 = response[response.length - 1]!;
  const ext = step.extended;
  const head = `CLA: ${hex2(step.cla)}, INS: ${hex2(step.ins)}, P1: ${hex2(step.p1)}, P2: ${hex2(step.p2)}`;
  const lc = list([...length(step.data.length, ext), ...step.data]);
  const le = list([...length(data.length, ext), ...data]);
  return `${head}, Lc: ${lc}${ext ? '' : ', '}Le: ${le}, SW1: ${hex2(sw1)}, SW2: ${hex2(sw2)}`;
}
