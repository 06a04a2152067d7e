// The command APDU as the JCRE sees it (ISO/IEC 7816-4 5.1 cases 1-4, short and extended)
// and the state machine of javacard.framework.APDU (API spec: APDU.getCurrentState).

/** ISO 7816-4 command cases. */
export const enum ApduCase {
  Case1 = 1,
  Case2 = 2,
  Case3 = 3,
  Case4 = 4,
}

/** APDU.STATE_* (javacard.framework.APDU). */
export const enum ApduStateCode {
  INITIAL = 0,
  PARTIAL_INCOMING = 1,
  FULL_INCOMING = 2,
  OUTGOING = 3,
  OUTGOING_LENGTH_KNOWN = 4,
  PARTIAL_OUTGOING = 5,
  FULL_OUTGOING = 6,
}

export interface ParsedCommand {
  case: ApduCase;
  extended: boolean;
  /** Nc: number of command data bytes. */
  nc: number;
  /** Offset of the command data in the raw command (5 short, 7 extended). */
  dataOffset: number;
  /** Ne: expected response length; 0 when there is no Le field (256 / 65536 for Le = 00 / 0000). */
  ne: number;
  hasLe: boolean;
}

/** Parses the length fields; returns null when they are inconsistent (the card answers 6700). */
export function parseCommand(cmd: Uint8Array): ParsedCommand | null {
  const n = cmd.length;
  if (n < 4) return null;
  if (n === 4) return { case: ApduCase.Case1, extended: false, nc: 0, dataOffset: 5, ne: 0, hasLe: false };
  if (n === 5) return { case: ApduCase.Case2, extended: false, nc: 0, dataOffset: 5, ne: cmd[4] || 256, hasLe: true };
  const b4 = cmd[4]!;
  if (b4 !== 0) {
    if (n === 5 + b4) return { case: ApduCase.Case3, extended: false, nc: b4, dataOffset: 5, ne: 0, hasLe: false };
    if (n === 6 + b4) return { case: ApduCase.Case4, extended: false, nc: b4, dataOffset: 5, ne: cmd[n - 1] || 256, hasLe: true };
    return null;
  }
  // Extended length: a zero byte, then two-byte Lc and/or Le.
  if (n === 7) {
    const le = (cmd[5]! << 8) | cmd[6]!;
    return { case: ApduCase.Case2, extended: true, nc: 0, dataOffset: 7, ne: le || 65536, hasLe: true };
  }
  const lc = (cmd[5]! << 8) | cmd[6]!;
  if (lc === 0) return null;
  if (n === 7 + lc) return { case: ApduCase.Case3, extended: true, nc: lc, dataOffset: 7, ne: 0, hasLe: false };
  if (n === 9 + lc) {
    const le = (cmd[n - 2]! << 8) | cmd[n - 1]!;
    return { case: ApduCase.Case4, extended: true, nc: lc, dataOffset: 7, ne: le || 65536, hasLe: true };
  }
  return null;
}

/**
 * A class byte given in the first interindustry coding for channel 0 (00, 80, 84, 90...) put on
 * logical channel `channel` (ISO/IEC 7816-4 5.4.1): channels 0-3 in b2-b1; 4-19 in the further
 * coding, b4-b1 the channel minus 4, secure messaging in b6, chaining in b5.
 */
export function claOnChannel(cla: number, channel: number): number {
  if (channel < 4) return (cla & 0xfc) | channel;
  return (cla & 0x80) | 0x40 | ((cla & 0x0c) !== 0 ? 0x20 : 0) | (cla & 0x10) | (channel - 4);
}

/**
 * The inverse of claOnChannel: a class byte with its logical channel number taken out, in the
 * first interindustry coding for channel 0 (secure messaging in b4-b3, chaining in b5).
 */
export function claOnBasicChannel(cla: number): number {
  if ((cla & 0x40) === 0) return cla & 0xfc;
  return (cla & 0x80) | ((cla & 0x20) !== 0 ? 0x04 : 0) | (cla & 0x10);
}

/** Logical channel encoded in a CLA byte (ISO 7816-4 5.4.1), or -1 for a proprietary/invalid CLA. */
export function channelOf(cla: number): number {
  if ((cla & 0x40) === 0) return cla & 0x03;
  return (cla & 0x0f) + 4;
}

/** A status word as the two bytes SW1 SW2 that end a response. */
export function swBytes(word: number): Uint8Array {
  return Uint8Array.of((word >>> 8) & 0xff, word & 0xff);
}
