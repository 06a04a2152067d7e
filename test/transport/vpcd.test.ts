// The vpcd wire protocol (runtime/transport/vpcd.ts) against an in-process fake vpcd:
// framing, every control code, APDUs short and extended, reconnection, two slots, shutdown.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, hex } from '../../loader/bytes.ts';
import { readPackageFile } from '../../loader/files.ts';
import { Card, DEFAULT_ATR } from '../../runtime/card.ts';
import { encodeFrame, FrameReader, handleMessage, parseVpcdAddress, VpcdClient } from '../../runtime/transport/vpcd.ts';
import { serve, slotCardFile } from '../../bin/serve.ts';
import { CORPUS_DIR } from '../corpus.ts';
import { FakeVpcd, twoSlots } from './fake-vpcd.ts';

const SELECT_ECHO = fromHex('00A4040007F04A43564D0101');

async function echoCard(file?: string): Promise<Card> {
  const card = new Card(file ? { cardFile: file } : {});
  if (!card.applets().length) {
    card.load(await readPackageFile(join(CORPUS_DIR, 'echo', 'echo.cap')));
    card.install(fromHex('F04A43564D01'), fromHex('F04A43564D0101'));
  }
  return card;
}

async function extCard(): Promise<Card> {
  const card = new Card();
  card.load(await readPackageFile(join(CORPUS_DIR, 'apdu-ext', 'apduext.cap')));
  card.install(fromHex('F04A43564D09'), fromHex('F04A43564D0901'));
  return card;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function until(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (cond()) resolve();
      else if (Date.now() - t0 > ms) reject(new Error('timed out'));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

describe('framing', () => {
  it('puts a 2-byte big-endian length before each message', () => {
    expect(hex(encodeFrame(Uint8Array.of(4)))).toBe('000104');
    expect(hex(encodeFrame(new Uint8Array(0x1234)).subarray(0, 2))).toBe('1234');
    expect(() => encodeFrame(new Uint8Array(65536))).toThrow(/65535/);
  });

  it('cuts a stream into messages whatever the segments', () => {
    const stream = Uint8Array.from([...encodeFrame(Uint8Array.of(1)), ...encodeFrame(SELECT_ECHO), ...encodeFrame(new Uint8Array(300).fill(7))]);
    for (const step of [1, 2, 3, 7, 64, stream.length]) {
      const r = new FrameReader();
      const got: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += step) got.push(...r.push(stream.subarray(i, i + step)));
      expect(got.map((f) => f.length)).toEqual([1, 12, 300]);
      expect(hex(got[1]!)).toBe(hex(SELECT_ECHO));
      expect(r.pending).toBe(0);
    }
  });

  it('reads addresses as host:port, host, :port or port', () => {
    expect(parseVpcdAddress(undefined)).toEqual({ host: '127.0.0.1', port: 35963 });
    expect(parseVpcdAddress('')).toEqual({ host: '127.0.0.1', port: 35963 });
    expect(parseVpcdAddress('box:4000')).toEqual({ host: 'box', port: 4000 });
    expect(parseVpcdAddress('box')).toEqual({ host: 'box', port: 35963 });
    expect(parseVpcdAddress(':4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseVpcdAddress('4000')).toEqual({ host: '127.0.0.1', port: 4000 });
    expect(parseVpcdAddress('[::1]:4000')).toEqual({ host: '::1', port: 4000 });
    expect(() => parseVpcdAddress('a:b:c')).toThrow(/host:port/);
    expect(() => parseVpcdAddress('a:70000')).toThrow(/port/);
  });
});

describe('messages', () => {
  it('maps each control code to the card, and answers only 04 (the ATR)', async () => {
    const card = await echoCard();
    expect(handleMessage(card, DEFAULT_ATR, Uint8Array.of(4))).toEqual({ kind: 'atr', answer: DEFAULT_ATR });
    expect(card.isPowered).toBe(false);
    expect(handleMessage(card, DEFAULT_ATR, Uint8Array.of(1))).toEqual({ kind: 'power-on', answer: null });
    expect(card.isPowered).toBe(true);
    expect(hex(handleMessage(card, DEFAULT_ATR, SELECT_ECHO).answer!)).toBe('9000');
    expect(handleMessage(card, DEFAULT_ATR, Uint8Array.of(2))).toEqual({ kind: 'reset', answer: null });
    // after a reset nothing is selected: the applet's INS 10 is not reached
    expect(hex(handleMessage(card, DEFAULT_ATR, fromHex('80100000')).answer!)).toBe('6999');
    expect(handleMessage(card, DEFAULT_ATR, Uint8Array.of(0))).toEqual({ kind: 'power-off', answer: null });
    expect(card.isPowered).toBe(false);
    expect(handleMessage(card, DEFAULT_ATR, Uint8Array.of(3))).toEqual({ kind: 'unknown', answer: null });
    // an APDU to an unpowered card powers it first
    expect(hex(handleMessage(card, DEFAULT_ATR, SELECT_ECHO).answer!)).toBe('9000');
    expect(card.isPowered).toBe(true);
  });
});

describe('VpcdClient with a fake vpcd', () => {
  it('answers the ATR, power events and APDUs over TCP', async () => {
    const vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    cleanup.push(() => vpcd.close());
    const card = await echoCard();
    const client = new VpcdClient(card, { port, retryMs: 10 });
    cleanup.push(() => client.stop());
    client.start();
    await vpcd.connected();
    expect(hex(await vpcd.exchange(Uint8Array.of(4)))).toBe(hex(DEFAULT_ATR));
    vpcd.send(Uint8Array.of(0));
    vpcd.send(Uint8Array.of(1));
    expect(hex(await vpcd.exchange(SELECT_ECHO))).toBe('9000');
    expect(hex(await vpcd.exchange(fromHex('8020050005')))).toBe('00010203049000');
    expect(hex(await vpcd.exchange(fromHex('80706A8800')))).toBe('6A88');
    vpcd.send(Uint8Array.of(2));
    expect(hex(await vpcd.exchange(fromHex('80100000')))).toBe('6999'); // reset: nothing selected
    vpcd.send(Uint8Array.of(0));
    expect(hex(await vpcd.exchange(Uint8Array.of(4)))).toBe(hex(DEFAULT_ATR));
    expect(card.isPowered).toBe(false);
    // two messages in one segment, one split over two
    const two = Uint8Array.from([...encodeFrame(Uint8Array.of(1)), ...encodeFrame(SELECT_ECHO), ...encodeFrame(fromHex('8020030003')).subarray(0, 3)]);
    vpcd.sendRaw(two);
    expect(hex(await vpcd.next())).toBe('9000');
    vpcd.sendRaw(encodeFrame(fromHex('8020030003')).subarray(3));
    expect(hex(await vpcd.next())).toBe('0001029000');
  });

  it('passes extended-length APDUs through', async () => {
    const vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    cleanup.push(() => vpcd.close());
    const client = new VpcdClient(await extCard(), { port, retryMs: 10 });
    cleanup.push(() => client.stop());
    client.start();
    await vpcd.connected();
    vpcd.send(Uint8Array.of(1));
    expect(hex(await vpcd.exchange(fromHex('00A4040007F04A43564D0901')))).toBe('9000');
    // case 2E: 600 bytes out
    const out = await vpcd.exchange(fromHex('8020025800' + '0258'));
    expect(out.length).toBe(602);
    expect(hex(out.subarray(596))).toBe('545556579000');
    // case 4E: 1000 bytes in; count 03E8, sum E72C, incoming length 03E8, offset 0007
    const data = Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const cmd = Uint8Array.from([0x80, 0x10, 0, 0, 0, 0x03, 0xe8, ...data, 0x00, 0x08]);
    expect(hex(await vpcd.exchange(cmd))).toBe('03E8E72C03E800079000');
  });

  it('waits for vpcd with backoff, and connects again when it goes away', async () => {
    // a free port with nobody listening yet: pcscd not started
    const probe = createServer();
    const port = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as { port: number }).port)));
    await new Promise<void>((r) => probe.close(() => r()));
    const card = await echoCard();
    const client = new VpcdClient(card, { port, retryMs: 10, maxRetryMs: 40 });
    const delays: number[] = [];
    client.on('retry', (_why, ms) => delays.push(ms));
    cleanup.push(() => client.stop());
    client.start();
    await until(() => delays.length >= 4);
    expect(delays.slice(0, 4)).toEqual([10, 20, 40, 40]);
    expect(client.isConnected).toBe(false);

    const vpcd = new FakeVpcd();
    await vpcd.listen(port);
    cleanup.push(() => vpcd.close());
    await vpcd.connected();
    await until(() => client.connects === 1);
    vpcd.send(Uint8Array.of(1));
    expect(hex(await vpcd.exchange(SELECT_ECHO))).toBe('9000');

    // pcscd restarts: the card is taken out (powered off), then comes back
    const disconnects: string[] = [];
    client.on('disconnect', (why) => disconnects.push(why));
    vpcd.dropCard();
    await until(() => disconnects.length === 1);
    expect(card.isPowered).toBe(false);
    await until(() => client.connects === 2 && vpcd.connections === 2);
    await vpcd.connected();
    vpcd.send(Uint8Array.of(1));
    expect(hex(await vpcd.exchange(fromHex('80100000')))).toBe('6999'); // a fresh power-up: nothing selected
  });
});

describe('serve', () => {
  it('puts one card on each of two slots (ports p and p+1) and saves their images on shutdown', async () => {
    const [slot0, slot1, port] = await twoSlots();
    cleanup.push(() => slot0.close(), () => slot1.close());
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-serve-'));
    const file = join(dir, 'card.jcard');
    expect(slotCardFile(file, 1)).toBe(join(dir, 'card.slot1.jcard'));
    const cards = [await echoCard(slotCardFile(file, 0)), await echoCard(slotCardFile(file, 1))];
    const lines: string[] = [];
    const ac = new AbortController();
    const done = serve(cards, { host: '127.0.0.1', port, exchanges: true, retryMs: 10 }, (s) => lines.push(s), ac.signal);
    await Promise.all([slot0.connected(), slot1.connected()]);
    for (const vpcd of [slot0, slot1]) {
      vpcd.send(Uint8Array.of(1));
      expect(hex(await vpcd.exchange(SELECT_ECHO))).toBe('9000');
    }
    // INS 30 keeps data in the applet's persistent state: different on each slot
    expect(hex(await slot0.exchange(fromHex('8030000002AAAA')))).toBe('9000');
    expect(hex(await slot1.exchange(fromHex('8030000003BBBBBB')))).toBe('9000');
    expect(hex(await slot0.exchange(fromHex('8032000000')))).toBe('0002AAAA9000');
    expect(hex(await slot1.exchange(fromHex('8032000000')))).toBe('0003BBBBBB9000');
    ac.abort();
    await done;
    expect(lines).toContain(`slot 0: connected to vpcd at 127.0.0.1:${port}`);
    expect(lines).toContain(`slot 1: connected to vpcd at 127.0.0.1:${port + 1}`);
    expect(lines).toContain('slot 0 <= 00 02 AA AA 90 00  9000 success (SW_NO_ERROR)');
    expect(lines).toContain(`slot 1: card image saved to ${slotCardFile(file, 1)}`);
    expect(lines.at(-1)).toBe('stopped');
    expect(existsSync(slotCardFile(file, 1))).toBe(true);
    // the images reopen with each slot's own state
    const again = new Card({ cardFile: slotCardFile(file, 1) });
    again.powerOn();
    expect(hex(again.transmit(SELECT_ECHO))).toBe('9000');
    expect(hex(again.transmit(fromHex('8032000000')))).toBe('0003BBBBBB9000');
  });
});
