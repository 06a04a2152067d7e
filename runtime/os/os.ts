// The card's own operating system beneath the JCRE: the state the chip is in (manufactured,
// completed, refused forever), the power-up self-test, and the only commands a chip answers
// before completion. Once completed and self-tested, every APDU goes to the JCRE.

import { timingSafeEqual } from 'node:crypto';
import { swBytes as sw } from '../apdu.ts';
import type { Eeprom } from '../memory/eeprom.ts';
import { TABLE } from '../memory/eeprom.ts';
import { authenticityHash, completionValue, decodeRecord, encodeRecord, type ManufacturingRecord } from './manufacturing.ts';
import { romIntact, type Rom } from './rom.ts';

/** The chip's state in its OS tables. */
export const enum OsState {
  /** No manufacturing record yet. */
  Blank = 0,
  /** Manufactured: answers only the completion commands. */
  Manufactured = 1,
  /** Completed: the OS tables are written and the JCRE runs (OP_READY). */
  Completed = 2,
  /** Too many wrong completion values: the chip refuses everything, forever. */
  Refused = 0xdd,
}

/** Status words of the OS layer. */
export const OS_SW = {
  /** Self-test failed: the only answer of a chip in the error state (ISO 7816-4: memory failure). */
  selfTestFailed: 0x6581,
  /** A command other than the completion commands before completion. */
  notCompleted: 0x6985,
  /** A chip that refused completion too often. */
  refused: 0x6a81,
  wrongLength: 0x6700,
  wrongP1P2: 0x6a86,
  ok: 0x9000,
} as const;

/** Wrong completion values a chip accepts before it refuses forever. */
export const COMPLETION_TRIES = 3;

/** The proprietary completion commands (CLA 80): authenticity check and completion. */
export const COMPLETION_INS = { authenticate: 0x10, complete: 0x12 } as const;

export class CardOs {
  /** Why the last power-up self-test failed, or null. */
  selfTestFailure: string | null = null;

  constructor(
    readonly eeprom: Eeprom,
    readonly rom: Rom,
  ) {}

  get state(): OsState {
    return this.eeprom.table8(TABLE.osState) as OsState;
  }

  get completionFailures(): number {
    return this.eeprom.table8(TABLE.completionFailures);
  }

  get record(): ManufacturingRecord | null {
    return decodeRecord(this.eeprom.manufacturing);
  }

  /** Self-tested and completed: the JCRE may run. */
  get operational(): boolean {
    return this.selfTestFailure === null && this.state === OsState.Completed;
  }

  /** The chip maker's step: the write-once record, then the state Manufactured. */
  manufacture(record: ManufacturingRecord): void {
    if (record.eepromSize !== this.eeprom.size) throw new RangeError(`the record says ${record.eepromSize} bytes of EEPROM; the chip has ${this.eeprom.size}`);
    this.eeprom.writeManufacturing(encodeRecord(record));
    this.setTable(TABLE.osState, OsState.Manufactured);
  }

  /** The factory's own completion of an ordinary card (what `new Card()` gives). */
  completeAtFactory(): void {
    this.setTable(TABLE.osState, OsState.Completed);
  }

  /**
   * Power-up self-test: the OS tables against their CRC, the ROM against its own, the
   * manufacturing record against its CRC, and the EEPROM size the record gives against the
   * memory found (hardware recognition). A failure leaves the chip answering only 6581.
   */
  powerUp(): void {
    this.selfTestFailure = null;
    if (!this.eeprom.tablesIntact()) this.selfTestFailure = 'the OS tables do not match their CRC';
    else if (!romIntact(this.rom)) this.selfTestFailure = 'the OS ROM does not match its CRC';
    else if (this.state !== OsState.Blank) {
      const r = this.record;
      if (!r) this.selfTestFailure = 'the manufacturing record is damaged';
      else if (r.eepromSize !== this.eeprom.size) this.selfTestFailure = `the manufacturing record gives ${r.eepromSize} bytes of EEPROM, the chip has ${this.eeprom.size}`;
    }
  }

  /** Answer a command while the chip is not operational. */
  process(cmd: Uint8Array): Uint8Array {
    if (this.selfTestFailure !== null) return sw(OS_SW.selfTestFailed);
    const state = this.state;
    if (state === OsState.Refused) return sw(OS_SW.refused);
    if (state !== OsState.Manufactured || cmd.length < 4 || cmd[0] !== 0x80) return sw(OS_SW.notCompleted);
    const lc = cmd.length > 4 ? cmd[4]! : 0;
    const data = cmd.subarray(5, 5 + lc);
    if (cmd.length > 4 && data.length !== lc) return sw(OS_SW.wrongLength);
    switch (cmd[1]) {
      case COMPLETION_INS.authenticate: {
        // The terminal's random number in, the hash and the chip's identity out.
        if (cmd[2] !== 0 || cmd[3] !== 0) return sw(OS_SW.wrongP1P2);
        if (lc < 8 || lc > 32) return sw(OS_SW.wrongLength);
        const r = this.record!;
        return Uint8Array.from([...authenticityHash(data, r, this.rom), ...r.serial, ...r.batch, 0x90, 0x00]);
      }
      case COMPLETION_INS.complete:
        return this.complete(cmd[2]!, cmd[3]!, data);
      default:
        return sw(OS_SW.notCompleted);
    }
  }

  /**
   * Completion: P1 00 a batch value, P1 01 a chip-specific value. The failure counter is
   * written before the comparison (a power loss cannot give a free try) and cleared on success.
   */
  private complete(p1: number, p2: number, value: Uint8Array): Uint8Array {
    if (p1 > 1 || p2 !== 0) return sw(OS_SW.wrongP1P2);
    if (value.length !== 16) return sw(OS_SW.wrongLength);
    const failures = this.completionFailures + 1;
    this.setTable(TABLE.completionFailures, failures);
    const expected = completionValue(this.rom, this.record!, p1 === 1);
    if (timingSafeEqual(expected, value)) {
      this.setTable(TABLE.completionFailures, 0);
      this.setTable(TABLE.osState, OsState.Completed);
      return sw(OS_SW.ok);
    }
    const left = Math.max(0, COMPLETION_TRIES - failures);
    if (left === 0) this.setTable(TABLE.osState, OsState.Refused);
    return sw(0x63c0 | left);
  }

  /** An OS table byte and the tables' CRC, all or nothing (through the journal). */
  private setTable(offset: number, value: number): void {
    const e = this.eeprom;
    const own = !e.journalling;
    if (own) e.begin();
    try {
      e.setTable8(offset, value);
    } catch (err) {
      if (own && e.journalling && !e.powerLost) e.abort();
      throw err;
    }
    if (own) e.commit();
  }
}
