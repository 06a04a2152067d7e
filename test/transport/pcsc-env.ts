// The real PC/SC stack for tests and the bench: pcscd with vsmartcard's vpcd driver, a
// `jcvm serve` child process as the card, opensc-tool and scriptor as the PC/SC programs.
// Everything started here is stopped by its process id.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../corpus.ts';

const run = promisify(execFile);

const PCSCD_PID_FILE = '/run/pcscd/pcscd.pid';

function which(name: string, extra: string[] = []): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of a pcscd this machine already runs, or null. */
function runningPcscd(): number | null {
  if (!existsSync(PCSCD_PID_FILE)) return null;
  const pid = Number(readFileSync(PCSCD_PID_FILE, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}

/** A reader.conf entry of the vpcd driver: its name, port and library. */
interface VpcdConf {
  name: string;
  port: number;
  lib: string;
}

function readVpcdConf(): VpcdConf | null {
  const files = existsSync('/etc/reader.conf.d') ? readdirSync('/etc/reader.conf.d').map((f) => join('/etc/reader.conf.d', f)) : [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const lib = /^\s*LIBPATH\s+(\S*libifdvpcd\S*)/m.exec(text)?.[1];
    if (!lib) continue;
    const name = /^\s*FRIENDLYNAME\s+"([^"]+)"/m.exec(text)?.[1] ?? 'Virtual PCD';
    const dev = /^\s*DEVICENAME\s+\S*:(0x[0-9a-fA-F]+|\d+)/m.exec(text)?.[1];
    return { name, port: dev ? Number(dev) : 35963, lib };
  }
  return null;
}

export interface PcscProbe {
  /** Everything needed is here (or a pcscd with vpcd runs). */
  ok: boolean;
  /** Why not, for the skip message or the CI failure. */
  reason: string;
  opensc: string | null;
  scriptor: string | null;
  pcscd: string | null;
  conf: VpcdConf | null;
  running: number | null;
}

/** What this machine has of the PC/SC stack (synchronous: decides whether the tests run). */
export function probePcsc(): PcscProbe {
  const sbin = ['/usr/sbin', '/sbin', '/usr/local/sbin'];
  const opensc = which('opensc-tool');
  const scriptor = which('scriptor');
  const pcscd = which('pcscd', sbin);
  const conf = readVpcdConf() ?? (existsSync('/usr/lib/pcsc/drivers/serial/libifdvpcd.so') ? { name: 'Virtual PCD', port: 35963, lib: '/usr/lib/pcsc/drivers/serial/libifdvpcd.so' } : null);
  const running = runningPcscd();
  const missing: string[] = [];
  if (!opensc) missing.push('opensc-tool (Debian: opensc)');
  if (!pcscd && !running) missing.push('pcscd (Debian: pcscd)');
  if (!conf) missing.push("vpcd's reader driver (Debian: vsmartcard-vpcd)");
  let reason = missing.length ? `not installed: ${missing.join(', ')}` : '';
  if (!reason && !running) {
    try {
      accessSync(existsSync('/run/pcscd') ? '/run/pcscd' : '/run', constants.W_OK);
    } catch {
      reason = 'pcscd is not running and this user cannot start one (it needs /run/pcscd)';
    }
  }
  return { ok: reason === '', reason, opensc, scriptor, pcscd, conf, running };
}

/** Two consecutive free TCP ports (the vpcd driver listens on port and port + 1). */
async function freePortPair(): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let i = 0; i < 50; i++) {
    const base = 41000 + Math.floor(Math.random() * 20000);
    if ((await tryListen(base)) && (await tryListen(base + 1))) return base;
  }
  throw new Error('no two consecutive free ports for vpcd');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits for a child to exit (resolves with its code, or null when killed by a signal). */
export function exited(child: ChildProcess, ms = 10000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`process ${child.pid} did not exit within ${ms} ms`)), ms);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

/** pcscd with a vpcd reader: ours (started here, stopped by pid) or the machine's. */
export class Pcscd {
  private constructor(
    /** PC/SC name of vpcd's slot 0 reader ("<name> 00 00"). */
    readonly readerName: (slot: number) => string,
    /** The TCP port the card connects to (slot 0). */
    readonly port: number,
    /** Our pcscd process, or null when the machine's is used. */
    readonly child: ChildProcess | null,
    readonly log: () => string,
    readonly opensc: string,
  ) {}

  static async start(probe: PcscProbe): Promise<Pcscd> {
    if (!probe.ok) throw new Error(`no PC/SC stack: ${probe.reason}`);
    const opensc = probe.opensc!;
    if (probe.running) return Pcscd.system(opensc, probe.conf!, null);
    const port = await freePortPair();
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-pcscd-'));
    const name = 'jcvm test';
    const hexPort = '0x' + port.toString(16).toUpperCase();
    writeFileSync(join(dir, 'vpcd'), `FRIENDLYNAME "${name}"\nDEVICENAME   /dev/null:${hexPort}\nLIBPATH      ${probe.conf!.lib}\nCHANNELID    ${hexPort}\n`);
    // -f: a process of our own (stopped by pid), logging to its stdout; -c: only our reader
    const child = spawn(probe.pcscd!, ['-f', '-c', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    const pcscd = new Pcscd((slot) => `${name} 00 ${String(slot).padStart(2, '0')}`, port, child, () => log, opensc);
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) {
        // a socket-activated pcscd (systemd) may own the socket: use it
        if (existsSync('/run/pcscd/pcscd.comm') && probe.conf) return Pcscd.system(opensc, probe.conf, log);
        throw new Error(`pcscd exited (${child.exitCode}): ${log.trim()}`);
      }
      if ((await pcscd.readers()).some((r) => r.name === pcscd.readerName(0))) return pcscd;
      await sleep(100);
    }
    await pcscd.stop();
    throw new Error(`pcscd did not list the reader '${pcscd.readerName(0)}': ${log.trim()}`);
  }

  private static async system(opensc: string, conf: VpcdConf, log: string | null): Promise<Pcscd> {
    const p = new Pcscd((slot) => `${conf.name} 00 ${String(slot).padStart(2, '0')}`, conf.port, null, () => log ?? '(the machine\'s pcscd)', opensc);
    const readers = await p.readers();
    if (!readers.some((r) => r.name === p.readerName(0))) throw new Error(`the running pcscd has no reader '${p.readerName(0)}' (readers: ${readers.map((r) => r.name).join(', ') || 'none'})`);
    return p;
  }

  /** The readers pcscd lists, and whether each has a card. */
  async readers(): Promise<{ name: string; card: boolean }[]> {
    try {
      const { stdout } = await run(this.opensc, ['-l'], { timeout: 10000 });
      // "Nr.  Card  Features  Name" then one row per reader, the name from the Name column on
      const lines = stdout.split('\n');
      const header = lines.findIndex((l) => /^Nr\.\s+Card\s+Features\s+Name/.test(l));
      if (header < 0) return [];
      const col = lines[header]!.indexOf('Name');
      return lines
        .slice(header + 1)
        .filter((l) => /^\d+\s+(Yes|No)\b/.test(l))
        .map((l) => ({ name: l.slice(col).trim(), card: /^\d+\s+Yes\b/.test(l) }));
    } catch {
      return [];
    }
  }

  /** Waits until the reader of `slot` has a card (the virtual card connected). */
  async waitForCard(slot = 0, ms = 15000): Promise<void> {
    const t0 = Date.now();
    while (Date.now() - t0 < ms) {
      if ((await this.readers()).some((r) => r.name === this.readerName(slot) && r.card)) return;
      await sleep(100);
    }
    throw new Error(`no card in '${this.readerName(slot)}' after ${ms} ms`);
  }

  /** Stops our pcscd (SIGTERM to its pid); the machine's is left alone. */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGTERM');
    try {
      await exited(c, 10000);
    } catch {
      c.kill('SIGKILL');
      await exited(c, 5000);
    }
  }
}

/** `jcvm serve` as a child process (tsx), its output collected. */
export class ServeProcess {
  output = '';
  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (b: Buffer) => (this.output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (this.output += b.toString()));
  }

  static start(args: string[]): ServeProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bin', 'jcvm.ts'), 'serve', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    return new ServeProcess(child);
  }

  async waitFor(text: string, ms = 90_000): Promise<void> {
    // Generous: starting tsx and the card takes seconds, many more on a loaded machine (a ceiling, not a delay).
    const t0 = Date.now();
    while (!this.output.includes(text)) {
      if (this.child.exitCode !== null) throw new Error(`jcvm serve exited (${this.child.exitCode}):\n${this.output}`);
      if (Date.now() - t0 > ms) throw new Error(`jcvm serve did not print '${text}' within ${ms} ms:\n${this.output}`);
      await sleep(50);
    }
  }

  /** SIGTERM to its pid; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return c.exitCode;
    c.kill('SIGTERM');
    try {
      return await exited(c, 15000);
    } catch {
      c.kill('SIGKILL');
      await exited(c, 5000);
      return null;
    }
  }
}

/**
 * Sends APDUs in one opensc-tool session (`-c default`: no card driver probing the card with
 * APDUs of its own); returns each response as bytes (data + SW1 SW2), in order.
 */
export async function openscApdus(opensc: string, reader: string, apdus: Uint8Array[], extra: string[] = []): Promise<{ responses: Uint8Array[]; stdout: string }> {
  const args = ['-r', reader, '-c', 'default', ...extra];
  for (const a of apdus) args.push('-s', Buffer.from(a).toString('hex'));
  const { stdout, stderr } = await run(opensc, args, { timeout: 60000, maxBuffer: 64 << 20 });
  const responses = parseOpenscOutput(stdout);
  if (responses.length !== apdus.length) throw new Error(`opensc-tool answered ${responses.length} of ${apdus.length} APDUs:\n${stdout}\n${stderr}`);
  return { responses, stdout };
}

/**
 * opensc-tool's output: "Received (SW1=0x90, SW2=0x00)" and, with data, ":" then hex dump
 * lines: up to 16 "XX " groups padded to 48 columns, then the bytes as ASCII.
 */
export function parseOpenscOutput(stdout: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const lines = stdout.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^Received \(SW1=0x([0-9A-Fa-f]{2}), SW2=0x([0-9A-Fa-f]{2})\)(:?)/.exec(lines[i]!);
    if (!m) continue;
    const data: number[] = [];
    if (m[3] === ':') {
      while (i + 1 < lines.length && /^[0-9A-F]{2} /.test(lines[i + 1]!)) {
        const line = lines[++i]!;
        // the ASCII column starts at 48; some versions do not pad a short last line (4 columns a byte then)
        const hexPart = line.length >= 48 ? line.slice(0, 48) : line.slice(0, 3 * Math.floor(line.length / 4));
        for (const t of hexPart.trim().split(/ +/)) if (t) data.push(parseInt(t, 16));
      }
    }
    data.push(parseInt(m[1]!, 16), parseInt(m[2]!, 16));
    out.push(Uint8Array.from(data));
  }
  return out;
}

/** Sends APDUs with pcsc-tools' scriptor (raw SCardTransmit: extended-length APDUs too). */
export async function scriptorApdus(scriptor: string, reader: string, apdus: Uint8Array[]): Promise<Uint8Array[]> {
  const input = apdus.map((a) => Buffer.from(a).toString('hex')).join('\n') + '\n';
  const child = spawn(scriptor, ['-r', reader], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stdin!.end(input);
  await exited(child, 60000);
  // "< XX XX ... : meaning", continued on further lines of hex until the next "> "
  const responses: Uint8Array[] = [];
  let cur: number[] | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('< ')) {
      if (cur) responses.push(Uint8Array.from(cur));
      cur = [];
    } else if (line.startsWith('> ') || cur === null) {
      if (cur) responses.push(Uint8Array.from(cur));
      cur = null;
      continue;
    }
    const hexPart = line.replace(/^< /, '').split(' : ')[0]!;
    for (const t of hexPart.trim().split(/\s+/)) if (/^[0-9A-Fa-f]{2}$/.test(t)) cur!.push(parseInt(t, 16));
  }
  if (cur) responses.push(Uint8Array.from(cur));
  if (responses.length !== apdus.length) throw new Error(`scriptor answered ${responses.length} of ${apdus.length} APDUs:\n${stdout}`);
  return responses;
}
