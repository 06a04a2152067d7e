// What the transmission protocol tells the APDU natives (javacard.framework.APDU getProtocol,
// getInBlockSize, getOutBlockSize, getNAD, waitExtension). The Jcre holds one; the Card sets
// it at power-up, the TPDU layers (t0.ts, t1.ts) before each command they hand to the JCRE.

export type Protocol = 'T=0' | 'T=1';

export class LinkState {
  /** The protocol the current command came over (after the ATR: the first one offered). */
  protocol: Protocol = 'T=1';
  /** T=1: IFSC, the card's maximum information field (ISO/IEC 7816-3 11.4.2). */
  ifsc = 254;
  /**
   * T=1: IFSD, the interface device's maximum information field. An APDU-level Card
   * (Card.transmit) behaves as a reader that announced 254; over TPDUs it starts at 32 and
   * follows S(IFS request).
   */
  ifsd = 254;
  /** T=1: the NAD of the last command block (0 over T=0). */
  nad = 0;
  /** APDU.waitExtension() calls during the current command: S(WTX request)s or NULL bytes. */
  waitExtensions = 0;

  /** APDU.getInBlockSize(): IFSC in T=1, 1 in T=0 (API, class APDU). */
  get inBlockSize(): number {
    return this.protocol === 'T=1' ? this.ifsc : 1;
  }

  /** APDU.getOutBlockSize(): IFSD in T=1, 258 in T=0 (256 data bytes and the status word). */
  get outBlockSize(): number {
    return this.protocol === 'T=1' ? this.ifsd : 258;
  }
}

/** What the JCRE did with one command APDU, as a TPDU layer needs it. */
export interface Processed {
  /** Response data followed by SW1 SW2. */
  response: Uint8Array;
  /** APDU.waitExtension() calls during processing. */
  waitExtensions: number;
  /** Bytecodes process() executed (for NULL bytes / WTX requests by processing time). */
  bytecodes: number;
}

/** The link state a TPDU layer sets for one command (T=0: NAD 0; IFSD only matters in T=1). */
export interface LinkParams {
  protocol: Protocol;
  nad: number;
  ifsd: number;
}

/** Hands one command APDU to the JCRE with the link state `link`. */
export type ApduProcessor = (apdu: Uint8Array, link: LinkParams) => Processed;
