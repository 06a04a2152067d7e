// An in-process stand-in for vsmartcard's vpcd (the reader side): it listens, accepts the
// virtual card's connection and sends it messages as pcscd's vpcd driver does.

import { createServer, type Server, type Socket } from 'node:net';
import { encodeFrame, FrameReader } from '../../runtime/transport/vpcd.ts';

export class FakeVpcd {
  private server: Server;
  socket: Socket | null = null;
  private reader = new FrameReader();
  private answers: Uint8Array[] = [];
  private waiters: ((a: Uint8Array) => void)[] = [];
  private connectWaiters: (() => void)[] = [];
  connections = 0;

  constructor() {
    this.server = createServer((s) => {
      this.connections++;
      this.socket?.destroy();
      this.socket = s;
      this.reader = new FrameReader();
      s.setNoDelay(true);
      s.on('data', (chunk: Buffer) => {
        for (const frame of this.reader.push(chunk)) {
          const w = this.waiters.shift();
          if (w) w(frame);
          else this.answers.push(frame);
        }
      });
      s.on('error', () => undefined);
      for (const w of this.connectWaiters.splice(0)) w();
    });
  }

  /** Listens on `port` (0: any free port); resolves with the port. */
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve((this.server.address() as { port: number }).port));
    });
  }

  /** Resolves when a card is connected (at once if one is). */
  connected(): Promise<void> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.connectWaiters.push(resolve));
  }

  /** Sends raw bytes (a test of framing may split or join messages). */
  sendRaw(bytes: Uint8Array): void {
    this.socket!.write(bytes);
  }

  send(payload: Uint8Array): void {
    this.sendRaw(encodeFrame(payload));
  }

  /** The next message from the card. */
  next(): Promise<Uint8Array> {
    const a = this.answers.shift();
    if (a) return Promise.resolve(a);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Sends a message and waits for the card's answer. */
  async exchange(payload: Uint8Array): Promise<Uint8Array> {
    this.send(payload);
    return this.next();
  }

  /** Drops the card's connection (pcscd stopped), keeps listening. */
  dropCard(): void {
    this.socket?.destroy();
    this.socket = null;
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Two consecutive free TCP ports (vpcd's slots k and k+1), listened on by two fake vpcds. */
export async function twoSlots(): Promise<[FakeVpcd, FakeVpcd, number]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = new FakeVpcd();
    const port = await a.listen(0);
    const b = new FakeVpcd();
    try {
      await b.listen(port + 1);
      return [a, b, port];
    } catch {
      await a.close();
    }
  }
  throw new Error('no two consecutive free ports');
}
