// What the script layer needs of a card, and what a parsed apdutool script is made of.

/** What scripts need of a card: the same three operations a reader offers. */
export interface ApduCard {
  /** A cold reset; returns the ATR. */
  powerOn(): Uint8Array;
  powerOff(): void;
  /** `command` is the APDU exactly as sent on the wire; returns response data + SW1 SW2. */
  transmit(command: Uint8Array): Uint8Array;
}

/** One command APDU of a script, as written and as it goes on the wire. */
export interface ApduStep {
  readonly kind: 'apdu';
  /** "file:line" of the statement's first token, for messages. */
  readonly where: string;
  /** Written in apdutool's extended mode (two-byte Lc and Le). */
  readonly extended: boolean;
  readonly cla: number;
  readonly ins: number;
  readonly p1: number;
  readonly p2: number;
  /** The command data; Lc is its length. */
  readonly data: Uint8Array;
  /** Le as written; 0 means "no Le field" (apdutool's convention). */
  readonly le: number;
  /** The bytes apdutool 2.2.2 sends (ISO 7816-4 short or extended form). */
  readonly wire: Uint8Array;
}

export type ScriptStep =
  | ApduStep
  | { readonly kind: 'powerup'; readonly where: string }
  | { readonly kind: 'powerdown'; readonly where: string }
  | { readonly kind: 'extended'; readonly where: string; readonly on: boolean }
  | { readonly kind: 'output'; readonly where: string; readonly on: boolean }
  | { readonly kind: 'echo'; readonly where: string; readonly text: string };
