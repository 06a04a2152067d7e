// The native records of API objects (HeapObject.native) as a card image keeps them: a record
// holds only numbers (handles of card arrays, algorithm codes, flags), plain objects and
// arrays of those, or one of the record classes below. Engine state in progress (a running
// hash, a node Cipher) is RAM state kept elsewhere (crypto/context.ts Engines) and is not
// saved, as a card loses it at power-down.

import { AgreementState } from './crypto/agreement.ts';
import { ChecksumState } from './crypto/checksum.ts';
import { CipherState } from './crypto/cipher.ts';
import { DigestState } from './crypto/digest.ts';
import { KeyPairState } from './crypto/keypair.ts';
import { KeyState } from './crypto/keys.ts';
import { RandomState } from './crypto/random.ts';
import { SignatureState } from './crypto/signature.ts';

/** A native record as JSON: class instances carry their class name in `$`. */
export type SavedRecord = number | boolean | string | null | SavedRecord[] | { [field: string]: SavedRecord };

const RECORD_CLASSES: Record<string, abstract new (...args: never[]) => object> = {
  AgreementState,
  ChecksumState,
  CipherState,
  DigestState,
  KeyPairState,
  KeyState,
  RandomState,
  SignatureState,
};

/** Thrown for a record that cannot be saved (a host object where card state must be). */
export class RecordError extends Error {}

export function saveRecord(value: unknown, where: string): SavedRecord {
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v, i) => saveRecord(v, `${where}[${i}]`));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    const out: { [field: string]: SavedRecord } = {};
    if (proto !== Object.prototype && proto !== null) {
      const name = Object.keys(RECORD_CLASSES).find((n) => RECORD_CLASSES[n]!.prototype === proto);
      if (!name) throw new RecordError(`${where}: a native record of class ${proto.constructor?.name ?? '?'} cannot be saved in a card image`);
      out.$ = name;
    }
    for (const [k, v] of Object.entries(value)) {
      if (k === '$') throw new RecordError(`${where}: field name '$' is reserved`);
      out[k] = saveRecord(v, `${where}.${k}`);
    }
    return out;
  }
  throw new RecordError(`${where}: a ${typeof value} cannot be saved in a card image`);
}

export function loadRecord(value: SavedRecord, where: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => loadRecord(v, `${where}[${i}]`));
  const { $: name, ...fields } = value;
  let out: Record<string, unknown>;
  if (name === undefined) out = {};
  else {
    const cls = typeof name === 'string' ? RECORD_CLASSES[name] : undefined;
    if (!cls) throw new RecordError(`${where}: unknown native record class ${JSON.stringify(name)}`);
    // A record class's fields are all data: the instance is its prototype plus the saved fields.
    out = Object.create(cls.prototype) as Record<string, unknown>;
  }
  for (const [k, v] of Object.entries(fields)) out[k] = loadRecord(v, `${where}.${k}`);
  return out;
}
