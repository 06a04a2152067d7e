// One small cursor for every binary format we read (CAP components, card images, TLVs),
// and its mirror for writing. Every read is bounds-checked and reports where it failed.

/** A malformed CAP file: names the component, the byte offset within it and the rule broken. */
export class CapFormatError extends Error {
  constructor(
    readonly component: string,
    readonly offset: number,
    readonly rule: string,
  ) {
    super(`${component} component, offset ${offset}: ${rule}`);
    this.name = 'CapFormatError';
  }
}

export class ByteReader {
  offset: number;

  /**
   * @param bytes the data; reads are confined to [start, end)
   * @param component name used in errors
   * @param base added to offsets in errors (so a sub-reader reports component offsets)
   */
  constructor(
    readonly bytes: Uint8Array,
    readonly component = 'data',
    start = 0,
    readonly end = bytes.length,
  ) {
    this.offset = start;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  fail(rule: string, at = this.offset): never {
    throw new CapFormatError(this.component, at, rule);
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.end) {
      this.fail(`truncated: ${what} needs ${n} byte(s), ${this.end - this.offset} left`);
    }
  }

  u1(what = 'u1'): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  s1(what = 's1'): number {
    return (this.u1(what) << 24) >> 24;
  }

  u2(what = 'u2'): number {
    this.need(2, what);
    const b = this.bytes, o = this.offset;
    this.offset = o + 2;
    return (b[o]! << 8) | b[o + 1]!;
  }

  s2(what = 's2'): number {
    return (this.u2(what) << 16) >> 16;
  }

  u4(what = 'u4'): number {
    return this.s4(what) >>> 0;
  }

  s4(what = 's4'): number {
    this.need(4, what);
    const b = this.bytes, o = this.offset;
    this.offset = o + 4;
    return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  }

  /** n bytes as a view (not a copy). */
  bytesView(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  /** n bytes as a copy. */
  copy(n: number, what = 'bytes'): Uint8Array {
    return this.bytesView(n, what).slice();
  }

  /** A reader over the next n bytes, sharing offsets with this one; advances past them. */
  sub(n: number, what = 'sub-structure'): ByteReader {
    this.need(n, what);
    const r = new ByteReader(this.bytes, this.component, this.offset, this.offset + n);
    this.offset += n;
    return r;
  }

  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.offset += n;
  }

  /** Throws unless every byte of the range was consumed. */
  expectEnd(what = 'structure'): void {
    if (this.offset !== this.end) {
      this.fail(`${this.end - this.offset} byte(s) left over after ${what}`);
    }
  }
}

export class ByteWriter {
  private buf = new Uint8Array(256);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u1(v: number): this {
    this.grow(1);
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u2(v: number): this {
    this.grow(2);
    this.buf[this.length++] = (v >> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  u4(v: number): this {
    this.grow(4);
    this.buf[this.length++] = (v >>> 24) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
    return this;
  }

  bytes(b: ArrayLike<number>): this {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Overwrite a u2 written earlier (for sizes known only at the end). */
  patchU2(at: number, v: number): void {
    this.buf[at] = (v >> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function hex(bytes: ArrayLike<number>, sep = ''): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i && sep) s += sep;
    s += (bytes[i]! & 0xff).toString(16).padStart(2, '0');
  }
  return s.toUpperCase();
}

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new Error(`not a hex string: '${text}'`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function equalBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes of `parts` one after the other, in a new array. */
export function concat(...parts: ArrayLike<number>[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
