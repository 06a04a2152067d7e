// Conformance suites of the corpus (corpus README, "suite.json" and "How to run a suite"):
// read a suite.json / suite-3.1.json, then run each script on a freshly installed card and
// compare with `<script>.expected.out`.

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parseScript } from './apdutool.ts';
import { hexToBytes } from './hex.ts';
import { compareOutput, runScript, ScriptRunError, type OutputDiff } from './runner.ts';
import type { ApduCard } from './types.ts';

export interface SuiteInstance {
  readonly packageAid: Uint8Array;
  /** The applet class AID, as in the CAP's Applet component. */
  readonly appletAid: Uint8Array;
  readonly instanceAid: Uint8Array;
  /** Application-specific install parameters (may be empty). */
  readonly params: Uint8Array;
  /** Java class name, for simulators that run class files. */
  readonly className?: string;
}

export interface Suite {
  /** The suite folder's name (echo, arith, …). */
  readonly name: string;
  /** Absolute paths of the suite file and its folder. */
  readonly path: string;
  readonly dir: string;
  readonly description: string;
  /** Absolute paths of the CAP files, in load order. */
  readonly load: readonly string[];
  /** Instances to create, in order. */
  readonly install: readonly SuiteInstance[];
  /** Absolute paths of the scripts, in order. */
  readonly scripts: readonly string[];
  /** int, extended-length, crypto, crypto:<algorithm> … */
  readonly requires: readonly string[];
  /** Number of APDUs per script, keyed by the script's file name as in the suite file. */
  readonly apdus: Readonly<Record<string, number>>;
}

/** Reads and checks a suite file; every path is resolved against the suite file's folder. */
export function readSuite(suitePath: string): Suite {
  const path = resolve(suitePath);
  const dir = dirname(path);
  const fail = (problem: string): never => {
    throw new Error(`${path}: ${problem}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return fail(`cannot read the suite: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null) return fail('not a JSON object');
  const o = json as Record<string, unknown>;

  const strings = (key: string, required: boolean): string[] => {
    const v = o[key];
    if (v === undefined && !required) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) fail(`"${key}" must be an array of strings`);
    return v as string[];
  };
  const file = (key: string) => (name: string): string => {
    const p = resolve(dir, name);
    if (!existsSync(p)) fail(`"${key}" names ${name}, which does not exist`);
    return p;
  };
  const hex = (where: string, value: unknown, optional = false): Uint8Array => {
    if (optional && value === undefined) return new Uint8Array(0);
    if (typeof value !== 'string') return fail(`${where} must be a hex string`);
    try {
      return hexToBytes(value);
    } catch (e) {
      return fail(`${where}: ${(e as Error).message}`);
    }
  };

  if (!Array.isArray(o.install)) fail('"install" must be an array');
  const install = (o.install as unknown[]).map((entry, i): SuiteInstance => {
    if (typeof entry !== 'object' || entry === null) fail(`install[${i}] must be an object`);
    const e = entry as Record<string, unknown>;
    const className = typeof e.class === 'string' ? e.class : undefined;
    return {
      packageAid: hex(`install[${i}].package`, e.package),
      appletAid: hex(`install[${i}].applet`, e.applet),
      instanceAid: hex(`install[${i}].instance`, e.instance),
      params: hex(`install[${i}].params`, e.params, true),
      ...(className === undefined ? {} : { className }),
    };
  });

  const apdus = (o.apdus ?? {}) as Record<string, unknown>;
  const countsOk = typeof apdus === 'object' && !Array.isArray(apdus) &&
    Object.values(apdus).every((n) => Number.isInteger(n) && (n as number) >= 0);
  if (!countsOk) fail('"apdus" must map script names to APDU counts');
  return {
    name: basename(dir),
    path,
    dir,
    description: typeof o.description === 'string' ? o.description : '',
    load: strings('load', true).map(file('load')),
    install,
    scripts: strings('scripts', true).map(file('scripts')),
    requires: strings('requires', false),
    apdus: apdus as Record<string, number>,
  };
}

/** The install data handed to Applet.install(): see runtime/card.ts. */
export { installData } from '../card.ts';

export interface ScriptResult {
  /** The script's absolute path. */
  readonly script: string;
  readonly passed: boolean;
  /** What the card made apdutool print. */
  readonly lines: readonly string[];
  /** The first line that differs from the expected output (absent when passed or on error). */
  readonly firstDiff?: OutputDiff;
  /** Set when the script could not be run to its end (a parse error, a host error of the card). */
  readonly error?: string;
}

export interface SuiteResult {
  readonly suite: Suite;
  readonly passed: boolean;
  readonly scripts: readonly ScriptResult[];
}

/** The expected output beside a script: `<script>.expected.out`. */
export const expectedOutputPath = (script: string): string => `${script}.expected.out`;

/**
 * Runs every script of a suite, each on a fresh card from `makeCard` (which loads the suite's
 * CAP files and creates its instances: each script assumes freshly installed applets).
 */
export async function runSuite(
  suitePath: string,
  makeCard: (suite: Suite) => Promise<ApduCard>,
): Promise<SuiteResult> {
  const suite = readSuite(suitePath);
  const scripts: ScriptResult[] = [];
  for (const script of suite.scripts) scripts.push(await runOne(suite, script, makeCard));
  return { suite, passed: scripts.every((s) => s.passed), scripts };
}

async function runOne(
  suite: Suite,
  script: string,
  makeCard: (suite: Suite) => Promise<ApduCard>,
): Promise<ScriptResult> {
  let expected: string;
  let lines: string[] = [];
  try {
    expected = readFileSync(expectedOutputPath(script), 'utf8');
    const steps = parseScript(readFileSync(script, 'utf8'), basename(script));
    lines = runScript(await makeCard(suite), steps);
  } catch (e) {
    if (e instanceof ScriptRunError) lines = [...e.lines];
    return { script, passed: false, lines, error: e instanceof Error ? e.message : String(e) };
  }
  const { ok, firstDiff } = compareOutput(lines, expected);
  return { script, passed: ok, lines, ...(firstDiff ? { firstDiff } : {}) };
}
