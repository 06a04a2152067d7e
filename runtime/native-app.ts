// Native applications: parts of the card's OS written in TypeScript rather than as applets
// (the ISO/IEC 7816-4 file system of runtime/fs; a GlobalPlatform Issuer Security Domain may
// use the same hook). The JCRE selects one by its AID, like an applet, and then hands it every
// command until another application is selected or the card is reset.

export interface NativeApplication {
  /** The AID a SELECT (P1 04) names it by, matched exactly. */
  readonly aid: Uint8Array;
  /**
   * SELECT by this application's AID: the whole command APDU. Returns response data and
   * SW1 SW2; 9000 makes it the selected application (any other status: nothing is selected).
   */
  select(cmd: Uint8Array): Uint8Array;
  /** A command while selected (the whole command APDU); returns response data and SW1 SW2. */
  process(cmd: Uint8Array): Uint8Array;
  /** Another application is being selected. */
  deselect(): void;
  /** Power-up or reset: the application's RAM state (security states, current file) is cleared. */
  reset(): void;
  /** Handles of the card-memory objects it keeps: roots for object deletion (collectGarbage). */
  roots(): number[];
}
