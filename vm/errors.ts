// Errors by who is to blame (see STYLE.md): a Java Card exception travelling through the
// host as one Thrown carrying the thrown object's handle; the budget guard; and VmCrash for
// states that valid code cannot reach.

/** A Java Card exception in flight. Not an Error: no host stack trace is captured. */
export class Thrown {
  constructor(readonly handle: number) {}
}

/** The per-APDU instruction budget ran out: the applet is stopped, not allowed to catch it. */
export class BudgetExhausted extends Error {
  constructor() {
    super('instruction budget exhausted');
    this.name = 'BudgetExhausted';
  }
}

/** Something valid code cannot do (a malformed method got past the loader). */
export class VmCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VmCrash';
  }
}

/** Exceptions the VM itself throws; the runtime maps them to the API classes. */
export const enum SysEx {
  NullPointer = 0,
  ArrayIndexOutOfBounds = 1,
  NegativeArraySize = 2,
  ClassCast = 3,
  Arithmetic = 4,
  Security = 5,
  ArrayStore = 6,
  /** javacard.framework.SystemException with a reason. */
  System = 7,
}

/** SystemException reasons (javacard.framework.SystemException). */
export const SystemReason = {
  ILLEGAL_VALUE: 1,
  NO_TRANSIENT_SPACE: 2,
  ILLEGAL_TRANSIENT: 3,
  ILLEGAL_AID: 4,
  NO_RESOURCE: 5,
  ILLEGAL_USE: 6,
} as const;
