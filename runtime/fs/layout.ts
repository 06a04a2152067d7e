// The file system's bytes in card memory: one persistent byte array owned by the JCRE context
// (so the card image keeps it), laid out as a header, a table of file headers and the file
// bodies. The structure is fixed at personalisation (no CREATE/DELETE FILE, as in Small-OS);
// commands change only EF contents and the secrets' try counters.
//
//   [0, 2)   magic 'F' 'S'
//   [2]      layout version (1)
//   [3]      number of files N (the MF is file 0; at most 255)
//   [4, 4 + 32N)  file headers, 32 bytes each (HDR_* offsets below)
//   then the bodies: transparent EF contents, fixed-length records, secret records
//
// A secret record (32 bytes, in a directory's internal secret EF):
//   [0] reference (1..31)  [1] kind (SECRET_PIN | SECRET_AES128)  [2] entry condition (an
//   access condition byte)  [3] state set on success  [4] state set on failure (STATE_UNCHANGED:
//   none)  [5] maximum tries  [6] tries left  [7] value length  [8, 24) value  [24, 32) zero

export const MAGIC0 = 0x46, MAGIC1 = 0x53, LAYOUT_VERSION = 1;
export const FS_HEADER = 4;
export const FILE_HEADER = 32;
export const SECRET_RECORD = 32;
export const SECRET_SLOT = 16;
export const MAX_NAME = 16;

/** File header fields (offsets in a 32-byte header). */
export const HDR_TYPE = 0, HDR_FID = 1, HDR_PARENT = 3, HDR_SFI = 4, HDR_READ = 5, HDR_WRITE = 6,
  HDR_NAME_LEN = 7, HDR_NAME = 8, HDR_BODY = 24, HDR_SIZE = 26, HDR_COUNT = 28;

export const enum FileType {
  DF = 1,
  Transparent = 2,
  LinearFixed = 3,
  /** The internal EF holding a directory's PINs and keys: never selectable, never readable. */
  Secrets = 4,
}

/** Secret kinds. */
export const SECRET_PIN = 1, SECRET_AES128 = 2;
export const SEC_REF = 0, SEC_KIND = 1, SEC_ENTRY = 2, SEC_SUCCESS = 3, SEC_FAILURE = 4, SEC_MAX = 5, SEC_TRIES = 6, SEC_LEN = 7, SEC_VALUE = 8;

/**
 * Access condition bytes: ALWAYS, NEVER, or a required security state: bits 7..1 the state
 * (1..126), bit 8 set for the MF's state, clear for the state of the file's own directory.
 */
export const AC_ALWAYS = 0x00, AC_NEVER = 0xff, AC_MF = 0x80;
/** The highest security state value (0x7f is kept out so that 0xff stays NEVER). */
export const MAX_STATE = 126;
export const STATE_UNCHANGED = 0xff;
export const NO_PARENT = 0xff;
export const MF_FID = 0x3f00;

/** A file header as decoded from the array (the structure never changes after personalisation). */
export interface FileHeader {
  index: number;
  type: FileType;
  fid: number;
  /** Index of the parent directory (NO_PARENT for the MF). */
  parent: number;
  /** Short EF identifier (1..30), 0 for none. */
  sfi: number;
  read: number;
  write: number;
  name: Uint8Array;
  /** Offset of the body in the array. */
  body: number;
  /** Transparent: its size in bytes; record EFs: the record length. */
  size: number;
  /** Record EFs: the number of records. */
  count: number;
}

/** Decodes the file table; throws when the bytes are not a file system of this layout. */
export function decodeFiles(bytes: ArrayLike<number>): FileHeader[] {
  const b = (i: number): number => (bytes[i] ?? 0) & 0xff;
  if (bytes.length < FS_HEADER || b(0) !== MAGIC0 || b(1) !== MAGIC1 || b(2) !== LAYOUT_VERSION) throw new Error('not a file system of layout 1');
  const n = b(3);
  if (bytes.length < FS_HEADER + n * FILE_HEADER) throw new Error('file table truncated');
  const files: FileHeader[] = [];
  for (let i = 0; i < n; i++) {
    const h = FS_HEADER + i * FILE_HEADER;
    const nameLen = Math.min(b(h + HDR_NAME_LEN), MAX_NAME);
    const name = new Uint8Array(nameLen);
    for (let k = 0; k < nameLen; k++) name[k] = b(h + HDR_NAME + k);
    const f: FileHeader = {
      index: i,
      type: b(h + HDR_TYPE) as FileType,
      fid: (b(h + HDR_FID) << 8) | b(h + HDR_FID + 1),
      parent: b(h + HDR_PARENT),
      sfi: b(h + HDR_SFI),
      read: b(h + HDR_READ),
      write: b(h + HDR_WRITE),
      name,
      body: (b(h + HDR_BODY) << 8) | b(h + HDR_BODY + 1),
      size: (b(h + HDR_SIZE) << 8) | b(h + HDR_SIZE + 1),
      count: b(h + HDR_COUNT),
    };
    const extent = f.type === FileType.Transparent ? f.size : f.type === FileType.DF ? 0 : f.size * f.count;
    if (f.body + extent > bytes.length) throw new Error(`file ${i}: body outside the array`);
    if (i === 0 ? f.type !== FileType.DF || f.parent !== NO_PARENT : f.parent >= i || files[f.parent]!.type !== FileType.DF) throw new Error(`file ${i}: bad parent`);
    files.push(f);
  }
  return files;
}

/** Encodes a file header into `out` at the table slot of file `index`. */
export function encodeHeader(out: Uint8Array, f: FileHeader): void {
  const h = FS_HEADER + f.index * FILE_HEADER;
  out[h + HDR_TYPE] = f.type;
  out[h + HDR_FID] = f.fid >> 8;
  out[h + HDR_FID + 1] = f.fid & 0xff;
  out[h + HDR_PARENT] = f.parent;
  out[h + HDR_SFI] = f.sfi;
  out[h + HDR_READ] = f.read;
  out[h + HDR_WRITE] = f.write;
  out[h + HDR_NAME_LEN] = f.name.length;
  out.set(f.name, h + HDR_NAME);
  out[h + HDR_BODY] = f.body >> 8;
  out[h + HDR_BODY + 1] = f.body & 0xff;
  out[h + HDR_SIZE] = f.size >> 8;
  out[h + HDR_SIZE + 1] = f.size & 0xff;
  out[h + HDR_COUNT] = f.count;
}
