// The `jcvm` command line. It parses arguments and prints; everything it does is a function
// of loader/ or runtime/ that tests call directly.

import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { equalBytes, fromHex, hex } from '../loader/bytes.ts';
import { authenticityHash, completionValue, describeRecord } from '../runtime/os/manufacturing.ts';
import { COMPLETION_INS, COMPLETION_TRIES, OsState } from '../runtime/os/os.ts';
import { ROM } from '../runtime/os/rom.ts';
import { readCapPath } from '../loader/cap/archive.ts';
import { dumpCap } from '../loader/cap/dump.ts';
import { capToJson } from '../loader/cap/dump-json.ts';
import { assembleJca } from '../loader/jca/assemble.ts';
import { writeCapArchive } from '../loader/jca/archive.ts';
import { disassembleToJca } from '../loader/jca/disassemble.ts';
import { Card, type CardOptions } from '../runtime/card.ts';
import { parseScript } from '../runtime/script/apdutool.ts';
import { compareOutput, runScript } from '../runtime/script/runner.ts';
import { readSuite, runSuite, type SuiteResult } from '../runtime/script/suite.ts';
import { PowerLoss } from '../runtime/memory/eeprom.ts';
import { formatTearTable, tearScript } from '../runtime/memory/tearing.ts';
import { formatMemoryReport } from '../runtime/memory/report.ts';
import { makeSuiteCard } from '../runtime/script/suite-card.ts';
import { TpduCard, TpduTerminal } from '../runtime/transport/tpdu-card.ts';
import { buildFileSystem, loadFileSystem } from '../runtime/fs/personalise.ts'; // the file system (issue 8)
import { parseVpcdAddress } from '../runtime/transport/vpcd.ts';
import { serve, slotCardFile } from './serve.ts';
import { progressLine } from './progress.ts';
import { installApplet, loadPackage, runShell } from './shell.ts';
import { gpCommand, GpUsageError } from './gp.ts';
import { Coverage } from '../runtime/sight/coverage.ts';
import { formatStats, formatStatsTable, measure, StatsRecorder, type ApduStats } from '../runtime/sight/stats.ts';
import { describeStatus } from '../runtime/status-words.ts';

const USAGE = `usage: jcvm <command> [options]

  cap dump <file.cap>                     print every component, methods as bytecode listings
  cap jca <file.cap>                      disassemble into JCA text (which asm accepts)
  asm <file.jca> -o <file.cap>            assemble JCA text into a CAP file
  run <file.cap|file.jca>... --install <classAID>[:<instanceAID>[:<params>]]... --apdu <hex>...
                                          load, install, power on, send APDUs, print the exchange
                                          (with --card, files and installs are optional)
  script <suite.json | file.scr> [--cap <file>]... [--install ...]
                                          run apdutool scripts (a suite: every script on a fresh
                                          card); compare with <script>.expected.out when present
  mem <file.cap>... [--install ...] [--apdu <hex>...]
                                          like run, then report used and free memory per package
                                          and the persistent writes of each APDU
  mem --card <image>                      the same report for a saved card (writes of its last session)
  card new --card <image> [--eeprom 64K] [--serial <8 bytes hex>] [--batch <4 bytes hex>] [--batch-key <16 bytes hex>]
                                          make a manufactured chip (not completed: it answers only
                                          the completion commands)
  card complete --card <image> (--batch-key <hex> | --value <hex>) [--chip-specific]
                                          check the chip's authenticity, then complete it
  card info --card <image>                the chip's manufacturing record, state and self-test
  fs load <fs.json> --card <image>        personalise the card's ISO 7816-4 file system from a JSON
                                          description (runtime/fs/README.md), selectable by AID
                                          F04A43564D46530001
  serve [<file.cap>...] [--install ...] --vpcd [host:port] [--slots <n>] [--card <image>] [--quiet]
                                          be the card in vsmartcard's vpcd reader (pcscd): every
                                          PC/SC program sees it; default 127.0.0.1:35963, slot k on
                                          port+k, one card per slot (images <image>, <name>.slot<k>.<ext>);
                                          reconnects when pcscd is not there; SIGINT/SIGTERM stop it
  shell [<file.cap>...] [--install ...] [--card <image>]
                                          an interactive session on the card: APDUs in hex or
                                          apdutool syntax, load, install, select, list, reset,
                                          trace on|off, stats on|off, mem (type help); reads stdin
  gp <command> --card <image> [--sd <aid>] [--scp 02|03] [--key <hex>] [--kvn <n>]
     [--token-key <private.pem>] [--receipt-key <hex>]
                                          GlobalPlatform card management as a GP client over APDUs
                                          (SCP02/SCP03, default keys 404142..4F; a new image gets a
                                          card manager with SCP03 keys, or SCP02 with --scp 02):
                                            list: GET STATUS of the ISD, applications, load files
                                            install <cap> [--applet <AID>] [--instance <AID>] [--params <hex>]
                                              [--privileges <hex>] [--dap-key <private.pem|hex> [--dap-sd <aid>]]
                                              [--quota <volatile>,<non-volatile>]
                                              [--load-requirements <code>,<volatile>,<non-volatile>]:
                                              INSTALL [for load] (SHA-256 hash; EF C6/C7/C8), LOAD (with
                                              the DAP of --dap-sd, default --sd), INSTALL (EF C7/C8 quotas)
                                            delete <aid> [--with-related]
                                            keys [--put-key <hex> [--new-kvn <n>] [--replace <kvn>]]
                                              [--put-token-key <rsa.pem>] [--put-receipt-key <hex>]
                                              [--put-dap-key <rsa.pem|hex>]: PUT KEY of KVN 70, 71, 73
                                            create-sd <aid> [--privileges <hex>]: a supplementary
                                              security domain (default 804000, Authorized Management)
                                            lock <aid> | unlock <aid>: SET STATUS of an application
                                            card-state initialized|secured|locked|unlocked|terminated
                                            --sd <aid>: through that security domain, not the ISD
                                            --token-key: sign each INSTALL and DELETE token (Delegated
                                              Management); --receipt-key: check receipts (else printed)
                                            hex secret keys: AES under SCP03, DES under SCP02, or
                                              prefixed aes: / des:
  tear <suite.json> [--apdu <n>...]       lose power at every persistent write of each APDU of
                                          the suite's first script, recover, and check the state
                                          is the one before or after the APDU

options: --card <file>  keep the card in this image file (created if missing, saved after every
                        APDU that changes it, atomically; run and mem)
         --wear         count EEPROM wear by page and its simulated programming time (mem)
         --budget <n>   bytecodes one APDU may run (default 50,000,000)
         --tear-at <n>  (run) lose power at the n-th persistent write of the APDUs, then power up
         --trace        print every bytecode executed (to stderr; runs the interpreter)
         --no-jit       interpret only (methods are otherwise compiled to JavaScript)
         --random-seed <text>  make RandomData deterministic (reproducible test runs)
         --protocol T=0|T=1  (run, mem) the card offers this protocol and the APDUs travel as
                        its TPDUs (T=0: 61xx/GET RESPONSE, 6Cxx; T=1: chained blocks)
         --tpdu         (with --protocol) print the ATR and every TPDU exchanged
         --coverage <file>  write which bytecodes of which methods ran as lcov (source lines with a
                        Debug component, else Method component offsets) and print a table per
                        method (run, script, serve; runs the interpreter, like --trace)
         --stats        bytecodes, persistent and transient writes, objects allocated and time of each APDU
                        (run, script, serve)
         --json         machine-readable output (cap, asm, run, script, mem, card, fs, tear;
                        not serve and shell, which print live)`;

/** A user error: printed as one line, exit status 2. */
class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

const VALUE_FLAGS = new Set(['--instance', '--params', '--privileges', '--applet', '--key', '--kvn', '--scp', '--put-key', '--new-kvn', '--replace', '--sd', '--token-key', '--receipt-key', '--dap-key', '--dap-sd', '--put-token-key', '--put-receipt-key', '--put-dap-key', '--quota', '--load-requirements', '-o', '--install', '--apdu', '--cap', '--budget', '--tear-at', '--random-seed', '--card', '--eeprom', '--serial', '--batch', '--batch-key', '--value', '--protocol', '--slots', '--vpcd', '--coverage']);
const MULTI_FLAGS = new Set(['--install', '--apdu', '--cap']);
/** Options whose value may be left out (the next argument is then not taken). */
const OPTIONAL_VALUE_FLAGS = new Set(['--vpcd']);
const BOOL_FLAGS = new Set(['--with-related', '--trace', '--no-jit', '--tpdu', '--help', '-h', '--chip-specific', '--quiet', '--stats', '--json', '--wear']);

/** host, host:port, :port, port or [v6]:port (not an option, not a CAP or JCA file). */
function looksLikeAddress(text: string): boolean {
  return /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*)(:\d+)?$/.test(text) && !text.startsWith('-') && text !== '';
}

function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_FLAGS.has(a)) {
      // --apdu, --install and --cap take every following argument up to the next option
      const values: string[] = [];
      const many = MULTI_FLAGS.has(a);
      if (OPTIONAL_VALUE_FLAGS.has(a) && !(i + 1 < argv.length && looksLikeAddress(argv[i + 1]!))) values.push('');
      else if (!many && i + 1 < argv.length) values.push(argv[++i]!);
      while (many && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) values.push(argv[++i]!);
      if (!values.length) throw new UsageError(`${a} needs a value`);
      flags.set(a, [...(flags.get(a) ?? []), ...values]);
    } else if (BOOL_FLAGS.has(a)) {
      flags.set(a, ['true']);
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function cardOptions(p: Parsed, coverage: Coverage | null = null): CardOptions {
  const options: CardOptions = {};
  const budget = p.flags.get('--budget')?.[0];
  if (budget !== undefined) {
    const n = Number(budget);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--budget must be a positive whole number, not '${budget}'`);
    options.instructionBudget = n;
  }
  if (p.flags.has('--trace')) options.trace = (line) => process.stderr.write(line + '\n');
  if (p.flags.has('--no-jit')) options.jit = false;
  const seed = p.flags.get('--random-seed')?.[0];
  if (seed !== undefined) options.randomSeed = seed;
  const file = p.flags.get('--card')?.[0];
  if (file !== undefined) options.cardFile = file;
  if (p.flags.has('--wear')) options.eepromWear = true;
  const protocol = p.flags.get('--protocol')?.[0];
  if (protocol !== undefined) {
    if (protocol !== 'T=0' && protocol !== 'T=1') throw new UsageError(`--protocol must be T=0 or T=1, not '${protocol}'`);
    options.protocol = protocol;
  }
  if (coverage) options.step = coverage.step;
  return options;
}

/** --coverage: the recorder the cards' step hook feeds (null when off); JCA files among `files` name their methods. */
async function coverageOf(p: Parsed, files: readonly string[] = []): Promise<Coverage | null> {
  if (!p.flags.has('--coverage')) return null;
  const coverage = new Coverage();
  for (const f of files) if (f.toLowerCase().endsWith('.jca') && existsSync(f)) coverage.addJca(await readFile(f, 'utf8'), basename(f));
  return coverage;
}

/** Per-method coverage rows for --json. */
function coverageRows(coverage: Coverage): { method: string; bytecodes: number; run: number; entries: number }[] {
  return coverage.methods().map((m) => ({ method: `${m.cls.replace(/\//g, '.')}.${m.source?.name ?? m.method}`, bytecodes: m.instructions.length, run: m.instructions.filter((i) => i.hits > 0).length, entries: m.entries }));
}

/** Writes the lcov file and prints the per-method table. */
async function writeCoverage(p: Parsed, coverage: Coverage | null, out: (s: string) => void, json: boolean): Promise<void> {
  if (!coverage) return;
  const file = p.flags.get('--coverage')![0]!;
  await writeFile(file, coverage.toLcov());
  if (json) return;
  out(`coverage written to ${file} (lcov)`);
  for (const line of coverage.summaryTable()) out(line);
}

function parseHex(text: string, what: string): Uint8Array {
  try {
    return fromHex(text);
  } catch {
    throw new UsageError(`${what} '${text}' is not hex`);
  }
}

/** Load the files and create the instances named by --install; returns the card, powered on unless `powerOn` is false. */
async function prepareCard(files: string[], installs: string[], options: CardOptions, out: (s: string) => void, powerOn = true): Promise<Card> {
  if (options.cardFile) out(`${existsSync(options.cardFile) ? 'opened' : 'created'} card image ${options.cardFile}`);
  const card = new Card(options);
  for (const f of files) await loadPackage(card, f, out);
  for (const spec of installs) installApplet(card, spec, out, parseHex);
  if (powerOn) card.powerOn();
  return card;
}

function printSuite(r: SuiteResult, out: (s: string) => void): boolean {
  for (const s of r.scripts) {
    for (const line of s.lines) out(line);
    const name = basename(s.script);
    if (s.passed) out(`PASS ${name}`);
    else if (s.error) out(`FAIL ${name}: ${s.error}`);
    else if (s.firstDiff) {
      out(`FAIL ${name}: line ${s.firstDiff.line} differs`);
      out(`  expected: ${s.firstDiff.expected}`);
      out(`  actual:   ${s.firstDiff.actual}`);
    }
  }
  return r.passed;
}

/** Runs the command line; returns the exit status. */
export async function main(argv: string[], out: (s: string) => void = console.log): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    out(USAGE);
    return command ? 0 : 2;
  }
  const p = parseArgs(rest);
  switch (command) {
    case 'cap': {
      const [sub, file] = p.positional;
      if ((sub !== 'dump' && sub !== 'jca') || !file) throw new UsageError('usage: jcvm cap dump|jca <file.cap>');
      const cap = await readCapPath(file);
      if (p.flags.has('--json')) out(JSON.stringify(sub === 'dump' ? capToJson(cap) : { jca: disassembleToJca(cap.raw, cap.packagePath ? { packagePath: cap.packagePath } : {}) }, null, 2));
      else out(sub === 'dump' ? dumpCap(cap) : disassembleToJca(cap.raw, cap.packagePath ? { packagePath: cap.packagePath } : {}));
      return 0;
    }
    case 'asm': {
      const [file] = p.positional;
      const outFile = p.flags.get('-o')?.[0];
      if (!file || !outFile) throw new UsageError('usage: jcvm asm <file.jca> -o <file.cap>');
      const asm = assembleJca(await readFile(file, 'utf8'), { fileName: basename(file) });
      const archive = await writeCapArchive(asm);
      await writeFile(outFile, archive);
      if (p.flags.has('--json')) {
        out(JSON.stringify({ file: outFile, bytes: archive.length, package: asm.packagePath, aid: hex(asm.packageAid), format: asm.format, applets: asm.applets.map((a) => ({ name: a.name, aid: hex(a.aid) })), components: [...asm.components].map(([tag, c]) => ({ tag, size: c.length })) }, null, 2));
        return 0;
      }
      out(`wrote ${outFile}: package ${asm.packagePath} (AID ${hex(asm.packageAid)}), CAP format ${asm.format}`);
      return 0;
    }
    case 'mem':
    case 'run': {
      const json = p.flags.has('--json');
      const coverage = await coverageOf(p, p.positional);
      const options = cardOptions(p, coverage);
      if (!p.positional.length && !options.cardFile) throw new UsageError(`usage: jcvm ${command} <file.cap>... --install <classAID> --apdu <hex>...  (or --card <image> with or without files)`);
      // jcvm mem --card <image> alone reports the saved card as it is, with the writes of its last session.
      const report = command === 'mem' && !p.positional.length && !p.flags.has('--apdu') && !p.flags.has('--install');
      const setup: string[] = [];
      const card = await prepareCard(p.positional, p.flags.get('--install') ?? [], options, json ? (s) => setup.push(s) : out, !report);
      const tear = p.flags.get('--tear-at')?.[0];
      if (tear !== undefined) {
        const n = Number(tear);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--tear-at must be a whole number, not '${tear}'`);
        card.tearAt(n);
      }
      // --protocol: the APDUs travel as TPDUs of that protocol (runtime/transport).
      let terminal: TpduTerminal | null = null;
      if (options.protocol && !report) {
        const tpdu = p.flags.has('--tpdu');
        terminal = new TpduTerminal(new TpduCard(card), tpdu ? { log: (l) => out(`   ${l.from === 'IFD' ? 'IFD>' : 'ICC<'} ${hex(l.bytes, ' ')}${l.what ? `  ${l.what}` : ''}`) } : {});
        terminal.powerOn();
      }
      const stats = p.flags.has('--stats');
      const exchanges: { command: string; response: string | null; status?: string; note?: string; stats?: Omit<ApduStats, 'header' | 'sw'> }[] = [];
      for (const a of p.flags.get('--apdu') ?? []) {
        const cmd = parseHex(a, 'APDU');
        if (!json) out(`=> ${hex(cmd, ' ')}`);
        let r: Uint8Array;
        let figures: Omit<ApduStats, 'header' | 'sw'>;
        try {
          ({ value: r, stats: figures } = measure(card, () => (terminal ? terminal.transmit(cmd) : card.transmit(cmd))));
        } catch (e) {
          if (!(e instanceof PowerLoss)) throw e;
          if (json) exchanges.push({ command: hex(cmd), response: null, note: `${e.message}: no response; powered up again (recovery)` });
          else out(`!! ${e.message}: no response; powering up again (recovery)`);
          if (terminal) terminal.powerOn();
          else card.powerOn();
          continue;
        }
        const why = card.jcre.lastHostError;
        card.jcre.lastHostError = null;
        if (json) {
          exchanges.push({ command: hex(cmd), response: hex(r), status: describeStatus(r), ...(why ? { note: why.message } : {}), ...(stats ? { stats: figures } : {}) });
          continue;
        }
        out(`<= ${hex(r, ' ')}`);
        if (why) out(`   (${why.message})`);
        if (stats) out(`   ${formatStats(figures)}`);
      }
      if (coverage) coverage.addCard(card);
      await writeCoverage(p, coverage, out, json);
      if (json) {
        const result: Record<string, unknown> = { setup, exchanges };
        if (command === 'mem') result.memory = card.memoryReport();
        if (coverage) result.coverage = { file: p.flags.get('--coverage')![0], methods: coverageRows(coverage) };
        out(JSON.stringify(result, null, 2));
      } else if (command === 'mem') {
        for (const line of formatMemoryReport(card.memoryReport())) out(line);
      }
      return 0;
    }
    case 'script': {
      const [file] = p.positional;
      if (!file) throw new UsageError('usage: jcvm script <suite.json | file.scr>');
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const json = p.flags.has('--json');
      const coverage = await coverageOf(p, file.endsWith('.json') ? readSuite(file).load : p.flags.get('--cap') ?? []);
      const options = cardOptions(p, coverage);
      const recorders: StatsRecorder[] = [];
      const wrap = (card: Card) => {
        coverage?.addCard(card);
        if (!p.flags.has('--stats')) return card;
        const r = new StatsRecorder(card);
        recorders.push(r);
        return r;
      };
      const statsRows = () => recorders.flatMap((r) => r.rows);
      if (file.endsWith('.json')) {
        const progress = progressLine(`script ${basename(dirname(resolve(file)))}`);
        const total = readSuite(file).scripts.length;
        let started = 0;
        const r = await runSuite(file, async (suite) => {
          progress.update(started, total, basename(suite.scripts[started] ?? ''));
          started++;
          return wrap(await makeSuiteCard(suite, options));
        });
        progress.end();
        if (json) {
          await writeCoverage(p, coverage, out, json);
          out(JSON.stringify({ suite: r.suite.name, passed: r.passed, scripts: r.scripts.map((s) => ({ script: s.script, passed: s.passed, ...(s.firstDiff ? { firstDiff: s.firstDiff } : {}), ...(s.error ? { error: s.error } : {}) })), ...(recorders.length ? { stats: statsRows() } : {}), ...(coverage ? { coverage: coverageRows(coverage) } : {}) }, null, 2));
          return r.passed ? 0 : 1;
        }
        const ok = printSuite(r, out);
        if (recorders.length) for (const line of formatStatsTable(statsRows())) out(line);
        await writeCoverage(p, coverage, out, json);
        return ok ? 0 : 1;
      }
      const card = await prepareCard(p.flags.get('--cap') ?? [], p.flags.get('--install') ?? [], options, () => undefined);
      card.powerOff();
      const lines = runScript(wrap(card), parseScript(await readFile(file, 'utf8'), basename(file)));
      const expectedPath = resolve(dirname(file), basename(file) + '.expected.out');
      const cmp = existsSync(expectedPath) ? compareOutput(lines, await readFile(expectedPath, 'utf8')) : null;
      if (json) {
        await writeCoverage(p, coverage, out, json);
        out(JSON.stringify({ script: resolve(file), lines, passed: cmp ? cmp.ok : null, ...(cmp?.firstDiff ? { firstDiff: cmp.firstDiff } : {}), ...(recorders.length ? { stats: statsRows() } : {}), ...(coverage ? { coverage: coverageRows(coverage) } : {}) }, null, 2));
        return cmp && !cmp.ok ? 1 : 0;
      }
      for (const line of lines) out(line);
      if (recorders.length) for (const line of formatStatsTable(statsRows())) out(line);
      await writeCoverage(p, coverage, out, json);
      if (!cmp) return 0;
      if (cmp.ok) {
        out(`PASS ${basename(file)}`);
        return 0;
      }
      out(`FAIL ${basename(file)}: line ${cmp.firstDiff!.line} differs`);
      out(`  expected: ${cmp.firstDiff!.expected}`);
      out(`  actual:   ${cmp.firstDiff!.actual}`);
      return 1;
    }
    case 'fs': { // the ISO/IEC 7816-4 file system (runtime/fs)
      const [sub, file] = p.positional;
      const options = cardOptions(p);
      if (sub !== 'load' || !file || !options.cardFile) throw new UsageError('usage: jcvm fs load <fs.json> --card <image>');
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const text = await readFile(file, 'utf8');
      buildFileSystem(text); // a bad description is refused before the image is opened or created
      const created = !existsSync(options.cardFile);
      const r = loadFileSystem(new Card(options), text);
      if (p.flags.has('--json')) {
        out(JSON.stringify({ card: options.cardFile, created, fileSystem: file, files: r.files, bytes: r.bytes }, null, 2));
        return 0;
      }
      out(`${created ? 'created' : 'opened'} card image ${options.cardFile}; file system ${basename(file)} loaded: ${r.files} files, ${r.bytes} bytes`);
      return 0;
    }
    case 'tear': {
      const [file] = p.positional;
      if (!file || !file.endsWith('.json')) throw new UsageError('usage: jcvm tear <suite.json> [--apdu <n>...]');
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
      const only = p.flags.get('--apdu')?.map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--apdu takes APDU indices here, not '${x}'`);
        return n;
      });
      const suite = readSuite(file);
      const script = suite.scripts[0]!;
      const options = cardOptions(p);
      const progress = progressLine(`tear ${basename(script)}`);
      const rows = await tearScript(() => makeSuiteCard(suite, options), await readFile(script, 'utf8'), basename(script), only, (done, total) => progress.update(done, total, 'APDUs'));
      progress.end();
      const bad = rows.filter((r) => r.neither.length);
      if (p.flags.has('--json')) {
        out(JSON.stringify({ script, passed: bad.length === 0, rows }, null, 2));
        return bad.length ? 1 : 0;
      }
      out(`tearing ${basename(script)}: power lost at each persistent write of each APDU, then recovered`);
      for (const line of formatTearTable(rows)) out(line);
      out(bad.length ? `FAIL: ${bad.length} APDU(s) recovered to a state that is neither before nor after` : 'PASS: every torn write recovered to the state before or after its APDU');
      return bad.length ? 1 : 0;
    }
    case 'card':
      return cardCommand(p, out);
    case 'gp': // GlobalPlatform card management over APDUs (bin/gp.ts)
      try {
        return await gpCommand({ positional: p.positional, flag: (n) => p.flags.get(n)?.[0], has: (n) => p.flags.has(n) }, out);
      } catch (e) {
        if (e instanceof GpUsageError) throw new UsageError(e.message);
        throw e;
      }
    case 'shell': {
      if (p.flags.has('--json')) throw new UsageError('--json does not apply to shell (an interactive session; its stats and mem print text)');
      const card = await prepareCard(p.positional, p.flags.get('--install') ?? [], cardOptions(p), out, true);
      return runShell(card, { input: process.stdin, out, ...(process.stdin.isTTY && process.stdout.isTTY ? { terminal: process.stdout } : {}) });
    }
    case 'serve': {
      if (p.flags.has('--json')) throw new UsageError('--json does not apply to serve (a live log of connections and exchanges)');
      if (!p.flags.has('--vpcd')) throw new UsageError('usage: jcvm serve [<file.cap>...] [--install ...] --vpcd [host:port] [--slots <n>] [--card <image>]');
      let address: { host: string; port: number };
      try {
        address = parseVpcdAddress(p.flags.get('--vpcd')![0]);
      } catch (e) {
        throw new UsageError(`--vpcd: ${(e as Error).message}`);
      }
      const slotsText = p.flags.get('--slots')?.[0] ?? '1';
      const slots = Number(slotsText);
      if (!Number.isInteger(slots) || slots < 1 || slots > 16) throw new UsageError(`--slots must be 1 to 16, not '${slotsText}'`);
      const coverage = await coverageOf(p, p.positional);
      const options = cardOptions(p, coverage);
      const cards: Card[] = [];
      for (let k = 0; k < slots; k++) {
        const o = { ...options };
        if (options.cardFile) o.cardFile = slotCardFile(options.cardFile, k);
        cards.push(await prepareCard(p.positional, p.flags.get('--install') ?? [], o, (s) => out(`slot ${k}: ${s}`), false));
      }
      const ac = new AbortController();
      const stop = (signal: string) => {
        out(`${signal}: stopping`);
        ac.abort();
      };
      const onInt = () => stop('SIGINT');
      const onTerm = () => stop('SIGTERM');
      process.once('SIGINT', onInt);
      process.once('SIGTERM', onTerm);
      try {
        await serve(cards, { ...address, exchanges: !p.flags.has('--quiet'), stats: p.flags.has('--stats') }, out, ac.signal);
      } finally {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      }
      for (const card of cards) coverage?.addCard(card);
      await writeCoverage(p, coverage, out, false);
      return 0;
    }
    default:
      throw new UsageError(`unknown command '${command}' (try: jcvm help)`);
  }
}

/** `64K`, `1M` or a number of bytes. */
function parseSize(text: string): number {
  const m = /^(\d+)([KkMm]?)$/.exec(text);
  if (!m) throw new UsageError(`--eeprom takes a size such as 64K, 1M or 32768, not '${text}'`);
  return Number(m[1]) * (m[2]?.toUpperCase() === 'K' ? 1024 : m[2]?.toUpperCase() === 'M' ? 1024 * 1024 : 1);
}

/** jcvm card new | complete | info: the chip before and at completion (runtime/os). */
async function cardCommand(p: Parsed, print: (s: string) => void): Promise<number> {
  const [sub] = p.positional;
  // --json: the messages are collected, and one object printed with the result's fields.
  const json = p.flags.has('--json');
  const messages: string[] = [];
  const out = json ? (s: string) => messages.push(s) : print;
  const done = (code: number, fields: Record<string, unknown>): number => {
    if (json) print(JSON.stringify({ command: `card ${sub}`, card: file, ...fields, messages }, null, 2));
    return code;
  };
  const file = p.flags.get('--card')?.[0];
  if (!sub || !['new', 'complete', 'info'].includes(sub) || !file) throw new UsageError('usage: jcvm card new|complete|info --card <image> ...');
  const bytes = (flag: string, n: number): Uint8Array | undefined => {
    const v = p.flags.get(flag)?.[0];
    if (v === undefined) return undefined;
    const b = parseHex(v, flag);
    if (b.length !== n) throw new UsageError(`${flag} takes ${n} bytes, not ${b.length}`);
    return b;
  };
  if (sub === 'new') {
    if (existsSync(file)) throw new UsageError(`${file} exists: a chip is manufactured once`);
    const eeprom = p.flags.get('--eeprom')?.[0];
    const eepromSize = eeprom === undefined ? undefined : parseSize(eeprom);
    if (eepromSize !== undefined && (eepromSize < 1024 || eepromSize > 1024 * 1024)) throw new UsageError(`--eeprom: 1K to 1M, not ${eeprom}`);
    const chip = { ...(eepromSize ? { eepromSize } : {}), ...pick('serial', bytes('--serial', 8)), ...pick('batch', bytes('--batch', 4)), ...pick('batchKey', bytes('--batch-key', 16)) };
    const card = new Card({ cardFile: file, chip, completed: false });
    out(`manufactured ${describeRecord(card.os.record!)} in ${file}; not completed`);
    return done(0, { record: recordJson(card.os.record!), state: OS_STATE_NAMES[card.os.state] ?? card.os.state });
  }
  const card = new Card({ cardFile: file });
  card.powerOn();
  const r = card.os.record;
  if (sub === 'info') {
    out(r ? describeRecord(r) : 'no manufacturing record');
    out(`state: ${OS_STATE_NAMES[card.os.state] ?? card.os.state}; completion failures: ${card.os.completionFailures} of ${COMPLETION_TRIES}`);
    out(card.os.selfTestFailure ? `self-test: FAILED (${card.os.selfTestFailure})` : 'self-test: passed');
    return done(card.os.selfTestFailure ? 1 : 0, {
      record: r ? recordJson(r) : null,
      state: OS_STATE_NAMES[card.os.state] ?? card.os.state,
      completionFailures: card.os.completionFailures,
      completionTries: COMPLETION_TRIES,
      selfTest: card.os.selfTestFailure ? { passed: false, failure: String(card.os.selfTestFailure) } : { passed: true },
    });
  }
  // complete: the terminal's side, over APDUs — authenticity first, then the completion value.
  const batchKey = bytes('--batch-key', 16);
  const given = bytes('--value', 16);
  if (!batchKey === !given) throw new UsageError('jcvm card complete takes --batch-key <hex> (to derive the value) or --value <hex>');
  const random = randomBytes(16);
  const auth = card.transmit(Uint8Array.from([0x80, COMPLETION_INS.authenticate, 0, 0, 16, ...random, 0]));
  if (auth.length !== 32 + 12 + 2 || auth[auth.length - 2] !== 0x90) throw new UsageError(`the chip answered the authenticity check with ${hex(auth)}`);
  const serial = auth.subarray(32, 40), batch = auth.subarray(40, 44);
  out(`chip ${hex(serial)} of batch ${hex(batch)} answered the authenticity check`);
  const chipSpecific = p.flags.has('--chip-specific');
  let value = given;
  if (batchKey) {
    const expected = authenticityHash(random, { serial, batch, batchKey, eepromSize: 0 }, ROM);
    if (!equalBytes(expected, auth.subarray(0, 32))) {
      out('the chip is NOT authentic: its hash does not match this batch key and this OS');
      return done(1, { serial: hex(serial), batch: hex(batch), authentic: false, completed: false });
    }
    out('the chip is authentic (hash recomputed from the batch key and the OS ROM)');
    value = completionValue(ROM, { serial, batch, batchKey }, chipSpecific);
  }
  const res = card.transmit(Uint8Array.from([0x80, COMPLETION_INS.complete, chipSpecific ? 1 : 0, 0, 16, ...value!]));
  const sw = hex(res.subarray(-2));
  out(sw === '9000' ? `completed: the card is operational (${card.os.state === OsState.Completed ? 'OP_READY' : '?'})` : `completion refused: ${sw}${card.os.state === OsState.Refused ? ' — the chip now refuses completion forever' : ''}`);
  return done(sw === '9000' ? 0 : 1, { serial: hex(serial), batch: hex(batch), ...(batchKey ? { authentic: true } : {}), sw, completed: sw === '9000', state: OS_STATE_NAMES[card.os.state] ?? card.os.state });
}

/** The manufacturing record without its secret (the batch key is never printed). */
function recordJson(r: { serial: Uint8Array; batch: Uint8Array; eepromSize: number }): { serial: string; batch: string; eepromSize: number } {
  return { serial: hex(r.serial), batch: hex(r.batch), eepromSize: r.eepromSize };
}

function pick<K extends string, V>(key: K, v: V | undefined): { [k in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: V };
}

const OS_STATE_NAMES: Record<number, string> = { 0: 'blank', 1: 'manufactured (not completed)', 2: 'completed (OP_READY)', 0xdd: 'refused (too many wrong completion values)' };

/**
 * main() with errors reported as the command line reports them: one line on `err`, status 2
 * (set JCVM_DEBUG=1 for the stack trace).
 */
export async function runCli(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<number> {
  try {
    return await main(argv, out);
  } catch (e) {
    const error = e as Error;
    err(`jcvm: ${error?.message ?? String(e)}`);
    if (process.env.JCVM_DEBUG) err(String(error?.stack));
    return 2;
  }
}

const isEntry = process.argv[1] && /jcvm\.ts$/.test(process.argv[1]);
if (isEntry) runCli(process.argv.slice(2)).then((code) => process.exit(code));
