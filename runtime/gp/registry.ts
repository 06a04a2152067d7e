// The GlobalPlatform registry (GPCS 2.3 §5, §6.1, §11.1.1-11.1.2), kept in card memory: one
// JCRE-owned persistent byte array (named 'gp.registry', a root of the collector, saved in the
// card image) holding the card life cycle state, the Issuer Security Domain's key sets and
// sequence counters, and what GlobalPlatform adds to the JCRE's own registries for each
// application (life cycle state, privileges). Executable load files and modules are the JCRE's
// packages and applet classes, applications its applet instances: the registry never lists
// them a second time, so the reference installer's door and the ISD's door share it.
//
// Every change rewrites the bytes that differ in one atomic persistent write (journalled,
// counted, a place to tear), so a power loss leaves the old registry or the new one.
//
// Layout (version 5; what each version added is below): used length (2) ‖ version (1) ‖ card life cycle (1) ‖ key sets ‖ counters
// (the ISD's) ‖ application count (1), each: AID length, AID, life cycle, privileges (3) ‖
// supplementary security domain count (1), each: AID length, AID, life cycle, privileges (3), key
// sets, counters ‖ association count (1), each: AID length, AID, SD AID length, SD AID.
// Key sets: count (1), each: KVN, type (0 DES3, 1 AES), key length, ENC ‖ MAC ‖ DEK. Counters:
// count (1), each: KVN, counter (3). Version 1 (no domains, no associations) is still read.
// Version 3 adds the data objects: count (1), each: SD AID length, AID (empty: the ISD), tag (2),
// length (1), value. Version 4 adds, after them, the card content management keys and the
// receipts' confirmation counter (GPCS C.5): confirmation counter (2) ‖ key count (1), each: SD
// AID length, AID (empty: the ISD), KVN, key id, type (0 DES3, 1 AES: length (1), key; 2 RSA
// public: modulus length (2), modulus, exponent length (1), exponent). Version 5 adds, after
// those, the applications' memory quotas (INSTALL [for install] EF C7/C8, GPCS 11.5.2.3.7 Table
// 11-49): count (1), each: AID length, AID, volatile quota (4), non-volatile quota (4), FFFFFFFF
// for none. Older versions are read with what they lack empty (the counter at 0).
//
// Supplementary security domains (GPCS 7.2) are native, as the ISD is: the registry is all there
// is of them. Associations (GPCS 7.3): an application, load file or SSD without an entry is
// associated with the ISD; an SSD's entry names another SSD (hierarchies, hierarchy.ts) or the
// SSD itself (the root of its own hierarchy). No layout change was needed for them.

import { equalBytes } from '../../loader/bytes.ts';
import { Kind } from '../../vm/types.ts';
import { JCRE_CONTEXT, type Jcre } from '../jcre.ts';
import { type DomainKey, makeKeySet, type KeySet } from './keys.ts';
import { applyQuotas, type Quota } from './quota.ts';

/** Card life cycle states (GPCS 5.1.1, Table 11-6). */
export const CardState = {
  OP_READY: 0x01,
  INITIALIZED: 0x07,
  SECURED: 0x0f,
  CARD_LOCKED: 0x7f,
  TERMINATED: 0xff,
} as const;
export type CardStateName = keyof typeof CardState;

/** Application life cycle states (GPCS 5.3.1, Table 11-4); b8 set: LOCKED, b4..b7 application specific. */
export const AppState = {
  INSTALLED: 0x03,
  SELECTABLE: 0x07,
  LOCKED: 0x80,
} as const;

/** Executable load file life cycle (GPCS 5.2, Table 11-3). */
export const LOADED = 0x01;

/** Privileges (GPCS 6.6.1, Table 6-1; 11.1.2 Table 11-7): byte 1 in bits 23..16, byte 2 in 15..8, byte 3 in 7..0. */
export const Privilege = {
  SECURITY_DOMAIN: 0x800000,
  DAP_VERIFICATION: 0xc00000,
  DELEGATED_MANAGEMENT: 0xa00000,
  CARD_LOCK: 0x100000,
  CARD_TERMINATE: 0x080000,
  CARD_RESET: 0x040000,
  CVM_MANAGEMENT: 0x020000,
  MANDATED_DAP: 0xc10000,
  TRUSTED_PATH: 0x8000,
  AUTHORIZED_MANAGEMENT: 0x4000,
  TOKEN_VERIFICATION: 0x2000,
  GLOBAL_DELETE: 0x1000,
  GLOBAL_LOCK: 0x0800,
  GLOBAL_REGISTRY: 0x0400,
  FINAL_APPLICATION: 0x0200,
  GLOBAL_SERVICE: 0x0100,
  RECEIPT_GENERATION: 0x80,
  CIPHERED_LOAD_FILE_DATA_BLOCK: 0x40,
  CONTACTLESS_ACTIVATION: 0x20,
  CONTACTLESS_SELF_ACTIVATION: 0x10,
} as const;

/** The DAP Verification bit alone (byte 1 b7) and the Mandated DAP bit alone (byte 1 b1). */
export const DAP_BIT = Privilege.DAP_VERIFICATION & ~Privilege.SECURITY_DOMAIN;
export const MANDATED_DAP_BIT = Privilege.MANDATED_DAP & ~Privilege.DAP_VERIFICATION;

/** RFU bits of the privileges (byte 3, b4..b1). */
export const PRIVILEGES_RFU = 0x00000f;

/** Privileges of the ISD (GPCS 6.6.2): Security Domain, Card Lock, Card Terminate, Card Reset, CVM Management, Trusted Path, Authorized Management, Global Delete/Lock/Registry/Service, Receipt Generation. */
export const ISD_PRIVILEGES = 0x9edd80;

/**
 * Privileges an application installed by this card manager may get: none of those that make
 * or need a security domain (a security domain is installed from its own load file, SD_LOAD_FILE,
 * with the privileges install.ts checks for it) and none of the RFU bits; Card Reset (default
 * selection) is not implemented.
 */
export const APP_PRIVILEGES_ALLOWED = 0x1a0000 | 0x8000 | 0x1000 | 0x0800 | 0x0400 | 0x0200 | 0x0100 | 0x20 | 0x10;

/** Privileges from the 1- or 3-byte field of INSTALL (GPCS 11.5.2.3.2), or null for another length. */
export function decodePrivileges(field: Uint8Array): number | null {
  if (field.length === 1) return field[0]! << 16;
  if (field.length === 3) return (field[0]! << 16) | (field[1]! << 8) | field[2]!;
  return null;
}

export function privilegeBytes(p: number): Uint8Array {
  return Uint8Array.of((p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff);
}

export interface AppEntry {
  aid: Uint8Array;
  lifeCycle: number;
  privileges: number;
}

/** What a security domain keeps of its own: key sets and their sequence counters. */
export interface DomainKeys {
  keySets: KeySet[];
  /** Sequence counters by key version number. */
  counters: Map<number, number>;
}

/** A supplementary security domain (GPCS 7.2): life cycle (GPCS 5.3.2), privileges, keys. */
export interface DomainEntry extends AppEntry, DomainKeys {}

/** Security domain life cycle state beyond the application ones (GPCS 5.3.2, Table 11-5). */
export const SD_PERSONALIZED = 0x0f;

export interface Association {
  /** An application, executable load file or security domain AID. */
  aid: Uint8Array;
  /** The security domain it is associated with (never the ISD: no entry means the ISD). */
  sd: Uint8Array;
}

export interface RegistryState extends DomainKeys {
  cardState: number;
  /** GlobalPlatform state of the applications that have any (others: SELECTABLE, no privileges). */
  apps: AppEntry[];
  /** Supplementary security domains. */
  domains: DomainEntry[];
  /** Associations with an SSD. */
  associations: Association[];
  /** Personalization data objects stored by STORE DATA (GPCS 11.11), per security domain. */
  dataObjects?: DataObject[];
  /** Token, receipt and DAP keys (keys.ts, KVN '70'..'7F'), per security domain. */
  roleKeys?: StoredKey[];
  /** The confirmation counter of receipts (GPCS C.5): the last one given. */
  confirmationCounter?: number;
  /** Memory quotas of applications (runtime/gp/quota.ts). */
  quotas?: Quota[];
}

/** A card content management key and the security domain keeping it (AID; empty for the ISD). */
export type StoredKey = DomainKey & { readonly sd: Uint8Array };

/** A data object a security domain keeps from STORE DATA: tag 42 (IIN), 45 (CIN), 66 (card data), CF (KDD). */
export interface DataObject {
  /** The security domain's AID; empty for the ISD. */
  sd: Uint8Array;
  tag: number;
  value: Uint8Array;
}

export const REGISTRY_NAME = 'gp.registry';
const VERSION = 5;

/** The registry as kept in card memory; `state` is its decoded copy, written back by `save()`. */
export class Registry {
  /** The decoded registry; read again from card memory at every reset (a torn write left the old bytes). */
  state: RegistryState;
  private readonly handle: number;

  /** Opens the registry of the card (a card image reopened), or makes one with `initial`. */
  constructor(
    private readonly rt: Jcre,
    initial: () => RegistryState,
    capacity = 2048,
  ) {
    rt.onReset.push(() => {
      this.state = decodeRegistry(this.bytes());
      this.prune();
      applyQuotas(rt, this.state.quotas ?? []);
    });
    const existing = rt.namedObjects.get(REGISTRY_NAME);
    if (existing !== undefined) {
      this.handle = existing;
      this.state = decodeRegistry(this.bytes());
      applyQuotas(rt, this.state.quotas ?? []);
      return;
    }
    this.handle = rt.heap.newArray(Kind.ByteArray, capacity, JCRE_CONTEXT);
    rt.namedObjects.set(REGISTRY_NAME, this.handle);
    this.state = initial();
    this.save();
  }

  /**
   * Drops what names card content that is not there (at every reset): the entries a command
   * writes before the JCRE's change (INSTALL, LOAD) or leaves after it (DELETE) when power was
   * lost in between. So the registry and the JCRE's content agree after any tear: an entry is
   * written first and only counts once its application or load file exists.
   */
  prune(): void {
    const rt = this.rt;
    const apps = this.state.apps.filter((a) => rt.instanceByAid(a.aid));
    const quotas = (this.state.quotas ?? []).filter((q) => rt.instanceByAid(q.aid));
    const associations = this.state.associations.filter((a) => rt.instanceByAid(a.aid) || rt.findPackage(a.aid) || this.domain(a.aid));
    if (apps.length === this.state.apps.length && associations.length === this.state.associations.length && quotas.length === (this.state.quotas ?? []).length) return;
    this.state.apps = apps;
    this.state.quotas = quotas;
    this.state.associations = associations;
    this.save();
  }

  private bytes(): Uint8Array {
    const o = this.rt.heap.get(this.handle)!;
    return new Uint8Array(o.data.buffer, o.data.byteOffset, o.data.length);
  }

  /** Bytes the encoded registry may take. */
  get capacity(): number {
    return this.bytes().length;
  }

  /** Whether `state` after a change would still fit. */
  fits(state: RegistryState = this.state): boolean {
    return encodeRegistry(state).length <= this.capacity;
  }

  /** Writes `state` to card memory: the bytes that changed, in one atomic write. */
  save(): void {
    applyQuotas(this.rt, this.state.quotas ?? []); // the heap enforces what the registry holds
    const next = encodeRegistry(this.state);
    if (next.length > this.capacity) throw new Error(`GlobalPlatform registry of ${next.length} bytes does not fit its ${this.capacity}`);
    this.write(next);
  }

  /** save() when `state` fits (encoded once); false, nothing written, when it does not. */
  trySave(): boolean {
    const next = encodeRegistry(this.state);
    if (next.length > this.capacity) return false;
    applyQuotas(this.rt, this.state.quotas ?? []);
    this.write(next);
    return true;
  }

  private write(next: Uint8Array): void {
    const cur = this.bytes();
    let first = 0;
    while (first < next.length && cur[first] === next[first]) first++;
    if (first === next.length) return;
    let last = next.length - 1;
    while (last > first && cur[last] === next[last]) last--;
    const o = this.rt.heap.get(this.handle)!;
    this.rt.persistentWrite(o, first, last - first + 1, true, () => cur.set(next.subarray(first, last + 1), first));
  }

  // --- applications ---

  app(aid: Uint8Array): AppEntry | undefined {
    return this.state.apps.find((a) => equalBytes(a.aid, aid));
  }

  /** The GlobalPlatform view of an instance: its entry, or SELECTABLE without privileges. */
  appState(aid: Uint8Array): AppEntry {
    return this.app(aid) ?? { aid, lifeCycle: AppState.SELECTABLE, privileges: 0 };
  }

  setApp(entry: AppEntry): void {
    const i = this.state.apps.findIndex((a) => equalBytes(a.aid, entry.aid));
    const plain = entry.lifeCycle === AppState.SELECTABLE && entry.privileges === 0;
    if (i >= 0) {
      if (plain) this.state.apps.splice(i, 1);
      else this.state.apps[i] = entry;
    } else if (!plain) {
      this.state.apps.push(entry);
    }
  }

  removeApp(aid: Uint8Array): void {
    const i = this.state.apps.findIndex((a) => equalBytes(a.aid, aid));
    if (i >= 0) this.state.apps.splice(i, 1);
    this.setQuota(aid, null);
  }

  /** The memory quota of the application `aid`, if INSTALL gave it one. */
  quota(aid: Uint8Array): Quota | undefined {
    return this.state.quotas?.find((q) => equalBytes(q.aid, aid));
  }

  /** Sets (or with null drops) the memory quota of the application `aid`. */
  setQuota(aid: Uint8Array, quota: Omit<Quota, 'aid'> | null): void {
    this.state.quotas = withQuota(this.state.quotas ?? [], aid, quota);
  }

  // --- supplementary security domains and associations ---

  domain(aid: Uint8Array): DomainEntry | undefined {
    return this.state.domains.find((d) => equalBytes(d.aid, aid));
  }

  /** Drops the SSD `aid` and its own association (with its SSD or itself). */
  removeDomain(aid: Uint8Array): void {
    this.state.domains = this.state.domains.filter((d) => !equalBytes(d.aid, aid));
    this.associate(aid, null);
  }

  /** The SSD `aid` is associated with, or null for the ISD. */
  associatedSd(aid: Uint8Array): Uint8Array | null {
    return this.state.associations.find((a) => equalBytes(a.aid, aid))?.sd ?? null;
  }

  /** Associates `aid` with the SSD `sd`, or with the ISD (null). */
  associate(aid: Uint8Array, sd: Uint8Array | null): void {
    const rest = this.state.associations.filter((a) => !equalBytes(a.aid, aid));
    this.state.associations = sd === null ? rest : [...rest, { aid: aid.slice(), sd: sd.slice() }];
  }

  /** The value of data object `tag` of the domain `sd` (null: the ISD), if STORE DATA stored one. */
  dataObject(sd: Uint8Array | null, tag: number): Uint8Array | undefined {
    const key = sd ?? new Uint8Array(0);
    return this.state.dataObjects?.find((o) => o.tag === tag && equalBytes(o.sd, key))?.value;
  }

  /** Sets data objects of the domain `sd` (null: the ISD), replacing those with the same tags. */
  setDataObjects(sd: Uint8Array | null, objects: { tag: number; value: Uint8Array }[]): void {
    const key = sd ?? new Uint8Array(0);
    const rest = (this.state.dataObjects ?? []).filter((o) => !(equalBytes(o.sd, key) && objects.some((n) => n.tag === o.tag)));
    this.state.dataObjects = [...rest, ...objects.map((o) => ({ sd: key.slice(), tag: o.tag, value: o.value.slice() }))];
  }

  /** Drops the data objects of the SSD `sd` (when it is deleted). */
  removeDataObjects(sd: Uint8Array): void {
    this.state.dataObjects = (this.state.dataObjects ?? []).filter((o) => !equalBytes(o.sd, sd));
  }

  /** The key `kvn`/`id` of the domain `sd` (null: the ISD). */
  roleKey(sd: Uint8Array | null, kvn: number, id: number): DomainKey | undefined {
    const key = sd ?? new Uint8Array(0);
    return this.state.roleKeys?.find((k) => k.kvn === kvn && k.id === id && equalBytes(k.sd, key));
  }

  /** The keys of the domain `sd` (null: the ISD). */
  roleKeys(sd: Uint8Array | null): DomainKey[] {
    const key = sd ?? new Uint8Array(0);
    return (this.state.roleKeys ?? []).filter((k) => equalBytes(k.sd, key));
  }

  /** Sets (adds or replaces) a key of the domain `sd` (null: the ISD). */
  setRoleKey(sd: Uint8Array | null, k: DomainKey): void {
    const key = sd ?? new Uint8Array(0);
    const rest = (this.state.roleKeys ?? []).filter((o) => !(o.kvn === k.kvn && o.id === k.id && equalBytes(o.sd, key)));
    this.state.roleKeys = [...rest, { ...k, sd: key.slice() }];
  }

  /** Drops the keys of the SSD `sd` (when it is deleted). */
  removeRoleKeys(sd: Uint8Array): void {
    this.state.roleKeys = (this.state.roleKeys ?? []).filter((k) => !equalBytes(k.sd, sd));
  }

  /** What is associated with the SSD `sd`: applications, load files, SSDs (GPCS 7.3); itself, as a hierarchy root, left out. */
  associatedWith(sd: Uint8Array): Uint8Array[] {
    return this.state.associations.filter((a) => equalBytes(a.sd, sd) && !equalBytes(a.aid, sd)).map((a) => a.aid);
  }

  /** Whether anything is associated with the SSD `sd` (associatedWith). */
  hasAssociated(sd: Uint8Array): boolean {
    return this.associatedWith(sd).length > 0;
  }
}

function encodeKeys(out: number[], k: DomainKeys): void {
  out.push(k.keySets.length);
  for (const s of k.keySets) out.push(s.kvn, s.type === 'DES3' ? 0 : 1, s.enc.length, ...s.enc, ...s.mac, ...s.dek);
  out.push(k.counters.size);
  for (const [kvn, n] of k.counters) out.push(kvn, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** The registry's bytes in card memory (the current layout version). */
export function encodeRegistry(s: RegistryState): Uint8Array {
  const out: number[] = [0, 0, VERSION, s.cardState];
  encodeKeys(out, s);
  out.push(s.apps.length);
  for (const a of s.apps) out.push(a.aid.length, ...a.aid, a.lifeCycle, ...privilegeBytes(a.privileges));
  out.push(s.domains.length);
  for (const d of s.domains) {
    out.push(d.aid.length, ...d.aid, d.lifeCycle, ...privilegeBytes(d.privileges));
    encodeKeys(out, d);
  }
  out.push(s.associations.length);
  for (const a of s.associations) out.push(a.aid.length, ...a.aid, a.sd.length, ...a.sd);
  const objects = s.dataObjects ?? [];
  out.push(objects.length);
  for (const o of objects) out.push(o.sd.length, ...o.sd, (o.tag >>> 8) & 0xff, o.tag & 0xff, o.value.length, ...o.value);
  const counter = s.confirmationCounter ?? 0;
  out.push((counter >>> 8) & 0xff, counter & 0xff);
  const keys = s.roleKeys ?? [];
  out.push(keys.length);
  for (const k of keys) {
    out.push(k.sd.length, ...k.sd, k.kvn, k.id);
    if (k.type === 'RSA') out.push(2, k.modulus.length >>> 8, k.modulus.length & 0xff, ...k.modulus, k.exponent.length, ...k.exponent);
    else out.push(k.type === 'DES3' ? 0 : 1, k.key.length, ...k.key);
  }
  const quotas = s.quotas ?? [];
  out.push(quotas.length);
  const u4 = (n: number | undefined): number[] => (n === undefined ? [0xff, 0xff, 0xff, 0xff] : [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  for (const q of quotas) out.push(q.aid.length, ...q.aid, ...u4(q.volatile), ...u4(q.nonVolatile));
  out[0] = out.length >>> 8;
  out[1] = out.length & 0xff;
  return Uint8Array.from(out);
}

/** The registry from its bytes in card memory, of any layout version up to the current one. */
export function decodeRegistry(b: Uint8Array): RegistryState {
  let at = 2;
  const u1 = (): number => {
    if (at >= b.length) throw new Error('GlobalPlatform registry: truncated');
    return b[at++]!;
  };
  const take = (n: number): Uint8Array => {
    if (at + n > b.length) throw new Error('GlobalPlatform registry: truncated');
    at += n;
    return b.slice(at - n, at);
  };
  const version = u1();
  if (version < 1 || version > VERSION) throw new Error('GlobalPlatform registry: unknown version');
  const keys = (): DomainKeys => {
    const keySets: KeySet[] = [];
    for (let n = u1(); n > 0; n--) {
      const kvn = u1(), type = u1() === 0 ? 'DES3' : 'AES', len = u1();
      keySets.push(makeKeySet(kvn, type, take(len), take(len), take(len)));
    }
    const counters = new Map<number, number>();
    for (let n = u1(); n > 0; n--) {
      const kvn = u1();
      counters.set(kvn, (u1() << 16) | (u1() << 8) | u1());
    }
    return { keySets, counters };
  };
  const entry = (): AppEntry => {
    const aid = take(u1());
    const lifeCycle = u1();
    return { aid, lifeCycle, privileges: (u1() << 16) | (u1() << 8) | u1() };
  };
  const cardState = u1();
  const { keySets, counters } = keys();
  const apps: AppEntry[] = [];
  for (let n = u1(); n > 0; n--) apps.push(entry());
  const domains: DomainEntry[] = [];
  const associations: Association[] = [];
  if (version >= 2) {
    for (let n = u1(); n > 0; n--) domains.push({ ...entry(), ...keys() });
    for (let n = u1(); n > 0; n--) associations.push({ aid: take(u1()), sd: take(u1()) });
  }
  const dataObjects: DataObject[] = [];
  if (version >= 3) {
    for (let n = u1(); n > 0; n--) {
      const sd = take(u1());
      const tag = (u1() << 8) | u1();
      dataObjects.push({ sd, tag, value: take(u1()) });
    }
  }
  const roleKeys: StoredKey[] = [];
  let confirmationCounter = 0;
  if (version >= 4) {
    confirmationCounter = (u1() << 8) | u1();
    for (let n = u1(); n > 0; n--) {
      const sd = take(u1());
      const kvn = u1(), id = u1(), type = u1();
      if (type === 2) {
        const modulus = take((u1() << 8) | u1());
        roleKeys.push({ sd, kvn, id, type: 'RSA', modulus, exponent: take(u1()) });
      } else {
        roleKeys.push({ sd, kvn, id, type: type === 0 ? 'DES3' : 'AES', key: take(u1()) });
      }
    }
  }
  const quotas: Quota[] = [];
  if (version >= 5) {
    const u4 = (): number | undefined => {
      const n = ((u1() << 24) | (u1() << 16) | (u1() << 8) | u1()) >>> 0;
      return n === 0xffffffff ? undefined : n;
    };
    for (let n = u1(); n > 0; n--) {
      const aid = take(u1());
      const volatile = u4(), nonVolatile = u4();
      quotas.push({ aid, ...(volatile !== undefined && { volatile }), ...(nonVolatile !== undefined && { nonVolatile }) });
    }
  }
  return { cardState, keySets, counters, apps, domains, associations, dataObjects, roleKeys, confirmationCounter, quotas };
}

/** `quotas` with the one of `aid` replaced by `quota` (or dropped: null, or neither quota set). */
export function withQuota(quotas: readonly Quota[], aid: Uint8Array, quota: Omit<Quota, 'aid'> | null): Quota[] {
  const rest = quotas.filter((q) => !equalBytes(q.aid, aid));
  if (!quota || (quota.volatile === undefined && quota.nonVolatile === undefined)) return rest;
  return [...rest, { aid: aid.slice(), ...quota }];
}
