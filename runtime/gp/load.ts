// The Load File (GPCS 2.3 §11.6.2.3, Table 11-60 and C.1): what INSTALL [for load] announces and
// the LOAD blocks carry — optional DAP blocks (E2), then the Load File Data Block (C4), whose value
// is the CAP components in load order (JCVM 6.2). The blocks are collected in RAM (here: host
// memory, lost at reset like transient memory); nothing reaches card memory before the last
// block is in and the package links.

import { createHash } from 'node:crypto';
import { equalBytes, hex } from '../../loader/bytes.ts';
import { splitComponents } from '../../loader/cap/archive.ts';
import type { CapFile } from '../../loader/cap/components.ts';
import { decodeCap } from '../../loader/cap/decode.ts';
import { concat } from './crypto.ts';
import { type DapBlock, parseDapBlock } from './dap.ts';
import { berLength, readTlv } from './tlv.ts';

/** JCVM 6.2: the order components are loaded in (Descriptor and Debug last, Static Resources after them). */
export const LOAD_ORDER = [1, 2, 4, 3, 6, 7, 8, 10, 5, 9, 11, 13, 12];

/** A CAP file's components, in load order, as one Load File Data Block (C4 ‖ length ‖ components). */
export function loadFileDataBlock(components: ReadonlyMap<number, Uint8Array>, withDebug = false): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const tag of LOAD_ORDER) {
    const c = components.get(tag);
    if (c && (tag !== 12 || withDebug)) parts.push(c);
  }
  const value = concat(...parts);
  return concat([0xc4], berLength(value.length), value);
}

/** The hash algorithms INSTALL [for load] may name by the hash length (GPCS 11.5.2.3.1: SHA-1, SHA-2). */
const HASH_BY_LENGTH: Record<number, string> = { 20: 'sha1', 32: 'sha256', 48: 'sha384', 64: 'sha512' };

export function hashLengthSupported(n: number): boolean {
  return n === 0 || HASH_BY_LENGTH[n] !== undefined;
}

/** A load announced by INSTALL [for load], collecting its LOAD blocks. */
export class PendingLoad {
  private readonly blocks: Uint8Array[] = [];
  /** The block number (P2) the next LOAD must carry. */
  next = 0;

  constructor(
    readonly loadFileAid: Uint8Array,
    readonly hash: Uint8Array,
  ) {}

  add(block: Uint8Array): void {
    this.blocks.push(block.slice());
    this.next++;
  }

  /**
   * The decoded CAP file of the complete Load File, or why it is refused: a malformed file
   * (no C4, bytes after it, components that do not decode), a package AID other than the one
   * INSTALL [for load] announced, a hash that does not match the Load File Data Block.
   */
  finish(): { cap: CapFile; daps: DapBlock[] } | { error: string } {
    const file = concat(...this.blocks);
    let at = 0;
    let lfdb: Uint8Array | null = null;
    const daps: DapBlock[] = [];
    while (at < file.length) {
      const t = readTlv(file, at);
      if (!t) return { error: `malformed TLV at offset ${at} of the Load File` };
      if (t.tag === 0xe2) {
        // A DAP block (dap.ts): checked by the card manager once the hash is known to match.
        if (lfdb) return { error: 'a DAP block after the Load File Data Block' };
        const dap = parseDapBlock(t.value);
        if (!dap) return { error: 'a malformed DAP block' };
        daps.push({ sd: dap.sd.slice(), signature: dap.signature.slice() });
      } else if (t.tag === 0xc4) {
        if (lfdb) return { error: 'two Load File Data Blocks' };
        lfdb = t.value;
      } else {
        return { error: `unexpected tag ${t.tag.toString(16)} in the Load File` };
      }
      at = t.end;
    }
    if (!lfdb) return { error: 'no Load File Data Block (tag C4)' };
    if (daps.length > 0 && this.hash.length === 0) return { error: 'DAP blocks without the Load File Data Block hash in INSTALL [for load]' };
    if (this.hash.length > 0) {
      const algo = HASH_BY_LENGTH[this.hash.length]!;
      const digest = new Uint8Array(createHash(algo).update(lfdb).digest());
      if (!equalBytes(digest, this.hash)) return { error: `the Load File Data Block hash (${algo}) does not match INSTALL [for load]` };
    }
    let cap: CapFile;
    try {
      cap = decodeCap(splitComponents(lfdb));
    } catch (e) {
      if (e instanceof Error) return { error: e.message }; // CapFormatError, and whatever else malformed components make decodeCap throw
      throw e;
    }
    if (!equalBytes(cap.header.package.AID, this.loadFileAid)) {
      return { error: `the package AID ${hex(cap.header.package.AID)} is not the Load File AID ${hex(this.loadFileAid)} of INSTALL [for load]` };
    }
    return { cap, daps };
  }
}
