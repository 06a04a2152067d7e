// The terminal side of T=1 (ISO/IEC 7816-3 clause 11), for tests and the CLI: an APDU sent
// in I-blocks chained by IFSC, the response gathered from the card's chain, WTX and IFS
// requests answered, and error recovery (an invalid block from the card answered with an
// R-block; an R-block from the card naming the terminal's last I-block answered by sending
// it again). A `tamper` hook changes blocks on the way, to test recovery.

import { concat } from '../../loader/bytes.ts';
import type { EdcKind } from './atr.ts';
import { DEFAULT_IFSD } from './t1.ts';
import { decodeBlock, describeBlock, encodeBlock, iBlock, RError, rBlock, sBlock, SType, type BadBlock, type Block } from './t1-block.ts';

export type Direction = 'IFD' | 'ICC';

export interface T1TerminalOptions {
  /** The card's IFSC and EDC (from its ATR). */
  ifsc: number;
  edc: EdcKind;
  /** NAD of the commands (default 0). */
  nad?: number;
  /** Invalid blocks in a row the terminal tolerates before giving up (default 3, as 11.6.3). */
  maxRetries?: number;
  /** Changes a block on its way; `n` counts the blocks sent from that side (from 0). */
  tamper?: (bytes: Uint8Array, from: Direction, n: number) => Uint8Array;
  /** Sees every block as it travels (after tampering), with a description. */
  log?: (from: Direction, bytes: Uint8Array, what: string) => void;
}

export class T1ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'T1ProtocolError';
  }
}

export class T1Terminal {
  /** IFSD the terminal has announced (32 until setIfsd). */
  ifsd = DEFAULT_IFSD;
  /** IFSC the terminal respects (the ATR's, or the card's S(IFS request)). */
  ifsc: number;
  private ns = 0;
  private nr = 0;
  private sent = 0;
  private received = 0;

  constructor(
    private readonly link: (block: Uint8Array) => Uint8Array,
    readonly options: T1TerminalOptions,
  ) {
    this.ifsc = options.ifsc;
  }

  private get nad(): number {
    return this.options.nad ?? 0;
  }

  /** Sends one block, returns the card's (decoded, or why it is invalid). */
  private exchange(b: Block): Block | BadBlock {
    const { tamper, log, edc } = this.options;
    let out = encodeBlock(b, edc);
    if (tamper) out = tamper(out, 'IFD', this.sent);
    this.sent++;
    log?.('IFD', out, describeBlock(decodeBlock(out, edc)));
    let back = this.link(out);
    if (tamper) back = tamper(back, 'ICC', this.received);
    this.received++;
    const r = decodeBlock(back, edc, this.ifsd);
    log?.('ICC', back, describeBlock(r));
    return r;
  }

  /** Sends an S-block request and waits for its response, resending on invalid blocks. */
  private sRequest(type: SType, inf?: Uint8Array): Block {
    const req = sBlock(this.nad, type, false, inf);
    for (let tries = 0; ; tries++) {
      const r = this.exchange(req);
      if (r.kind === 'S' && r.response && r.type === type) return r;
      if (tries >= (this.options.maxRetries ?? 3)) throw new T1ProtocolError(`no S(${type}) response: ${describeBlock(r)}`);
    }
  }

  /** S(IFS request): the terminal takes blocks of up to `ifsd` bytes from now on. */
  setIfsd(ifsd: number): void {
    if (!Number.isInteger(ifsd) || ifsd < 1 || ifsd > 254) throw new RangeError(`IFSD must be 1..254, not ${ifsd}`);
    const r = this.sRequest(SType.IFS, Uint8Array.of(ifsd));
    if (r.kind === 'S' && r.inf[0] !== ifsd) throw new T1ProtocolError(`S(IFS response) carries ${r.inf[0]}, not ${ifsd}`);
    this.ifsd = ifsd;
  }

  /** S(RESYNCH request): both sides back to N(S) = 0 and IFSD 32. */
  resynch(): void {
    this.sRequest(SType.RESYNCH);
    this.ns = this.nr = 0;
    this.ifsd = DEFAULT_IFSD;
  }

  /** S(ABORT request) (e.g. in the middle of a chain). */
  abort(): void {
    this.sRequest(SType.ABORT);
  }

  /** Sends the first `count` blocks of the APDU's chain and stops (to test ABORT). */
  sendPartialChain(apdu: Uint8Array, count: number): void {
    for (let i = 0; i < count; i++) {
      const chunk = apdu.subarray(i * this.ifsc, (i + 1) * this.ifsc);
      const b = iBlock(this.nad, this.ns, true, chunk);
      this.ns ^= 1;
      const r = this.exchange(b);
      if (r.kind !== 'R' || r.nr !== this.ns) throw new T1ProtocolError(`chained block ${i} answered by ${describeBlock(r)}`);
    }
  }

  /** Sends a command APDU and returns the response APDU. */
  transmit(apdu: Uint8Array): Uint8Array {
    const chunks: Uint8Array[] = [];
    for (let o = 0; o === 0 || o < apdu.length; o += this.ifsc) chunks.push(apdu.subarray(o, o + this.ifsc));
    let i = 0;
    const nextI = (): Block => {
      const b = iBlock(this.nad, this.ns, i < chunks.length - 1, chunks[i]!);
      this.ns ^= 1;
      return b;
    };
    let lastI = nextI() as Extract<Block, { kind: 'I' }>;
    let out: Block = lastI;
    const response: Uint8Array[] = [];
    const maxRetries = this.options.maxRetries ?? 3;
    let errors = 0;
    const retry = (why: string): void => {
      if (++errors > maxRetries) throw new T1ProtocolError(`gave up after ${maxRetries} retries: ${why}`);
    };
    for (;;) {
      const r = this.exchange(out);
      switch (r.kind) {
        case 'bad':
          // 11.6.3: ask again for the block expected (the card's next I-block, or sends its last block again).
          retry(r.reason);
          out = rBlock(this.nad, this.nr, r.error);
          continue;
        case 'R':
          if (lastI.more && r.nr !== lastI.ns && r.error === RError.NONE) {
            // the chained block is acknowledged: the next one
            errors = 0;
            i++;
            out = lastI = nextI() as Extract<Block, { kind: 'I' }>;
          } else if (r.nr === lastI.ns) {
            retry(`the card asks for I-block ${lastI.ns} again`);
            out = lastI;
          } else {
            retry(`the card did not get the terminal's last block (${describeBlock(r)})`);
          }
          continue;
        case 'I':
          if (lastI.more || r.ns !== this.nr) {
            retry(`unexpected ${describeBlock(r)}`);
            out = rBlock(this.nad, this.nr, RError.OTHER);
            continue;
          }
          errors = 0;
          this.nr ^= 1;
          response.push(r.inf);
          if (!r.more) return concat(...response);
          out = rBlock(this.nad, this.nr);
          continue;
        case 'S':
          errors = 0;
          if (!r.response && r.type === SType.WTX) {
            out = sBlock(this.nad, SType.WTX, true, r.inf);
          } else if (!r.response && r.type === SType.IFS) {
            this.ifsc = r.inf[0]!;
            out = sBlock(this.nad, SType.IFS, true, r.inf);
          } else {
            throw new T1ProtocolError(`unexpected ${describeBlock(r)} from the card`);
          }
          continue;
      }
    }
  }
}
