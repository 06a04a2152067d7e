// --coverage: the echo suite's bytecode coverage as lcov (method offsets as lines, or source
// lines from a Debug component), and nothing recorded, nor the JIT turned off, without it.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex } from '../../loader/bytes.ts';
import { readPackageFile } from '../../loader/files.ts';
import { cli } from '../bin/cli.ts';
import { Card } from '../../runtime/card.ts';
import { Coverage } from '../../runtime/sight/coverage.ts';
import { parseDebugComponent } from '../../runtime/sight/debug.ts';
import { CORPUS_DIR } from '../corpus.ts';

const echoCap = join(CORPUS_DIR, 'echo', 'echo.cap');
const tmp = () => mkdtempSync(join(tmpdir(), 'jcvm-cov-'));

/** lcov records by file: FNDA by function, DA by line. */
function readLcov(text: string): Map<string, { fnda: Map<string, number>; da: Map<number, number>; lf: number; lh: number }> {
  const files = new Map<string, { fnda: Map<string, number>; da: Map<number, number>; lf: number; lh: number }>();
  let cur: { fnda: Map<string, number>; da: Map<number, number>; lf: number; lh: number } | null = null;
  for (const line of text.split('\n')) {
    const [key, value = ''] = line.split(/:(.*)/s);
    if (key === 'SF') files.set(value, (cur = { fnda: new Map(), da: new Map(), lf: 0, lh: 0 }));
    else if (key === 'FNDA') cur!.fnda.set(value.slice(value.indexOf(',') + 1), Number(value.split(',')[0]));
    else if (key === 'DA') cur!.da.set(Number(value.split(',')[0]), Number(value.split(',')[1]));
    else if (key === 'LF') cur!.lf = Number(value);
    else if (key === 'LH') cur!.lh = Number(value);
  }
  return files;
}

// echo.cap's Method component: process() is the method_info at 0x43 (67), its bytecodes start
// at 0x45 (69); case2() is at 245. `cap dump` lists them. The CAP names no method: process()
// is named by the API method it overrides, private methods by offset (with their types' classes).
const PROCESS = 'process(Ljavacard/framework/APDU;)V';
const CASE2 = 'method@245(Ljavacard/framework/APDU;[B)V';
const RECEIVE_ALL = 'method@308(Ljavacard/framework/APDU;[B)S';

describe('--coverage', () => {
  it('writes the echo suite as lcov: every method entered, the return after throwIt never reached', async () => {
    const file = join(tmp(), 'echo.lcov');
    const r = await cli('script', join(CORPUS_DIR, 'echo', 'suite.json'), '--coverage', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`coverage written to ${file} (lcov)`);
    expect(r.out.find((l) => l.startsWith('conformance.echo.EchoApplet.' + PROCESS))).toMatch(/86\/89\s+96\.6%\s+20$/);
    const lcov = readLcov(readFileSync(file, 'utf8'));
    const rec = lcov.get('conformance/echo/EchoApplet.class')!;
    expect(rec).toBeDefined();
    expect(rec.fnda.get(PROCESS)).toBe(20); // one process() per APDU of echo.scr
    expect(rec.fnda.get(CASE2)).toBe(2); // INS 20, twice
    expect([...rec.fnda.values()].every((n) => n > 0)).toBe(true);
    expect(rec.da.get(69)).toBe(20); // process()'s first bytecode
    // INS 70: `ISOException.throwIt(Util.getShort(buf, OFFSET_P1)); break;` — the return
    // javac puts after throwIt (process+141, line 69+141) cannot run: throwIt never returns
    expect(rec.da.get(69 + 138)).toBe(3); // invokestatic throwIt: INS 70 is sent 3 times
    expect(rec.da.get(69 + 141)).toBe(0);
    expect([...rec.da].filter(([, h]) => h === 0).map(([l]) => l)).toEqual([69 + 141, 69 + 168, 69 + 175]);
    expect([rec.lf, rec.lh]).toEqual([246, 243]);
  });

  it('shows a branch a run did not take', async () => {
    const file = join(tmp(), 'run.lcov');
    // SELECT and INS 20 only: the INS 30 branch and receiveAll() never run
    const r = await cli('run', echoCap, '--install', 'F04A43564D0101', '--apdu', '00A4040007F04A43564D0101', '8020050005', '--coverage', file);
    expect(r.code).toBe(0);
    const rec = readLcov(readFileSync(file, 'utf8')).get('conformance/echo/EchoApplet.class')!;
    expect(rec.fnda.get(PROCESS)).toBe(2);
    expect(rec.fnda.get(CASE2)).toBe(1);
    expect(rec.fnda.get(RECEIVE_ALL)).toBe(0);
    expect(rec.da.get(69 + 70)).toBe(1); // case 0x20: aload_0 of case2(apdu, buf)
    expect(rec.da.get(69 + 84)).toBe(0); // case 0x30: aload_0 of case3(apdu, buf)
  });

  it('names methods: constructor and install from the CAP, the JCA names when the package was assembled from one', async () => {
    const dir = tmp();
    const fromCap = await cli('run', echoCap, '--install', 'F04A43564D0101', '--apdu', '00A4040007F04A43564D0101', '--coverage', join(dir, 'cap.lcov'));
    const capNames = [...readLcov(readFileSync(join(dir, 'cap.lcov'), 'utf8')).get('conformance/echo/EchoApplet.class')!.fnda.keys()];
    expect(capNames.slice(0, 4)).toEqual(['<init>()V', 'install([BSB)V', PROCESS, CASE2]);
    expect(fromCap.out).toContain(fromCap.out.find((l) => l.startsWith('conformance.echo.EchoApplet.install([BSB)V')));
    const jca = join(CORPUS_DIR, 'echo', 'cap-3.1', 'echo.jca');
    const r = await cli('run', jca, '--install', 'F04A43564D0101', '--apdu', '00A4040007F04A43564D0101', '8020050005', '--coverage', join(dir, 'jca.lcov'));
    expect(r.code).toBe(0);
    const rec = readLcov(readFileSync(join(dir, 'jca.lcov'), 'utf8')).get('conformance/echo/EchoApplet.class')!;
    expect([...rec.fnda.keys()]).toEqual([
      '<init>()V',
      'install([BSB)V',
      PROCESS,
      'case2(Ljavacard/framework/APDU;[B)V',
      'getNe(Ljavacard/framework/APDU;[B)V',
      'receiveAll(Ljavacard/framework/APDU;[B)S',
      'case3(Ljavacard/framework/APDU;[B)V',
      'case4(Ljavacard/framework/APDU;[B)V',
      'send256(Ljavacard/framework/APDU;)V',
    ]);
    expect(rec.fnda.get('case2(Ljavacard/framework/APDU;[B)V')).toBe(1);
    expect(r.out.some((l) => /^conformance\.echo\.EchoApplet\.receiveAll\(Ljavacard\/framework\/APDU;\[B\)S +0\/25 +0\.0% +0$/.test(l))).toBe(true);
  });

  it('takes names from a JCA only when its methods are where the loaded package has them', async () => {
    const text = readFileSync(join(CORPUS_DIR, 'echo', 'cap-3.1', 'echo.jca'), 'utf8');
    // the same package with one more instruction in <init>: every later method moves
    const moved = text.replace(/(\.method private <init>\(\)V \{[^]*?)(\t+return;)/, '$1\t\t\t\tnop;\n$2');
    expect(moved).not.toBe(text);
    const names = async (jca: string) => {
      const coverage = new Coverage();
      coverage.addJca(jca);
      const card = new Card({ step: coverage.step });
      card.load(await readPackageFile(echoCap)); // the converter's CAP, not assembled from the JCA
      coverage.addCard(card);
      return coverage.methods().map((m) => m.method);
    };
    expect(await names(text)).toContain('case2(Ljavacard/framework/APDU;[B)V'); // the converter's JCA of the same build
    expect(await names(moved)).toContain(CASE2);
  });

  it('costs nothing when off: no step hook, the JIT on', () => {
    const card = new Card();
    expect(card.jcre.vm.stepFn).toBeNull();
    expect(card.jcre.vm.jit).toBe(true);
    const covered = new Card({ step: new Coverage().step });
    expect(covered.jcre.vm.stepFn).not.toBeNull();
    expect(covered.jcre.vm.jit).toBe(false);
  });

  it('uses the source lines of a Debug component', async () => {
    const cap = await readPackageFile(echoCap);
    cap.debug = debugComponent();
    const coverage = new Coverage();
    const card = new Card({ step: coverage.step });
    card.load(cap);
    card.install(fromHex('F04A43564D01'), fromHex('F04A43564D0101'));
    card.powerOn();
    card.transmit(fromHex('00A4040007F04A43564D0101'));
    card.transmit(fromHex('80100000'));
    coverage.addCard(card);
    const lcov = readLcov(coverage.toLcov());
    const rec = lcov.get('conformance/echo/EchoApplet.java')!;
    expect(rec).toBeDefined();
    expect(rec.fnda.get('process(Ljavacard/framework/APDU;)V')).toBe(2);
    // line 76 (selectingApplet) runs for both APDUs, 77 (the early return) for the SELECT,
    // 80 (the CLA check) and 83 (the switch) for INS 10 only; 81 (throwIt 6E00) never
    expect(Object.fromEntries(rec.da)).toEqual({ 76: 2, 77: 1, 80: 1, 81: 0, 83: 1 });
    // the methods the Debug component does not describe stay in offsets
    expect(lcov.get('conformance/echo/EchoApplet.class')!.fnda.get(CASE2)).toBe(0);
  });

  it('refuses a truncated Debug component', () => {
    expect(() => parseDebugComponent(debugComponent().subarray(0, 20))).toThrow(/Debug component, offset \d+: truncated/);
  });
});

/**
 * A Debug component (JCVM 3.0.5 section 6.14) for echo's process(), as the converter writes
 * one with -debug: strings, the package, one class, one method with a line table whose
 * bytecode ranges are relative to the method's first bytecode (see `cap dump`).
 */
function debugComponent(): Uint8Array {
  const strings = ['conformance/echo', 'conformance/echo/EchoApplet', 'javacard/framework/Applet', 'EchoApplet.java', 'process', '(Ljavacard/framework/APDU;)V'];
  const b: number[] = [];
  const u1 = (v: number) => b.push(v & 0xff);
  const u2 = (v: number) => b.push((v >> 8) & 0xff, v & 0xff);
  u2(strings.length);
  for (const s of strings) {
    u2(s.length);
    for (const c of s) u1(c.charCodeAt(0));
  }
  u2(0); // package_name_index
  u2(1); // class_count
  u2(1); // name_index
  u2(0x0001); // access_flags
  u2(0); // location in the Class component
  u2(2); // superclass_name_index
  u2(3); // source_file_index
  u1(0); // interface_count
  u2(0); // field_count
  u2(1); // method_count
  u2(4); // method name_index
  u2(5); // descriptor_index
  u2(0x0001);
  u2(0x43); // location of the method_info
  u1(2); // header_size
  u2(176); // body_size
  u2(0); // variable_count
  const lines = [
    [0, 4, 76], // aload_0, invokevirtual selectingApplet, ifeq
    [6, 6, 77], // return
    [7, 17, 80], // buf = apdu.getBuffer(); if (buf[OFFSET_CLA] != CLA_PROPRIETARY)
    [19, 24, 81], // throwIt(SW_CLA_NOT_SUPPORTED)
    [25, 28, 83], // switch (buf[OFFSET_INS])
  ];
  u2(lines.length);
  for (const [start, end, line] of lines) {
    u2(start!);
    u2(end!);
    u2(line!);
  }
  return Uint8Array.from(b);
}
