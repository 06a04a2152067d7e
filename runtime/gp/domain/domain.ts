// The Issuer Security Domain (GPCS 2.3 §7, §9, §11): a native applet of the card that answers
// SELECT with its FCI and runs the card manager's commands over its secure channel —
// INITIALIZE UPDATE, EXTERNAL AUTHENTICATE (channel.ts), INSTALL, LOAD, DELETE, GET STATUS,
// SET STATUS, GET DATA, PUT KEY. Card content is the JCRE's (packages, applet instances); the
// GlobalPlatform state is the Registry's (registry.ts).
//
// The same class is every supplementary security domain (GPCS 7.2, 9): its own key sets,
// sequence counters and secure channel; what it may do with card content is decided by its
// privileges (Authorized Management, Delegated Management) and by associations (GPCS 7.3): an SSD
// sees, manages and deletes only what is associated with it.

import { equalBytes } from '../../../loader/bytes.ts';
import { InstallError, type Jcre } from '../../jcre.ts';
import type { NativeApplication } from '../../native-app.ts';
import { SecureChannel } from '../channel.ts';
import { concat } from '../crypto.ts';
import { requiredDaps } from '../dap.ts';
import { defaultKeySet, type DomainKey, KVN } from '../keys.ts';
import { domainMoveRefused, grantableBy, hasSubDomains, isHierarchyRoot } from '../hierarchy.ts';
import { hashLengthSupported, PendingLoad } from '../load.ts';
import { APP_PRIVILEGES_ALLOWED, AppState, CardState, DAP_BIT, decodePrivileges, type DomainKeys, ISD_PRIVILEGES, MANDATED_DAP_BIT, Privilege, PRIVILEGES_RFU, type Registry, withQuota } from '../registry.ts';
import { installMemory, loadRequirements, loadRequirementsMet, reservedMemoryFree, withPendingQuota } from '../quota.ts';
import { type ScpStore, splitCommand, swBytes } from '../sm.ts';
import { readTlvs, tlv } from '../tlv.ts';
import { confirmationData, ReceiptData, receiptResponse, tokenSignedData, verifyToken } from '../tokens.ts';
import { DM_BIT, GpSw, lvFields, ok, type Response, SD_LOAD_FILE, SD_MODULE, validAid } from './common.ts';
import { ChannelSession, type DomainContext, type IsdConfig } from './context.ts';
import { deleteCommand } from './delete.ts';
import { getData } from './get-data.ts';
import { load } from './load.ts';
import { putKey } from './put-key.ts';
import { getStatus, setStatus } from './status.ts';
import { storeData } from './store-data.ts';

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

const INS = {
  INITIALIZE_UPDATE: 0x50,
  EXTERNAL_AUTHENTICATE: 0x82,
  GET_DATA: 0xca,
  GET_DATA_ODD: 0xcb,
  INSTALL: 0xe6,
  LOAD: 0xe8,
  DELETE: 0xe4,
  GET_STATUS: 0xf2,
  SET_STATUS: 0xf0,
  PUT_KEY: 0xd8,
  STORE_DATA: 0xe2,
  SELECT: 0xa4,
} as const;

export class SecurityDomain implements NativeApplication {
  /** The sessions of the logical channels this domain is selected on, by channel number. */
  private readonly sessions = new Map<number, ChannelSession>();
  /** The session of the channel whose command is being processed (select() and process() set it). */
  private session: ChannelSession;
  /** A new secure channel of this domain (its key sets, sequence counters, KDD): one per logical channel, one per applet session of the GP API. */
  readonly newChannel: () => SecureChannel;
  /** The secure channel of the current command's logical channel. */
  get channel(): SecureChannel {
    return this.session.channel;
  }
  /** This domain's AID (the ISD's is config.aid). */
  readonly aid: Uint8Array;
  readonly partialAid = true; // GPCS 6.4.2.1.2
  /** Whether this is the Issuer Security Domain (else a supplementary one). */
  readonly isIsd: boolean;
  /** What the command modules get of this domain. */
  private readonly ctx: DomainContext;

  /** `ssd`: the AID of the supplementary security domain this is (its registry entry), or none for the ISD. */
  constructor(
    private readonly rt: Jcre,
    private readonly registry: Registry,
    readonly config: IsdConfig,
    ssd?: Uint8Array,
  ) {
    this.aid = ssd ? ssd.slice() : config.aid;
    this.isIsd = ssd === undefined;
    const store: ScpStore = {
      counter: (kvn) => this.keys().counters.get(kvn) ?? 0,
      setCounter: (kvn, n) => {
        this.keys().counters.set(kvn, n);
        this.registry.save();
      },
    };
    this.newChannel = () => new SecureChannel({
      aid: this.aid,
      kdd: config.kdd,
      keySets: () => this.keys().keySets,
      store,
      kddOf: () => this.dataObject(0xcf) ?? config.kdd,
      scp02i: config.scp02i,
      scp03i: config.scp03i,
      ...(config.random ? { random: config.random } : {}),
    });
    this.session = new ChannelSession(this.newChannel()); // until a command names its channel
    this.ctx = this.context();
  }

  /** This domain as the command modules see it (context.ts). */
  private context(): DomainContext {
    const sd = this; // the getters read the current channel's session and the registry's privileges
    return {
      rt: this.rt,
      registry: this.registry,
      config: this.config,
      aid: this.aid,
      isIsd: this.isIsd,
      get session() {
        return sd.session;
      },
      get privileges() {
        return sd.privileges;
      },
      keys: () => this.keys(),
      dataObject: (tag) => this.dataObject(tag),
      ownerOf: (aid) => this.ownerOf(aid),
      owns: (aid) => this.owns(aid),
      authorize: (token, signed) => this.authorize(token, signed),
      confirm: (delegated, receiptData) => this.confirm(delegated, receiptData),
    };
  }

  /** The session of logical channel `ch`, made when the domain is first selected there. */
  private on(ch: number): ChannelSession {
    let s = this.sessions.get(ch);
    if (!s) this.sessions.set(ch, (s = new ChannelSession(this.newChannel())));
    return (this.session = s);
  }

  /** This domain's key sets and counters, as the registry keeps them. */
  private keys(): DomainKeys {
    if (this.isIsd) return this.registry.state;
    return this.registry.domain(this.aid) ?? { keySets: [], counters: new Map() };
  }

  /** This domain's privileges. */
  get privileges(): number {
    return this.isIsd ? ISD_PRIVILEGES : (this.registry.domain(this.aid)?.privileges ?? 0);
  }

  /** The security domain `aid` (an application, load file or SSD) is associated with. */
  private ownerOf(aid: Uint8Array): Uint8Array {
    return this.registry.associatedSd(aid) ?? this.config.aid;
  }

  /** Whether this domain may manage `aid`: the ISD all content, an SSD what is associated with it. */
  private owns(aid: Uint8Array): boolean {
    return this.isIsd || equalBytes(this.ownerOf(aid), this.aid);
  }

  /**
   * Whether this domain may run a card content management command (GPCS 9.1-9.2): the ISD and an
   * SSD with Authorized Management without a token (one sent is not looked at); an SSD with
   * Delegated Management only with a token (tokens.ts) that the Token Verification key (roleKey)
   * verifies over `signed()` — none: 6982 (the authorization is missing), one that does not
   * verify, or no token key on the card: 6A80 (the token field is wrong); other SSDs 6985.
   * 'delegated': the command goes ahead on a token and answers with a receipt.
   */
  private authorize(token: Uint8Array | undefined, signed: () => Uint8Array): number | 'delegated' | null {
    const p = this.privileges;
    if (this.isIsd || (p & Privilege.AUTHORIZED_MANAGEMENT) !== 0) return null;
    if ((p & DM_BIT) === 0) return GpSw.CONDITIONS;
    if (token === undefined || token.length === 0) return GpSw.SECURITY;
    return verifyToken(this.roleKey(Privilege.TOKEN_VERIFICATION, KVN.TOKEN).key, signed(), token) ? 'delegated' : GpSw.WRONG_DATA;
  }

  /**
   * The domain that plays a card-wide role (GPCS 6.6.1: Token Verification, Receipt Generation) —
   * the supplementary security domain with that privilege, else the ISD (null) — and its key of
   * the role's KVN (the first key id of that version).
   */
  private roleKey(privilege: number, kvn: number): { sd: Uint8Array | null; key: DomainKey | undefined } {
    const sd = this.registry.state.domains.find((d) => (d.privileges & privilege) !== 0)?.aid ?? null;
    return { sd, key: this.registry.roleKeys(sd).find((k) => k.kvn === kvn) };
  }

  /**
   * The answer of a card content management command: '00', or, done on a token, its receipt
   * (tokens.ts) under the Receipt Generation key of the receipt domain (roleKey), the
   * confirmation counter counted on and kept in the registry; SD unique data: that domain's 42 ‖
   * 45 as GET DATA answers them. Without a receipt key the card gives no receipt ('00').
   */
  private confirm(delegated: boolean, receiptData: () => Uint8Array): Response {
    const { sd, key } = delegated ? this.roleKey(Privilege.RECEIPT_GENERATION, KVN.RECEIPT) : { sd: null, key: undefined };
    if (!key) return ok([0x00]);
    const counter = ((this.registry.state.confirmationCounter ?? 0) + 1) & 0xffff;
    const sdUnique = concat(this.registry.dataObject(sd, 0x42) ?? this.config.iin, this.registry.dataObject(sd, 0x45) ?? this.config.cin);
    const response = receiptResponse(key, confirmationData(counter, sdUnique), receiptData());
    if (!response) return ok([0x00]);
    this.registry.state.confirmationCounter = counter;
    this.registry.save();
    return ok(response);
  }

  /** SELECT: the FCI (GPCS 11.9.3.1): 6F { 84 AID, A5 { 9F6E? no; 9F65 maximum command data } }. */
  select(_cmd: Uint8Array, ch: number): Response {
    this.deselect(ch);
    this.on(ch);
    return ok(tlv(0x6f, tlv(0x84, this.aid), tlv(0xa5, tlv(0x9f65, [0xff]))));
  }

  /** Deselection on a channel ends that channel's secure channel session and drops its unfinished load; other channels keep theirs. */
  deselect(ch: number): void {
    this.sessions.get(ch)?.channel.close();
    this.sessions.delete(ch);
  }

  /** Reset: every channel's session ends. */
  reset(): void {
    for (const s of this.sessions.values()) s.channel.close();
    this.sessions.clear();
  }

  roots(): number[] {
    return []; // the registry's objects are the JCRE's named objects
  }

  process(cmd: Uint8Array, ch: number): Response {
    this.on(ch);
    const cla = cmd[0]!, ins = cmd[1]!;
    const state = this.registry.state.cardState;
    if (ins === INS.SELECT && (cla & 0x80) === 0) return swBytes(GpSw.FILE_NOT_FOUND); // an AID nothing answers to
    if (state === CardState.TERMINATED && ins !== INS.GET_DATA) return swBytes(GpSw.CONDITIONS);
    if ((cla & 0x80) === 0 && ins !== INS.GET_DATA) return swBytes(GpSw.CLA_NOT_SUPPORTED);
    if (ins === INS.INITIALIZE_UPDATE) {
      this.session.pendingLoad = null;
      return this.channel.initializeUpdate(cmd);
    }
    if (ins === INS.EXTERNAL_AUTHENTICATE) return this.channel.externalAuthenticate(cmd);
    const u = this.channel.unwrap(cmd);
    if (u.sw !== undefined) {
      if (this.channel.state !== 'open') this.session.pendingLoad = null; // a broken session ends the load it carried
      return swBytes(u.sw);
    }
    return this.channel.wrap(this.command(u.apdu));
  }

  private command(apdu: Uint8Array): Response {
    const c = splitCommand(apdu);
    if (!c) return swBytes(GpSw.WRONG_LENGTH);
    if (c.ins === INS.GET_DATA || c.ins === INS.GET_DATA_ODD) return getData(this.ctx, c.p1, c.p2);
    if (![INS.INSTALL, INS.LOAD, INS.DELETE, INS.GET_STATUS, INS.SET_STATUS, INS.PUT_KEY, INS.STORE_DATA].includes(c.ins as never)) return swBytes(GpSw.INS_NOT_SUPPORTED);
    // GPCS 10.x: card content management and key changes only in an authenticated session.
    if (this.channel.state !== 'open') return swBytes(GpSw.SECURITY);
    const state = this.registry.state.cardState;
    const managing = c.ins === INS.INSTALL || c.ins === INS.LOAD || c.ins === INS.DELETE || c.ins === INS.PUT_KEY;
    if (managing && state === CardState.CARD_LOCKED) return swBytes(GpSw.CONDITIONS);
    if (c.ins !== INS.LOAD && c.ins !== INS.GET_STATUS) this.session.statusRest = null;
    if (c.ins !== INS.STORE_DATA) {
      this.session.storeNext = 0;
      this.session.storeBuffer = [];
    }
    switch (c.ins) {
      case INS.STORE_DATA:
        return storeData(this.ctx, c.p1, c.p2, c.data, apdu);
      case INS.INSTALL:
        return this.install(c.p1, c.p2, c.data);
      case INS.LOAD:
        return load(this.ctx, c.p1, c.p2, c.data);
      case INS.DELETE:
        return deleteCommand(this.ctx, c.p1, c.p2, c.data);
      case INS.GET_STATUS:
        return getStatus(this.ctx, c.p1, c.p2, c.data);
      case INS.SET_STATUS:
        return setStatus(this.ctx, c.p1, c.p2, c.data);
      default:
        return putKey(this.ctx, c.p1, c.p2, c.data);
    }
  }

  // --- INSTALL (GPCS 11.5) ----------------------------------------------------------------

  private install(p1: number, p2: number, data: Uint8Array): Response {
    const kind = p1 & 0x7f; // b8: more INSTALL commands follow (not used here)
    if (p2 !== 0x00) return swBytes(GpSw.WRONG_P1P2);
    this.session.personalizing = null; // another INSTALL ends personalization
    switch (kind) {
      case 0x20:
        return this.installForPersonalization(data);
      case 0x02:
        return this.installForLoad(p1, data);
      case 0x04:
      case 0x0c:
        return this.installForInstall(p1, data, kind === 0x0c);
      case 0x08:
        return this.makeSelectable(p1, data);
      case 0x10:
        return this.extradite(p1, data);
      case 0x40:
        return this.registryUpdate(p1, data);
      default:
        return swBytes(GpSw.WRONG_P1P2); // personalization and combinations not offered
    }
  }

  private installForLoad(p1: number, data: Uint8Array): Response {
    // Table 11-47: Load File AID, Security Domain AID, Load File Data Block hash, load parameters, token.
    const f = lvFields(data, 5);
    if (!f) return swBytes(GpSw.WRONG_DATA);
    const [elf, sd, hash, params, token] = f as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const required = loadRequirements(params); // EF: memory requirements (quota.ts)
    if (!validAid(elf) || !hashLengthSupported(hash.length) || !required) return swBytes(GpSw.WRONG_DATA);
    const auth = this.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
    if (typeof auth === 'number') return swBytes(auth);
    // The load token covers the hash, so it binds the Load File only with one (a decision: GPCS leaves the hash optional).
    if (auth === 'delegated' && hash.length === 0) return swBytes(GpSw.WRONG_DATA);
    // The load file's associated domain (GPCS 7.3, 11.5.2.3.1): the one named, else the one receiving the command.
    let target: Uint8Array | null = this.isIsd ? null : this.aid;
    if (sd.length > 0 && !equalBytes(sd, this.aid)) {
      if (!equalBytes(sd, this.config.aid) && !this.registry.domain(sd)) return swBytes(GpSw.NOT_FOUND);
      if (!this.isIsd) return swBytes(GpSw.CONDITIONS); // an SSD loads for itself only
      target = sd.slice();
    }
    if (this.rt.findPackage(elf) || equalBytes(elf, SD_LOAD_FILE)) return swBytes(GpSw.CONDITIONS); // a package with that AID is on the card (or in the API)
    if (!loadRequirementsMet(this.rt, required)) return swBytes(GpSw.NOT_ENOUGH_MEMORY);
    // A DAP is signed over the hash (GPCS 11.5.2.3.1): a load that needs one needs the hash.
    if (hash.length === 0 && requiredDaps(this.registry, target).length > 0) return swBytes(GpSw.WRONG_DATA);
    this.session.pendingLoad = new PendingLoad(elf.slice(), hash.slice());
    this.session.loadTarget = target;
    this.session.loadDelegated = auth === 'delegated';
    return ok([0x00]);
  }

  /** The privileges of an INSTALL command, or the status word refusing them. */
  private privilegesOf(field: Uint8Array): number | { sw: number } {
    const p = decodePrivileges(field);
    if (p === null || (p & PRIVILEGES_RFU) !== 0) return { sw: GpSw.WRONG_DATA };
    if ((p & ~APP_PRIVILEGES_ALLOWED) !== 0) return { sw: GpSw.WRONG_DATA };
    if (!this.isIsd && (p & ~SSD_APP_PRIVILEGES) !== 0) return { sw: GpSw.WRONG_DATA }; // card-wide privileges come from the ISD only
    return p;
  }

  private installForInstall(p1: number, data: Uint8Array, selectable: boolean): Response {
    // Table 11-48: Executable Load File AID, Executable Module AID, Application AID, privileges, install parameters, token.
    const f = lvFields(data, 6);
    if (!f) return swBytes(GpSw.WRONG_DATA);
    const [elf, module, appAid, privField, params, token] = f as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    if (!validAid(elf) || !validAid(module) || !validAid(appAid)) return swBytes(GpSw.WRONG_DATA);
    const auth = this.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
    if (typeof auth === 'number') return swBytes(auth);
    if (equalBytes(elf, SD_LOAD_FILE)) return this.installDomain(module, appAid, privField, params, selectable);
    const privileges = this.privilegesOf(privField);
    if (typeof privileges !== 'number') return swBytes(privileges.sw);
    // Install parameters (Table 11-49): C9 application specific parameters (mandatory, may be empty), EF system parameters, ...
    const tlvs = readTlvs(params);
    if (tlvs === null) return swBytes(GpSw.WRONG_DATA);
    const c9 = tlvs.find((t) => t.tag === 0xc9);
    if (params.length > 0 && !c9) return swBytes(GpSw.WRONG_DATA);
    const appParams = c9?.value ?? new Uint8Array(0);
    const memory = installMemory(tlvs); // EF: memory quotas (quota.ts)
    if (!memory) return swBytes(GpSw.WRONG_DATA);
    const pkg = this.rt.packages.find((p) => equalBytes(p.linked.pkg.aid, elf));
    if (!pkg || !pkg.linked.applets.some((a) => equalBytes(a.aid, module))) return swBytes(GpSw.NOT_FOUND);
    if (!this.owns(elf)) return swBytes(GpSw.CONDITIONS); // an SSD installs from its own load files only
    if (this.aidTaken(appAid)) return swBytes(GpSw.CONDITIONS);
    const quotas = withQuota(this.registry.state.quotas ?? [], appAid, memory.quota);
    if (!this.registry.fits({ ...this.registry.state, apps: [...this.registry.state.apps, { aid: appAid, lifeCycle: 0, privileges: 0 }], quotas })) return swBytes(GpSw.NOT_ENOUGH_MEMORY);
    if (!reservedMemoryFree(this.rt, memory)) return swBytes(GpSw.NOT_ENOUGH_MEMORY);
    // install(bArray): [Li][instance AID][Lc][control info: the privileges as sent][La][C9 value] (GPCS 11.5.2.3.7 / JCRE 11.1).
    if (appParams.length > 255 - 3 - appAid.length - privField.length) return swBytes(GpSw.WRONG_DATA);
    const bArray = concat([appAid.length], appAid, [privField.length], privField, [appParams.length], appParams);
    // The registry entry first: a tear during install() leaves an entry without its
    // application, which the next reset prunes (Registry.prune); never an application without
    // its entry (it would be SELECTABLE, privileges none).
    const record = (aid: Uint8Array, on: boolean): void => {
      if (on) {
        this.registry.setApp({ aid: aid.slice(), lifeCycle: selectable ? AppState.SELECTABLE : AppState.INSTALLED, privileges });
        this.registry.setQuota(aid, memory.quota);
      } else {
        this.registry.removeApp(aid); // and its quota
      }
      if (!this.isIsd) this.registry.associate(aid, on ? this.aid : null);
    };
    record(appAid, true);
    this.registry.save();
    let aid: Uint8Array;
    try {
      aid = withPendingQuota(this.rt, this.registry, { aid: appAid, context: pkg.context, quota: memory.quota }, () => this.rt.install(elf, module, appAid, bArray)).aid;
    } catch (e) {
      if (!(e instanceof InstallError)) throw e;
      record(appAid, false);
      this.registry.save();
      // Out of memory (or over its quota) in install(): SystemException NO_RESOURCE (5) or NO_TRANSIENT_SPACE (2) uncaught.
      return swBytes(/NO_RESOURCE|reason [25]\)|does not fit|exhausted|out of memory/i.test(e.message) ? GpSw.NOT_ENOUGH_MEMORY : GpSw.WRONG_DATA);
    }
    if (!equalBytes(aid, appAid)) {
      // install() registered another AID (register() with the class AID): the entry follows it.
      record(appAid, false);
      record(aid, true);
      this.registry.save();
    }
    return this.confirm(auth === 'delegated', () => ReceiptData.install(elf, aid));
  }

  /** Whether an application, a security domain or the ISD has the AID. */
  private aidTaken(aid: Uint8Array): boolean {
    return !!this.rt.instanceByAid(aid) || !!this.registry.domain(aid) || equalBytes(aid, this.config.aid);
  }

  /**
   * INSTALL [for install] from the security domain load file: a new supplementary security
   * domain with the initial key set (GPCS 7.2, 9.1.2), associated with the domain that received
   * the command (GPCS 7.3): the ISD, or an SSD with Authorized Management (hierarchy.ts), which
   * gives no privilege it lacks and no card-wide role (6A80; a DM SSD 6985). The privileges must
   * include Security Domain. Entry and association in one write.
   */
  private installDomain(module: Uint8Array, aid: Uint8Array, privField: Uint8Array, params: Uint8Array, selectable: boolean): Response {
    if (!equalBytes(module, SD_MODULE)) return swBytes(GpSw.NOT_FOUND);
    if (!this.isIsd && (this.privileges & Privilege.AUTHORIZED_MANAGEMENT) === 0) return swBytes(GpSw.CONDITIONS);
    const p = decodePrivileges(privField);
    if (p === null) return swBytes(GpSw.WRONG_DATA);
    const refused = this.domainPrivilegesRefused(p, aid);
    if (refused !== null) return swBytes(refused);
    if (!this.isIsd && !grantableBy(this.privileges, p)) return swBytes(GpSw.WRONG_DATA);
    if (readTlvs(params) === null) return swBytes(GpSw.WRONG_DATA);
    if (this.aidTaken(aid) || this.rt.findPackage(aid)) return swBytes(GpSw.CONDITIONS);
    const keys = this.config.ssdKeys?.() ?? defaultKeySet('DES3', 0xff);
    const entry = { aid: aid.slice(), lifeCycle: selectable ? AppState.SELECTABLE : AppState.INSTALLED, privileges: p, keySets: [keys], counters: new Map<number, number>() };
    const { domains, associations } = this.registry.state;
    this.registry.state.domains = [...domains, entry];
    if (!this.isIsd) this.registry.associate(aid, this.aid);
    if (!this.registry.fits()) {
      Object.assign(this.registry.state, { domains, associations });
      return swBytes(GpSw.NOT_ENOUGH_MEMORY);
    }
    this.registry.save();
    return ok([0x00]);
  }

  /**
   * Why the SSD `aid` may not be extradited to `target` (null: the ISD) by this domain, or null
   * (GPCS 7.3, 11.5.2.3.4; hierarchy.ts): this domain is not the ISD or the domain it is
   * associated with, or is the SSD itself; the SSD would head its own hierarchy without Authorized
   * Management; another SSD receiving it lacks Authorized Management; `target` is under it. 6985.
   */
  private domainExtraditionRefused(aid: Uint8Array, target: Uint8Array | null): number | null {
    if (equalBytes(aid, this.aid) || !this.owns(aid)) return GpSw.CONDITIONS;
    return domainMoveRefused(this.registry, aid, target) === null ? null : GpSw.CONDITIONS;
  }

  /**
   * Why the privileges `p` are refused to the supplementary security domain `aid`, or null (GPCS
   * 6.6.1): Security Domain and only SSD_PRIVILEGES_ALLOWED (6A80); not both Delegated and
   * Authorized Management (6A80); Mandated DAP only with DAP Verification (6A80); Mandated DAP,
   * Token Verification and Receipt Generation held by another domain already (6985).
   */
  private domainPrivilegesRefused(p: number, aid: Uint8Array): number | null {
    if ((p & Privilege.SECURITY_DOMAIN) !== Privilege.SECURITY_DOMAIN || (p & ~(Privilege.SECURITY_DOMAIN | SSD_PRIVILEGES_ALLOWED)) !== 0) return GpSw.WRONG_DATA;
    if ((p & DM_BIT) !== 0 && (p & Privilege.AUTHORIZED_MANAGEMENT) !== 0) return GpSw.WRONG_DATA;
    if ((p & MANDATED_DAP_BIT) !== 0 && (p & DAP_BIT) === 0) return GpSw.WRONG_DATA;
    const others = this.registry.state.domains.filter((d) => !equalBytes(d.aid, aid));
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
  private extradite(p1: number, data: Uint8Array): Response {
    const f = lvFields(data, 5);
    if (!f || f[1]!.length || f[3]!.length) return swBytes(GpSw.WRONG_DATA);
    const [sd, , aid, , token] = f as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    if (!validAid(sd) || !validAid(aid)) return swBytes(GpSw.WRONG_DATA);
    const auth = this.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
    if (typeof auth === 'number') return swBytes(auth);
    const toIsd = equalBytes(sd, this.config.aid);
    if (!toIsd && !this.registry.domain(sd)) return swBytes(GpSw.NOT_FOUND);
    if (equalBytes(aid, this.config.aid)) return swBytes(GpSw.CONDITIONS);
    if (this.registry.domain(aid)) {
      const refused = this.domainExtraditionRefused(aid, toIsd ? null : sd);
      if (refused !== null) return swBytes(refused);
    } else {
      const inst = this.rt.instanceByAid(aid);
      const pkg = this.rt.packages.find((p) => equalBytes(p.linked.pkg.aid, aid));
      if (!inst && !pkg) return swBytes(GpSw.NOT_FOUND);
      if (!this.owns(aid)) return swBytes(GpSw.CONDITIONS);
    }
    const before = this.registry.associatedSd(aid);
    this.registry.associate(aid, toIsd ? null : sd);
    if (!this.registry.fits()) {
      this.registry.associate(aid, before);
      return swBytes(GpSw.NOT_ENOUGH_MEMORY);
    }
    this.registry.save();
    return this.confirm(auth === 'delegated', () => ReceiptData.extradition(before ?? this.config.aid, aid, sd));
  }

  private makeSelectable(p1: number, data: Uint8Array): Response {
    // Table 11-50: 00, 00, Application AID, privileges, 00, token.
    const f = lvFields(data, 6);
    if (!f || f[0]!.length || f[1]!.length || f[4]!.length) return swBytes(GpSw.WRONG_DATA);
    const token = f[5]!;
    const auth = this.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
    if (typeof auth === 'number') return swBytes(auth);
    const domain = this.registry.domain(f[2]!);
    if (domain) {
      // A security domain installed without being made selectable: its privileges stay those of INSTALL [for install].
      // By the ISD or the domain it is associated with (GPCS 7.3), never by itself.
      if (equalBytes(domain.aid, this.aid) || !this.owns(domain.aid)) return swBytes(GpSw.CONDITIONS);
      if (domain.lifeCycle !== AppState.INSTALLED) return swBytes(GpSw.CONDITIONS);
      domain.lifeCycle = AppState.SELECTABLE;
      this.registry.save();
      return ok([0x00]);
    }
    const privileges = this.privilegesOf(f[3]!);
    if (typeof privileges !== 'number') return swBytes(privileges.sw);
    const inst = this.rt.instanceByAid(f[2]!);
    if (!inst) return swBytes(GpSw.NOT_FOUND);
    if (!this.owns(inst.aid)) return swBytes(GpSw.CONDITIONS);
    const entry = this.registry.appState(inst.aid);
    if (entry.lifeCycle !== AppState.INSTALLED) return swBytes(GpSw.CONDITIONS);
    this.registry.setApp({ aid: inst.aid.slice(), lifeCycle: AppState.SELECTABLE, privileges });
    this.registry.save();
    // The receipt names the application's load file, as an install receipt does (C.5 has no make selectable one of its own).
    return this.confirm(auth === 'delegated', () => ReceiptData.install(inst.pkg.linked.pkg.aid, inst.aid));
  }

  /**
   * INSTALL [for personalization] (GPCS 11.5.2.3.3; data 00, 00, Application AID, 00, 00, 00):
   * the STORE DATA commands that follow go to the application through
   * org.globalplatform.Application.processData, until the last block. The application must be
   * associated with this domain (the ISD: not with an SSD) and implement Application, and not be
   * locked: 6985 otherwise; unknown 6A88.
   */
  private installForPersonalization(data: Uint8Array): Response {
    const f = lvFields(data, 6);
    if (!f || f[0]!.length || f[1]!.length || f[3]!.length || f[4]!.length || f[5]!.length || !validAid(f[2]!)) return swBytes(GpSw.WRONG_DATA);
    const inst = this.rt.instanceByAid(f[2]!);
    if (!inst) return swBytes(this.registry.domain(f[2]!) || equalBytes(f[2]!, this.config.aid) ? GpSw.CONDITIONS : GpSw.NOT_FOUND);
    if (!equalBytes(this.ownerOf(inst.aid), this.aid)) return swBytes(GpSw.CONDITIONS);
    if ((this.registry.appState(inst.aid).lifeCycle & AppState.LOCKED) !== 0) return swBytes(GpSw.CONDITIONS);
    if (!this.rt.implementsApplication(inst.aid)) return swBytes(GpSw.CONDITIONS);
    this.session.personalizing = inst.aid.slice();
    this.session.storeNext = 0;
    this.session.storeBuffer = [];
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
  private registryUpdate(p1: number, data: Uint8Array): Response {
    const f = lvFields(data, 7);
    if (!f || f[0]!.length || f[2]!.length) return swBytes(GpSw.WRONG_DATA);
    const [, sd, , aid, privField, params, token] = f as Uint8Array[] as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    if (!validAid(aid) || (sd.length > 0 && !validAid(sd)) || readTlvs(params) === null) return swBytes(GpSw.WRONG_DATA);
    const auth = this.authorize(token, () => tokenSignedData(p1, 0x00, beforeToken(data, token)));
    if (typeof auth === 'number') return swBytes(auth);
    if (equalBytes(aid, this.config.aid)) return swBytes(GpSw.CONDITIONS); // the ISD's privileges are fixed
    const toIsd = sd.length > 0 && equalBytes(sd, this.config.aid);
    if (sd.length > 0 && !toIsd && !this.registry.domain(sd)) return swBytes(GpSw.NOT_FOUND);
    const domain = this.registry.domain(aid);
    const inst = domain ? undefined : this.rt.instanceByAid(aid);
    if (!domain && !inst) return swBytes(GpSw.NOT_FOUND);
    if (privField.length > 0 && !this.isIsd) return swBytes(GpSw.CONDITIONS); // privileges change through the ISD only
    if (!this.owns(aid)) return swBytes(GpSw.CONDITIONS);
    let privileges: number | null = null;
    if (privField.length > 0) {
      const p = decodePrivileges(privField);
      if (p === null || (p & PRIVILEGES_RFU) !== 0) return swBytes(GpSw.WRONG_DATA);
      if (domain) {
        const refused = this.domainPrivilegesRefused(p, domain.aid);
        if (refused !== null) return swBytes(refused);
        // A domain with SSDs under it, or its own root (or made one by this command), manages them: Authorized Management stays (a decision).
        const heads = hasSubDomains(this.registry, domain.aid) || isHierarchyRoot(this.registry, domain.aid) || equalBytes(sd, domain.aid);
        if (heads && (p & Privilege.AUTHORIZED_MANAGEMENT) === 0) return swBytes(GpSw.CONDITIONS);
        privileges = p;
      } else {
        const q = this.privilegesOf(privField);
        if (typeof q !== 'number') return swBytes(q.sw);
        privileges = q;
      }
    }
    if (domain && sd.length > 0) {
      const refused = this.domainExtraditionRefused(domain.aid, toIsd ? null : sd);
      if (refused !== null) return swBytes(refused);
    }
    const before = { apps: [...this.registry.state.apps], associations: this.registry.state.associations, domainPrivileges: domain?.privileges };
    if (privileges !== null) {
      if (domain) domain.privileges = privileges;
      else this.registry.setApp({ ...this.registry.appState(inst!.aid), aid: inst!.aid.slice(), privileges });
    }
    const from = this.ownerOf(aid);
    if (sd.length > 0) this.registry.associate(inst?.aid ?? aid, toIsd ? null : sd);
    if (!this.registry.fits()) {
      this.registry.state.apps = before.apps;
      this.registry.state.associations = before.associations;
      if (domain) domain.privileges = before.domainPrivileges!;
      return swBytes(GpSw.NOT_ENOUGH_MEMORY);
    }
    this.registry.save();
    // Receipt (a decision: C.5 gives the extradition form): the domain before, the AID, the domain after.
    return this.confirm(auth === 'delegated', () => ReceiptData.extradition(from, aid, this.ownerOf(aid)));
  }

  /** A data object this domain got by STORE DATA. */
  private dataObject(tag: number): Uint8Array | undefined {
    return this.registry.dataObject(this.isIsd ? null : this.aid, tag);
  }

}

/** The Issuer Security Domain is the security domain without a registry entry of its own. */
export const IssuerSecurityDomain = SecurityDomain;
export type IssuerSecurityDomain = SecurityDomain;
