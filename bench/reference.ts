// Reference figures for the bench suite, copied from ../shared/docs/PERFORMANCE.md
// ("Reference figures"): measured 2026-11-23, 12:47–12:50 UTC, on a shared Debian 12 VM with
// 2 cores (AMD EPYC), OpenJDK 17.0.15; 9 rounds × 9 workloads × 300 ms batches, every response
// checked against workloads.json.
//
//   cref        Oracle Java Card 2.2.2 C reference implementation (cref 0.41, 32-bit), driven
//               over its TCP socket by apduio (T=1): each time includes the socket round trip.
//   jcardsim    jCardSim 3.0.5-SNAPSHOT (licel/jcardsim 41511ec2a3d3), in-process
//               Simulator.transmitCommand, HotSpot JIT, 1 s warm-up per workload.
//   jcardsimXint  the same with -Xint (JIT off), one run of 7 rounds, median only here.
//
// Times are milliseconds per APDU: median (min–max) over the rounds.  These are published
// figures from another machine and another hour: a ratio of our time to them crosses runs and
// machines, so read it as an order of magnitude (see bench/README.md).

export interface RefTime {
  median: number;
  min: number;
  max: number;
}

export interface Reference {
  ins: string;
  name: string;
  n: number;
  cref: RefTime;
  jcardsim: RefTime;
  jcardsimXint: RefTime;
}

const t = (median: number, min: number, max: number): RefTime => ({ median, min, max });

export const REFERENCE_SOURCE = '../shared/docs/PERFORMANCE.md, reference figures measured 2026-11-23 (cref 2.2.2 over TCP/apduio; jCardSim in-process, JIT)';

export const REFERENCES: readonly Reference[] = [
  { ins: '01', name: 'trivial', n: 0, cref: t(0.109, 0.09, 0.12), jcardsim: t(0.000188, 0.000186, 0.000219), jcardsimXint: t(0.0184, 0.0183, 0.0195) },
  { ins: '02', name: 'arith', n: 20000, cref: t(9.06, 9.01, 9.39), jcardsim: t(0.0953, 0.0951, 0.0958), jcardsimXint: t(1.09, 0.899, 1.11) },
  { ins: '03', name: 'array', n: 60, cref: t(9.66, 9.59, 10.1), jcardsim: t(0.0221, 0.0219, 0.0221), jcardsimXint: t(0.928, 0.778, 0.989) },
  { ins: '04', name: 'calls', n: 13000, cref: t(7.39, 7.34, 7.43), jcardsim: t(0.0216, 0.0215, 0.0217), jcardsimXint: t(2.18, 2.17, 2.23) },
  { ins: '05', name: 'fields', n: 700, cref: t(8.51, 8.48, 8.58), jcardsim: t(0.00759, 0.00754, 0.00791), jcardsimXint: t(0.332, 0.314, 0.34) },
  { ins: '06', name: 'pwrite', n: 16000, cref: t(8.58, 8.51, 8.97), jcardsim: t(0.0184, 0.0184, 0.0194), jcardsimXint: t(0.558, 0.504, 0.605) },
  { ins: '07', name: 'txn', n: 500, cref: t(8.72, 8.68, 8.8), jcardsim: t(0.0054, 0.00535, 0.00557), jcardsimXint: t(0.959, 0.935, 0.973) },
  { ins: '08', name: 'crc16', n: 75, cref: t(9.66, 9.55, 9.94), jcardsim: t(0.0408, 0.0404, 0.0411), jcardsimXint: t(1.12, 1.04, 1.14) },
  { ins: '09', name: 'sha1', n: 6, cref: t(9.42, 9.35, 9.9), jcardsim: t(0.00687, 0.00681, 0.00723), jcardsimXint: t(0.446, 0.443, 0.458) },
];

/** Trivial APDUs per second (INS 01), PERFORMANCE.md. */
export const TRIVIAL_RATE = {
  cref: '≈ 9,200/s (8,400–11,100)',
  jcardsim: '≈ 5.3 M/s (4.6–5.4 M)',
  jcardsimXint: '≈ 54,000/s (51,000–55,000)',
};

/**
 * Interpreter speed estimated in PERFORMANCE.md from the arith workload (31 bytecodes a round
 * by the JCA listing, 20000 rounds, minus the trivial-APDU time), in bytecodes per second.
 */
export const ARITH_BYTECODES_PER_ROUND = 31;
export const INTERPRETER_SPEED = {
  cref: 69e6,
  jcardsim: 6.5e9,
  jcardsimXint: 580e6,
};

/** The target this VM aims for: at least this many times faster than cref 2.2.2 per workload. */
export const CREF_TARGET = 50;

export function referenceFor(ins: string): Reference | undefined {
  return REFERENCES.find((r) => r.ins.toUpperCase() === ins.toUpperCase());
}
