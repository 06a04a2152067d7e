// Personalisation: a file system described in JSON (schema in runtime/fs/README.md) checked
// and turned into the bytes of runtime/fs/layout.ts. Every error names the place in the
// description (`mf.files[2].secrets[0].maxTries: ...`) and nothing reaches the card.

import { fromHex } from '../../loader/bytes.ts';
import type { Card } from '../card.ts';
import { FsStore } from './store.ts';
import {
  AC_ALWAYS, AC_MF, AC_NEVER, encodeHeader, FILE_HEADER, FileType, FS_HEADER, LAYOUT_VERSION, MAGIC0, MAGIC1, MAX_NAME, MAX_STATE,
  MF_FID, NO_PARENT, SECRET_AES128, SECRET_PIN, SECRET_RECORD, SECRET_SLOT, STATE_UNCHANGED, type FileHeader,
  SEC_ENTRY, SEC_FAILURE, SEC_KIND, SEC_LEN, SEC_MAX, SEC_REF, SEC_SUCCESS, SEC_TRIES, SEC_VALUE,
} from './layout.ts';

/** A description that cannot become a file system. */
export class FsDescriptionError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'FsDescriptionError';
  }
}

/** The largest file system: one byte array (handles address at most 32767 elements). */
export const MAX_FS_BYTES = 0x7fff;

type Json = Record<string, unknown>;

interface PendingFile {
  header: FileHeader;
  /** Body bytes (secrets: the records). */
  body: Uint8Array;
}

/** The file system's bytes for a JSON description (already parsed, or its text). */
export function buildFileSystem(description: unknown): Uint8Array {
  const desc = typeof description === 'string' ? parseJson(description) : description;
  const top = object(desc, 'description');
  allowOnly(top, ['mf', 'comment'], 'description');
  const files: PendingFile[] = [];
  const names: { name: string; where: string }[] = [];
  addDirectory(object(top.mf, 'mf'), 'mf', MF_FID, NO_PARENT, files, names);
  if (files.length > 255) throw new FsDescriptionError('description', `${files.length} files (with the secret EFs); at most 255`);
  let at = FS_HEADER + files.length * FILE_HEADER;
  for (const f of files) {
    f.header.body = f.header.type === FileType.DF ? 0 : at;
    at += f.body.length;
  }
  if (at > MAX_FS_BYTES) throw new FsDescriptionError('description', `the file system needs ${at} bytes; at most ${MAX_FS_BYTES}`);
  const out = new Uint8Array(at);
  out.set([MAGIC0, MAGIC1, LAYOUT_VERSION, files.length]);
  for (const f of files) {
    encodeHeader(out, f.header);
    out.set(f.body, f.header.body);
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FsDescriptionError('description', `not JSON (${(e as Error).message})`);
  }
}

function addDirectory(dir: Json, where: string, fid: number, parent: number, files: PendingFile[], names: { name: string; where: string }[]): void {
  allowOnly(dir, parent === NO_PARENT ? ['name', 'secrets', 'files', 'comment'] : ['df', 'name', 'secrets', 'files', 'comment'], where);
  const name = dir.name === undefined ? new Uint8Array(0) : hexBytes(dir.name, `${where}.name`, 1, MAX_NAME);
  if (name.length) {
    const key = Buffer.from(name).toString('hex');
    const same = names.find((n) => n.name === key);
    if (same) throw new FsDescriptionError(`${where}.name`, `DF name ${key.toUpperCase()} is already the name of ${same.where}`);
    names.push({ name: key, where });
  }
  const index = files.length;
  files.push({ header: header(index, FileType.DF, fid, parent, name), body: new Uint8Array(0) });
  const secrets = dir.secrets === undefined ? [] : array(dir.secrets, `${where}.secrets`);
  if (secrets.length) {
    const body = new Uint8Array(secrets.length * SECRET_RECORD);
    const refs = new Set<number>();
    secrets.forEach((s, i) => {
      const w = `${where}.secrets[${i}]`;
      const rec = secretRecord(object(s, w), w);
      if (refs.has(rec[SEC_REF]!)) throw new FsDescriptionError(`${w}.ref`, `reference ${rec[SEC_REF]} is already used in this directory`);
      refs.add(rec[SEC_REF]!);
      body.set(rec, i * SECRET_RECORD);
    });
    const h = header(files.length, FileType.Secrets, 0xffff, index, new Uint8Array(0));
    h.read = h.write = AC_NEVER;
    h.size = SECRET_RECORD;
    h.count = secrets.length;
    files.push({ header: h, body });
  }
  const children = dir.files === undefined ? [] : array(dir.files, `${where}.files`);
  const fids = new Set<number>();
  const sfis = new Set<number>();
  children.forEach((c, i) => {
    const w = `${where}.files[${i}]`;
    const child = object(c, w);
    const isDf = 'df' in child;
    if (isDf === 'ef' in child) throw new FsDescriptionError(w, 'a file has either "df" or "ef" (its file identifier)');
    const cfid = fileId(isDf ? child.df : child.ef, `${w}.${isDf ? 'df' : 'ef'}`);
    if (fids.has(cfid)) throw new FsDescriptionError(w, `file identifier ${hex4(cfid)} is already used in this directory`);
    if (cfid === fid) throw new FsDescriptionError(w, `file identifier ${hex4(cfid)} is the directory's own`);
    fids.add(cfid);
    if (isDf) addDirectory(child, w, cfid, index, files, names);
    else {
      const ef = elementaryFile(child, w, cfid, files.length, index);
      if (ef.header.sfi) {
        if (sfis.has(ef.header.sfi)) throw new FsDescriptionError(`${w}.sfi`, `short EF identifier ${ef.header.sfi} is already used in this directory`);
        sfis.add(ef.header.sfi);
      }
      files.push(ef);
    }
  });
}

function elementaryFile(ef: Json, where: string, fid: number, index: number, parent: number): PendingFile {
  allowOnly(ef, ['ef', 'structure', 'sfi', 'size', 'data', 'recordLength', 'recordCount', 'records', 'read', 'write', 'comment'], where);
  const structure = ef.structure ?? 'transparent';
  const h = header(index, structure === 'linear-fixed' ? FileType.LinearFixed : FileType.Transparent, fid, parent, new Uint8Array(0));
  if (structure !== 'transparent' && structure !== 'linear-fixed') throw new FsDescriptionError(`${where}.structure`, `"transparent" or "linear-fixed", not ${JSON.stringify(structure)}`);
  h.sfi = ef.sfi === undefined ? 0 : int(ef.sfi, `${where}.sfi`, 1, 30);
  h.read = accessCondition(ef.read ?? 'always', `${where}.read`);
  h.write = accessCondition(ef.write ?? 'never', `${where}.write`);
  if (structure === 'transparent') {
    for (const k of ['recordLength', 'recordCount', 'records']) if (k in ef) throw new FsDescriptionError(`${where}.${k}`, 'only for a linear-fixed EF');
    const data = ef.data === undefined ? new Uint8Array(0) : hexBytes(ef.data, `${where}.data`, 0, MAX_FS_BYTES);
    h.size = ef.size === undefined ? data.length : int(ef.size, `${where}.size`, 0, MAX_FS_BYTES);
    if (data.length > h.size) throw new FsDescriptionError(`${where}.data`, `${data.length} bytes for an EF of ${h.size}`);
    const body = new Uint8Array(h.size);
    body.set(data);
    return { header: h, body };
  }
  for (const k of ['size', 'data']) if (k in ef) throw new FsDescriptionError(`${where}.${k}`, 'only for a transparent EF');
  h.size = int(ef.recordLength, `${where}.recordLength`, 1, 255);
  const records = ef.records === undefined ? [] : array(ef.records, `${where}.records`);
  h.count = ef.recordCount === undefined ? records.length : int(ef.recordCount, `${where}.recordCount`, 1, 254);
  if (h.count < 1) throw new FsDescriptionError(where, 'a linear-fixed EF needs "recordCount" or "records"');
  if (records.length > h.count) throw new FsDescriptionError(`${where}.records`, `${records.length} records for an EF of ${h.count}`);
  const body = new Uint8Array(h.size * h.count);
  records.forEach((r, i) => body.set(hexBytes(r, `${where}.records[${i}]`, 0, h.size), i * h.size));
  return { header: h, body };
}

function secretRecord(s: Json, where: string): Uint8Array {
  allowOnly(s, ['ref', 'pin', 'aes128', 'maxTries', 'tries', 'entry', 'onSuccess', 'onFailure', 'comment'], where);
  const rec = new Uint8Array(SECRET_RECORD);
  rec[SEC_REF] = int(s.ref, `${where}.ref`, 1, 31);
  if (('pin' in s) === ('aes128' in s)) throw new FsDescriptionError(where, 'a secret has either "pin" (hex) or "aes128" (a 16-byte key, hex)');
  const value = 'pin' in s ? hexBytes(s.pin, `${where}.pin`, 1, SECRET_SLOT) : hexBytes(s.aes128, `${where}.aes128`, 16, 16);
  rec[SEC_KIND] = 'pin' in s ? SECRET_PIN : SECRET_AES128;
  rec[SEC_ENTRY] = accessCondition(s.entry ?? 'always', `${where}.entry`);
  rec[SEC_SUCCESS] = int(s.onSuccess, `${where}.onSuccess`, 0, MAX_STATE);
  rec[SEC_FAILURE] = s.onFailure === 'unchanged' ? STATE_UNCHANGED : int(s.onFailure ?? 0, `${where}.onFailure`, 0, MAX_STATE);
  rec[SEC_MAX] = int(s.maxTries, `${where}.maxTries`, 1, 15);
  rec[SEC_TRIES] = s.tries === undefined ? rec[SEC_MAX]! : int(s.tries, `${where}.tries`, 0, rec[SEC_MAX]!);
  rec[SEC_LEN] = value.length;
  rec.set(value, SEC_VALUE);
  return rec;
}

/** "always", "never", {"state": n} (the file's own directory) or {"mfState": n}. */
function accessCondition(v: unknown, where: string): number {
  if (v === 'always') return AC_ALWAYS;
  if (v === 'never') return AC_NEVER;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Json;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'state') return int(o.state, `${where}.state`, 1, MAX_STATE);
    if (keys.length === 1 && keys[0] === 'mfState') return AC_MF | int(o.mfState, `${where}.mfState`, 1, MAX_STATE);
  }
  throw new FsDescriptionError(where, `an access condition is "always", "never", {"state": n} or {"mfState": n} (n 1..${MAX_STATE}), not ${JSON.stringify(v)}`);
}

function header(index: number, type: FileType, fid: number, parent: number, name: Uint8Array): FileHeader {
  return { index, type, fid, parent, sfi: 0, read: AC_ALWAYS, write: AC_NEVER, name, body: 0, size: 0, count: 0 };
}

function fileId(v: unknown, where: string): number {
  const b = hexBytes(v, where, 2, 2);
  const fid = (b[0]! << 8) | b[1]!;
  if (fid === MF_FID || fid === 0x3fff || fid === 0xffff) throw new FsDescriptionError(where, `${hex4(fid)} is reserved (ISO/IEC 7816-4: the MF, the path escape, RFU)`);
  return fid;
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');

function hexBytes(v: unknown, where: string, min: number, max: number): Uint8Array {
  if (typeof v !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(v.replace(/\s+/g, ''))) throw new FsDescriptionError(where, `hex bytes expected, not ${JSON.stringify(v)}`);
  const b = fromHex(v.replace(/\s+/g, ''));
  if (b.length < min || b.length > max) throw new FsDescriptionError(where, `${b.length} bytes; ${min === max ? `exactly ${min}` : `${min} to ${max}`}`);
  return b;
}

function int(v: unknown, where: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new FsDescriptionError(where, `a whole number ${min}..${max}, not ${JSON.stringify(v)}`);
  return v;
}

function object(v: unknown, where: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FsDescriptionError(where, 'an object expected');
  return v as Json;
}

function array(v: unknown, where: string): unknown[] {
  if (!Array.isArray(v)) throw new FsDescriptionError(where, 'an array expected');
  return v;
}

function allowOnly(o: Json, keys: string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new FsDescriptionError(`${where}.${k}`, `unknown field (allowed: ${keys.join(', ')})`);
}

/**
 * Personalise `card` with the file system a description gives (`jcvm fs load`): the bytes are
 * written into a new JCRE-owned persistent array, and the card image (if any) saved. Throws
 * FsDescriptionError (card unchanged) for a bad description, Error when the card already has
 * a file system or memory is short.
 */
export function loadFileSystem(card: Card, description: unknown): { bytes: number; files: number } {
  const bytes = buildFileSystem(description);
  const store = FsStore.create(card.jcre, bytes);
  card.persist();
  return { bytes: bytes.length, files: store.files.length };
}
