// Native applications: parts of the card's OS written in TypeScript rather than as applets (the
// ISO/IEC 7816-4 file system of runtime/fs; the GlobalPlatform security domains and the reference
// installer of runtime/gp). The JCRE selects one by its AID, like an applet (exact AID first, then
// partial, JCRE 4.5), on any logical channel, and then hands it every command of that channel
// until another application is selected there, the channel is closed or the card is reset. Every
// call names the channel: an application selected on several channels at once keeps its state per
// channel where that matters (a secure channel session belongs to its logical channel, GPCS 10.2).

export interface NativeApplication {
  /** The AID a SELECT (P1 04) names it by. */
  readonly aid: Uint8Array;
  /** Whether a SELECT may name it by the first bytes (5 or more) of its AID, as applets (JCRE 4.5); default: the whole AID only. */
  readonly partialAid?: boolean;
  /**
   * SELECT by this application's AID on `channel`: the whole command APDU. Returns response data
   * and SW1 SW2; 9000 makes it the channel's selected application (any other status: the
   * application is absent for this SELECT, which the JCRE routes as if it did not exist).
   * `openedFrom`: when MANAGE CHANNEL opens `channel` from another channel where this application
   * is selected (JCRE 4.5.1), that channel, whose state the new one may start from.
   */
  select(cmd: Uint8Array, channel: number, openedFrom?: number): Uint8Array;
  /** A command on `channel` while selected there (the whole command APDU); returns response data and SW1 SW2. */
  process(cmd: Uint8Array, channel: number): Uint8Array;
  /** Another application is being selected on `channel`, or the channel is closed. */
  deselect(channel: number): void;
  /** Power-up or reset: the application's RAM state (security states, current file, sessions) is cleared. */
  reset(): void;
  /** Handles of the card-memory objects it keeps: roots for object deletion (collectGarbage). */
  roots(): number[];
}

/**
 * Whether the application with this AID (applet or native) may be selected now, on any channel:
 * null, or the status word that refuses the SELECT. The platform's life cycle rules (the
 * GlobalPlatform card manager gives one; runtime/gp/manager.ts).
 */
export type SelectionPolicy = (aid: Uint8Array) => number | null;
