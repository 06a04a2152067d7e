// Security domain hierarchies (GPCS 2.3 §7.3): every supplementary security domain is associated
// with a security domain — the ISD (no association entry), another SSD, or itself (the root of a
// hierarchy of its own). The associations are the registry's list (registry.ts); these helpers
// read it as a tree for the rules on creating, extraditing and deleting domains (domain/install.ts,
// domain/delete.ts).

import { equalBytes } from '../../loader/bytes.ts';
import { MANDATED_DAP_BIT, Privilege, type Registry } from './registry.ts';

/**
 * The security domains above `aid`, nearest first: its associated SSD, that one's, ... ending
 * where an association leads to the ISD (not listed) or to a domain associated with itself
 * (listed once). A chain that meets an AID twice (a cycle, which these rules never write) stops there.
 */
export function domainsAbove(registry: Registry, aid: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let sd = registry.associatedSd(aid); sd !== null; sd = registry.associatedSd(sd)) {
    if (out.some((d) => equalBytes(d, sd!)) || equalBytes(sd, aid)) break;
    out.push(sd);
  }
  return out;
}

/** Whether `aid` is `sd` itself or lies anywhere in the hierarchy under the SSD `sd`. */
export function inHierarchyOf(registry: Registry, aid: Uint8Array, sd: Uint8Array): boolean {
  return equalBytes(aid, sd) || domainsAbove(registry, aid).some((d) => equalBytes(d, sd));
}

/** Whether the SSD `sd` is associated with itself: the root of its own hierarchy. */
export function isHierarchyRoot(registry: Registry, sd: Uint8Array): boolean {
  const owner = registry.associatedSd(sd);
  return owner !== null && equalBytes(owner, sd);
}

/** Whether SSDs are associated with `sd` (itself not counted). */
export function hasSubDomains(registry: Registry, sd: Uint8Array): boolean {
  return registry.associatedWith(sd).some((aid) => registry.domain(aid) !== undefined);
}

/**
 * Why the SSD `aid` may not be associated with `target` (null: the ISD), as a decision on GPCS
 * 7.3 and 11.5.2.3.4: 'root' when it would be its own root without Authorized Management (a
 * domain heads a hierarchy only if it can manage it), 'target' when another SSD receiving it has
 * no Authorized Management, 'cycle' when `target` lies under `aid`; null when it may.
 */
export function domainMoveRefused(registry: Registry, aid: Uint8Array, target: Uint8Array | null): 'root' | 'target' | 'cycle' | null {
  const am = (sd: Uint8Array): boolean => ((registry.domain(sd)?.privileges ?? 0) & Privilege.AUTHORIZED_MANAGEMENT) !== 0;
  if (target === null) return null;
  if (equalBytes(target, aid)) return am(aid) ? null : 'root';
  if (inHierarchyOf(registry, target, aid)) return 'cycle';
  return am(target) ? null : 'target';
}

/** Card-wide roles one domain holds for the whole card (GPCS 6.6.1, 9.2): only the ISD gives them. */
const CARD_WIDE = MANDATED_DAP_BIT | Privilege.TOKEN_VERIFICATION | Privilege.RECEIPT_GENERATION;

/**
 * Whether an SSD holding `own` may give a new SSD the privileges `p` (a decision, GPCS 6.6.1 and
 * 7.3 leave it to the card): nothing it does not hold itself, and no card-wide role.
 */
export function grantableBy(own: number, p: number): boolean {
  return (p & ~own) === 0 && (p & CARD_WIDE) === 0;
}
