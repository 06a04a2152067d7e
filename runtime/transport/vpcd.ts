// The card as vsmartcard's virtual smart card: it connects to vpcd, the PC/SC reader driver
// that pcscd loads (vsmartcard's virtualsmartcard/src/vpcd), and answers what vpcd sends, so
// that every PC/SC program (opensc-tool, pcsc-tools, GlobalPlatformPro, a browser) sees a card
// in a reader.
//
// The wire protocol (vsmartcard vpcd.c, vicc.py): vpcd listens on TCP (port 35963 for slot 0,
// 35963 + k for slot k); the card connects. Each message, both ways, is a 2-byte big-endian
// length and then that many bytes. A 1-byte message from vpcd is a control code: 00 power off,
// 01 power on, 02 reset, 04 get ATR (answered with the ATR); none of the others is answered.
// Any longer message is a command APDU, answered with one response APDU (data + SW1 SW2).
// Extended-length APDUs pass through as they are (a message holds up to 65535 bytes).

import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';

export const VPCD_PORT = 35963;
export const VPCD_HOST = '127.0.0.1';

/** The control codes of vpcd's 1-byte messages. */
export const VpcdControl = {
  PowerOff: 0x00,
  PowerOn: 0x01,
  Reset: 0x02,
  GetAtr: 0x04,
} as const;

/** What vpcd needs of a card: the operations of a reader's slot. */
export interface VirtualCard {
  /** Cold reset; returns the ATR. */
  powerOn(): Uint8Array;
  powerOff(): void;
  /** Warm reset; returns the ATR. */
  reset(): Uint8Array;
  readonly isPowered: boolean;
  transmit(command: Uint8Array): Uint8Array;
}

/** One message on the wire: 2-byte big-endian length, then the payload. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw new RangeError(`a vpcd message holds at most 65535 bytes, not ${payload.length}`);
  const out = new Uint8Array(payload.length + 2);
  out[0] = payload.length >> 8;
  out[1] = payload.length & 0xff;
  out.set(payload, 2);
  return out;
}

/** Cuts the byte stream from vpcd into messages, whatever the TCP segments. */
export class FrameReader {
  private buf = new Uint8Array(0);

  /** Adds received bytes; returns the messages now complete, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    const frames: Uint8Array[] = [];
    let at = 0;
    while (joined.length - at >= 2) {
      const len = (joined[at]! << 8) | joined[at + 1]!;
      if (joined.length - at - 2 < len) break;
      frames.push(joined.slice(at + 2, at + 2 + len));
      at += 2 + len;
    }
    this.buf = joined.slice(at);
    return frames;
  }

  /** Bytes of an incomplete message waiting for the rest. */
  get pending(): number {
    return this.buf.length;
  }
}

/** What one message from vpcd does to the card, and the answer (null: none is sent). */
export interface VpcdExchange {
  kind: 'power-off' | 'power-on' | 'reset' | 'atr' | 'apdu' | 'unknown';
  answer: Uint8Array | null;
  /** For an APDU the card could not answer: why it answered 6F00. */
  error?: string;
}

/**
 * Acts on one message from vpcd. The ATR of an unpowered card is the one its next power-up
 * gives (vpcd asks for it to see whether a card is present, before and after powering it).
 * An APDU to an unpowered card powers it first (vpcd always powers on first; other readers' drivers may not).
 */
export function handleMessage(card: VirtualCard, atr: Uint8Array, msg: Uint8Array): VpcdExchange {
  if (msg.length === 1) {
    switch (msg[0]) {
      case VpcdControl.PowerOff:
        card.powerOff();
        return { kind: 'power-off', answer: null };
      case VpcdControl.PowerOn:
        card.powerOn();
        return { kind: 'power-on', answer: null };
      case VpcdControl.Reset:
        card.reset();
        return { kind: 'reset', answer: null };
      case VpcdControl.GetAtr:
        return { kind: 'atr', answer: atr.slice() };
      default:
        return { kind: 'unknown', answer: null };
    }
  }
  if (msg.length === 0) return { kind: 'unknown', answer: null };
  if (!card.isPowered) card.powerOn();
  try {
    return { kind: 'apdu', answer: card.transmit(msg) };
  } catch (e) {
    // A host-side failure (a torn write in a test, a bug): the reader still gets an answer.
    return { kind: 'apdu', answer: Uint8Array.of(0x6f, 0x00), error: (e as Error)?.message ?? String(e) };
  }
}

export interface VpcdClientOptions {
  host?: string;
  port?: number;
  /** First delay before connecting again (ms; doubled after each failure up to maxRetryMs). */
  retryMs?: number;
  maxRetryMs?: number;
  /** The ATR answered to 04 (default: what the card's powerOn() answers, asked once). */
  atr?: Uint8Array;
}

export interface VpcdClientEvents {
  /** Connected to vpcd (pcscd now sees a card in the slot). */
  connect: [];
  /** The connection ended (pcscd stopped); a new attempt follows unless stopped. */
  disconnect: [reason: string];
  /** A connection attempt failed; the next one waits `delayMs`. */
  retry: [reason: string, delayMs: number];
  /** One message handled: what it was, the bytes in, the answer, the time the card took (ms). */
  message: [exchange: VpcdExchange, message: Uint8Array, ms: number];
}

/**
 * One virtual card on one vpcd slot: connects, answers, and connects again with a growing
 * delay whenever vpcd is not there (pcscd not started yet, restarted, stopped).
 */
export class VpcdClient extends EventEmitter<VpcdClientEvents> {
  readonly host: string;
  readonly port: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly atr: Uint8Array;
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private delay: number;
  private stopped = true;
  /** Successful connections so far. */
  connects = 0;
  /** Messages handled so far. */
  messages = 0;

  constructor(
    readonly card: VirtualCard,
    options: VpcdClientOptions = {},
  ) {
    super();
    this.host = options.host ?? VPCD_HOST;
    this.port = options.port ?? VPCD_PORT;
    this.retryMs = options.retryMs ?? 250;
    this.maxRetryMs = options.maxRetryMs ?? 5000;
    this.delay = this.retryMs;
    if (options.atr) {
      this.atr = options.atr.slice();
    } else {
      const powered = card.isPowered;
      this.atr = card.powerOn();
      if (!powered) card.powerOff();
    }
  }

  get isConnected(): boolean {
    return this.socket !== null && !this.socket.connecting && !this.socket.destroyed;
  }

  /** Starts connecting (and keeps connecting) to vpcd. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt();
  }

  /** Closes the connection and stops connecting; the card is powered off, as when taken from a reader. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.socket;
    this.socket = null;
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end();
        setTimeout(() => s.destroy(), 500).unref();
      });
    }
    if (this.card.isPowered) this.card.powerOff();
  }

  private attempt(): void {
    if (this.stopped) return;
    const s = connect({ host: this.host, port: this.port });
    s.setNoDelay(true);
    this.socket = s;
    const reader = new FrameReader();
    let opened = false;
    s.on('connect', () => {
      opened = true;
      this.connects++;
      this.delay = this.retryMs;
      this.emit('connect');
    });
    s.on('data', (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) {
        const t0 = performance.now();
        const ex = handleMessage(this.card, this.atr, msg);
        const ms = performance.now() - t0;
        this.messages++;
        if (ex.answer) s.write(encodeFrame(ex.answer));
        this.emit('message', ex, msg, ms);
      }
    });
    let why = '';
    s.on('error', (e: NodeJS.ErrnoException) => {
      why = e.code ?? e.message;
    });
    s.on('close', () => {
      if (this.socket === s) this.socket = null;
      if (this.stopped) return;
      if (opened) {
        // The reader lost the card: it is powered off, like a card taken out.
        if (this.card.isPowered) this.card.powerOff();
        this.emit('disconnect', why || 'closed by vpcd');
        this.delay = this.retryMs;
      }
      const delay = this.delay;
      this.delay = Math.min(this.delay * 2, this.maxRetryMs);
      if (!opened) this.emit('retry', why || 'refused', delay);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.attempt();
      }, delay);
    });
  }
}

/** The port of vpcd's slot k: 35963 + k (vsmartcard's vpcd). */
export function slotPort(basePort: number, slot: number): number {
  return basePort + slot;
}

/** "host:port", "host", ":port" or "port" (defaults 127.0.0.1 and 35963); IPv6 as [addr]:port. */
export function parseVpcdAddress(text: string | undefined): { host: string; port: number } {
  if (text === undefined || text === '') return { host: VPCD_HOST, port: VPCD_PORT };
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*))(?::(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`'${text}' is not host:port`);
  if (m[2] !== undefined && /^\d+$/.test(m[2]) && m[3] === undefined) return parseVpcdAddress(`:${m[2]}`); // "port"
  const port = m[3] !== undefined ? Number(m[3]) : VPCD_PORT;
  if (port < 1 || port > 65535) throw new RangeError(`'${text}': port ${port} is not 1 to 65535`);
  return { host: m[1] || m[2] || VPCD_HOST, port };
}
