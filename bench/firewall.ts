// The firewall's cost (vm/README.md, "The firewall"): APDUs per second of the bench applet's
// field- and array-heavy workloads (fields: aaload, getfield, putfield over 8 objects; array:
// baload/bastore over a 256-byte array; calls; the trivial APDU), every answer checked. With
// `--base DIR` (a tree of a commit without the firewall: `git archive 60e35d2 | tar -x -C DIR`),
// a card built from that tree runs in the same process, batch for batch interleaved with ours,
// and the share of time the firewall costs is 1 - (ours / base) per workload, median over the
// rounds. The checks are always on; there is no switch to turn them off.
//
//   npx tsx bench/firewall.ts [--base DIR] [--no-jit] [--cpu] [--workloads trivial,array,calls,fields] [--rounds 9] [--batch-ms 300] [--warmup-ms 1000]

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, hex } from '../loader/bytes.ts';

interface CardLike {
  loadCap(bytes: Uint8Array, name?: string): Promise<unknown>;
  install(pkg: Uint8Array, cls: Uint8Array, inst: Uint8Array, params: Uint8Array): unknown;
  powerOn(): Uint8Array;
  transmit(cmd: Uint8Array): Uint8Array;
}

const args = process.argv.slice(2);
const opt = (name: string, dflt: string | null): string | null => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : dflt;
};
const base = opt('--base', null);
const jit = !args.includes('--no-jit');
const rounds = Number(opt('--rounds', '9'));
const batchMs = Number(opt('--batch-ms', '300'));
const warmupMs = Number(opt('--warmup-ms', '1000'));
// --cpu: rates from the process's CPU time (user + system) instead of wall time: steadier on
// a shared machine, where other processes take the CPU away between our APDUs.
const cpu = args.includes('--cpu');
const clock = (): number => {
  if (!cpu) return Number(process.hrtime.bigint()) / 1e9;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const corpus = process.env.JCVM_CORPUS ?? path.resolve(repo, '..', 'shared', 'corpus');
const benchDir = path.join(corpus, 'bench');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const wl = JSON.parse(readFileSync(path.join(benchDir, 'workloads.json'), 'utf8')) as { select: string; workloads: { ins: string; name: string; command: string; response: string }[] };
const suite = JSON.parse(readFileSync(path.join(benchDir, 'suite.json'), 'utf8')) as { load: string[]; install: { package: string; applet: string; instance: string; params: string }[] };
// --workloads a,b: other workloads of workloads.json by name (default: the field, array and call ones)
const names = (opt('--workloads', null) ?? 'trivial,array,calls,fields').split(',');
const chosen = wl.workloads.filter((w) => names.includes(w.name));

async function makeCard(tree: string): Promise<CardLike> {
  const mod = (await import(path.join(tree, 'runtime', 'card.ts'))) as { Card: new (o: object) => CardLike };
  const card = new mod.Card({ jit });
  for (const f of suite.load) await card.loadCap(readFileSync(path.join(benchDir, f)), f);
  for (const i of suite.install) card.install(fromHex(i.package), fromHex(i.applet), fromHex(i.instance), fromHex(i.params));
  card.powerOn();
  const r = hex(card.transmit(fromHex(wl.select)));
  if (r !== '9000') throw new Error(`SELECT answered ${r}`);
  return card;
}

/** APDUs per second of one batch (`ms` of wall time); throws on a wrong answer. */
function batch(card: CardLike, cmd: Uint8Array, expected: string, ms: number): number {
  const wallEnd = Date.now() + ms;
  const t0 = clock();
  let n = 0;
  do {
    for (let k = 0; k < 16; k++) {
      const r = card.transmit(cmd);
      if (hex(r) !== expected) throw new Error(`${hex(cmd)} answered ${hex(r)}, expected ${expected}`);
    }
    n += 16;
  } while (Date.now() < wallEnd);
  return n / (clock() - t0);
}

const cards: [string, CardLike][] = [['firewall', await makeCard(repo)]];
if (base) cards.push(['base', await makeCard(path.resolve(base))]);
for (const w of chosen) for (const [, c] of cards) batch(c, fromHex(w.command), w.response, warmupMs);

const rates = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const w of chosen) {
    for (const [name, c] of cards) {
      const key = `${w.name}/${name}`;
      if (!rates.has(key)) rates.set(key, []);
      rates.get(key)!.push(batch(c, fromHex(w.command), w.response, batchMs));
    }
  }
}

console.log(`firewall bench: bench applet, ${jit ? 'JIT on' : 'interpreter only'}, ${cpu ? 'CPU time' : 'wall time'}, ${rounds} rounds of ${batchMs} ms batches${base ? `, interleaved with ${base}` : ''}; APDUs/s median (min-max)`);
for (const w of chosen) {
  const ours = rates.get(`${w.name}/firewall`)!;
  const fmt = (xs: number[]): string => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))})`;
  let line = `${w.ins} ${w.name.padEnd(8)} firewall ${fmt(ours).padEnd(26)}`;
  if (base) {
    const theirs = rates.get(`${w.name}/base`)!;
    const share = ours.map((x, i) => 1 - x / theirs[i]!);
    line += ` base ${fmt(theirs).padEnd(26)} firewall share of time ${(100 * median(share)).toFixed(1)} % (${(100 * Math.min(...share)).toFixed(1)} to ${(100 * Math.max(...share)).toFixed(1)} %)`;
  }
  console.log(line);
}
