// Per-APDU figures (jcvm --stats): bytecodes the applet was charged (the budget's count, the
// same with and without the JIT), persistent writes (each one wears EEPROM and can be torn),
// transient writes (stores into CLEAR_ON_RESET / CLEAR_ON_DESELECT arrays, in RAM), objects
// allocated, and the time the card took. All but the transient writes are read from counters
// the card keeps anyway. Transient writes are counted by the Vm only while `vm.countTransient`
// is on, which measure() turns on for the APDU it measures: the array store sites (interpreter
// and JIT alike) test it on their transient branch only, after the persistent test every
// store makes anyway, so a card without --stats pays nothing on persistent stores and one
// load and test on a transient store. Natives' writes into transient arrays (Util.arrayCopy,
// crypto output) count once per call, as their persistent writes do.

import { hex } from '../../loader/bytes.ts';
import type { Card } from '../card.ts';
import type { ApduCard } from '../script/types.ts';

export interface ApduStats {
  /** The first 4 bytes of the command (CLA INS P1 P2), hex. */
  header: string;
  sw: string;
  bytecodes: number;
  persistentWrites: number;
  transientWrites: number;
  objects: number;
  ms: number;
}

/** Wraps a card: every APDU through `card` is measured into `rows` (the wrapper is an ApduCard). */
export class StatsRecorder implements ApduCard {
  readonly rows: ApduStats[] = [];
  constructor(public card: Card) {}

  powerOn(): Uint8Array {
    return this.card.powerOn();
  }

  powerOff(): void {
    this.card.powerOff();
  }

  transmit(command: Uint8Array): Uint8Array {
    const r = measure(this.card, () => this.card.transmit(command));
    this.rows.push({ header: hex(command.subarray(0, 4)), sw: hex(r.value.subarray(r.value.length - 2)), ...r.stats });
    return r.value;
  }
}

/** Runs `fn` on `card` and returns its result with the counters' differences. */
export function measure<T>(card: Card, fn: () => T): { value: T; stats: Omit<ApduStats, 'header' | 'sw'> } {
  const j = card.jcre;
  const vm = j.vm;
  const counting = vm.countTransient;
  vm.countTransient = true;
  const b0 = j.bytecodes, w0 = j.memory.eeprom.writes, t0w = vm.transientWrites, o0 = j.heap.allocations;
  const t0 = performance.now();
  let value: T;
  try {
    value = fn();
  } finally {
    vm.countTransient = counting;
  }
  const ms = performance.now() - t0;
  return { value, stats: { bytecodes: j.bytecodes - b0, persistentWrites: j.memory.eeprom.writes - w0, transientWrites: vm.transientWrites - t0w, objects: j.heap.allocations - o0, ms } };
}

/** One line for an APDU: "[1047 bytecodes, 3 persistent writes, 12 transient writes, 0 objects, 0.12 ms]". */
export function formatStats(s: Omit<ApduStats, 'header' | 'sw'>): string {
  return `[${s.bytecodes} bytecodes, ${s.persistentWrites} persistent writes, ${s.transientWrites} transient writes, ${s.objects} objects, ${s.ms.toFixed(2)} ms]`;
}

/** A table of APDUs with their figures, and the totals. */
export function formatStatsTable(rows: readonly ApduStats[]): string[] {
  const out = ['  #  command   SW     bytecodes  p.writes  t.writes  objects        ms'];
  let b = 0, w = 0, t = 0, o = 0, ms = 0;
  rows.forEach((r, i) => {
    b += r.bytecodes;
    w += r.persistentWrites;
    t += r.transientWrites;
    o += r.objects;
    ms += r.ms;
    out.push(`${String(i + 1).padStart(3)}  ${r.header}  ${r.sw}  ${String(r.bytecodes).padStart(11)}  ${String(r.persistentWrites).padStart(8)}  ${String(r.transientWrites).padStart(8)}  ${String(r.objects).padStart(7)}  ${r.ms.toFixed(2).padStart(8)}`);
  });
  out.push(`${`total ${rows.length}`.padEnd(19)}  ${String(b).padStart(11)}  ${String(w).padStart(8)}  ${String(t).padStart(8)}  ${String(o).padStart(7)}  ${ms.toFixed(2).padStart(8)}`);
  return out;
}
