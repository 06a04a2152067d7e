// T=0, the half-duplex character protocol (ISO/IEC 7816-3 clause 10), and the transport of
// APDUs over it (clause 12.2). The terminal sends a header CLA INS P1 P2 P3; the card answers
// procedure bytes: ACK = INS (send or take all remaining data bytes), INS ^ FF (one byte),
// NULL 60 (more time), or SW1 SW2 (61xx: xx bytes wait for GET RESPONSE; 6Cxx: P3 should
// have been xx, re-issue the command).
//
// The card side takes a C-TPDU as a reader in TPDU mode sends it: the header, followed by the
// P3 data bytes when the terminal has data to send (case 3 and 4), and returns the card's
// characters in wire order. The card learns the direction from the C-TPDU (a real JCRE learns
// it when the applet calls setIncomingAndReceive or setOutgoing); the JCRE then answers as
// the Java Card API describes for T=0: case 4 gives 61xx and GET RESPONSE, a case 2 response
// of another length than P3 gives 6Cxx and the re-issued command collects it without running
// the applet again.

import { concat, equalBytes } from '../../loader/bytes.ts';
import type { ApduProcessor } from './link.ts';

export interface T0Options {
  /** ACK with INS for the whole data ('all', default) or with INS ^ FF before each byte ('byte'). */
  ack?: 'all' | 'byte';
  /** A NULL byte per this many bytecodes process() ran (besides one per APDU.waitExtension()). */
  nullBytecodes?: number;
}

export const NULL = 0x60;
export const GET_RESPONSE = 0xc0;

/** SW1 values a procedure byte can be (ISO 7816-3 10.3.3): 6X but 60, and 9X. */
export const isSw1 = (b: number): boolean => ((b & 0xf0) === 0x60 && b !== NULL) || (b & 0xf0) === 0x90;

export class T0Card {
  /** Response bytes (and final SW) waiting for GET RESPONSE. */
  private pending: { data: Uint8Array; sw: Uint8Array } | null = null;
  /** After 6Cxx: the command, the length P3 must have now, and the response it collects. */
  private reissue: { header: Uint8Array; length: number; response: Uint8Array } | null = null;

  constructor(
    private readonly process: ApduProcessor,
    readonly options: T0Options = {},
  ) {}

  /** One C-TPDU (header, then the P3 data bytes when the terminal sends data); returns the card's characters. */
  exchange(tpdu: Uint8Array): Uint8Array {
    if (tpdu.length < 5) throw new RangeError(`a T=0 command header has 5 bytes, not ${tpdu.length}`);
    const header = tpdu.subarray(0, 5), data = tpdu.subarray(5);
    const [cla, ins, p1, p2, p3] = header as unknown as [number, number, number, number, number];
    if (data.length !== 0 && data.length !== p3) throw new RangeError(`P3 is ${p3} but ${data.length} data bytes follow the header`);
    const pending = this.pending, reissue = this.reissue;
    this.pending = this.reissue = null;
    const out: number[] = [];
    const sw = (sw1: number, sw2: number): Uint8Array => Uint8Array.from([...out, sw1, sw2]);
    // 10.3.2: INS 6X and 9X are not valid in T=0; CLA FF is PPS's.
    if ((ins & 0xf0) === 0x60 || (ins & 0xf0) === 0x90) return sw(0x6d, 0x00);
    if (cla === 0xff) return sw(0x6e, 0x00);

    // The re-issued command after 6Cxx: the response the applet produced.
    if (reissue && !data.length && p3 === reissue.length && equalBytes(header.subarray(0, 4), reissue.header.subarray(0, 4))) {
      return this.outgoing(out, ins, reissue.response, p3 || 256);
    }
    // GET RESPONSE while response bytes wait.
    if (pending && ins === GET_RESPONSE && p1 === 0 && p2 === 0 && !data.length) {
      const le = p3 || 256;
      if (le > pending.data.length) {
        this.pending = pending;
        return sw(0x6c, pending.data.length & 0xff);
      }
      this.send(out, ins, pending.data.subarray(0, le));
      return this.rest(out, pending.data.subarray(le), pending.sw);
    }

    // A new command: case 3/4 when data comes (the card takes it after its ACK), else case 1/2
    // (P3 is Le, 00 meaning 256).
    if (data.length) this.ack(out, ins, data.length);
    const done = this.process(tpdu, { protocol: 'T=0', nad: 0, ifsd: 0 });
    const per = this.options.nullBytecodes;
    const nulls = Math.min(done.waitExtensions + (per ? Math.floor(done.bytecodes / per) : 0), 255);
    for (let n = 0; n < nulls; n++) out.push(NULL);
    const r = done.response;
    const la = r.length - 2;
    if (la === 0) return sw(r[0]!, r[1]!);
    const body = r.subarray(0, la), status = r.subarray(la);
    // Case 4: the data went in; the response waits for GET RESPONSE (12.2.4).
    if (data.length) return this.rest(out, body, status);
    // Case 2: Le = P3 (00: 256). The exact length goes out at once; another length (up to
    // 256) is answered 6C La and the re-issued command collects it (12.2.3); a longer
    // response (an extended-length applet) goes out Le bytes at a time with 61xx.
    const le = p3 || 256;
    if (la === le || la > 256) return this.outgoing(out, ins, r, le);
    this.reissue = { header: header.slice(), length: la & 0xff, response: r };
    return sw(0x6c, la & 0xff);
  }

  /** Response data of a case 2 command: up to `le` bytes after the ACK, then the SW or 61xx. */
  private outgoing(out: number[], ins: number, r: Uint8Array, le: number): Uint8Array {
    const body = r.subarray(0, r.length - 2), status = r.subarray(r.length - 2);
    const n = Math.min(le, body.length);
    this.send(out, ins, body.subarray(0, n));
    return this.rest(out, body.subarray(n), status);
  }

  /** The final status word, or 61xx when response bytes remain (xx: how many, 00 for 256 or more). */
  private rest(out: number[], left: Uint8Array, status: Uint8Array): Uint8Array {
    if (!left.length) return Uint8Array.from([...out, ...status]);
    this.pending = { data: left.slice(), sw: status.slice() };
    return Uint8Array.from([...out, 0x61, Math.min(left.length, 256) & 0xff]);
  }

  /** Procedure bytes asking for the terminal's `n` data bytes: ACK once, or INS ^ FF for each byte. */
  private ack(out: number[], ins: number, n: number): void {
    if (this.options.ack !== 'byte') out.push(ins);
    else for (let i = 0; i < n; i++) out.push(ins ^ 0xff);
  }

  /** Data bytes the card sends: after one ACK, or each after INS ^ FF. */
  private send(out: number[], ins: number, bytes: Uint8Array): void {
    if (this.options.ack !== 'byte') out.push(ins, ...bytes);
    else for (const b of bytes) out.push(ins ^ 0xff, b);
  }
}

// --- the terminal side ---------------------------------------------------------------------

/** One TPDU exchanged: what the terminal sent and the card's characters. */
export interface T0Exchange {
  command: Uint8Array;
  reply: Uint8Array;
}

export class T0ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'T0ProtocolError';
  }
}

/**
 * Reads the card's characters for a command that sent `toCard` data bytes and may receive up
 * to `fromCard`: procedure bytes (ACK, INS ^ FF, NULL) and data, up to SW1 SW2 (10.3.3).
 */
export function readT0Reply(reply: Uint8Array, ins: number, toCard: number, fromCard: number): { data: Uint8Array; sw1: number; sw2: number; nulls: number } {
  const data: number[] = [];
  let i = 0, nulls = 0;
  const take = (what: string): number => {
    if (i >= reply.length) throw new T0ProtocolError(`the card's characters end before ${what}`);
    return reply[i++]!;
  };
  for (;;) {
    const b = take('SW1');
    if (b === NULL) {
      nulls++;
    } else if (isSw1(b)) {
      const sw2 = take('SW2');
      if (i !== reply.length) throw new T0ProtocolError(`${reply.length - i} character(s) after SW1 SW2`);
      return { data: Uint8Array.from(data), sw1: b, sw2, nulls };
    } else if (b === ins) {
      if (toCard) toCard = 0; // the terminal sends all its remaining data bytes
      else for (; fromCard > 0; fromCard--) data.push(take('the data'));
    } else if (b === (ins ^ 0xff)) {
      if (toCard) toCard--;
      else if (fromCard-- > 0) data.push(take('the data byte'));
      else throw new T0ProtocolError('INS ^ FF with no data byte left to move');
    } else {
      throw new T0ProtocolError(`${b.toString(16).padStart(2, '0')} is not a procedure byte for INS ${ins.toString(16).padStart(2, '0')}`);
    }
  }
}

/**
 * Sends a short command APDU over T=0 (ISO 7816-3 12.2) and returns the response APDU: case 1
 * as P3 = 00, case 2 with P3 = Le, case 3 and 4 with P3 = Lc and the data (Le is not sent in
 * case 4); 6Cxx is answered by the re-issued command and 61xx by GET RESPONSE (00 C0 00 00
 * xx) until the card has given everything. `log` sees each TPDU.
 */
export function t0Transmit(exchange: (tpdu: Uint8Array) => Uint8Array, apdu: Uint8Array, log?: (e: T0Exchange) => void): Uint8Array {
  const n = apdu.length;
  if (n < 4) throw new RangeError(`a command APDU has at least 4 bytes, not ${n}`);
  const header = apdu.subarray(0, 4);
  let tpdu: Uint8Array;
  if (n === 4) tpdu = Uint8Array.from([...header, 0]);
  else if (n === 5) tpdu = apdu.slice();
  else if (apdu[4] !== 0 && (n === 5 + apdu[4]! || n === 6 + apdu[4]!)) tpdu = apdu.slice(0, 5 + apdu[4]!);
  else throw new RangeError('extended or malformed APDU: T=0 carries short APDUs only here (no ENVELOPE)');
  const data: Uint8Array[] = [];
  for (let round = 0; round < 1024; round++) {
    const reply = exchange(tpdu);
    log?.({ command: tpdu, reply });
    const sends = tpdu.length - 5;
    const r = readT0Reply(reply, tpdu[1]!, sends, sends ? 0 : tpdu[4]! || 256);
    data.push(r.data);
    if (r.sw1 === 0x6c && !sends) {
      tpdu = Uint8Array.from([...tpdu.subarray(0, 4), r.sw2]); // re-issue with P3 = La
    } else if (r.sw1 === 0x61) {
      tpdu = Uint8Array.of(0x00, GET_RESPONSE, 0x00, 0x00, r.sw2);
    } else {
      return concat(...data, [r.sw1, r.sw2]);
    }
  }
  throw new T0ProtocolError('the card keeps asking for GET RESPONSE or re-issue');
}
