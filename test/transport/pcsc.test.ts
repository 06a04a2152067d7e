// The whole PC/SC stack: `jcvm serve` (a child process) connected to pcscd's vpcd reader
// driver, driven by opensc-tool (and scriptor for extended-length APDUs): ATR, a corpus
// suite's script with its expected output, a reset, shutdown with the card image saved.
//
// pcscd: when none runs, the test starts its own (`pcscd -f -c <dir>` with a reader.conf for
// vpcd on two free ports) and stops it by pid; when one runs (systemd), it uses that one's
// vpcd reader. Without pcscd, vpcd or opensc-tool the tests are skipped, saying why, except
// when CI (or JCVM_REQUIRE_PCSC) is set: then they fail. .ci/run installs the packages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { fromHex, hex } from '../../loader/bytes.ts';
import { Card, DEFAULT_ATR } from '../../runtime/card.ts';
import { parseScript } from '../../runtime/script/apdutool.ts';
import { compareOutput, runScript } from '../../runtime/script/runner.ts';
import { readSuite } from '../../runtime/script/suite.ts';
import type { ApduStep } from '../../runtime/script/types.ts';
import { CORPUS_DIR } from '../corpus.ts';
import { openscApdus, Pcscd, probePcsc, scriptorApdus, ServeProcess } from './pcsc-env.ts';

const run = promisify(execFile);
const probe = probePcsc();
const required = Boolean(process.env.CI || process.env.JCVM_REQUIRE_PCSC);
const title = probe.ok
  ? 'PC/SC: jcvm serve behind pcscd and vpcd, driven by opensc-tool'
  : `PC/SC (${required ? 'required here, but' : 'skipped:'} ${probe.reason}; Debian: apt-get install pcscd vsmartcard-vpcd opensc pcsc-tools)`;

const echo = readSuite(join(CORPUS_DIR, 'echo', 'suite.json'));
const ext = readSuite(join(CORPUS_DIR, 'apdu-ext', 'suite.json'));

describe.skipIf(!probe.ok && !required)(title, () => {
  let pcscd: Pcscd | undefined;
  let serve: ServeProcess | undefined;
  const image = join(mkdtempSync(join(tmpdir(), 'jcvm-pcsc-')), 'card.jcard');
  let reader = '';

  beforeAll(async () => {
    if (!probe.ok) return;
    pcscd = await Pcscd.start(probe);
    reader = pcscd.readerName(0);
    const installs = [...echo.install, ...ext.install].map((i) => hex(i.appletAid));
    serve = ServeProcess.start([...echo.load, ...ext.load, '--install', ...installs, '--vpcd', `127.0.0.1:${pcscd.port}`, '--card', image]);
    await serve.waitFor('slot 0: connected to vpcd');
    await pcscd.waitForCard(0);
  }, 120_000);

  afterAll(async () => {
    await serve?.stop();
    await pcscd?.stop();
  }, 60_000);

  it('has pcscd, vpcd and opensc-tool', () => {
    if (!probe.ok) throw new Error(`the PC/SC test is required here (CI), but ${probe.reason}`);
    expect(pcscd).toBeDefined();
  });

  it('shows the card in the reader, with its ATR', async () => {
    const { stdout } = await run(probe.opensc!, ['-r', reader, '-a'], { timeout: 30_000 });
    expect(stdout.trim().split('\n').at(-1)).toBe(hex(DEFAULT_ATR, ':').toLowerCase());
  }, 60_000);

  it("runs the echo suite's script through pcscd and answers what the expected output says", async () => {
    const script = echo.scripts[0]!;
    const steps = parseScript(readFileSync(script, 'utf8'), basename(script));
    const apdus = steps.filter((s): s is ApduStep => s.kind === 'apdu').map((s) => s.wire);
    expect(apdus.length).toBe(echo.apdus['echo.scr']);
    // one opensc-tool session: the card stays powered and selected from APDU to APDU
    const { responses } = await openscApdus(probe.opensc!, reader, apdus);
    let next = 0;
    const replay = { powerOn: () => DEFAULT_ATR, powerOff: () => undefined, transmit: () => responses[next++]! };
    const lines = runScript(replay, steps);
    const cmp = compareOutput(lines, readFileSync(`${script}.expected.out`, 'utf8'));
    expect(cmp.firstDiff ?? null).toBeNull();
    expect(cmp.ok).toBe(true);
    expect(next).toBe(apdus.length);
    expect(serve!.output).toContain('slot 0 => 80 20 05 00 05');
    expect(serve!.output).toContain('slot 0 <= 00 01 02 03 04 90 00  9000 success (SW_NO_ERROR)');
  }, 90_000);

  it('is reset through PC/SC: the selection is gone afterwards', async () => {
    const select = fromHex('00A4040007F04A43564D0101');
    const ins10 = fromHex('80100000');
    expect((await openscApdus(probe.opensc!, reader, [select, ins10])).responses.map((r) => hex(r))).toEqual(['9000', '9000']);
    // opensc-tool leaves the card as it is: a second session finds the applet still selected
    expect((await openscApdus(probe.opensc!, reader, [ins10])).responses.map((r) => hex(r))).toEqual(['9000']);
    const before = serve!.output.length;
    await run(probe.opensc!, ['-r', reader, '--reset', 'warm'], { timeout: 30_000 });
    expect(serve!.output.slice(before)).toMatch(/slot 0: (reset|power-off)/);
    expect((await openscApdus(probe.opensc!, reader, [ins10])).responses.map((r) => hex(r))).toEqual(['6999']);
  }, 90_000);

  it.skipIf(!probe.scriptor && !required)('passes extended-length APDUs through (scriptor: raw SCardTransmit)', async () => {
    if (!probe.scriptor) throw new Error('scriptor (Debian: pcsc-tools) is required here');
    const data = Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const r = await scriptorApdus(probe.scriptor, reader, [
      fromHex('00A4040007F04A43564D0901'),
      fromHex('80200258000258'), // case 2E: 600 bytes out
      Uint8Array.from([0x80, 0x10, 0, 0, 0, 0x03, 0xe8, ...data, 0x00, 0x08]), // case 4E: 1000 bytes in
    ]);
    expect(hex(r[0]!)).toBe('9000');
    expect(r[1]!.length).toBe(602);
    expect(hex(r[1]!.subarray(596))).toBe('545556579000');
    expect(hex(r[2]!)).toBe('03E8E72C03E800079000');
  }, 90_000);

  it('stops on SIGTERM, saving its card image', async () => {
    expect(await serve!.stop()).toBe(0);
    expect(serve!.output).toContain('SIGTERM: stopping');
    expect(serve!.output).toContain(`slot 0: card image saved to ${image}`);
    expect(existsSync(image)).toBe(true);
    // the image holds what the session did: echo's INS 30 data is not there, but the applets are
    const card = new Card({ cardFile: image });
    expect(card.applets().map((a) => a.aid)).toEqual(['F04A43564D0101', 'F04A43564D0901']);
    card.powerOn();
    expect(hex(card.transmit(fromHex('00A4040007F04A43564D0101')))).toBe('9000');
    // echo.scr's INS 30 received 130 bytes last; its count is persistent
    expect(hex(card.transmit(fromHex('8032000000')).subarray(0, 2))).toBe('0082');
  }, 60_000);
});
