// The OS "ROM": what a mask-programmed card carries from the factory and never changes — the
// OS version and the OS secret of this jcvm build. The authenticity check hashes it, the
// completion values derive from its secret, and power-up checks it against its own CRC.

import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export interface Rom {
  version: string;
  /** The OS secret: only the OS maker (jcvm) and the chips know it. */
  secret: Uint8Array;
  /** The ROM content as the authenticity hash covers it: version, secret, and the CRC stored with it. */
  content: Uint8Array;
}

const VERSION = 'jcvm-os 1.0';
// The build's OS secret. A real OS keeps it in mask ROM; here it is a constant of the build,
// so the card and the completion agent (`jcvm card complete`) share it.
const SECRET = createHash('sha256').update('jcvm OS secret, build 1').digest();

/** The ROM image: version and secret, then a CRC-32 of both (what the self-test recomputes). */
export function makeRom(version = VERSION, secret: Uint8Array = SECRET): Rom {
  const body = Buffer.concat([Buffer.from(version, 'utf8'), Buffer.from([0]), Buffer.from(secret)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return { version, secret: Uint8Array.from(secret), content: new Uint8Array(Buffer.concat([body, crc])) };
}

export const ROM: Rom = makeRom();

/** Self-test of the ROM: its content still matches the CRC at its end. */
export function romIntact(rom: Rom): boolean {
  const c = rom.content;
  if (c.length < 4) return false;
  const stored = ((c[c.length - 4]! << 24) | (c[c.length - 3]! << 16) | (c[c.length - 2]! << 8) | c[c.length - 1]!) >>> 0;
  return (crc32(c.subarray(0, c.length - 4)) >>> 0) === stored;
}
