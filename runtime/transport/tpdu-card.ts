// A Card driven at the TPDU level: the ATR, an optional PPS (ISO/IEC 7816-3 clause 9) right
// after it, then T=0 C-TPDUs or T=1 blocks, whichever protocol is in force. TpduTerminal is
// the other end (tests, `jcvm run --protocol`): it reads the ATR, negotiates, and sends
// APDUs as TPDUs.

import { hex } from '../../loader/bytes.ts';
import type { Card } from '../card.ts';
import { parseAtr, type ParsedAtr } from './atr.ts';
import type { LinkParams, Processed, Protocol } from './link.ts';
import { T0Card, t0Transmit, type T0Options } from './t0.ts';
import { T1Card } from './t1.ts';
import { T1Terminal, type Direction } from './t1-terminal.ts';

export interface TpduOptions {
  t0?: T0Options;
  /** T=1: ask for WTX when process() ran at least this many bytecodes (see T1Options). */
  wtxBytecodes?: number;
}

export class TpduCard {
  private current: Protocol;
  private t0!: T0Card;
  private t1!: T1Card;
  /** PPS is allowed as the first exchange after the ATR only. */
  private ppsAllowed = false;

  constructor(
    readonly card: Card,
    readonly options: TpduOptions = {},
  ) {
    this.current = card.atrConfig.protocols[0]!;
    this.fresh();
  }

  /** The protocol in force. */
  get protocol(): Protocol {
    return this.current;
  }

  /** T=1: the IFSD the card currently respects. */
  get ifsd(): number {
    return this.t1.ifsd;
  }

  private fresh(): void {
    const c = this.card.atrConfig;
    const process = (apdu: Uint8Array, link: LinkParams): Processed => {
      const jcre = this.card.jcre, l = jcre.link;
      l.protocol = link.protocol;
      l.nad = link.nad;
      l.ifsc = c.ifsc;
      if (link.protocol === 'T=1') l.ifsd = link.ifsd;
      l.waitExtensions = 0;
      jcre.vm.budget = jcre.instructionBudget; // a command refused before any applet runs counts 0 bytecodes
      const response = this.card.transmit(apdu);
      return { response, waitExtensions: l.waitExtensions, bytecodes: Math.max(0, jcre.instructionBudget - jcre.vm.budget) };
    };
    this.t0 = new T0Card(process, this.options.t0);
    this.t1 = new T1Card(process, { ifsc: c.ifsc, edc: c.edc, ...(this.options.wtxBytecodes !== undefined && { wtxBytecodes: this.options.wtxBytecodes }) });
  }

  /** Cold reset: the ATR; the first protocol offered is in force until a PPS says otherwise. */
  powerOn(): Uint8Array {
    const atr = this.card.powerOn();
    this.current = this.card.atrConfig.protocols[0]!;
    this.card.jcre.link.ifsd = 32;
    this.fresh();
    this.ppsAllowed = true;
    return atr;
  }

  /** One TPDU (T=0: a C-TPDU; T=1: a block), or a PPS request right after the ATR; returns the card's answer. */
  exchange(bytes: Uint8Array): Uint8Array {
    const pps = this.ppsAllowed && bytes[0] === 0xff;
    this.ppsAllowed = false;
    if (pps) return this.pps(bytes);
    return this.current === 'T=0' ? this.t0.exchange(bytes) : this.t1.receive(bytes);
  }

  /**
   * PPS (9.2): PPSS=FF, PPS0 (b5..b7: PPS1..PPS3 present, b1..b4: T), PPS1 (FI DI), PPS2,
   * PPS3, PCK (all bytes XOR to zero). A protocol the card offers is accepted; PPS1 only when
   * it names the card's own Fi and Di (else the answer leaves it out: Fd and Dd stay). A
   * malformed request or another protocol: the card stays mute (an empty answer).
   */
  private pps(req: Uint8Array): Uint8Array {
    const pps0 = req[1] ?? 0;
    const present = [0x10, 0x20, 0x40].map((bit) => (pps0 & bit) !== 0);
    const length = 3 + present.filter(Boolean).length;
    if (req.length !== length || req.reduce((a, b) => a ^ b, 0) !== 0) return new Uint8Array(0);
    const t = pps0 & 0x0f;
    const protocol: Protocol | null = t === 0 ? 'T=0' : t === 1 ? 'T=1' : null;
    if (!protocol || !this.card.atrConfig.protocols.includes(protocol)) return new Uint8Array(0);
    const atr = parseAtr(this.card.atr);
    const own = atr.groups[0]!.ta ?? 0x11;
    const out = [0xff, t];
    let i = 2;
    if (present[0]) {
      if (req[i] === own) {
        out[1]! |= 0x10;
        out.push(req[i]!);
      }
      i++;
    }
    for (const k of [1, 2]) {
      if (present[k]) {
        out[1]! |= [0x10, 0x20, 0x40][k]!;
        out.push(req[i++]!);
      }
    }
    out.push(out.reduce((a, b) => a ^ b, 0));
    this.current = protocol;
    return Uint8Array.from(out);
  }
}

/** One line of a TPDU transcript. */
export interface TpduLine {
  from: Direction;
  bytes: Uint8Array;
  what?: string;
}

export interface TerminalOptions {
  /** Protocol to ask for by PPS (default: the first the ATR offers, no PPS). */
  protocol?: Protocol;
  /** T=1: IFSD to announce after the ATR by S(IFS request) (default 254; 32: none sent). */
  ifsd?: number;
  /** T=1: NAD of the commands. */
  nad?: number;
  /** Sees every TPDU (T=0: C-TPDU and the card's characters; T=1: each block). */
  log?: (line: TpduLine) => void;
  /** T=1: changes blocks on their way (see T1TerminalOptions.tamper). */
  tamper?: (bytes: Uint8Array, from: Direction, n: number) => Uint8Array;
}

/** The terminal end of a TpduCard: APDUs in, APDUs out, TPDUs in between. */
export class TpduTerminal {
  atr: ParsedAtr | null = null;
  protocol: Protocol = 'T=1';
  t1: T1Terminal | null = null;

  constructor(
    readonly card: TpduCard,
    readonly options: TerminalOptions = {},
  ) {}

  /** Powers the card on, reads its ATR, negotiates the protocol (PPS) and, in T=1, the IFSD. */
  powerOn(): Uint8Array {
    const bytes = this.card.powerOn();
    this.options.log?.({ from: 'ICC', bytes, what: 'ATR' });
    const atr = parseAtr(bytes);
    if (!atr.tckValid) throw new Error(`the ATR ${hex(bytes)} has a wrong TCK`);
    this.atr = atr;
    const log = this.options.log;
    const want = this.options.protocol ?? atr.protocols[0]!;
    if (!atr.protocols.includes(want)) throw new RangeError(`the card offers ${atr.protocols.join(',')}, not ${want}`);
    this.protocol = atr.protocols[0]!;
    if (want !== this.protocol) {
      const req = [0xff, want === 'T=0' ? 0x00 : 0x01];
      req.push(req[0]! ^ req[1]!);
      const ppsReq = Uint8Array.from(req);
      log?.({ from: 'IFD', bytes: ppsReq, what: 'PPS request' });
      const answer = this.card.exchange(ppsReq);
      log?.({ from: 'ICC', bytes: answer, what: 'PPS response' });
      if ((answer[1]! & 0x0f) !== (req[1]! & 0x0f)) throw new Error(`PPS for ${want} refused`);
      this.protocol = want;
    }
    this.t1 = null;
    if (this.protocol === 'T=1') {
      this.t1 = new T1Terminal((b) => this.card.exchange(b), {
        ifsc: atr.ifsc,
        edc: atr.edc,
        ...(this.options.nad !== undefined && { nad: this.options.nad }),
        ...(this.options.tamper && { tamper: this.options.tamper }),
        ...(log && { log: (from: Direction, bytes: Uint8Array, what: string) => log({ from, bytes, what }) }),
      });
      const ifsd = this.options.ifsd ?? 254;
      if (ifsd !== 32) this.t1.setIfsd(ifsd);
    }
    return bytes;
  }

  /** Sends a command APDU; returns the response APDU. */
  transmit(apdu: Uint8Array): Uint8Array {
    if (!this.atr) throw new Error('powerOn() first');
    if (this.t1) return this.t1.transmit(apdu);
    const log = this.options.log;
    return t0Transmit((tpdu) => this.card.exchange(tpdu), apdu, log && ((e) => {
      log({ from: 'IFD', bytes: e.command });
      log({ from: 'ICC', bytes: e.reply });
    }));
  }
}
