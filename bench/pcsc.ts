// APDUs per second through the transports, for the same APDU (echo INS 20, 5 bytes out):
//   in-process    Card.transmit() in a loop
//   vpcd wire     a VpcdClient answering an in-process fake vpcd over TCP (our transport alone)
//   pcscd         `jcvm serve` behind pcscd's vpcd driver, opensc-tool sending N APDUs in one
//                 session (the per-APDU time is (t(N) - t(1)) / (N - 1): process start-up,
//                 SCardConnect and the card driver's set-up are left out)
//
//   npm run bench:pcsc [-- --apdus N]
// Without pcscd, vsmartcard-vpcd and opensc-tool (Debian packages) the pcscd row is skipped.

import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fromHex, hex } from '../loader/bytes.ts';
import { readPackageFile } from '../loader/files.ts';
import { Card } from '../runtime/card.ts';
import { VpcdClient } from '../runtime/transport/vpcd.ts';
import { CORPUS_DIR } from '../test/corpus.ts';
import { FakeVpcd } from '../test/transport/fake-vpcd.ts';
import { Pcscd, probePcsc, ServeProcess } from '../test/transport/pcsc-env.ts';

const run = promisify(execFile);
const SELECT = fromHex('00A4040007F04A43564D0101');
const APDU = fromHex('8020050005');
const ANSWER = '00010203049000';

const argAt = process.argv.indexOf('--apdus');
const N = argAt > 0 ? Number(process.argv[argAt + 1]) : 200;

async function echoCard(): Promise<Card> {
  const card = new Card();
  card.load(await readPackageFile(join(CORPUS_DIR, 'echo', 'echo.cap')));
  card.install(fromHex('F04A43564D01'), fromHex('F04A43564D0101'));
  return card;
}

function check(r: Uint8Array): void {
  if (hex(r) !== ANSWER) throw new Error(`wrong answer ${hex(r)}`);
}

async function inProcess(): Promise<number> {
  const card = await echoCard();
  card.powerOn();
  card.transmit(SELECT);
  for (let i = 0; i < 20_000; i++) card.transmit(APDU); // warm-up
  const n = 200_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) check(card.transmit(APDU));
  return n / ((performance.now() - t0) / 1000);
}

async function vpcdWire(): Promise<number> {
  const vpcd = new FakeVpcd();
  const port = await vpcd.listen();
  const client = new VpcdClient(await echoCard(), { port, retryMs: 10 });
  client.start();
  await vpcd.connected();
  vpcd.send(Uint8Array.of(1));
  await vpcd.exchange(SELECT);
  for (let i = 0; i < 2000; i++) await vpcd.exchange(APDU);
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) check(await vpcd.exchange(APDU));
  const rate = n / ((performance.now() - t0) / 1000);
  await client.stop();
  await vpcd.close();
  return rate;
}

async function throughPcscd(): Promise<{ rate: number; oneCallMs: number } | string> {
  const probe = probePcsc();
  if (!probe.ok) return probe.reason;
  const pcscd = await Pcscd.start(probe);
  const serve = ServeProcess.start([join(CORPUS_DIR, 'echo', 'echo.cap'), '--install', 'F04A43564D0101', '--vpcd', `127.0.0.1:${pcscd.port}`, '--quiet']);
  try {
    await serve.waitFor('slot 0: connected to vpcd');
    await pcscd.waitForCard(0);
    const reader = pcscd.readerName(0);
    const session = async (count: number) => {
      const args = ['-r', reader, '-c', 'default', '-s', hex(SELECT)];
      for (let i = 0; i < count; i++) args.push('-s', hex(APDU));
      const t0 = performance.now();
      const { stdout } = await run(probe.opensc!, args, { maxBuffer: 256 << 20 });
      const ms = performance.now() - t0;
      const answered = stdout.split('\n').filter((l) => l.startsWith('Received (SW1=0x90')).length;
      if (answered !== count + 1) throw new Error(`opensc-tool answered ${answered} of ${count + 1}`);
      return ms;
    };
    await session(20); // warm-up (the card's JIT, pcscd)
    const best = async (count: number) => Math.min(await session(count), await session(count));
    const one = await best(1);
    const many = await best(N);
    return { rate: (N - 1) / ((many - one) / 1000), oneCallMs: one };
  } finally {
    await serve.stop();
    await pcscd.stop();
  }
}

const fmt = (r: number) => `${Math.round(r).toLocaleString('en-US').padStart(10)} APDUs/s  ${(1000 / r).toFixed(4).padStart(8)} ms/APDU`;
console.log(`APDU 80 20 05 00 05 (echo INS 20: 5 bytes out), every answer checked; Node ${process.version}`);
const a = await inProcess();
console.log(`in-process Card.transmit      ${fmt(a)}`);
const b = await vpcdWire();
console.log(`vpcd protocol over TCP        ${fmt(b)}   (fake vpcd in this process, one APDU in flight)`);
const c = await throughPcscd();
if (typeof c === 'string') console.log(`pcscd + vpcd + opensc-tool    skipped: ${c}`);
else console.log(`pcscd + vpcd + opensc-tool    ${fmt(c.rate)}   (${N} APDUs in one session; one opensc-tool call with 1 APDU: ${c.oneCallMs.toFixed(0)} ms)`);
if (typeof c !== 'string') console.log(`in-process / pcscd: ${(a / c.rate).toFixed(0)}x`);
