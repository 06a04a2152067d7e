// A security domain (GPCS 2.3 §7, §9, §11): the Issuer Security Domain, and the same class for
// every supplementary security domain (GPCS 7.2, 9: its own key sets, sequence counters and
// secure channel). A native application of the JCRE: it answers SELECT with its FCI, keeps a
// session per logical channel, runs INITIALIZE UPDATE and EXTERNAL AUTHENTICATE through that
// channel's SecureChannel (channel.ts), and hands every other command, unwrapped, to its module
// through one table by INS (COMMANDS). The modules see the domain as a DomainContext
// (context.ts): identity, privileges, keys, ownership of card content — an SSD sees, manages and
// deletes only what is associated with it (GPCS 7.3) — and the authorization and receipts of
// card content management (tokens.ts). Card content is the JCRE's (packages, applet instances);
// the GlobalPlatform state is the Registry's (registry.ts).

import { equalBytes } from '../../../loader/bytes.ts';
import type { Jcre } from '../../jcre.ts';
import type { NativeApplication } from '../../native-app.ts';
import { SecureChannel } from '../channel.ts';
import { concat } from '../crypto.ts';
import { type DomainKey, KVN } from '../keys.ts';
import { CardState, type DomainKeys, ISD_PRIVILEGES, Privilege, type Registry } from '../registry.ts';
import { type ScpStore, splitCommand, swBytes } from '../sm.ts';
import { tlv } from '../tlv.ts';
import { confirmationData, receiptResponse, verifyToken } from '../tokens.ts';
import { DM_BIT, GpSw, ok, type Response } from './common.ts';
import { ChannelSession, type DomainContext, type Handler, type IsdConfig } from './context.ts';
import { deleteCommand } from './delete.ts';
import { getData } from './get-data.ts';
import { install } from './install.ts';
import { load } from './load.ts';
import { putKey } from './put-key.ts';
import { getStatus, setStatus } from './status.ts';
import { storeData } from './store-data.ts';

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

interface Command {
  run: Handler;
  /** Answered outside a secure channel session too, leaving the operations under way alone (GET DATA). */
  anySession?: true;
  /** Card content management or a key change: refused on a locked card (GPCS 5.1.1.4). */
  managing?: true;
  /** Does not end the GET STATUS answers still to send. */
  keepsStatusPages?: true;
  /** Does not end a STORE DATA block sequence. */
  keepsStoreBlocks?: true;
}

/** The commands after the secure channel's, by INS (GPCS 11): each command module's handler. */
const COMMANDS: ReadonlyMap<number, Command> = new Map<number, Command>([
  [INS.GET_DATA, { run: getData, anySession: true }],
  [INS.GET_DATA_ODD, { run: getData, anySession: true }],
  [INS.INSTALL, { run: install, managing: true }],
  [INS.LOAD, { run: load, managing: true, keepsStatusPages: true }],
  [INS.DELETE, { run: deleteCommand, managing: true }],
  [INS.GET_STATUS, { run: getStatus, keepsStatusPages: true }],
  [INS.SET_STATUS, { run: setStatus }],
  [INS.PUT_KEY, { run: putKey, managing: true }],
  [INS.STORE_DATA, { run: storeData, keepsStoreBlocks: true }],
]);

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

  /** A data object this domain got by STORE DATA. */
  private dataObject(tag: number): Uint8Array | undefined {
    return this.registry.dataObject(this.isIsd ? null : this.aid, tag);
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
    const command = COMMANDS.get(c.ins);
    if (!command) return swBytes(GpSw.INS_NOT_SUPPORTED);
    if (command.anySession) return command.run(this.ctx, c.p1, c.p2, c.data, apdu);
    // GPCS 10.x: card content management and key changes only in an authenticated session.
    if (this.channel.state !== 'open') return swBytes(GpSw.SECURITY);
    if (command.managing && this.registry.state.cardState === CardState.CARD_LOCKED) return swBytes(GpSw.CONDITIONS);
    if (!command.keepsStatusPages) this.session.statusRest = null;
    if (!command.keepsStoreBlocks) {
      this.session.storeNext = 0;
      this.session.storeBuffer = [];
    }
    return command.run(this.ctx, c.p1, c.p2, c.data, apdu);
  }
}

/** The Issuer Security Domain is the security domain without a registry entry of its own. */
export const IssuerSecurityDomain = SecurityDomain;
export type IssuerSecurityDomain = SecurityDomain;
