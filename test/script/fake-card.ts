// A card that answers from an expected-output file: each APDU line gives back its response
// bytes. It decodes the wire command independently of the encoder (ISO 7816-4 clause 5.1)
// and checks it against the line, so a round trip proves parsing, encoding and formatting.

import { splitLines } from '../../runtime/script/runner.ts';
import type { ApduCard } from '../../runtime/script/types.ts';

export interface ExpectedExchange {
  readonly extended: boolean;
  readonly header: number[];
  readonly data: number[];
  /** Response data then SW1 SW2. */
  readonly response: Uint8Array;
}

const bytesOf = (list: string): number[] => (list === '' ? [] : list.split(', ').map((h) => parseInt(h, 16)));

/** Parses an apdutool output line back; undefined for lines that are not exchanges. */
export function parseExpectedLine(line: string): ExpectedExchange | undefined {
  const m = /^CLA: (\w\w), INS: (\w\w), P1: (\w\w), P2: (\w\w), Lc: (.*?)(, )?Le: (.*), SW1: (\w\w), SW2: (\w\w)$/.exec(line);
  if (!m) return undefined;
  const extended = m[6] === undefined; // apdutool 2.2.2 drops the ", " before "Le:" in extended mode
  const width = extended ? 3 : 1;
  const lc = bytesOf(m[5]!);
  const le = bytesOf(m[7]!);
  const count = (b: number[]): number => b.slice(0, width).reduce((n, x) => n * 256 + x, 0);
  const data = lc.slice(width);
  const out = le.slice(width);
  if (count(lc) !== data.length) throw new Error(`Lc does not match the data in: ${line.slice(0, 80)}`);
  if (count(le) !== out.length % (extended ? 1 << 24 : 256)) throw new Error(`Le does not match in: ${line.slice(0, 80)}`);
  return {
    extended,
    header: [1, 2, 3, 4].map((i) => parseInt(m[i]!, 16)),
    data,
    response: Uint8Array.from([...out, parseInt(m[8]!, 16), parseInt(m[9]!, 16)]),
  };
}

export interface DecodedCommand {
  readonly header: number[];
  readonly data: number[];
  /** Ne as sent; 0 when there is no Le field. */
  readonly le: number;
  readonly extended: boolean;
}

/** ISO 7816-4 decoding of a command APDU (cases 1, 2S, 3S, 4S, 2E, 3E, 4E). */
export function decodeCommand(cmd: Uint8Array): DecodedCommand {
  const header = Array.from(cmd.subarray(0, 4));
  const n = cmd.length;
  const bad = (): never => {
    throw new Error(`malformed command APDU: ${Buffer.from(cmd).toString('hex')}`);
  };
  if (n < 4) bad();
  if (n === 4) return { header, data: [], le: 0, extended: false };
  if (n === 5) return { header, data: [], le: cmd[4]!, extended: false };
  if (cmd[4] !== 0) {
    const lc = cmd[4]!;
    const data = Array.from(cmd.subarray(5, 5 + lc));
    if (n === 5 + lc) return { header, data, le: 0, extended: false };
    if (n === 6 + lc) return { header, data, le: cmd[5 + lc]!, extended: false };
    return bad();
  }
  if (n === 7) return { header, data: [], le: (cmd[5]! << 8) | cmd[6]!, extended: true };
  const lc = (cmd[5]! << 8) | cmd[6]!;
  const data = Array.from(cmd.subarray(7, 7 + lc));
  if (lc > 0 && n === 7 + lc) return { header, data, le: 0, extended: true };
  if (lc > 0 && n === 9 + lc) return { header, data, le: (cmd[7 + lc]! << 8) | cmd[8 + lc]!, extended: true };
  return bad();
}

export interface ScriptedCard extends ApduCard {
  readonly sent: Uint8Array[];
  readonly powerUps: number;
  /** Exchanges of the expected output not yet asked for. */
  readonly remaining: number;
}

export function cardFromExpected(expectedText: string): ScriptedCard {
  const exchanges = splitLines(expectedText)
    .map(parseExpectedLine)
    .filter((x): x is ExpectedExchange => x !== undefined);
  let next = 0;
  let powered = false;
  const card = {
    sent: [] as Uint8Array[],
    powerUps: 0,
    get remaining() {
      return exchanges.length - next;
    },
    powerOn() {
      powered = true;
      card.powerUps++;
      return Uint8Array.of(0x3b, 0x00);
    },
    powerOff() {
      powered = false;
    },
    transmit(command: Uint8Array) {
      if (!powered) throw new Error('APDU sent to a card that is not powered');
      const want = exchanges[next++];
      if (!want) throw new Error('more APDUs than lines in the expected output');
      const got = decodeCommand(command);
      const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
      if (!same(got.header, want.header) || !same(got.data, want.data)) {
        throw new Error(`command ${next} does not match its expected line`);
      }
      // A 4-byte command is case 1 in either mode; otherwise the form must match the line.
      if (command.length > 4 && got.extended !== want.extended) {
        throw new Error(`command ${next} sent in the wrong length form`);
      }
      card.sent.push(command);
      return want.response;
    },
  };
  return card;
}
