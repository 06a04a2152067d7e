// Memory requirements and memory quotas: the system specific parameters (tag EF) of INSTALL
// (GPCS 2.3.1 §11.5.2.3.7: Table 11-49, install parameters, and the load parameters table).
//
// INSTALL [for load], load parameters EF: C6 non-volatile code minimum memory requirement, C7
// volatile data minimum memory requirement, C8 non-volatile data minimum memory requirement (CD,
// DD, the Load File Data Block format and parameters, are not used here). The card answers 6A84
// when it does not have that much free: persistent memory for C6 + C8, RAM for C7. Nothing is set
// aside: the requirement is checked, not reserved.
//
// INSTALL [for install], install parameters EF (Table 11-49): C7 volatile memory quota, C8
// non-volatile memory quota, kept in the registry (registry.ts) and enforced by the heap
// (vm/heap.ts: per-context byte counters and limits). D7/D8 (volatile / non-volatile reserved
// memory) are checked to be free at installation (6A84 otherwise) and not set aside either.
// Every size is 2 or 4 bytes (6A80 for another length, or a tag twice).
//
// What a quota counts: the object data of the application's context, as the memory report counts
// it (block headers aside), the arrays its package's static initialisers made at load time
// included; persistent objects for C8, transient array contents (RAM) for C7. Objects record
// their context (the package), not the instance that made them, so the applets of one package
// share one limit: the sum of their quotas, or none as soon as one of them has none for that
// memory. An allocation past the limit fails as when the memory is full: SystemException
// NO_RESOURCE (persistent) or NO_TRANSIENT_SPACE (transient) in applet code, 6A84 for an INSTALL
// whose install() runs out. Objects freed (garbage collection, deletion) give their bytes back.

import { equalBytes } from '../../loader/bytes.ts';
import type { Jcre } from '../jcre.ts';
import type { Registry } from './registry.ts';
import { readTlvs, type Tlv } from './tlv.ts';

/** An application's memory quotas in bytes (undefined: none). */
export interface Quota {
  aid: Uint8Array;
  /** C7: transient (RAM) bytes. */
  volatile?: number;
  /** C8: persistent bytes. */
  nonVolatile?: number;
}

/** What INSTALL [for load] asks the card to have free (bytes; 0 when absent). */
export interface LoadRequirements {
  code: number;
  volatileData: number;
  nonVolatileData: number;
}

/** What INSTALL [for install] asks of memory. */
export interface InstallMemory {
  quota: Omit<Quota, 'aid'>;
  /** D7, D8: bytes that must be free now. */
  reservedVolatile: number;
  reservedNonVolatile: number;
}

/** A 2- or 4-byte memory size, or null for another length. */
function size(v: Uint8Array): number | null {
  if (v.length === 2) return (v[0]! << 8) | v[1]!;
  if (v.length === 4) return ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;
  return null;
}

/** The sizes under `tags` in the EF template of `tlvs` (none when there is no EF), or null when malformed. */
function systemSizes(tlvs: Tlv[], tags: number[]): Map<number, number> | null {
  const out = new Map<number, number>();
  const efs = tlvs.filter((t) => t.tag === 0xef);
  if (efs.length > 1) return null;
  if (efs.length === 0) return out;
  const inner = readTlvs(efs[0]!.value);
  if (!inner) return null;
  for (const t of inner) {
    if (!tags.includes(t.tag)) continue; // other system parameters are not memory
    const n = size(t.value);
    if (n === null || out.has(t.tag)) return null;
    out.set(t.tag, n);
  }
  return out;
}

/** The requirements of an INSTALL [for load]'s load parameters, or null when they are malformed (6A80). */
export function loadRequirements(params: Uint8Array): LoadRequirements | null {
  const tlvs = readTlvs(params);
  const sizes = tlvs && systemSizes(tlvs, [0xc6, 0xc7, 0xc8]);
  if (!sizes) return null;
  return { code: sizes.get(0xc6) ?? 0, volatileData: sizes.get(0xc7) ?? 0, nonVolatileData: sizes.get(0xc8) ?? 0 };
}

/** Whether the card has the free memory `r` asks for. */
export function loadRequirementsMet(rt: Jcre, r: LoadRequirements): boolean {
  return r.code + r.nonVolatileData <= rt.memory.eeprom.free && r.volatileData <= rt.memory.ram.free;
}

/** The memory part of INSTALL [for install]'s install parameters (already read as TLVs), or null when malformed (6A80). */
export function installMemory(tlvs: Tlv[]): InstallMemory | null {
  const sizes = systemSizes(tlvs, [0xc7, 0xc8, 0xd7, 0xd8]);
  if (!sizes) return null;
  const quota: Omit<Quota, 'aid'> = {};
  if (sizes.has(0xc7)) quota.volatile = sizes.get(0xc7)!;
  if (sizes.has(0xc8)) quota.nonVolatile = sizes.get(0xc8)!;
  return { quota, reservedVolatile: sizes.get(0xd7) ?? 0, reservedNonVolatile: sizes.get(0xd8) ?? 0 };
}

/** Whether the reserved memory INSTALL asks for is free. */
export function reservedMemoryFree(rt: Jcre, m: InstallMemory): boolean {
  return m.reservedNonVolatile <= rt.memory.eeprom.free && m.reservedVolatile <= rt.memory.ram.free;
}

/**
 * Sets the heap's per-context limits from the applications' quotas (and, while it installs,
 * the quota of the application `pending` whose install() runs in `pending.context`).
 */
export function applyQuotas(rt: Jcre, quotas: readonly Quota[], pending?: { aid: Uint8Array; context: number; quota: Omit<Quota, 'aid'> }): void {
  if (quotas.length === 0 && (!pending || (pending.quota.volatile === undefined && pending.quota.nonVolatile === undefined))) {
    rt.heap.setLimits(new Map());
    return;
  }
  // Each context's members: its instances' quotas (the pending one in place of an instance with its AID).
  const members = new Map<number, Omit<Quota, 'aid'>[]>();
  const add = (context: number, q: Omit<Quota, 'aid'>): void => {
    const m = members.get(context);
    if (m) m.push(q);
    else members.set(context, [q]);
  };
  for (const a of rt.applets) {
    if (pending && equalBytes(a.aid, pending.aid)) continue;
    add(a.pkg.context, quotas.find((q) => equalBytes(q.aid, a.aid)) ?? {});
  }
  if (pending) add(pending.context, pending.quota);
  const limits = new Map<number, { persistent?: number; transient?: number }>();
  const sum = (qs: Omit<Quota, 'aid'>[], key: 'volatile' | 'nonVolatile'): number | undefined =>
    qs.every((q) => q[key] !== undefined) ? qs.reduce((n, q) => n + q[key]!, 0) : undefined;
  for (const [context, qs] of members) {
    const persistent = sum(qs, 'nonVolatile'), transient = sum(qs, 'volatile');
    if (persistent !== undefined || transient !== undefined) limits.set(context, { persistent, transient });
  }
  rt.heap.setLimits(limits);
}

/**
 * Runs `install` (the JCRE's install(), which calls the applet's) with the quota of the
 * application being installed in force; afterwards the registry's quotas are in force again
 * (the caller records the new one in the registry when the installation succeeded).
 */
export function withPendingQuota<T>(rt: Jcre, registry: Registry, pending: { aid: Uint8Array; context: number; quota: Omit<Quota, 'aid'> }, install: () => T): T {
  applyQuotas(rt, registry.state.quotas ?? [], pending);
  try {
    return install();
  } finally {
    applyQuotas(rt, registry.state.quotas ?? []);
  }
}
