// The ISO/IEC 7816-4 file-system application (issue 8, item 6), a native application in the
// manner of Small-OS: selected by its AID like an applet, then SELECT by file identifier, DF
// name and path, READ/UPDATE BINARY, READ/UPDATE RECORD, VERIFY, GET CHALLENGE, INTERNAL and
// EXTERNAL AUTHENTICATE over the file system of runtime/fs/layout.ts. Every interpretation of
// the standard taken here is listed in runtime/fs/README.md.

import { createCipheriv, randomBytes } from 'node:crypto';
import { equalBytes, fromHex } from '../../loader/bytes.ts';
import { parseCommand, type ParsedCommand } from '../apdu.ts';
import { secretEquals } from '../constant-time.ts';
import type { Jcre } from '../jcre.ts';
import type { NativeApplication } from '../native-app.ts';
import {
  AC_ALWAYS, AC_MF, AC_NEVER, FileType, MF_FID, SECRET_AES128, SECRET_PIN, SECRET_RECORD, SECRET_SLOT, STATE_UNCHANGED, type FileHeader,
  SEC_ENTRY, SEC_FAILURE, SEC_KIND, SEC_LEN, SEC_MAX, SEC_REF, SEC_SUCCESS, SEC_TRIES, SEC_VALUE,
} from './layout.ts';
import { FsStore } from './store.ts';

/** The file system application's AID (proprietary RID F0 4A 43 56 4D, "JCVM"; then "FS", 00 01). */
export const DEFAULT_FS_AID = fromHex('F04A43564D46530001');

/** An answer ending the command: SW1 SW2 after optional data. */
function answer(sw: number, data?: Uint8Array): Uint8Array {
  const out = new Uint8Array((data?.length ?? 0) + 2);
  if (data) out.set(data);
  out[out.length - 2] = sw >> 8;
  out[out.length - 1] = sw & 0xff;
  return out;
}

/** BER-TLV with a one-byte length (every FCP object here is shorter than 128 bytes). */
function tlv(tag: number, value: ArrayLike<number>): number[] {
  return [tag, value.length, ...Array.from(value)];
}

/**
 * What the file system keeps for one logical channel it is selected on (ISO/IEC 7816-4 7.1.2:
 * each channel has its own current DF and EF and its own security status; runtime/fs/README.md).
 * Made at selection, dropped at deselection, channel close and reset. There is no record
 * pointer (READ RECORD mode 04 only), so no current record to keep.
 */
class ChannelState {
  currentDf = 0;
  currentEf = -1;
  /** The security states: the MF's and the current DF's (when it is not the MF). */
  mfState = 0;
  dfState = 0;
  /** The last GET CHALLENGE's challenge on this channel: valid for the channel's next command only. */
  challenge: Uint8Array | null = null;
}

export class FileSystemApp implements NativeApplication {
  private store: FsStore | null = null;
  /** The RAM state of each logical channel the application is selected on, by channel number. */
  private readonly channels = new Map<number, ChannelState>();
  /** The state of the channel whose command is being processed (select() and process() set it). */
  private ch = new ChannelState();

  constructor(
    private readonly rt: Jcre,
    readonly aid: Uint8Array = DEFAULT_FS_AID,
    private readonly random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n)),
  ) {}

  /** The card's file system (looked up in card memory until one exists). */
  private fs(): FsStore | null {
    if (!this.store || !this.store.object) this.store = FsStore.find(this.rt);
    return this.store;
  }

  // --- NativeApplication ----------------------------------------------------------------

  /**
   * SELECT on `channel` (by AID, or by the JCRE for MANAGE CHANNEL open): a new state for the
   * channel, whatever it had. ISO/IEC 7816-4 7.1.2: a channel opened from another channel than
   * the basic one starts with that channel's current DF and security status (a copy); otherwise
   * with the MF and the states of power-up.
   */
  select(cmd: Uint8Array, channel: number, openedFrom?: number): Uint8Array {
    const fs = this.fs();
    if (!fs) return answer(0x6a82); // no file system personalised: nothing to select
    const st = new ChannelState();
    const from = openedFrom === undefined ? undefined : this.channels.get(openedFrom);
    if (from) {
      st.currentDf = from.currentDf; // no current EF: the standard names the DF only
      st.mfState = from.mfState;
      st.dfState = from.dfState;
    }
    this.channels.set(channel, (this.ch = st));
    return this.fileResponse(fs.files[st.currentDf]!, cmd[3]! & 0x0c);
  }

  /** Deselection on a channel drops that channel's state only (7.1.2: its security status is lost). */
  deselect(channel: number): void {
    this.channels.delete(channel);
  }

  reset(): void {
    this.channels.clear();
    this.ch = new ChannelState();
  }

  roots(): number[] {
    const fs = this.fs();
    return fs ? [fs.handle] : [];
  }

  /** The state on a channel (for tests and diagnostics): current DF and EF (file indexes), the MF's and the DF's security states; null when not selected there. */
  stateOn(channel: number): { mf: number; df: number; currentDf: number; currentEf: number } | null {
    const st = this.channels.get(channel);
    return st ? { mf: st.mfState, df: st.dfState, currentDf: st.currentDf, currentEf: st.currentEf } : null;
  }

  process(cmd: Uint8Array, channel: number): Uint8Array {
    let st = this.channels.get(channel);
    if (!st) this.channels.set(channel, (st = new ChannelState())); // not through select(): as if just selected
    this.ch = st;
    const challenge = st.challenge;
    st.challenge = null;
    const fs = this.fs();
    if (!fs) return answer(0x6985);
    const p = parseCommand(cmd);
    if (!p || p.extended) return answer(0x6700); // short APDUs only
    const cla = cmd[0]!, ins = cmd[1]!;
    if (cla & 0x80) return answer(0x6e00);
    // The first interindustry class (0x) has SM in b4-b3; the further one (4x-7x, channels 4-19) in b6.
    if (cla & (cla & 0x40 ? 0x20 : 0x0c)) return answer(0x6882); // secure messaging: not supported
    if (cla & 0x10) return answer(0x6884); // command chaining: not supported
    const c: Command = { p1: cmd[2]!, p2: cmd[3]!, data: cmd.subarray(p.dataOffset, p.dataOffset + p.nc), p };
    switch (ins) {
      case 0xa4: return this.selectFile(fs, c);
      case 0xb0: return this.readBinary(fs, c);
      case 0xd6: return this.updateBinary(fs, c);
      case 0xb2: return this.readRecord(fs, c);
      case 0xdc: return this.updateRecord(fs, c);
      case 0x20: return this.verify(fs, c);
      case 0x88: return this.internalAuthenticate(fs, c);
      case 0x84: return this.getChallenge(c);
      case 0x82: return this.externalAuthenticate(fs, c, challenge);
      default: return answer(0x6d00);
    }
  }

  // --- SELECT (ISO/IEC 7816-4 7.1.1) ----------------------------------------------------

  private selectFile(fs: FsStore, c: Command): Uint8Array {
    const { p1, p2, data } = c;
    if ((p2 & 0xf3) !== 0) return answer(0x6a86); // first or only occurrence; b4b3 the response
    const files = fs.files;
    const fid = data.length === 2 ? (data[0]! << 8) | data[1]! : -1;
    let target: FileHeader | undefined;
    switch (p1) {
      case 0x00: // MF, DF or EF by file identifier (empty data: the MF)
        if (data.length === 0 || fid === MF_FID) target = files[0];
        else if (data.length !== 2) return answer(0x6a87);
        else target = this.findByFid(fs, fid);
        break;
      case 0x01: // child DF
        if (data.length !== 2) return answer(0x6a87);
        target = this.children(fs, this.ch.currentDf).find((f) => f.fid === fid && f.type === FileType.DF);
        break;
      case 0x02: // EF under the current DF
        if (data.length !== 2) return answer(0x6a87);
        target = this.children(fs, this.ch.currentDf).find((f) => f.fid === fid && f.type !== FileType.DF);
        break;
      case 0x03: // parent DF of the current DF
        if (data.length !== 0) return answer(0x6a87);
        target = this.ch.currentDf === 0 ? undefined : files[files[this.ch.currentDf]!.parent];
        break;
      case 0x04: // DF name (exact match)
        if (data.length < 1 || data.length > 16) return answer(0x6a87);
        target = files.find((f) => f.type === FileType.DF && f.name.length > 0 && equalBytes(f.name, data));
        break;
      case 0x08: // path from the MF (a leading 3F00 is accepted)
      case 0x09: { // path from the current DF
        if (data.length < 2 || data.length % 2 !== 0) return answer(0x6a87);
        let at = p1 === 0x08 ? 0 : this.ch.currentDf;
        const start = p1 === 0x08 && ((data[0]! << 8) | data[1]!) === MF_FID ? 2 : 0;
        if (start === data.length) {
          target = files[0]; // the path 3F00: the MF
          break;
        }
        for (let i = start; i < data.length; i += 2) {
          const id = (data[i]! << 8) | data[i + 1]!;
          const last = i + 2 === data.length;
          const next = this.children(fs, at).find((f) => f.fid === id && (last || f.type === FileType.DF));
          if (!next) return answer(0x6a82);
          if (last) target = next;
          else at = next.index;
        }
        break;
      }
      default:
        return answer(0x6a86);
    }
    if (!target) return answer(0x6a82);
    const df = target.type === FileType.DF ? target.index : target.parent;
    if (df !== this.ch.currentDf) this.ch.dfState = 0; // a DF's security state lasts while it is current
    this.ch.currentDf = df;
    this.ch.currentEf = target.type === FileType.DF ? -1 : target.index;
    return this.fileResponse(target, p2 & 0x0c);
  }

  /** P1 00: the current DF itself, its children, its parent, then the parent's child DFs. */
  private findByFid(fs: FsStore, fid: number): FileHeader | undefined {
    const cur = fs.files[this.ch.currentDf]!;
    if (cur.fid === fid) return cur;
    const child = this.children(fs, cur.index).find((f) => f.fid === fid);
    if (child || cur.parent === 0xff) return child;
    const parent = fs.files[cur.parent]!;
    if (parent.fid === fid) return parent;
    return this.children(fs, parent.index).find((f) => f.fid === fid && f.type === FileType.DF);
  }

  /** The selectable children of a directory (the internal secret EF is never one). */
  private children(fs: FsStore, dir: number): FileHeader[] {
    return fs.files.filter((f) => f.parent === dir && f.type !== FileType.Secrets);
  }

  /** P2 b4b3: 00 FCI (6F), 04 FCP (62), 08 FMD (64, empty here), 0C no data. */
  private fileResponse(f: FileHeader, kind: number): Uint8Array {
    if (kind === 0x0c) return answer(0x9000);
    if (kind === 0x08) return answer(0x9000, Uint8Array.of(0x64, 0x00));
    const objects: number[] = [];
    if (f.type === FileType.DF) {
      objects.push(...tlv(0x82, [0x38]), ...tlv(0x83, [f.fid >> 8, f.fid & 0xff]));
      if (f.name.length) objects.push(...tlv(0x84, f.name));
    } else {
      const bytes = f.type === FileType.Transparent ? f.size : f.size * f.count;
      objects.push(...tlv(0x80, [bytes >> 8, bytes & 0xff]));
      objects.push(...tlv(0x82, f.type === FileType.Transparent ? [0x01] : [0x02, 0x21, f.size >> 8, f.size & 0xff, f.count]));
      objects.push(...tlv(0x83, [f.fid >> 8, f.fid & 0xff]));
      if (f.sfi) objects.push(...tlv(0x88, [f.sfi << 3]));
    }
    objects.push(...tlv(0x8a, [0x05])); // life cycle: operational, activated
    if (f.type !== FileType.DF) objects.push(...tlv(0x86, [f.read, f.write])); // proprietary security attributes
    return answer(0x9000, Uint8Array.from(tlv(kind === 0x04 ? 0x62 : 0x6f, objects)));
  }

  // --- access conditions ----------------------------------------------------------------

  private stateOf(dir: number): number {
    return dir === 0 ? this.ch.mfState : dir === this.ch.currentDf ? this.ch.dfState : 0;
  }

  private setState(dir: number, state: number): void {
    if (state === STATE_UNCHANGED) return;
    if (dir === 0) this.ch.mfState = state;
    else if (dir === this.ch.currentDf) this.ch.dfState = state;
  }

  /** An access condition byte against the states: the file's own directory's, or the MF's (bit 8). */
  private satisfied(ac: number, dir: number): boolean {
    if (ac === AC_ALWAYS) return true;
    if (ac === AC_NEVER) return false;
    return this.stateOf(ac & AC_MF ? 0 : dir) >= (ac & 0x7f);
  }

  // --- READ / UPDATE BINARY (7.2.3, 7.2.5) ----------------------------------------------

  /** P1 b8 = 1: short EF identifier in b5-b1 (made current), offset P2; else a 15-bit offset. */
  private binaryTarget(fs: FsStore, c: Command): { ef: FileHeader; offset: number } | Uint8Array {
    let offset: number;
    if (c.p1 & 0x80) {
      const sfi = c.p1 & 0x1f;
      if (c.p1 & 0x60 || sfi === 0) return answer(0x6a86);
      const ef = this.bySfi(fs, sfi);
      if (!ef) return answer(0x6a82);
      this.ch.currentEf = ef.index;
      offset = c.p2;
    } else offset = (c.p1 << 8) | c.p2;
    if (this.ch.currentEf < 0) return answer(0x6986);
    const ef = fs.files[this.ch.currentEf]!;
    if (ef.type !== FileType.Transparent) return answer(0x6981);
    return { ef, offset };
  }

  private bySfi(fs: FsStore, sfi: number): FileHeader | undefined {
    return this.children(fs, this.ch.currentDf).find((f) => f.sfi === sfi && f.type !== FileType.DF);
  }

  private readBinary(fs: FsStore, c: Command): Uint8Array {
    if (!c.p.hasLe || c.data.length) return answer(0x6700);
    const t = this.binaryTarget(fs, c);
    if (t instanceof Uint8Array) return t;
    if (!this.satisfied(t.ef.read, t.ef.parent)) return answer(0x6982);
    if (t.offset >= t.ef.size) return answer(0x6b00);
    return readOut(fs.read(t.ef.body + t.offset, Math.min(c.p.ne, t.ef.size - t.offset)), c.p);
  }

  private updateBinary(fs: FsStore, c: Command): Uint8Array {
    if (c.data.length === 0) return answer(0x6700);
    const t = this.binaryTarget(fs, c);
    if (t instanceof Uint8Array) return t;
    if (!this.satisfied(t.ef.write, t.ef.parent)) return answer(0x6982);
    if (t.offset >= t.ef.size) return answer(0x6b00);
    if (t.offset + c.data.length > t.ef.size) return answer(0x6a84);
    fs.write(t.ef.body + t.offset, c.data, true); // all or nothing
    return answer(0x9000);
  }

  // --- READ / UPDATE RECORD (7.3.3, 7.3.5) ----------------------------------------------

  /** P1 the record number, P2 b8-b4 a short EF identifier (0: the current EF), b3-b1 100 (record P1). */
  private recordTarget(fs: FsStore, c: Command): { ef: FileHeader; at: number } | Uint8Array {
    const sfi = c.p2 >> 3;
    if ((c.p2 & 0x07) !== 0x04 || sfi === 0x1f) return answer(0x6a86);
    if (sfi) {
      const ef = this.bySfi(fs, sfi);
      if (!ef) return answer(0x6a82);
      this.ch.currentEf = ef.index;
    }
    if (this.ch.currentEf < 0) return answer(0x6986);
    const ef = fs.files[this.ch.currentEf]!;
    if (ef.type !== FileType.LinearFixed) return answer(0x6981);
    return { ef, at: c.p1 };
  }

  private readRecord(fs: FsStore, c: Command): Uint8Array {
    if (!c.p.hasLe || c.data.length) return answer(0x6700);
    const t = this.recordTarget(fs, c);
    if (t instanceof Uint8Array) return t;
    if (!this.satisfied(t.ef.read, t.ef.parent)) return answer(0x6982);
    if (t.at === 0 || t.at > t.ef.count) return answer(0x6a83);
    return readOut(fs.read(t.ef.body + (t.at - 1) * t.ef.size, Math.min(c.p.ne, t.ef.size)), c.p, t.ef.size);
  }

  private updateRecord(fs: FsStore, c: Command): Uint8Array {
    const t = this.recordTarget(fs, c);
    if (t instanceof Uint8Array) return t;
    if (!this.satisfied(t.ef.write, t.ef.parent)) return answer(0x6982);
    if (t.at === 0 || t.at > t.ef.count) return answer(0x6a83);
    if (c.data.length !== t.ef.size) return answer(0x6700);
    fs.write(t.ef.body + (t.at - 1) * t.ef.size, c.data, true); // all or nothing
    return answer(0x9000);
  }

  // --- secrets: VERIFY (7.5.6), INTERNAL / EXTERNAL AUTHENTICATE (7.5.2, 7.5.4) ----------

  /**
   * P2 b8 = 0: a secret of the MF; 1: of the current DF; b5-b1 its reference; b7-b6 00.
   * Returns the secret's directory and the offset of its record, or an answer.
   */
  private secret(fs: FsStore, p2: number, kind: number): { dir: number; rec: number } | Uint8Array {
    const ref = p2 & 0x1f;
    if (p2 & 0x60 || ref === 0) return answer(0x6a86);
    const dir = p2 & 0x80 ? this.ch.currentDf : 0;
    const ef = fs.files.find((f) => f.parent === dir && f.type === FileType.Secrets);
    for (let i = 0; ef && i < ef.count; i++) {
      const rec = ef.body + i * SECRET_RECORD;
      if (fs.byte(rec + SEC_REF) === ref && fs.byte(rec + SEC_KIND) === kind) return { dir, rec };
    }
    return answer(0x6a88);
  }

  /**
   * Issue 8, item 7: the try counter is decremented and written before the comparison, and
   * written back to its maximum only on success, so a power loss anywhere never gives a free
   * try; the comparison reads every byte whatever the values.
   */
  private present(fs: FsStore, dir: number, rec: number, matches: () => boolean): Uint8Array {
    const left = fs.byte(rec + SEC_TRIES) - 1;
    fs.writeByte(rec + SEC_TRIES, left);
    if (matches()) {
      fs.writeByte(rec + SEC_TRIES, fs.byte(rec + SEC_MAX));
      this.setState(dir, fs.byte(rec + SEC_SUCCESS));
      return answer(0x9000);
    }
    this.setState(dir, fs.byte(rec + SEC_FAILURE));
    return answer(0x63c0 | left);
  }

  /** Blocked (6983), then the entry condition (6982). */
  private usable(fs: FsStore, dir: number, rec: number): Uint8Array | null {
    if (fs.byte(rec + SEC_TRIES) === 0) return answer(0x6983);
    if (!this.satisfied(fs.byte(rec + SEC_ENTRY), dir)) return answer(0x6982);
    return null;
  }

  private verify(fs: FsStore, c: Command): Uint8Array {
    if (c.p1 !== 0) return answer(0x6a86);
    const s = this.secret(fs, c.p2, SECRET_PIN);
    if (s instanceof Uint8Array) return s;
    if (c.data.length === 0) {
      const tries = fs.byte(s.rec + SEC_TRIES);
      return answer(tries === 0 ? 0x6983 : 0x63c0 | tries);
    }
    const refused = this.usable(fs, s.dir, s.rec);
    if (refused) return refused;
    const given = c.data;
    return this.present(fs, s.dir, s.rec, () => secretEquals(fs.view(), s.rec + SEC_VALUE, fs.byte(s.rec + SEC_LEN), given, 0, given.length, SECRET_SLOT));
  }

  private key(fs: FsStore, rec: number): Uint8Array {
    return fs.read(rec + SEC_VALUE, 16);
  }

  private internalAuthenticate(fs: FsStore, c: Command): Uint8Array {
    if (c.p1 !== 0) return answer(0x6a86);
    const s = this.secret(fs, c.p2, SECRET_AES128);
    if (s instanceof Uint8Array) return s;
    if (c.data.length !== 16) return answer(0x6700);
    const refused = this.usable(fs, s.dir, s.rec);
    if (refused) return refused;
    return answer(0x9000, aes128(this.key(fs, s.rec), c.data));
  }

  private getChallenge(c: Command): Uint8Array {
    if (c.p1 !== 0 || c.p2 !== 0) return answer(0x6a86);
    if (!c.p.hasLe || c.data.length || (c.p.ne !== 16 && c.p.ne !== 256)) return answer(0x6700);
    this.ch.challenge = this.random(16);
    return answer(0x9000, this.ch.challenge);
  }

  private externalAuthenticate(fs: FsStore, c: Command, challenge: Uint8Array | null): Uint8Array {
    if (c.p1 !== 0) return answer(0x6a86);
    const s = this.secret(fs, c.p2, SECRET_AES128);
    if (s instanceof Uint8Array) return s;
    if (c.data.length !== 16) return answer(0x6700);
    if (!challenge) return answer(0x6985); // no GET CHALLENGE just before
    const refused = this.usable(fs, s.dir, s.rec);
    if (refused) return refused;
    const expected = aes128(this.key(fs, s.rec), challenge);
    const given = c.data;
    return this.present(fs, s.dir, s.rec, () => secretEquals(expected, 0, 16, given, 0, given.length, 16));
  }
}

interface Command {
  p1: number;
  p2: number;
  data: Uint8Array;
  p: ParsedCommand;
}

/**
 * Data read for a command with Le: 9000 when Le was 00 (as many as there are, up to 256) or
 * when the bytes fill Ne; 6282 (end of file or record before Ne bytes) otherwise.
 */
function readOut(bytes: Uint8Array, p: ParsedCommand, available = bytes.length): Uint8Array {
  const short = p.ne !== 256 && p.ne > Math.max(bytes.length, available);
  return answer(short ? 0x6282 : 0x9000, bytes);
}

/** AES-128 of one 16-byte block (ECB: one block, no chaining, no padding). */
function aes128(key: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(block), c.final()]));
}

