// The manufacturing record (written once by the chip maker into its region of the EEPROM)
// and the values derived from it: the chip's individual key, the authenticity response, and
// the completion values of a batch or of one chip. Host and card compute them the same way.
//
// Record layout (big-endian), 37 bytes of the 63 the region offers:
//   0      record version (1)
//   1..8   chip serial number
//   9..12  batch identifier
//   13..16 EEPROM size in bytes (what the OS lays its memory out for)
//   17..32 batch key (16 bytes, written by the chip maker for the whole batch)
//   33..36 CRC-32 of bytes 0..32

import { createHash, createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { hex } from '../../loader/bytes.ts';
import type { Rom } from './rom.ts';

export interface ManufacturingRecord {
  serial: Uint8Array;
  batch: Uint8Array;
  eepromSize: number;
  batchKey: Uint8Array;
}

const RECORD_VERSION = 1;
export const RECORD_LENGTH = 37;

/** The chip every ordinary card is made from (the default card is this chip, completed). */
export const DEFAULT_CHIP: ManufacturingRecord = {
  serial: Uint8Array.from([0x4a, 0x43, 0x56, 0x4d, 0x00, 0x00, 0x00, 0x01]),
  batch: Uint8Array.from([0x4a, 0x43, 0x00, 0x01]),
  eepromSize: 256 * 1024,
  batchKey: Uint8Array.from({ length: 16 }, (_, i) => 0x40 + i),
};

export function encodeRecord(r: ManufacturingRecord): Uint8Array {
  if (r.serial.length !== 8) throw new RangeError(`a chip serial number has 8 bytes, not ${r.serial.length}`);
  if (r.batch.length !== 4) throw new RangeError(`a batch identifier has 4 bytes, not ${r.batch.length}`);
  if (r.batchKey.length !== 16) throw new RangeError(`a batch key has 16 bytes, not ${r.batchKey.length}`);
  const out = Buffer.alloc(RECORD_LENGTH);
  out[0] = RECORD_VERSION;
  out.set(r.serial, 1);
  out.set(r.batch, 9);
  out.writeUInt32BE(r.eepromSize, 13);
  out.set(r.batchKey, 17);
  out.writeUInt32BE(crc32(out.subarray(0, 33)) >>> 0, 33);
  return new Uint8Array(out);
}

/** The record in its region, or null when the region holds no intact record (self-test). */
export function decodeRecord(region: Uint8Array): ManufacturingRecord | null {
  if (region.length < RECORD_LENGTH || region[0] !== RECORD_VERSION) return null;
  const b = Buffer.from(region.buffer, region.byteOffset, RECORD_LENGTH);
  if ((crc32(b.subarray(0, 33)) >>> 0) !== b.readUInt32BE(33)) return null;
  return { serial: Uint8Array.from(b.subarray(1, 9)), batch: Uint8Array.from(b.subarray(9, 13)), eepromSize: b.readUInt32BE(13), batchKey: Uint8Array.from(b.subarray(17, 33)) };
}

/** The chip's individual key: the batch key diversified by the serial number. */
export function individualKey(r: ManufacturingRecord): Uint8Array {
  return new Uint8Array(createHmac('sha256', r.batchKey).update(r.serial).digest().subarray(0, 16));
}

/** The authenticity response to a terminal's random number: SHA-256(random ‖ individual key ‖ ROM content). */
export function authenticityHash(random: Uint8Array, r: ManufacturingRecord, rom: Rom): Uint8Array {
  return new Uint8Array(createHash('sha256').update(random).update(individualKey(r)).update(rom.content).digest());
}

/**
 * The completion value: from the OS secret and the batch key, for every chip of the batch,
 * or (chipSpecific) for the one chip whose serial number it includes.
 */
export function completionValue(rom: Rom, r: Pick<ManufacturingRecord, 'batch' | 'batchKey' | 'serial'>, chipSpecific: boolean): Uint8Array {
  const mac = createHmac('sha256', rom.secret).update(chipSpecific ? 'chip' : 'batch').update(r.batch).update(r.batchKey);
  if (chipSpecific) mac.update(r.serial);
  return new Uint8Array(mac.digest().subarray(0, 16));
}

export function describeRecord(r: ManufacturingRecord): string {
  return `chip ${hex(r.serial)}, batch ${hex(r.batch)}, EEPROM ${r.eepromSize} bytes`;
}
