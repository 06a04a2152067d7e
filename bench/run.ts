// `npm run bench`: times the corpus bench suite (conformance.bench.BenchApplet) on this VM the
// way ../shared/docs/PERFORMANCE.md says: the same CAP, the APDUs of workloads.json with every
// answer checked, a warm-up per workload, then rounds of fixed-time batches interleaved across
// the workloads; median and min–max of the time per APDU over the rounds.  Times are in-process
// Card.transmit() calls: no transport.  See bench/README.md.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { equalBytes, fromHex, hex } from '../loader/bytes.ts';
import { Card } from '../runtime/card.ts';
import { ARITH_BYTECODES_PER_ROUND, CREF_TARGET, INTERPRETER_SPEED, REFERENCE_SOURCE, TRIVIAL_RATE, referenceFor, type Reference } from './reference.ts';

// --- options --------------------------------------------------------------------------

interface Options {
  cap31: boolean;
  rounds: number;
  batchMs: number;
  warmupMs: number;
  workloads: string[];
  json: string | null;
  corpus: string;
  quick: boolean;
}

const USAGE = `usage: npm run bench -- [options]
  --cap31            time cap-3.1/bench.cap (CAP format 2.3) instead of bench.cap (3.0.5 build)
  --rounds N         timed rounds, at least 5 (default 9; 5 with --quick)
  --batch-ms MS      wall time of one batch (default 300; 100 with --quick)
  --warmup-ms MS     warm-up per workload before the first round (default 1000; 100 with --quick)
  --workload NAME    only this workload (name or INS, e.g. arith or 02); repeat or comma-separate
  --quick            100 ms warm-up, 5 rounds of 100 ms batches
  --json FILE        also write the results as JSON
  --corpus DIR       the corpus folder (default ../shared/corpus beside the repo, or $JCVM_CORPUS)
  --help`;

function parseArgs(argv: string[]): Options {
  const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const o: Options = {
    cap31: false,
    rounds: NaN,
    batchMs: NaN,
    warmupMs: NaN,
    workloads: [],
    json: null,
    corpus: process.env.JCVM_CORPUS ?? path.resolve(repoRoot, '..', 'shared', 'corpus'),
    quick: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined) die(`${flag} needs a value\n${USAGE}`);
    return v;
  };
  const number = (v: string, flag: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) die(`${flag}: not a positive number: '${v}'`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const next = (): string => {
      if (inline !== undefined) return inline;
      return value(i++, flag);
    };
    switch (flag) {
      case '--cap31': o.cap31 = true; break;
      case '--quick': o.quick = true; break;
      case '--rounds': o.rounds = number(next(), flag); break;
      case '--batch-ms': o.batchMs = number(next(), flag); break;
      case '--warmup-ms': o.warmupMs = number(next(), flag); break;
      case '--workload': o.workloads.push(...next().split(',').map((s) => s.trim()).filter(Boolean)); break;
      case '--json': o.json = next(); break;
      case '--corpus': o.corpus = path.resolve(next()); break;
      case '--help': case '-h': console.log(USAGE); return process.exit(0);
      default: die(`unknown option '${a}'\n${USAGE}`);
    }
  }
  if (Number.isNaN(o.rounds)) o.rounds = o.quick ? 5 : 9;
  if (Number.isNaN(o.batchMs)) o.batchMs = o.quick ? 100 : 300;
  if (Number.isNaN(o.warmupMs)) o.warmupMs = o.quick ? 100 : 1000;
  if (!Number.isInteger(o.rounds) || o.rounds < 5) die(`--rounds: at least 5 rounds (PERFORMANCE.md), got ${o.rounds}`);
  return o;
}

function die(message: string, code = 2): never {
  console.error(message);
  process.exit(code);
}

// --- corpus files ---------------------------------------------------------------------

interface Workload {
  ins: string;
  name: string;
  measures: string;
  n: number;
  command: string;
  response: string;
}

interface WorkloadsFile {
  applet: string;
  select: string;
  workloads: Workload[];
}

interface SuiteFile {
  load: string[];
  install: { package: string; applet: string; instance: string; params: string; class?: string }[];
}

function readJson<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    return die(`cannot read ${file}: ${(e as Error).message}\n(the corpus is expected at ../shared/corpus beside the repo; use --corpus DIR or JCVM_CORPUS)`);
  }
}

// --- statistics and formatting --------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** 4 significant digits, no exponent for the magnitudes printed here. */
function sig(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return '-';
  if (x === 0) return '0';
  const s = Number(x.toPrecision(digits));
  if (Math.abs(s) >= 1e-6) {
    const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(s))));
    return s.toFixed(Math.min(decimals, 20));
  }
  return s.toPrecision(digits);
}

function rate(perSecond: number): string {
  if (perSecond >= 1e6) return `${sig(perSecond / 1e6, 3)} M`;
  return Math.round(perSecond).toLocaleString('en-US');
}

function table(rows: string[][], rightAlign: boolean[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) => r.map((cell, c) => (rightAlign[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

// --- the run --------------------------------------------------------------------------

interface Result {
  w: Workload;
  ref: Reference | undefined;
  cmd: Uint8Array;
  expect: Uint8Array;
  failure: string | null;
  /** ms per APDU, one per round. */
  times: number[];
  /** APDUs per round. */
  counts: number[];
  warmupApdus: number;
  /** APDUs sent between two clock readings. */
  stride: number;
  /** Bytecodes one APDU executed (from the per-APDU instruction budget), if readable. */
  bytecodes: number | null;
}

/** Bytecodes left in the VM's per-APDU budget: the interpreter stores its countdown there. */
function budgetLeft(card: Card): number | null {
  const vm = (card.jcre as unknown as { vm?: { budget?: unknown } }).vm;
  return typeof vm?.budget === 'number' && Number.isFinite(vm.budget) ? vm.budget : null;
}

function conditions(): { date: string; node: string; v8: string; os: string; cpu: string; cpus: number; loadavg: number[] } {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    loadavg: os.loadavg(),
  };
}

function gitDescribe(repoRoot: string): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${head} (uncommitted changes)` : head;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const benchDir = path.join(opt.corpus, 'bench');
  const wl = readJson<WorkloadsFile>(path.join(benchDir, 'workloads.json'));
  const suiteName = opt.cap31 ? 'suite-3.1.json' : 'suite.json';
  const suite = readJson<SuiteFile>(path.join(benchDir, suiteName));

  let chosen = wl.workloads;
  if (opt.workloads.length) {
    chosen = opt.workloads.map((key) => {
      const k = key.toLowerCase();
      const w = wl.workloads.find((x) => x.name.toLowerCase() === k || x.ins.toLowerCase() === k.padStart(2, '0'));
      return w ?? die(`unknown workload '${key}'; one of ${wl.workloads.map((x) => `${x.name} (${x.ins})`).join(', ')}`);
    });
    chosen = [...new Set(chosen)];
  }

  const before = conditions();

  // Load, install, power on, SELECT: not timed.
  const card = new Card();
  const capFiles = suite.load.map((f) => path.join(benchDir, f));
  const capHashes: string[] = [];
  try {
    for (const f of capFiles) {
      const bytes = readFileSync(f);
      capHashes.push(createHash('sha256').update(bytes).digest('hex').slice(0, 16));
      await card.loadCap(bytes, path.basename(f));
    }
    for (const i of suite.install) card.install(fromHex(i.package), fromHex(i.applet), fromHex(i.instance), fromHex(i.params));
  } catch (e) {
    die(`bench: cannot load and install ${suite.load.join(', ')} (${suiteName}): ${(e as Error).name}: ${(e as Error).message}\nNo workload can be timed.`, 1);
  }
  const select = fromHex(wl.select);
  const powerAndSelect = (): void => {
    card.powerOn();
    const r = card.transmit(select);
    if (hex(r) !== '9000') throw new Error(`SELECT ${wl.select} answered ${hex(r)}, expected 9000`);
  };
  try {
    powerAndSelect();
  } catch (e) {
    die(`bench: ${(e as Error).message}`, 1);
  }

  const results: Result[] = chosen.map((w) => ({
    w,
    ref: referenceFor(w.ins),
    cmd: fromHex(w.command),
    expect: fromHex(w.response),
    failure: null,
    times: [],
    counts: [],
    warmupApdus: 0,
    stride: 1,
    bytecodes: null,
  }));

  const capLabel = opt.cap31 ? 'cap-3.1/bench.cap (converter target 3.1.0, CAP format 2.3)' : 'bench.cap (converter target 3.0.5, CAP format 2.1)';
  console.log(`jcvm bench: conformance.bench.BenchApplet (${wl.applet}) from corpus/bench/${capLabel}`);
  console.log('Times are in-process Card.transmit() calls (command bytes in, response bytes out): no transport, no T=0/T=1 framing.');
  console.log(`Every response is checked against workloads.json; warm-up ${opt.warmupMs} ms per workload, then ${opt.rounds} rounds of ${opt.batchMs} ms batches interleaved across workloads;`);
  console.log('time per APDU = batch wall time (process.hrtime.bigint) / APDUs in the batch; median (min–max) over the rounds.\n');

  /** Send one batch of back-to-back APDUs for `ms`; returns [elapsed ns, count] or null on failure. */
  // The clock is read every `stride` APDUs (1 unless an APDU takes under ~10 µs, as the trivial
  // one does), so that reading it costs under 1 % of the batch; every response is still checked.
  const run = (r: Result, ms: number, phase: string): [number, number] | null => {
    const cmd = r.cmd, expect = r.expect, stride = r.stride;
    const ns = BigInt(Math.round(ms * 1e6));
    let count = 0;
    let resp: Uint8Array;
    const t0 = process.hrtime.bigint();
    let now = t0;
    try {
      do {
        for (let i = 0; i < stride; i++) {
          resp = card.transmit(cmd);
          count++;
          if (!equalBytes(resp, expect)) {
            const sw = resp.length >= 2 ? (resp[resp.length - 2]! << 8) | resp[resp.length - 1]! : -1;
            const host = sw === 0x6f00 && card.jcre.lastHostError ? ` (host: ${card.jcre.lastHostError.name}: ${card.jcre.lastHostError.message})` : '';
            r.failure = `wrong answer in ${phase}, APDU #${count}: got ${hex(resp)}, expected ${r.w.response}${host}`;
            return null;
          }
        }
        now = process.hrtime.bigint();
      } while (now - t0 < ns);
    } catch (e) {
      r.failure = `${(e as Error).name}: ${(e as Error).message} in ${phase}, APDU #${count + 1}`;
      try {
        powerAndSelect(); // the VM may be left mid-APDU: start the others on a fresh session
      } catch (e2) {
        die(`bench: cannot recover after ${r.w.name} failed: ${(e2 as Error).message}`, 1);
      }
      return null;
    }
    return [Number(now - t0), count];
  };

  // Warm-up, one workload after the other, then one counted APDU.
  for (const r of results) {
    card.jcre.lastHostError = null;
    const done = run(r, opt.warmupMs, 'warm-up');
    if (!done) continue;
    r.warmupApdus = done[1];
    r.stride = Math.max(1, Math.min(1000, Math.floor(20_000 / (done[0] / done[1]))));
    const budget = card.jcre.instructionBudget;
    try {
      const resp = card.transmit(r.cmd);
      const left = budgetLeft(card);
      if (equalBytes(resp, r.expect) && left !== null && Number.isFinite(budget)) r.bytecodes = budget - left;
    } catch {
      // the timed rounds will report it
    }
  }

  // Timed rounds, interleaved: round k = one batch of each workload in turn.
  for (let k = 0; k < opt.rounds; k++) {
    for (const r of results) {
      if (r.failure) continue;
      const done = run(r, opt.batchMs, `round ${k + 1}`);
      if (!done) continue;
      r.times.push(done[0] / 1e6 / done[1]);
      r.counts.push(done[1]);
    }
  }

  // The same APDUs on a card kept in an image file (--card): an APDU that changes persistent
  // state ends with the image written (temporary file, fsync, rename); one that changes
  // nothing only compares the card's directory with the saved one.
  const imageResults = await timeWithImage(results.filter((r) => !r.failure && ['01', '06', '07'].includes(r.w.ins)), opt, capFiles, suite, select);

  const after = conditions();

  // --- report ---------------------------------------------------------------------------

  const stats = results.map((r) => {
    const ok = !r.failure && r.times.length === opt.rounds;
    const med = ok ? median(r.times) : NaN;
    const min = ok ? Math.min(...r.times) : NaN;
    const max = ok ? Math.max(...r.times) : NaN;
    const ref = r.ref;
    const xCref = ref ? ref.cref.median / med : NaN;
    const xJcs = ref ? ref.jcardsim.median / med : NaN;
    const xXint = ref ? ref.jcardsimXint.median / med : NaN;
    const mbcs = r.bytecodes !== null ? r.bytecodes / med / 1e3 : NaN;
    return { r, ok, med, min, max, xCref, xJcs, xXint, mbcs, target: ok && ref ? xCref >= CREF_TARGET : null };
  });

  const header = ['INS', 'workload', 'n', 'ms/APDU median (min–max)', 'APDUs', 'bytecodes', 'M bc/s', 'cref ms', '× cref', 'jCardSim ms', '× jCS', '× jCS-Xint', `≥ ${CREF_TARGET}× cref`];
  const rows: string[][] = [header];
  for (const s of stats) {
    const { r } = s;
    const ref = r.ref;
    rows.push([
      r.w.ins,
      r.w.name,
      String(r.w.n),
      s.ok ? `${sig(s.med)} (${sig(s.min)}–${sig(s.max)})` : 'FAILED',
      s.ok ? String(r.counts.reduce((a, b) => a + b, 0)) : '-',
      r.bytecodes !== null ? String(r.bytecodes) : '-',
      s.ok ? sig(s.mbcs, 3) : '-',
      ref ? String(ref.cref.median) : '-',
      s.ok ? sig(s.xCref, 3) : '-',
      ref ? String(ref.jcardsim.median) : '-',
      s.ok ? sig(s.xJcs, 3) : '-',
      s.ok ? sig(s.xXint, 3) : '-',
      s.target === null ? (s.ok ? '-' : 'not counted') : s.target ? 'yes' : 'NO',
    ]);
  }
  console.log(table(rows, [false, false, true, false, true, true, true, true, true, true, true, true, false]));
  console.log(`\n× cref = cref 2.2.2 median / our median (how many times faster than cref); × jCS and × jCS-Xint the same against jCardSim (JIT) and jCardSim -Xint.`);
  console.log(`References: ${REFERENCE_SOURCE}.  They are published figures from another machine and another hour, not measured in this run:`);
  console.log('the ratios cross runs and machines (and cref includes a TCP round trip per APDU), so read them as orders of magnitude.');
  console.log('APDUs = timed APDUs over all rounds; bytecodes = bytecodes one APDU executes (from the per-APDU instruction budget); M bc/s = bytecodes / median time.');

  for (const s of stats) {
    if (s.r.failure) console.log(`\nFAILED ${s.r.w.name} (INS ${s.r.w.ins}): ${s.r.failure}.  Not counted.`);
  }

  const trivial = stats.find((s) => s.r.w.ins === '01');
  if (trivial?.ok) {
    console.log(`\nTrivial APDU (INS 01): ${rate(1000 / trivial.med)} APDUs/s (${rate(1000 / trivial.max)}–${rate(1000 / trivial.min)}); cref 2.2.2 ${TRIVIAL_RATE.cref}, jCardSim ${TRIVIAL_RATE.jcardsim}, jCardSim -Xint ${TRIVIAL_RATE.jcardsimXint}.`);
  }
  const arith = stats.find((s) => s.r.w.ins === '02');
  if (arith?.ok) {
    const overhead = trivial?.ok ? trivial.med : 0;
    const bc = arith.r.bytecodes ?? ARITH_BYTECODES_PER_ROUND * arith.r.w.n;
    const speed = bc / ((arith.med - overhead) / 1e3);
    console.log(
      `Bytecode speed (arith: ${bc} bytecodes per APDU${arith.r.bytecodes !== null ? ' counted' : ` = ${ARITH_BYTECODES_PER_ROUND} × n`}${trivial?.ok ? ', minus the trivial-APDU time' : ''}): ` +
        `${sig(speed / 1e6, 3)} M bytecodes/s; PERFORMANCE.md's estimate for cref 2.2.2 ≈ ${INTERPRETER_SPEED.cref / 1e6} M/s, jCardSim -Xint ≈ ${INTERPRETER_SPEED.jcardsimXint / 1e6} M/s, jCardSim JIT ≈ ${INTERPRETER_SPEED.jcardsim / 1e9} G/s.`,
    );
  }

  const counted = stats.filter((s) => s.target !== null);
  const met = counted.filter((s) => s.target);
  const missed = counted.filter((s) => !s.target).sort((a, b) => a.xCref - b.xCref);
  const failed = stats.filter((s) => !s.ok);
  console.log(
    `\nTarget ≥ ${CREF_TARGET}× cref 2.2.2: met for ${met.length} of ${counted.length} workloads timed` +
      (missed.length ? `; not met: ${missed.map((s) => `${s.r.w.name} ${sig(s.xCref, 3)}×`).join(', ')}` : '') +
      (failed.length ? `; FAILED, not counted: ${failed.map((s) => s.r.w.name).join(', ')}` : '') +
      '.',
  );
  if (counted.length > 1) {
    const byRatio = [...counted].sort((a, b) => a.xCref - b.xCref);
    console.log(`Relative to cref, slowest first: ${byRatio.map((s) => `${s.r.w.name} ${sig(s.xCref, 3)}×`).join(', ')}.`);
  }

  if (imageResults.length) {
    const rows2: string[][] = [['INS', 'workload', 'in memory ms/APDU', 'with --card ms/APDU median (min–max)', 'APDUs/s with --card', 'image writes/APDU']];
    for (const x of imageResults) {
      const mem = stats.find((st) => st.r === x.r);
      rows2.push([x.r.w.ins, x.r.w.name, mem?.ok ? sig(mem.med) : '-', `${sig(median(x.times))} (${sig(Math.min(...x.times))}–${sig(Math.max(...x.times))})`, rate(1000 / median(x.times)), sig(x.savesPerApdu, 3)]);
    }
    console.log(`\nWith a card image on disk (--card, ${opt.rounds} rounds of ${opt.batchMs} ms; the image is ${rate(imageResults[0]!.imageBytes / 1024)} KiB):`);
    console.log(table(rows2, [false, false, true, false, true, true]));
  }

  const git = gitDescribe(repoRoot);
  const la = (x: number[]): string => x.map((v) => v.toFixed(2)).join(' ');
  console.log(
    `\nConditions: ${before.date}, node ${before.node} (V8 ${before.v8}), ${before.os}, ${before.cpus} × ${before.cpu}; ` +
      `load average ${la(before.loadavg)} before, ${la(after.loadavg)} after; ${git ? `jcvm ${git}; ` : ''}CAP sha256 ${capHashes.join(', ')}.`,
  );

  if (opt.json) {
    const out = {
      tool: 'jcvm bench/run.ts',
      measures: 'in-process Card.transmit() calls, no transport',
      cap: suite.load,
      capSha256: capHashes,
      options: { rounds: opt.rounds, batchMs: opt.batchMs, warmupMs: opt.warmupMs, quick: opt.quick, cap31: opt.cap31 },
      conditions: { before, after, git },
      reference: REFERENCE_SOURCE,
      crefTarget: CREF_TARGET,
      workloads: stats.map((s) => ({
        ins: s.r.w.ins,
        name: s.r.w.name,
        n: s.r.w.n,
        command: s.r.w.command,
        response: s.r.w.response,
        status: s.ok ? 'ok' : 'failed',
        failure: s.r.failure,
        msPerApdu: s.ok ? { median: s.med, min: s.min, max: s.max, rounds: s.r.times } : null,
        apdusPerRound: s.r.counts,
        warmupApdus: s.r.warmupApdus,
        bytecodesPerApdu: s.r.bytecodes,
        apdusPerSecond: s.ok ? 1000 / s.med : null,
        reference: s.r.ref ? { cref: s.r.ref.cref, jcardsim: s.r.ref.jcardsim, jcardsimXint: s.r.ref.jcardsimXint } : null,
        ratio: s.ok
          ? {
              cref: { median: s.xCref, min: s.r.ref ? s.r.ref.cref.median / s.max : null, max: s.r.ref ? s.r.ref.cref.median / s.min : null },
              jcardsim: s.xJcs,
              jcardsimXint: s.xXint,
            }
          : null,
        crefTargetMet: s.target,
      })),
      cardImage: imageResults.map((x) => ({ ins: x.r.w.ins, name: x.r.w.name, msPerApdu: { median: median(x.times), min: Math.min(...x.times), max: Math.max(...x.times), rounds: x.times }, imageWritesPerApdu: x.savesPerApdu, imageBytes: x.imageBytes })),
    };
    writeFileSync(opt.json, JSON.stringify(out, null, 2) + '\n');
    console.log(`Results written to ${opt.json}.`);
  }

  if (failed.length) process.exitCode = 1;
}

/** Times workloads on a card kept in an image file in a scratch folder (removed afterwards). */
async function timeWithImage(
  chosen: Result[],
  opt: Options,
  capFiles: string[],
  suite: SuiteFile,
  select: Uint8Array,
): Promise<{ r: Result; times: number[]; savesPerApdu: number; imageBytes: number }[]> {
  if (!chosen.length) return [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jcvm-bench-'));
  const file = path.join(dir, 'card.img');
  try {
    const card = new Card({ cardFile: file });
    for (const f of capFiles) await card.loadCap(readFileSync(f), path.basename(f));
    for (const i of suite.install) card.install(fromHex(i.package), fromHex(i.applet), fromHex(i.instance), fromHex(i.params));
    card.powerOn();
    card.transmit(select);
    const out = [];
    for (const r of chosen) {
      const times: number[] = [];
      let saves = 0, apdus = 0;
      for (let k = 0; k < opt.rounds + 1; k++) {
        const t0 = process.hrtime.bigint();
        const ns = BigInt(Math.round(opt.batchMs * 1e6));
        let count = 0;
        const saved0 = card.imageWrites;
        do {
          const resp = card.transmit(r.cmd);
          if (!equalBytes(resp, r.expect)) die(`bench: ${r.w.name} with --card answered ${hex(resp)}, expected ${r.w.response}`, 1);
          count++;
        } while (process.hrtime.bigint() - t0 < ns);
        if (k === 0) continue; // warm-up
        saves += card.imageWrites - saved0;
        times.push(Number(process.hrtime.bigint() - t0) / 1e6 / count);
        apdus += count;
      }
      out.push({ r, times, savesPerApdu: saves / apdus, imageBytes: statSync(file).size });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
