// Persistent memory as a card has it (DESIGN.md "Card memory is memory"): one byte image
// with a block allocator, a commit buffer (the transaction journal) inside the image, a
// counter of persistent writes, and power loss ("tearing") at any chosen write.
//
// Layout (all numbers little-endian, as the typed-array views that objects use):
//   [0, 64)                     OS tables: magic, version, OS state, sizes, region offsets,
//                               protected by a CRC-32 at 60 that power-up checks (self-test)
//   [64, 128)                   the manufacturing record: written once by the chip maker
//   [journal, journal+jsize)    commit buffer: state u32, used u32, entries
//   [heap, size)                blocks: u32 USED | kind << 24 | size, then the block's bytes
// Every write to the image goes through `write*` or `beforeWrite`, so that the write
// counter, the wear of each page, tearing and the journal see all of them.

import { crc32 } from 'node:zlib';

export const MAGIC = 0x4d56434a; // "JCVM"
export const FORMAT_VERSION = 2;
const HEADER = 64;
/** Offset of the OS tables' CRC-32 (over [0, 60)). */
const TABLES_CRC = 60;
export const MANUFACTURING = { start: 64, size: 64 } as const;
const BLOCK_HEADER = 4;
const USED = 0x80000000;
const SIZE_MASK = 0x00ffffff;
const ALIGN = 4;
/** EEPROM page: the unit that is erased and programmed (the wear and time model counts pages). */
export const PAGE = 64;

/** What a heap block holds (the memory map shows them as regions). */
export const enum BlockKind {
  Object = 1,
  StaticImage = 2,
  Code = 3,
  File = 4,
  Os = 5,
}

/** OS tables fields (offsets in the image). */
export const TABLE = { osState: 6, completionFailures: 7 } as const;

/** Journal states. */
const enum Journal {
  Idle = 0,
  /** Entries hold old values: recovery rolls them back. */
  Open = 1,
}

/** The card lost power at a persistent write (tearing). Nothing after it happened. */
export class PowerLoss extends Error {
  constructor(readonly writeIndex: number) {
    super(`power lost at persistent write ${writeIndex}`);
    this.name = 'PowerLoss';
  }
}

/** Out of persistent memory or commit buffer. */
export class MemoryFull extends Error {
  constructor(
    readonly what: 'heap' | 'journal',
    message: string,
  ) {
    super(message);
    this.name = 'MemoryFull';
  }
}

export interface EepromOptions {
  /** Image size in bytes (default 256 KiB). */
  size?: number;
  /** Commit buffer size in bytes (default 4 KiB). */
  journalSize?: number;
}

export class Eeprom {
  readonly buffer: ArrayBuffer;
  readonly bytes: Uint8Array;
  /** The same buffer as 32-bit words: the journal's fields and entry headers are word-aligned. */
  private readonly words: Uint32Array;
  private readonly view: DataView;
  readonly size: number;
  readonly journalStart: number;
  readonly journalSize: number;
  readonly heapStart: number;

  /** Persistent writes since power-up (each element or field store counts one). */
  writes = 0;
  /** Program cycles of each page (EEPROM wear), and the bytes written: the cost model's inputs. */
  readonly pageWrites: Int32Array;
  bytesWritten = 0;
  /**
   * Count the wear of every write (pageWrites, pagesProgrammed, bytesWritten): the EEPROM cost
   * model, a diagnostic a card option turns on (it costs a few nanoseconds a write).
   */
  wearModel = false;
  /** Page programs in all: the cost model's page term (the sum of pageWrites, counted when asked). */
  get pagesProgrammed(): number {
    let n = 0;
    for (const w of this.pageWrites) n += w;
    return n;
  }
  /** Write index at which power is lost (tearing), or -1. */
  tearAt = -1;
  /** Called when a journalled write does not fit (the JCRE throws TransactionException BUFFER_FULL). */
  onJournalFull: (() => never) | null = null;
  /** Power was lost: nothing more is written until the next power-up (`recover`). */
  powerLost = false;
  /** Whether writes are being journalled (a transaction or an atomic API operation). */
  journalling = false;

  constructor(options: EepromOptions | ArrayBuffer = {}) {
    if (options instanceof ArrayBuffer) {
      this.buffer = options;
      this.bytes = new Uint8Array(options);
      this.words = new Uint32Array(options, 0, options.byteLength >> 2);
      this.view = new DataView(options);
      this.checkHeader();
      this.size = this.view.getUint32(8, true);
      this.journalStart = this.view.getUint32(12, true);
      this.journalSize = this.view.getUint32(16, true);
      this.heapStart = this.view.getUint32(20, true);
      this.pageWrites = new Int32Array(Math.ceil(this.size / PAGE));
      if (this.journalStart !== MANUFACTURING.start + MANUFACTURING.size || this.journalSize < 8 || this.journalSize % 4 || this.heapStart !== this.journalStart + this.journalSize || this.heapStart + 64 > this.size) {
        throw new Error(`persistent memory image header: regions do not fit (journal at ${this.journalStart}, ${this.journalSize} bytes; heap at ${this.heapStart} of ${this.size})`);
      }
      return;
    }
    this.size = options.size ?? 256 * 1024;
    this.journalSize = ((options.journalSize ?? 4096) + 3) & ~3; // word-aligned: the heap after it is too
    if (!Number.isInteger(this.size) || this.size % ALIGN || this.size < 1024 || this.size > 16 * 1024 * 1024) throw new RangeError(`persistent memory of ${this.size} bytes: 1 KiB to 16 MiB, a multiple of 4`);
    this.pageWrites = new Int32Array(Math.ceil(this.size / PAGE));
    this.buffer = new ArrayBuffer(this.size);
    this.bytes = new Uint8Array(this.buffer);
    this.words = new Uint32Array(this.buffer, 0, this.size >> 2);
    this.view = new DataView(this.buffer);
    this.journalStart = MANUFACTURING.start + MANUFACTURING.size;
    this.heapStart = this.journalStart + this.journalSize;
    if (this.heapStart + 64 > this.size) throw new RangeError('the commit buffer leaves no room for the heap');
    const v = this.view;
    v.setUint32(0, MAGIC, true);
    v.setUint16(4, FORMAT_VERSION, true);
    v.setUint32(8, this.size, true);
    v.setUint32(12, this.journalStart, true);
    v.setUint32(16, this.journalSize, true);
    v.setUint32(20, this.heapStart, true);
    v.setUint32(24, MANUFACTURING.start, true);
    v.setUint32(28, MANUFACTURING.size, true);
    v.setUint32(TABLES_CRC, this.tablesCrc(), true);
    // one free block spanning the heap
    v.setUint32(this.heapStart, this.size - this.heapStart, true);
  }

  // --- OS tables and the manufacturing record ----------------------------------------------

  private tablesCrc(): number {
    return crc32(this.bytes.subarray(0, TABLES_CRC)) >>> 0;
  }

  /** Self-test: the OS tables are what their CRC says (a flipped bit anywhere in them fails). */
  tablesIntact(): boolean {
    return this.view.getUint32(TABLES_CRC, true) === this.tablesCrc();
  }

  /** A byte of the OS tables. */
  table8(offset: number): number {
    return this.bytes[offset]!;
  }

  /** Write a byte of the OS tables and their CRC: two counted writes (a tear between them fails the next self-test). */
  setTable8(offset: number, value: number): void {
    if (offset >= TABLES_CRC || offset < 6 || (offset >= 8 && offset < 32)) throw new RangeError(`OS table offset ${offset} is not a settable field`);
    this.beforeWrite(offset, 1);
    this.bytes[offset] = value;
    this.beforeWrite(TABLES_CRC, 4);
    this.view.setUint32(TABLES_CRC, this.tablesCrc(), true);
  }

  /** The manufacturing record as written by the chip maker (64 bytes; the last is the write-once lock). */
  get manufacturing(): Uint8Array {
    return this.bytes.subarray(MANUFACTURING.start, MANUFACTURING.start + MANUFACTURING.size);
  }

  /** Write the manufacturing record, once: the region locks itself (its last byte) and refuses a second write. */
  writeManufacturing(record: Uint8Array): void {
    const lock = MANUFACTURING.start + MANUFACTURING.size - 1;
    if (this.bytes[lock] === LOCKED) throw new Error('the manufacturing record is write-once and already written');
    if (record.length > MANUFACTURING.size - 1) throw new RangeError(`a manufacturing record has at most ${MANUFACTURING.size - 1} bytes`);
    this.beforeWrite(MANUFACTURING.start, record.length);
    this.bytes.set(record, MANUFACTURING.start);
    this.beforeWrite(lock, 1);
    this.bytes[lock] = LOCKED;
  }

  private checkHeader(): void {
    const v = this.view;
    if (this.buffer.byteLength < HEADER || v.getUint32(0, true) !== MAGIC) throw new Error('not a jcvm persistent memory image (bad magic)');
    const version = v.getUint16(4, true);
    if (version !== FORMAT_VERSION) throw new Error(`persistent memory image format ${version}; this jcvm reads format ${FORMAT_VERSION}`);
    if (v.getUint32(8, true) !== this.buffer.byteLength) throw new Error('persistent memory image size does not match its header');
  }

  // --- the write path -------------------------------------------------------------------

  /**
   * Called before every persistent write of `length` bytes at `offset`: counts the write,
   * loses power if this is the write to tear at, and journals the old bytes when a
   * transaction (or an atomic operation) is open.
   */
  beforeWrite(offset: number, length: number): void {
    const index = this.writes++;
    if (this.journalling) {
      // The journal's entries say what was written: commit and rollback count their wear.
      this.log(offset, length);
      if (index === this.tearAt || this.powerLost) this.losePower(index);
      return;
    }
    if (index === this.tearAt || this.powerLost) this.losePower(index);
    if (this.wearModel) this.wear(offset, length);
  }

  /** Count the pages a write of `length` bytes at `offset` programs, and its bytes. */
  wear(offset: number, length: number): void {
    const first = offset >>> 6;
    const last = length > 1 ? (offset + length - 1) >>> 6 : first;
    const pages = this.pageWrites;
    pages[first]!++;
    for (let p = first + 1; p <= last; p++) pages[p]!++;
    this.bytesWritten += length;
  }

  /**
   * A persistent write that is never journalled, even inside a transaction
   * (Util.arrayCopyNonAtomic, arrayFillNonAtomic): counted, and it can be torn.
   */
  beforeWriteUnlogged(offset: number, length: number): void {
    const index = this.writes++;
    if (index === this.tearAt || this.powerLost) this.losePower(index);
    if (this.wearModel) this.wear(offset, length);
  }

  losePower(index: number): never {
    this.powerLost = true;
    this.tearAt = -1;
    throw new PowerLoss(index);
  }

  write8(offset: number, value: number): void {
    this.beforeWrite(offset, 1);
    this.bytes[offset] = value;
  }

  write16(offset: number, value: number): void {
    this.beforeWrite(offset, 2);
    this.view.setInt16(offset, value, true);
  }

  write32(offset: number, value: number): void {
    this.beforeWrite(offset, 4);
    this.view.setInt32(offset, value, true);
  }

  read16(offset: number): number {
    return this.view.getInt16(offset, true);
  }

  read32(offset: number): number {
    return this.view.getInt32(offset, true);
  }

  // --- the commit buffer (JCRE 7: transactions) -----------------------------------------

  get inTransaction(): boolean {
    return this.journalling;
  }

  /** Bytes of commit buffer an entry of `length` bytes takes: two header words, the bytes, padding. */
  static entrySize(length: number): number {
    return 8 + ((length + 3) & ~3);
  }

  get journalUsed(): number {
    return this.words[(this.journalStart + 4) >> 2]!;
  }

  /** journalUsed, cached while a journal is open (the image word stays the truth). */
  private used = 0;

  /** Commit buffer bytes available for entries. */
  get journalCapacity(): number {
    return this.journalSize - 8;
  }

  begin(): void {
    if (this.journalling) throw new Error('journal already open');
    // The state word and the used count are journal metadata: written without journalling,
    // but counted as writes (they wear the EEPROM and can be torn like any other).
    this.meta(this.journalStart + 4, 0);
    this.used = 0;
    this.meta(this.journalStart, Journal.Open);
    this.journalling = true;
  }

  /** Make the journalled writes permanent: one write of the state word is the commit point. */
  commit(): void {
    if (!this.journalling) throw new Error('no journal open');
    if (this.wearModel) this.wearOfJournal();
    this.journalling = false;
    this.meta(this.journalStart, Journal.Idle);
  }

  /** Roll back every journalled write (newest first), then close the journal. */
  abort(): void {
    if (!this.journalling && this.words[this.journalStart >> 2] !== Journal.Open) throw new Error('no journal open');
    this.journalling = false;
    this.rollback();
  }

  /**
   * Power-up recovery: an open journal means power was lost inside a transaction or an
   * atomic operation; its old values are restored.
   * @returns whether anything was rolled back
   */
  recover(): boolean {
    this.journalling = false;
    this.powerLost = false;
    if (this.words[this.journalStart >> 2] !== Journal.Open) return false;
    this.rollback();
    return true;
  }

  /** The wear of the journalled writes (each entry: the entry written, then the data): counted once, at commit or rollback. */
  private wearOfJournal(): void {
    const w = this.words, pages = this.pageWrites;
    const start = this.journalStart + 8, end = start + this.journalUsed;
    let bytes = 0;
    for (let at = start; at < end; ) {
      const offset = w[at >> 2]!, length = w[(at >> 2) + 1]!;
      const size = 8 + ((length + 3) & ~3);
      // The entry, then the data: a write of the page each starts in, and of the pages a long
      // one spans (bytecode stores are 1 to 4 bytes: one page each).
      pages[at >>> 6]!++;
      pages[offset >>> 6]!++;
      if (length > 4) {
        for (let p = (at >>> 6) + 1, last = (at + size - 1) >>> 6; p <= last; p++) pages[p]!++;
        for (let p = (offset >>> 6) + 1, last = (offset + length - 1) >>> 6; p <= last; p++) pages[p]!++;
      }
      bytes += size + length;
      at += size;
    }
    this.bytesWritten += bytes;
  }

  private rollback(): void {
    if (this.wearModel) this.wearOfJournal();
    const entries: [number, number, number][] = [];
    const end = this.journalStart + 8 + this.journalUsed;
    for (let at = this.journalStart + 8; at < end; ) {
      const offset = this.words[at >> 2]!;
      const length = this.words[(at >> 2) + 1]!;
      entries.push([offset, length, at + 8]);
      at += Eeprom.entrySize(length);
    }
    // Newest first, so that a location written twice gets its oldest value back.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [offset, length, from] = entries[i]!;
      // Restoring wears the EEPROM too, and can be torn: the journal is still open until the
      // state word below, so the next power-up restores again (restoring is idempotent).
      const index = this.writes++;
      if (index === this.tearAt || this.powerLost) this.losePower(index);
      if (this.wearModel) this.wear(offset, length);
      this.bytes.copyWithin(offset, from, from + length);
    }
    this.meta(this.journalStart, Journal.Idle);
  }

  private log(offset: number, length: number): void {
    const used = this.used;
    const need = 8 + ((length + 3) & ~3);
    if (used + need > this.journalSize - 8) {
      this.onJournalFull?.();
      throw new MemoryFull('journal', `commit buffer full: ${used} of ${this.journalCapacity} bytes used`);
    }
    const at = this.journalStart + 8 + used;
    // Writing the entry is a persistent write of its own (it can be torn, and it wears).
    const index = this.writes++;
    if (index === this.tearAt || this.powerLost) this.losePower(index);
    const w = this.words, b = this.bytes, wi = at >> 2;
    w[wi] = offset;
    w[wi + 1] = length;
    // Element and field writes are 1 to 4 bytes: a loop beats copyWithin's call for those.
    if (length <= 8) for (let i = 0; i < length; i++) b[at + 8 + i] = b[offset + i]!;
    else b.copyWithin(at + 8, offset, offset + length);
    // The entry is complete before the used count covers it: a tear before this write
    // leaves the entry invisible, and the data write it guards has not happened yet.
    const total = used + need;
    w[(this.journalStart + 4) >> 2] = total;
    this.used = total;
  }

  private meta(offset: number, value: number): void {
    const index = this.writes++;
    if (index === this.tearAt || this.powerLost) this.losePower(index);
    if (this.wearModel) this.wear(offset, 4);
    this.words[offset >> 2] = value;
  }

  // --- the allocator --------------------------------------------------------------------

  /**
   * Allocate `length` bytes (zeroed, 4-byte aligned). Returns the offset of the bytes.
   * First fit over the block list; a block is split when the rest is large enough.
   */
  allocate(length: number, kind: BlockKind = BlockKind.Object): number {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`cannot allocate ${length} bytes`);
    const need = align(BLOCK_HEADER + Math.max(length, 0));
    const tag = (USED | (kind << 24)) >>> 0;
    for (let at = this.heapStart; at < this.size; ) {
      const word = this.view.getUint32(at, true);
      const size = this.blockSize(at);
      if ((word & USED) === 0 && size >= need) {
        const rest = size - need;
        if (rest >= BLOCK_HEADER + ALIGN) {
          this.view.setUint32(at + need, rest, true);
          this.view.setUint32(at, (need | tag) >>> 0, true);
        } else {
          this.view.setUint32(at, (size | tag) >>> 0, true);
        }
        this.bytes.fill(0, at + BLOCK_HEADER, at + (rest >= BLOCK_HEADER + ALIGN ? need : size));
        return at + BLOCK_HEADER;
      }
      at += size;
    }
    throw new MemoryFull('heap', `no free block of ${length} bytes (${this.free} bytes free in all)`);
  }

  /** Say what a used block holds (the memory map); not a card write: the kind is the allocator's bookkeeping. */
  setBlockKind(offset: number, kind: BlockKind): void {
    const at = offset - BLOCK_HEADER;
    const word = this.view.getUint32(at, true);
    if ((word & USED) === 0) throw new Error(`no used block at ${offset}`);
    this.view.setUint32(at, (USED | (kind << 24) | (word & SIZE_MASK)) >>> 0, true);
  }

  /** Free the block whose bytes start at `offset`; merges with the next free block. */
  release(offset: number): void {
    const at = offset - BLOCK_HEADER;
    const word = this.view.getUint32(at, true);
    if ((word & USED) === 0) throw new Error(`double free of persistent block at ${offset}`);
    let size = word & SIZE_MASK;
    // Freed memory keeps nothing of what it held (and a refused load leaves the image as it was).
    this.bytes.fill(0, offset, at + size);
    const next = at + size;
    if (next < this.size) {
      const n = this.view.getUint32(next, true);
      if ((n & USED) === 0) {
        size += n;
        this.view.setUint32(next, 0, true); // the merged header is free memory now
      }
    }
    this.view.setUint32(at, size, true);
  }

  /** Merge adjacent free blocks everywhere (after a collection). */
  coalesce(): void {
    let prevFree = -1;
    for (let at = this.heapStart; at < this.size; ) {
      const word = this.view.getUint32(at, true);
      const size = this.blockSize(at);
      if ((word & USED) === 0) {
        if (prevFree >= 0) {
          this.view.setUint32(prevFree, this.view.getUint32(prevFree, true) + size, true);
          this.view.setUint32(at, 0, true);
        }
        else prevFree = at;
      } else prevFree = -1;
      at += size;
    }
  }

  /** The block size at `at`; a size that cannot be is corruption, reported, never looped on. */
  private blockSize(at: number): number {
    const size = this.view.getUint32(at, true) & SIZE_MASK;
    if (size < BLOCK_HEADER || at + size > this.size) throw new Error(`persistent memory heap corrupt at offset ${at}`);
    return size;
  }

  /** Every block of the heap, in address order (the memory map). */
  *blocks(): Iterable<BlockInfo> {
    for (let at = this.heapStart; at < this.size; ) {
      const word = this.view.getUint32(at, true);
      const size = this.blockSize(at);
      yield { offset: at + BLOCK_HEADER, size, kind: word & USED ? (((word >>> 24) & 0x7f) as BlockKind) : 0 };
      at += size;
    }
  }

  /** Free bytes in the heap (the sum of free blocks' payloads). */
  get free(): number {
    let free = 0;
    for (let at = this.heapStart; at < this.size; ) {
      const word = this.view.getUint32(at, true);
      const size = this.blockSize(at);
      if ((word & USED) === 0) free += size - BLOCK_HEADER;
      at += size;
    }
    return free;
  }

  /** The largest block that can be allocated now. */
  get largestFree(): number {
    let best = 0;
    for (let at = this.heapStart; at < this.size; ) {
      const word = this.view.getUint32(at, true);
      const size = this.blockSize(at);
      if ((word & USED) === 0) best = Math.max(best, size - BLOCK_HEADER);
      at += size;
    }
    return best;
  }
}

export interface BlockInfo {
  /** Offset of the block's bytes (after its header). */
  offset: number;
  /** Bytes of the block, header and padding included. */
  size: number;
  /** 0 for a free block. */
  kind: BlockKind | 0;
}

const LOCKED = 0xa5;

function align(n: number): number {
  return (n + ALIGN - 1) & ~(ALIGN - 1);
}
