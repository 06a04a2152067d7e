// The tearing runner: for one APDU of a script, lose power at every persistent write it makes
// in turn, power up again (recovery), and check that the persistent memory equals the state
// before the APDU or the state after it. A transactional update must never show anything else.

import { parseScript } from '../script/apdutool.ts';
import type { ScriptStep } from '../script/types.ts';
import type { Card } from '../card.ts';
import { PowerLoss } from './eeprom.ts';

export interface TearRow {
  /** Index of the APDU among the script's APDUs (0-based), and its command. */
  apdu: number;
  command: string;
  /** Persistent writes the APDU makes when nothing is torn. */
  writes: number;
  /** Write indices whose recovered state was the state before the APDU, after it, or neither. */
  before: number[];
  after: number[];
  neither: number[];
}

/** The persistent heap bytes (the journal and header excluded: they are the mechanism). */
function persistentState(card: Card): Uint8Array {
  const e = card.jcre.memory.eeprom;
  return e.bytes.slice(e.heapStart);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
}

/** Replays the steps before APDU `index` on a fresh card; returns the card (powered) and the APDU step. */
async function replay(makeCard: () => Promise<Card>, steps: ScriptStep[], index: number): Promise<{ card: Card; apdu: Uint8Array }> {
  const card = await makeCard();
  let n = 0;
  for (const s of steps) {
    if (s.kind === 'powerup') card.powerOn();
    else if (s.kind === 'powerdown') card.powerOff();
    else if (s.kind === 'apdu') {
      if (n === index) return { card, apdu: s.wire };
      card.transmit(s.wire);
      n++;
    }
  }
  throw new RangeError(`the script has ${n} APDUs; there is no APDU ${index}`);
}

/**
 * Tear APDU `index` of the script at each of its writes. `makeCard` gives a fresh card with
 * the suite installed (not powered).
 */
export async function tearApdu(makeCard: () => Promise<Card>, steps: ScriptStep[], index: number): Promise<TearRow> {
  const clean = await replay(makeCard, steps, index);
  const before = persistentState(clean.card);
  const w0 = clean.card.persistentWrites;
  clean.card.transmit(clean.apdu);
  const writes = clean.card.persistentWrites - w0;
  const after = persistentState(clean.card);
  const row: TearRow = { apdu: index, command: hex(clean.apdu), writes, before: [], after: [], neither: [] };
  for (let t = 0; t < writes; t++) {
    const { card, apdu } = await replay(makeCard, steps, index);
    card.tearAt(t);
    let torn = false;
    try {
      card.transmit(apdu);
    } catch (e) {
      if (!(e instanceof PowerLoss)) throw e;
      torn = true;
    }
    if (!torn) throw new Error(`APDU ${index} made fewer than ${t + 1} writes when replayed`);
    card.powerOn(); // recovery
    const state = persistentState(card);
    if (sameBytes(state, before)) row.before.push(t);
    else if (sameBytes(state, after)) row.after.push(t);
    else row.neither.push(t);
  }
  return row;
}

/** Every APDU of a script (or the ones listed), torn at every write; `progress` hears of each APDU done. */
export async function tearScript(makeCard: () => Promise<Card>, scriptText: string, fileName: string, only?: number[], progress?: (done: number, total: number) => void): Promise<TearRow[]> {
  const steps = parseScript(scriptText, fileName);
  const count = steps.filter((s) => s.kind === 'apdu').length;
  const rows: TearRow[] = [];
  const todo = only ? only.filter((i) => i < count).length : count;
  for (let i = 0; i < count; i++) {
    if (only && !only.includes(i)) continue;
    rows.push(await tearApdu(makeCard, steps, i));
    progress?.(rows.length, todo);
  }
  return rows;
}

export function formatTearTable(rows: TearRow[]): string[] {
  const lines = ['APDU  writes  before  after  neither  command'];
  for (const r of rows) {
    lines.push(
      `${String(r.apdu).padStart(4)}  ${String(r.writes).padStart(6)}  ${String(r.before.length).padStart(6)}  ${String(r.after.length).padStart(5)}  ${String(r.neither.length).padStart(7)}  ${r.command.slice(0, 40)}${r.neither.length ? `  torn at ${r.neither.join(',')}: neither state` : ''}`,
    );
  }
  return lines;
}
