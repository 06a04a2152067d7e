// `jcvm shell`: an interactive session on a card. Lines are APDUs (hex, or apdutool's
// statements) or commands; every response is shown with what its status word means.
// Reads any stream, so that tests feed it lines.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fromHex, hex } from '../loader/bytes.ts';
import { readPackageFile } from '../loader/files.ts';
import type { Card } from '../runtime/card.ts';
import { formatMemoryReport } from '../runtime/memory/report.ts';
import { parseScript } from '../runtime/script/apdutool.ts';
import { formatStats, measure } from '../runtime/sight/stats.ts';
import { describeStatus } from '../runtime/status-words.ts';
import { traceStep } from '../vm/trace.ts';

export const SHELL_HELP = `commands:
  <hex APDU>                 send it: 00A4040007F04A43564D0101 (spaces allowed)
  <apdutool statement>;      0x80 0x10 0x00 0x00 0x00 0x7F;  also powerup; powerdown; extended on|off;
  select <AID>               SELECT by AID (00 A4 04 00 Lc AID)
  load <file.cap|file.jca>   load a package
  install <classAID>[:<instanceAID>[:<params>]]
                             create an applet instance
  list                       packages and applet instances
  reset                      warm reset (transient memory cleared, nothing selected)
  trace on|off               print every bytecode executed (runs the interpreter)
  stats on|off               bytecodes, persistent and transient writes, objects and time of each APDU
  mem                        used and free memory per package, writes per APDU
  help                       this text
  quit                       leave (the card image, with --card, is saved)`;

export interface ShellIo {
  input: NodeJS.ReadableStream;
  out: (line: string) => void;
  /** A terminal: prompt, line editing and history (saved in ~/.jcvm_history). */
  terminal?: NodeJS.WriteStream;
}

const HISTORY_FILE = join(homedir(), '.jcvm_history');

/** Runs the session until `quit` or the end of the input; returns the exit status. */
export async function runShell(card: Card, io: ShellIo): Promise<number> {
  const out = io.out;
  const history = io.terminal && existsSync(HISTORY_FILE) ? readFileSync(HISTORY_FILE, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 500) : [];
  const rl = createInterface({ input: io.input, output: io.terminal, terminal: io.terminal !== undefined, history, historySize: 500, prompt: 'jcvm> ' });
  const session = new ShellSession(card, out);
  out(`jcvm shell: ${card.file ? `card image ${card.file}` : 'a card in memory'}; ATR ${hex(session.atr, ' ')}; 'help' lists the commands`);
  if (io.terminal) rl.prompt();
  let status = 0;
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === 'quit' || line === 'exit') break;
    try {
      await session.execute(line);
    } catch (e) {
      out(`error: ${(e as Error)?.message ?? String(e)}`);
      status = 1;
    }
    if (io.terminal) rl.prompt();
  }
  rl.close();
  card.persist();
  if (io.terminal) {
    try {
      writeFileSync(HISTORY_FILE, [...(rl as unknown as { history: string[] }).history].reverse().join('\n') + '\n');
    } catch {
      // no history saved: not worth failing the session
    }
  }
  if (card.file) out(`card image saved to ${card.file}`);
  return status;
}

/** Loads a CAP or JCA file into `card` and says what it holds (shell `load`, `jcvm run <file>`). */
export async function loadPackage(card: Card, file: string, out: (line: string) => void): Promise<void> {
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const pkg = card.load(await readPackageFile(file));
  out(`loaded ${pkg.name} (AID ${pkg.aid}, version ${pkg.version})${pkg.applets.length ? `, applets ${pkg.applets.join(' ')}` : ''}`);
}

/**
 * Creates the instance `spec` names, <classAID>[:<instanceAID>[:<params>]] (shell `install`,
 * `jcvm run --install`); `bytes` reads each hex field (`what` names it).
 */
export function installApplet(card: Card, spec: string, out: (line: string) => void, bytes: (text: string, what: string) => Uint8Array = fromHex): void {
  const [classText = '', instText, paramText] = spec.split(':');
  const classAid = bytes(classText, 'class AID');
  const instanceAid = instText ? bytes(instText, 'instance AID') : classAid;
  const params = paramText ? bytes(paramText, 'install parameters') : new Uint8Array(0);
  const pkg = card.jcre.packages.find((p) => p.linked.applets.some((a) => hex(a.aid) === hex(classAid)));
  if (!pkg) throw new Error(`no loaded package has an applet class with AID ${hex(classAid)}`);
  const inst = card.install(pkg.linked.pkg.aid, classAid, instanceAid, params);
  out(`installed ${inst.className} as ${inst.aid}`);
}

/** What one shell line does (kept apart from readline, which runShell drives). */
export class ShellSession {
  atr: Uint8Array;
  private extended = false;
  private stats = false;
  private readonly jit: boolean;

  constructor(
    readonly card: Card,
    private readonly out: (line: string) => void,
  ) {
    this.jit = card.jcre.vm.jit;
    this.atr = card.isPowered ? card.reset() : card.powerOn();
  }

  async execute(line: string): Promise<void> {
    if (line === '' || line.startsWith('//') || line.startsWith('#')) return;
    const [word = '', ...args] = line.split(/\s+/);
    switch (word.toLowerCase()) {
      case 'help':
        this.out(SHELL_HELP);
        return;
      case 'select': {
        if (args.length !== 1) throw new Error('usage: select <AID>');
        const aid = fromHex(args[0]!);
        if (aid.length < 5 || aid.length > 16) throw new Error(`an AID has 5 to 16 bytes, not ${aid.length}`);
        this.send(Uint8Array.from([0x00, 0xa4, 0x04, 0x00, aid.length, ...aid]));
        return;
      }
      case 'load': {
        if (args.length !== 1) throw new Error('usage: load <file.cap|file.jca>');
        await loadPackage(this.card, args[0]!, this.out);
        return;
      }
      case 'install': {
        if (args.length !== 1) throw new Error('usage: install <classAID>[:<instanceAID>[:<params>]]');
        installApplet(this.card, args[0]!, this.out);
        return;
      }
      case 'list': {
        const pkgs = this.card.packages();
        if (!pkgs.length) this.out('no packages');
        for (const p of pkgs) this.out(`package ${p.aid} ${p.name} ${p.version}${p.applets.length ? `  applet classes ${p.applets.join(' ')}` : ''}`);
        const selected = this.card.jcre.selected;
        for (const a of this.card.applets()) this.out(`applet  ${a.aid} ${a.className} (package ${a.packageAid})${selected && hex(selected.aid) === a.aid ? '  selected' : ''}`);
        return;
      }
      case 'reset':
        this.atr = this.card.reset();
        this.out(`reset; ATR ${hex(this.atr, ' ')}`);
        return;
      case 'trace':
      case 'stats': {
        const on = args[0] === 'on';
        if (args.length !== 1 || (args[0] !== 'on' && args[0] !== 'off')) throw new Error(`usage: ${word} on|off`);
        if (word === 'stats') this.stats = on;
        else {
          const vm = this.card.jcre.vm;
          vm.stepFn = on ? traceStep(vm, this.out) : null;
          vm.jit = on ? false : this.jit;
        }
        this.out(`${word} ${on ? 'on' : 'off'}`);
        return;
      }
      case 'mem':
        for (const l of formatMemoryReport(this.card.memoryReport())) this.out(l);
        return;
    }
    this.apduLine(line);
  }

  /** A hex APDU, or apdutool statements. */
  private apduLine(line: string): void {
    if (/^[0-9a-fA-F\s]+$/.test(line)) {
      const bytes = line.replace(/\s+/g, '');
      if (bytes.length % 2) throw new Error(`'${line}' has an odd number of hex digits`);
      if (bytes.length < 8) throw new Error('an APDU has at least 4 bytes (CLA INS P1 P2)');
      this.send(fromHex(bytes));
      return;
    }
    if (!/;\s*$/.test(line) && !/^0x/i.test(line)) throw new Error(`unknown command '${line.split(/\s+/)[0]}' ('help' lists them)`);
    // apdutool's extended mode lasts from line to line: the line is parsed after an `extended on;` of ours
    const prefixed = this.extended;
    const steps = parseScript((prefixed ? 'extended on;\n' : '') + (/;\s*$/.test(line) ? line : line + ';'), 'shell');
    for (const step of prefixed ? steps.slice(1) : steps) {
      switch (step.kind) {
        case 'apdu':
          this.send(step.wire);
          break;
        case 'powerup':
          this.atr = this.card.powerOn();
          this.out(`powered up; ATR ${hex(this.atr, ' ')}`);
          break;
        case 'powerdown':
          this.card.powerOff();
          this.out('powered down');
          break;
        case 'extended':
          this.extended = step.on;
          this.out(`extended ${step.on ? 'on' : 'off'}`);
          break;
        case 'echo':
          this.out(step.text);
          break;
        case 'output':
          break;
      }
    }
  }

  private send(cmd: Uint8Array): void {
    if (!this.card.isPowered) {
      this.atr = this.card.powerOn();
      this.out(`(powered up; ATR ${hex(this.atr, ' ')})`);
    }
    this.out(`=> ${hex(cmd, ' ')}`);
    const { value: r, stats } = measure(this.card, () => this.card.transmit(cmd));
    this.out(`<= ${hex(r, ' ')}`);
    this.out(`   ${describeStatus(r)}`);
    const why = this.card.jcre.lastHostError;
    if (why) this.out(`   (${why.message})`);
    this.card.jcre.lastHostError = null;
    if (this.stats) this.out(`   ${formatStats(stats)}`);
  }
}
