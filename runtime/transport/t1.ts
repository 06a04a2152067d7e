// The card side of T=1, the half-duplex block transmission protocol (ISO/IEC 7816-3 clause
// 11): one block in, one block out. Command APDUs arrive in I-blocks, chained with the M bit
// when longer than IFSC (each chained block acknowledged by an R-block); responses leave in
// I-blocks chained by IFSD (each next block asked for by the terminal's R-block). S-blocks
// change IFSD, answer WTX, resynchronise and abort a chain. An invalid block (wrong EDC,
// wrong length, unexpected N(S)) is answered by an R-block naming the error and the I-block
// the card expects; an R-block that does not acknowledge a chain makes the card send its
// last block again (11.6.3, rules 6 and 7).

import { concat } from '../../loader/bytes.ts';
import type { EdcKind } from './atr.ts';
import type { ApduProcessor } from './link.ts';
import { decodeBlock, encodeBlock, iBlock, RError, rBlock, sBlock, SType, type Block } from './t1-block.ts';

export interface T1Options {
  /** The card's information field size (from the ATR). */
  ifsc: number;
  edc: EdcKind;
  /**
   * Ask for a waiting time extension (S(WTX request)) before answering a command whose
   * process() ran at least this many bytecodes: one unit of BWT per this many. Absent: only
   * for APDU.waitExtension() calls.
   */
  wtxBytecodes?: number;
}

/** IFSD before the terminal's first S(IFS request) (11.4.2). */
export const DEFAULT_IFSD = 32;

/** The card's reply NAD: the command's source and destination addresses swapped (11.3.2.1). */
export const replyNad = (nad: number): number => ((nad & 0x07) << 4) | ((nad >> 4) & 0x07);

export class T1Card {
  /** IFSD: the largest INF the card sends (S(IFS request) changes it; RESYNCH restores 32). */
  ifsd = DEFAULT_IFSD;
  /** N(S) of the card's next I-block, and the N(S) it expects of the terminal's next one. */
  private ns = 0;
  private nr = 0;
  /** Command data of a chain being received. */
  private rx: Uint8Array[] = [];
  /** A response being sent: its bytes, where the last block sent starts and how long it is. */
  private tx: { data: Uint8Array; offset: number; length: number; ns: number } | null = null;
  /** The response is held while S(WTX request) waits for its answer. */
  private wtxPending = false;
  /** The last block sent other than an error R-block (what "send it again" sends). */
  private last: Uint8Array | null = null;
  /** NAD of the command being received. */
  private nad = 0;

  constructor(
    private readonly process: ApduProcessor,
    readonly options: T1Options,
  ) {}

  /** One block from the terminal; returns the card's block. */
  receive(bytes: Uint8Array): Uint8Array {
    const b = decodeBlock(bytes, this.options.edc, this.options.ifsc);
    if (b.kind === 'bad') return this.error(b.error);
    switch (b.kind) {
      case 'I':
        return this.onI(b);
      case 'R':
        return this.onR(b.nr);
      case 'S':
        return this.onS(b);
    }
  }

  /** An R-block asking for the I-block the card expects; not remembered as the last block. */
  private error(error: RError): Uint8Array {
    return encodeBlock(rBlock(replyNad(this.nad), this.nr, error), this.options.edc);
  }

  private send(b: Block): Uint8Array {
    this.last = encodeBlock(b, this.options.edc);
    return this.last;
  }

  private onI(b: Extract<Block, { kind: 'I' }>): Uint8Array {
    // An I-block while the card's response chain or WTX is under way, or out of sequence, is an error.
    if ((this.tx && this.tx.offset + this.tx.length < this.tx.data.length) || this.wtxPending || b.ns !== this.nr) return this.error(RError.OTHER);
    this.tx = null;
    this.nr ^= 1;
    this.nad = b.nad;
    this.rx.push(b.inf);
    if (b.more) return this.send(rBlock(replyNad(b.nad), this.nr));
    const apdu = concat(...this.rx);
    this.rx = [];
    const done = this.process(apdu, { protocol: 'T=1', nad: b.nad, ifsd: this.ifsd });
    this.tx = { data: done.response, offset: 0, length: 0, ns: this.ns };
    const perUnit = this.options.wtxBytecodes;
    const units = done.waitExtensions + (perUnit ? Math.floor(done.bytecodes / perUnit) : 0);
    if (units > 0) {
      this.wtxPending = true;
      return this.send(sBlock(replyNad(b.nad), SType.WTX, false, Uint8Array.of(Math.min(units, 255))));
    }
    return this.sendNext();
  }

  /** The next block of the response (the first one after the command or the WTX). */
  private sendNext(): Uint8Array {
    const tx = this.tx!;
    tx.offset += tx.length;
    tx.length = Math.min(this.ifsd, tx.data.length - tx.offset);
    tx.ns = this.ns;
    this.ns ^= 1;
    const more = tx.offset + tx.length < tx.data.length;
    return this.send(iBlock(replyNad(this.nad), tx.ns, more, tx.data.slice(tx.offset, tx.offset + tx.length)));
  }

  private onR(nr: number): Uint8Array {
    const tx = this.tx;
    // 11.6.2 (chaining): during the card's chain, an R-block naming the next N(S) asks for the next block.
    if (tx && !this.wtxPending && tx.offset + tx.length < tx.data.length && nr !== tx.ns) return this.sendNext();
    // Otherwise (11.6.3, error handling): the terminal did not get the card's last block; send it again.
    return this.last ? this.last.slice() : this.error(RError.OTHER);
  }

  private onS(b: Extract<Block, { kind: 'S' }>): Uint8Array {
    const nad = replyNad(b.nad);
    if (!b.response) {
      switch (b.type) {
        case SType.RESYNCH:
          // 11.6.3 (resynchronisation): sequence numbers and IFSD back to their values after the ATR, nothing pending.
          this.ns = this.nr = 0;
          this.ifsd = DEFAULT_IFSD;
          this.rx = [];
          this.tx = null;
          this.wtxPending = false;
          return this.send(sBlock(nad, SType.RESYNCH, true));
        case SType.IFS: {
          const ifsd = b.inf[0]!;
          if (ifsd < 1 || ifsd > 254) return this.error(RError.OTHER);
          this.ifsd = ifsd;
          return this.send(sBlock(nad, SType.IFS, true, b.inf));
        }
        case SType.ABORT:
          // 11.6.2 (abortion): the chain (either direction) ends; sequence numbers carry on.
          this.rx = [];
          this.tx = null;
          this.wtxPending = false;
          return this.send(sBlock(nad, SType.ABORT, true));
        default:
          return this.error(RError.OTHER); // only the card asks for WTX
      }
    }
    if (b.type === SType.WTX && this.wtxPending) {
      this.wtxPending = false;
      return this.sendNext();
    }
    return this.error(RError.OTHER); // a response to nothing the card asked
  }
}
