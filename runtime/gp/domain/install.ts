// INSTALL (GPCS 11.5): [for load] (announces the LOAD that follows, load.ts), [for install] and
// [for install and make selectable] (an application, or from the security domain load file a
// supplementary security domain), [for make selectable], [for extradition], [for
// personalization] (STORE DATA then goes to the application, store-data.ts) and [for registry
// update]. What an SSD may do is decided by its privileges and associations (GPCS 7.3, 9;
// hierarchy.ts); Delegated Management goes on tokens (C.4) and answers with receipts (C.5).

import { equalBytes } from '../../../loader/bytes.ts';
import { InstallError } from '../../jcre.ts';
import { concat } from '../crypto.ts';
import { requiredDaps } from '../dap.ts';
import { defaultKeySet } from '../keys.ts';
import { domainMoveRefused, grantableBy, hasSubDomains, isHierarchyRoot } from '../hierarchy.ts';
import { hashLengthSupported, PendingLoad } from '../load.ts';
import { APP_PRIVILEGES_ALLOWED, AppState, DAP_BIT, decodePrivileges, MANDATED_DAP_BIT, Privilege, PRIVILEGES_RFU, withQuota } from '../registry.ts';
import { installMemory, loadRequirements, loadRequirementsMet, reservedMemoryFree, withPendingQuota } from '../quota.ts';
import { swBytes } from '../sm.ts';
import { readTlvs } from '../tlv.ts';
import { ReceiptData, tokenSignedData } from '../tokens.ts';
import { DM_BIT, GpSw, lvFields, ok, type Response, SD_LOAD_FILE, SD_MODULE, validAid } from './common.ts';
import type { DomainContext } from './context.ts';

/**
 * Privileges a supplementary security domain may get: Security Domain with Authorized or
 * Delegated Management (not both), DAP Verification, Mandated DAP Verification (with DAP
 * Verification), Token Verification, Receipt Generation, Trusted Path. The last three roles go to
 * one domain on the card each (domainPrivilegesRefused).
 */
const SSD_PRIVILEGES_ALLOWED =
  Privilege.DELEGATED_MANAGEMENT | Privilege.AUTHORIZED_MANAGEMENT | Privilege.TRUSTED_PATH | Privilege.DAP_VERIFICATION | Privilege.MANDATED_DAP | Privilege.TOKEN_VERIFICATION | Privilege.RECEIPT_GENERATION;
/** Privileges an SSD may give the applications it installs: none that act on the card or on others' content. */
const SSD_APP_PRIVILEGES = Privilege.TRUSTED_PATH | Privilege.FINAL_APPLICATION | Privilege.CONTACTLESS_ACTIVATION | Privilege.CONTACTLESS_SELF_ACTIVATION;
/** The card-wide roles one supplementary security domain at most may have. */
const UNIQUE_ROLES = [MANDATED_DAP_BIT, Privilege.TOKEN_VERIFICATION, Privilege.RECEIPT_GENERATION];

/** The LV fields of INSTALL before the last one, the token (its length byte and value): what the token signs. */
const beforeToken = (data: Uint8Array, token: Uint8Array): Uint8Array => data.subarray(0, data.length - token.length - 1);

export function install(ctx: DomainContext, p1: number, p2: number, data: Uint8Array): Response {
  const kind = p1 & 0x7f; // b8: more INSTALL commands follow (not used here)
  if (p2 !== 0x00) return swBytes(GpSw.WRONG_P1P2);
  ctx.session.personalizing = null; // another INSTALL ends personalization
  switch (kind) {
    case 0x20:
      return installForPersonalization(ctx, data);
    case 0x02:
      return installForLoad(ctx, p1, data);
    case 0x04:
    case 0x0c:
      return installForInstall(ctx, p1, data, kind === 0x0c);
    case 0x08:
      return makeSelectable(ctx, p1, data);
    case 0x10:
      return extradite(ctx, p1, data);
    case 0x40:
      return registryUpdate(ctx, p1, data);
    default:
      return swBytes(GpSw.WRONG_P1P2); // personalization and combinations not offered
  }
}

function installForLoad(ctx: DomainContext, p1: number, data: Uint8Array): Response {
  // Table 11-47: Load File AID, Security Domain AID, Load File Data Block hash, load parameters, token.
  const f = lvFields(data, 5);
  if (!f) return swBytes(GpSw.WRONG_DATA);
  const [elf, sd, hash, params, token] = f as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const required = loadRequirements(params); // EF: memory requirements (quota.ts)
  if (!validAid(elf) || !hashLengthSupported(hash.length) || !required) return swBytes(GpSw.WRONG_DATA);
  const auth = ctx.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
  if (typeof auth === 'number') return swBytes(auth);
  // The load token covers the hash, so it binds the Load File only with one (a decision: GPCS leaves the hash optional).
  if (auth === 'delegated' && hash.length === 0) return swBytes(GpSw.WRONG_DATA);
  // The load file's associated domain (GPCS 7.3, 11.5.2.3.1): the one named, else the one receiving the command.
  let target: Uint8Array | null = ctx.isIsd ? null : ctx.aid;
  if (sd.length > 0 && !equalBytes(sd, ctx.aid)) {
    if (!equalBytes(sd, ctx.config.aid) && !ctx.registry.domain(sd)) return swBytes(GpSw.NOT_FOUND);
    if (!ctx.isIsd) return swBytes(GpSw.CONDITIONS); // an SSD loads for itself only
    target = sd.slice();
  }
  if (ctx.rt.findPackage(elf) || equalBytes(elf, SD_LOAD_FILE)) return swBytes(GpSw.CONDITIONS); // a package with that AID is on the card (or in the API)
  if (!loadRequirementsMet(ctx.rt, required)) return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  // A DAP is signed over the hash (GPCS 11.5.2.3.1): a load that needs one needs the hash.
  if (hash.length === 0 && requiredDaps(ctx.registry, target).length > 0) return swBytes(GpSw.WRONG_DATA);
  ctx.session.pendingLoad = new PendingLoad(elf.slice(), hash.slice());
  ctx.session.loadTarget = target;
  ctx.session.loadDelegated = auth === 'delegated';
  return ok([0x00]);
}

/** The privileges of an INSTALL command, or the status word refusing them. */
function privilegesOf(ctx: DomainContext, field: Uint8Array): number | { sw: number } {
  const p = decodePrivileges(field);
  if (p === null || (p & PRIVILEGES_RFU) !== 0) return { sw: GpSw.WRONG_DATA };
  if ((p & ~APP_PRIVILEGES_ALLOWED) !== 0) return { sw: GpSw.WRONG_DATA };
  if (!ctx.isIsd && (p & ~SSD_APP_PRIVILEGES) !== 0) return { sw: GpSw.WRONG_DATA }; // card-wide privileges come from the ISD only
  return p;
}

function installForInstall(ctx: DomainContext, p1: number, data: Uint8Array, selectable: boolean): Response {
  // Table 11-48: Executable Load File AID, Executable Module AID, Application AID, privileges, install parameters, token.
  const f = lvFields(data, 6);
  if (!f) return swBytes(GpSw.WRONG_DATA);
  const [elf, module, appAid, privField, params, token] = f as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  if (!validAid(elf) || !validAid(module) || !validAid(appAid)) return swBytes(GpSw.WRONG_DATA);
  const auth = ctx.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
  if (typeof auth === 'number') return swBytes(auth);
  if (equalBytes(elf, SD_LOAD_FILE)) return installDomain(ctx, module, appAid, privField, params, selectable);
  const privileges = privilegesOf(ctx, privField);
  if (typeof privileges !== 'number') return swBytes(privileges.sw);
  // Install parameters (Table 11-49): C9 application specific parameters (mandatory, may be empty), EF system parameters, ...
  const tlvs = readTlvs(params);
  if (tlvs === null) return swBytes(GpSw.WRONG_DATA);
  const c9 = tlvs.find((t) => t.tag === 0xc9);
  if (params.length > 0 && !c9) return swBytes(GpSw.WRONG_DATA);
  const appParams = c9?.value ?? new Uint8Array(0);
  const memory = installMemory(tlvs); // EF: memory quotas (quota.ts)
  if (!memory) return swBytes(GpSw.WRONG_DATA);
  const pkg = ctx.rt.packages.find((p) => equalBytes(p.linked.pkg.aid, elf));
  if (!pkg || !pkg.linked.applets.some((a) => equalBytes(a.aid, module))) return swBytes(GpSw.NOT_FOUND);
  if (!ctx.owns(elf)) return swBytes(GpSw.CONDITIONS); // an SSD installs from its own load files only
  if (aidTaken(ctx, appAid)) return swBytes(GpSw.CONDITIONS);
  const quotas = withQuota(ctx.registry.state.quotas ?? [], appAid, memory.quota);
  if (!ctx.registry.fits({ ...ctx.registry.state, apps: [...ctx.registry.state.apps, { aid: appAid, lifeCycle: 0, privileges: 0 }], quotas })) return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  if (!reservedMemoryFree(ctx.rt, memory)) return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  // install(bArray): [Li][instance AID][Lc][control info: the privileges as sent][La][C9 value] (GPCS 11.5.2.3.7 / JCRE 11.1).
  if (appParams.length > 255 - 3 - appAid.length - privField.length) return swBytes(GpSw.WRONG_DATA);
  const bArray = concat([appAid.length], appAid, [privField.length], privField, [appParams.length], appParams);
  // The registry entry first: a tear during install() leaves an entry without its
  // application, which the next reset prunes (Registry.prune); never an application without
  // its entry (it would be SELECTABLE, privileges none).
  const record = (aid: Uint8Array, on: boolean): void => {
    if (on) {
      ctx.registry.setApp({ aid: aid.slice(), lifeCycle: selectable ? AppState.SELECTABLE : AppState.INSTALLED, privileges });
      ctx.registry.setQuota(aid, memory.quota);
    } else {
      ctx.registry.removeApp(aid); // and its quota
    }
    if (!ctx.isIsd) ctx.registry.associate(aid, on ? ctx.aid : null);
  };
  record(appAid, true);
  ctx.registry.save();
  let aid: Uint8Array;
  try {
    aid = withPendingQuota(ctx.rt, ctx.registry, { aid: appAid, context: pkg.context, quota: memory.quota }, () => ctx.rt.install(elf, module, appAid, bArray)).aid;
  } catch (e) {
    if (!(e instanceof InstallError)) throw e;
    record(appAid, false);
    ctx.registry.save();
    // Out of memory (or over its quota) in install(): SystemException NO_RESOURCE (5) or NO_TRANSIENT_SPACE (2) uncaught.
    return swBytes(/NO_RESOURCE|reason [25]\)|does not fit|exhausted|out of memory/i.test(e.message) ? GpSw.NOT_ENOUGH_MEMORY : GpSw.WRONG_DATA);
  }
  if (!equalBytes(aid, appAid)) {
    // install() registered another AID (register() with the class AID): the entry follows it.
    record(appAid, false);
    record(aid, true);
    ctx.registry.save();
  }
  return ctx.confirm(auth === 'delegated', () => ReceiptData.install(elf, aid));
}

/** Whether an application, a security domain or the ISD has the AID. */
function aidTaken(ctx: DomainContext, aid: Uint8Array): boolean {
  return !!ctx.rt.instanceByAid(aid) || !!ctx.registry.domain(aid) || equalBytes(aid, ctx.config.aid);
}

/**
 * INSTALL [for install] from the security domain load file: a new supplementary security
 * domain with the initial key set (GPCS 7.2, 9.1.2), associated with the domain that received
 * the command (GPCS 7.3): the ISD, or an SSD with Authorized Management (hierarchy.ts), which
 * gives no privilege it lacks and no card-wide role (6A80; a DM SSD 6985). The privileges must
 * include Security Domain. Entry and association in one write.
 */
function installDomain(ctx: DomainContext, module: Uint8Array, aid: Uint8Array, privField: Uint8Array, params: Uint8Array, selectable: boolean): Response {
  if (!equalBytes(module, SD_MODULE)) return swBytes(GpSw.NOT_FOUND);
  if (!ctx.isIsd && (ctx.privileges & Privilege.AUTHORIZED_MANAGEMENT) === 0) return swBytes(GpSw.CONDITIONS);
  const p = decodePrivileges(privField);
  if (p === null) return swBytes(GpSw.WRONG_DATA);
  const refused = domainPrivilegesRefused(ctx, p, aid);
  if (refused !== null) return swBytes(refused);
  if (!ctx.isIsd && !grantableBy(ctx.privileges, p)) return swBytes(GpSw.WRONG_DATA);
  if (readTlvs(params) === null) return swBytes(GpSw.WRONG_DATA);
  if (aidTaken(ctx, aid) || ctx.rt.findPackage(aid)) return swBytes(GpSw.CONDITIONS);
  const keys = ctx.config.ssdKeys?.() ?? defaultKeySet('DES3', 0xff);
  const entry = { aid: aid.slice(), lifeCycle: selectable ? AppState.SELECTABLE : AppState.INSTALLED, privileges: p, keySets: [keys], counters: new Map<number, number>() };
  const { domains, associations } = ctx.registry.state;
  ctx.registry.state.domains = [...domains, entry];
  if (!ctx.isIsd) ctx.registry.associate(aid, ctx.aid);
  if (!ctx.registry.trySave()) {
    Object.assign(ctx.registry.state, { domains, associations });
    return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  }
  return ok([0x00]);
}

/**
 * Why the SSD `aid` may not be extradited to `target` (null: the ISD) by this domain, or null
 * (GPCS 7.3, 11.5.2.3.4; hierarchy.ts): this domain is not the ISD or the domain it is
 * associated with, or is the SSD itself; the SSD would head its own hierarchy without Authorized
 * Management; another SSD receiving it lacks Authorized Management; `target` is under it. 6985.
 */
function domainExtraditionRefused(ctx: DomainContext, aid: Uint8Array, target: Uint8Array | null): number | null {
  if (equalBytes(aid, ctx.aid) || !ctx.owns(aid)) return GpSw.CONDITIONS;
  return domainMoveRefused(ctx.registry, aid, target) === null ? null : GpSw.CONDITIONS;
}

/**
 * Why the privileges `p` are refused to the supplementary security domain `aid`, or null (GPCS
 * 6.6.1): Security Domain and only SSD_PRIVILEGES_ALLOWED (6A80); not both Delegated and
 * Authorized Management (6A80); Mandated DAP only with DAP Verification (6A80); Mandated DAP,
 * Token Verification and Receipt Generation held by another domain already (6985).
 */
function domainPrivilegesRefused(ctx: DomainContext, p: number, aid: Uint8Array): number | null {
  if ((p & Privilege.SECURITY_DOMAIN) !== Privilege.SECURITY_DOMAIN || (p & ~(Privilege.SECURITY_DOMAIN | SSD_PRIVILEGES_ALLOWED)) !== 0) return GpSw.WRONG_DATA;
  if ((p & DM_BIT) !== 0 && (p & Privilege.AUTHORIZED_MANAGEMENT) !== 0) return GpSw.WRONG_DATA;
  if ((p & MANDATED_DAP_BIT) !== 0 && (p & DAP_BIT) === 0) return GpSw.WRONG_DATA;
  const others = ctx.registry.state.domains.filter((d) => !equalBytes(d.aid, aid));
  if (UNIQUE_ROLES.some((r) => (p & r) !== 0 && others.some((d) => (d.privileges & r) !== 0))) return GpSw.CONDITIONS;
  return null;
}

/**
 * INSTALL [for extradition] (GPCS 11.5.2.3.4, Table 11-51): the application, executable load
 * file or SSD associated with another security domain. Received by the ISD, or by the domain it
 * is associated with (Authorized Management; Delegated Management needs a token). An SSD may go
 * to the ISD, to an SSD with Authorized Management outside its own hierarchy, or to itself (the
 * root of its own hierarchy, with Authorized Management): domainExtraditionRefused.
 */
function extradite(ctx: DomainContext, p1: number, data: Uint8Array): Response {
  const f = lvFields(data, 5);
  if (!f || f[1]!.length || f[3]!.length) return swBytes(GpSw.WRONG_DATA);
  const [sd, , aid, , token] = f as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  if (!validAid(sd) || !validAid(aid)) return swBytes(GpSw.WRONG_DATA);
  const auth = ctx.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
  if (typeof auth === 'number') return swBytes(auth);
  const toIsd = equalBytes(sd, ctx.config.aid);
  if (!toIsd && !ctx.registry.domain(sd)) return swBytes(GpSw.NOT_FOUND);
  if (equalBytes(aid, ctx.config.aid)) return swBytes(GpSw.CONDITIONS);
  if (ctx.registry.domain(aid)) {
    const refused = domainExtraditionRefused(ctx, aid, toIsd ? null : sd);
    if (refused !== null) return swBytes(refused);
  } else {
    const inst = ctx.rt.instanceByAid(aid);
    const pkg = ctx.rt.packages.find((p) => equalBytes(p.linked.pkg.aid, aid));
    if (!inst && !pkg) return swBytes(GpSw.NOT_FOUND);
    if (!ctx.owns(aid)) return swBytes(GpSw.CONDITIONS);
  }
  const before = ctx.registry.associatedSd(aid);
  ctx.registry.associate(aid, toIsd ? null : sd);
  if (!ctx.registry.trySave()) {
    ctx.registry.associate(aid, before);
    return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  }
  return ctx.confirm(auth === 'delegated', () => ReceiptData.extradition(before ?? ctx.config.aid, aid, sd));
}

function makeSelectable(ctx: DomainContext, p1: number, data: Uint8Array): Response {
  // Table 11-50: 00, 00, Application AID, privileges, 00, token.
  const f = lvFields(data, 6);
  if (!f || f[0]!.length || f[1]!.length || f[4]!.length) return swBytes(GpSw.WRONG_DATA);
  const token = f[5]!;
  const auth = ctx.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
  if (typeof auth === 'number') return swBytes(auth);
  const domain = ctx.registry.domain(f[2]!);
  if (domain) {
    // A security domain installed without being made selectable: its privileges stay those of INSTALL [for install].
    // By the ISD or the domain it is associated with (GPCS 7.3), never by itself.
    if (equalBytes(domain.aid, ctx.aid) || !ctx.owns(domain.aid)) return swBytes(GpSw.CONDITIONS);
    if (domain.lifeCycle !== AppState.INSTALLED) return swBytes(GpSw.CONDITIONS);
    domain.lifeCycle = AppState.SELECTABLE;
    ctx.registry.save();
    return ok([0x00]);
  }
  const privileges = privilegesOf(ctx, f[3]!);
  if (typeof privileges !== 'number') return swBytes(privileges.sw);
  const inst = ctx.rt.instanceByAid(f[2]!);
  if (!inst) return swBytes(GpSw.NOT_FOUND);
  if (!ctx.owns(inst.aid)) return swBytes(GpSw.CONDITIONS);
  const entry = ctx.registry.appState(inst.aid);
  if (entry.lifeCycle !== AppState.INSTALLED) return swBytes(GpSw.CONDITIONS);
  ctx.registry.setApp({ aid: inst.aid.slice(), lifeCycle: AppState.SELECTABLE, privileges });
  ctx.registry.save();
  // The receipt names the application's load file, as an install receipt does (C.5 has no make selectable one of its own).
  return ctx.confirm(auth === 'delegated', () => ReceiptData.install(inst.pkg.linked.pkg.aid, inst.aid));
}

/**
 * INSTALL [for personalization] (GPCS 11.5.2.3.3; data 00, 00, Application AID, 00, 00, 00):
 * the STORE DATA commands that follow go to the application through
 * org.globalplatform.Application.processData, until the last block. The application must be
 * associated with this domain (the ISD: not with an SSD) and implement Application, and not be
 * locked: 6985 otherwise; unknown 6A88.
 */
function installForPersonalization(ctx: DomainContext, data: Uint8Array): Response {
  const f = lvFields(data, 6);
  if (!f || f[0]!.length || f[1]!.length || f[3]!.length || f[4]!.length || f[5]!.length || !validAid(f[2]!)) return swBytes(GpSw.WRONG_DATA);
  const inst = ctx.rt.instanceByAid(f[2]!);
  if (!inst) return swBytes(ctx.registry.domain(f[2]!) || equalBytes(f[2]!, ctx.config.aid) ? GpSw.CONDITIONS : GpSw.NOT_FOUND);
  if (!equalBytes(ctx.ownerOf(inst.aid), ctx.aid)) return swBytes(GpSw.CONDITIONS);
  if ((ctx.registry.appState(inst.aid).lifeCycle & AppState.LOCKED) !== 0) return swBytes(GpSw.CONDITIONS);
  if (!ctx.rt.implementsApplication(inst.aid)) return swBytes(GpSw.CONDITIONS);
  ctx.session.personalizing = inst.aid.slice();
  ctx.session.storeNext = 0;
  ctx.session.storeBuffer = [];
  return ok([0x00]);
}

/**
 * INSTALL [for registry update] (GPCS 11.5.2.3.6, Table 11-52: 00, security domain AID, 00,
 * application AID, privileges (0, 1 or 3 bytes), registry update parameters, token). With a
 * security domain AID the application is extradited to it (as INSTALL [for extradition]); with
 * privileges they replace the application's, or an SSD's (by the ISD only: 6985 through an
 * SSD). Both are checked before either is written. An SSD's privileges keep Security Domain and
 * follow the creation rules, and keep Authorized Management while it heads a hierarchy (6985);
 * an application's may not gain Security Domain (6A80). An SSD moves as INSTALL [for
 * extradition] moves it (domainExtraditionRefused).
 */
function registryUpdate(ctx: DomainContext, p1: number, data: Uint8Array): Response {
  const f = lvFields(data, 7);
  if (!f || f[0]!.length || f[2]!.length) return swBytes(GpSw.WRONG_DATA);
  const [, sd, , aid, privField, params, token] = f as Uint8Array[] as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  if (!validAid(aid) || (sd.length > 0 && !validAid(sd)) || readTlvs(params) === null) return swBytes(GpSw.WRONG_DATA);
  const auth = ctx.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
  if (typeof auth === 'number') return swBytes(auth);
  if (equalBytes(aid, ctx.config.aid)) return swBytes(GpSw.CONDITIONS); // the ISD's privileges are fixed
  const toIsd = sd.length > 0 && equalBytes(sd, ctx.config.aid);
  if (sd.length > 0 && !toIsd && !ctx.registry.domain(sd)) return swBytes(GpSw.NOT_FOUND);
  const domain = ctx.registry.domain(aid);
  const inst = domain ? undefined : ctx.rt.instanceByAid(aid);
  if (!domain && !inst) return swBytes(GpSw.NOT_FOUND);
  if (privField.length > 0 && !ctx.isIsd) return swBytes(GpSw.CONDITIONS); // privileges change through the ISD only
  if (!ctx.owns(aid)) return swBytes(GpSw.CONDITIONS);
  let privileges: number | null = null;
  if (privField.length > 0) {
    const p = decodePrivileges(privField);
    if (p === null || (p & PRIVILEGES_RFU) !== 0) return swBytes(GpSw.WRONG_DATA);
    if (domain) {
      const refused = domainPrivilegesRefused(ctx, p, domain.aid);
      if (refused !== null) return swBytes(refused);
      // A domain with SSDs under it, or its own root (or made one by this command), manages them: Authorized Management stays (a decision).
      const heads = hasSubDomains(ctx.registry, domain.aid) || isHierarchyRoot(ctx.registry, domain.aid) || equalBytes(sd, domain.aid);
      if (heads && (p & Privilege.AUTHORIZED_MANAGEMENT) === 0) return swBytes(GpSw.CONDITIONS);
      privileges = p;
    } else {
      const q = privilegesOf(ctx, privField);
      if (typeof q !== 'number') return swBytes(q.sw);
      privileges = q;
    }
  }
  if (domain && sd.length > 0) {
    const refused = domainExtraditionRefused(ctx, domain.aid, toIsd ? null : sd);
    if (refused !== null) return swBytes(refused);
  }
  const before = { apps: [...ctx.registry.state.apps], associations: ctx.registry.state.associations, domainPrivileges: domain?.privileges };
  if (privileges !== null) {
    if (domain) domain.privileges = privileges;
    else ctx.registry.setApp({ ...ctx.registry.appState(inst!.aid), aid: inst!.aid.slice(), privileges });
  }
  const from = ctx.ownerOf(aid);
  if (sd.length > 0) ctx.registry.associate(inst?.aid ?? aid, toIsd ? null : sd);
  if (!ctx.registry.trySave()) {
    ctx.registry.state.apps = before.apps;
    ctx.registry.state.associations = before.associations;
    if (domain) domain.privileges = before.domainPrivileges!;
    return swBytes(GpSw.NOT_ENOUGH_MEMORY);
  }
  // Receipt (a decision: C.5 gives the extradition form): the domain before, the AID, the domain after.
  return ctx.confirm(auth === 'delegated', () => ReceiptData.extradition(from, aid, ctx.ownerOf(aid)));
}
