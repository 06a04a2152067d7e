// What a security domain's command modules work with: its configuration, the session of the
// logical channel a command came on, and the domain itself as a DomainContext — identity,
// privileges, keys, ownership of card content, and the authorization and receipt of card content
// management (GPCS 9, C.4, C.5). domain.ts implements it; install.ts, load.ts, delete.ts,
// status.ts, store-data.ts, get-data.ts and put-key.ts take it.

import type { Jcre } from '../../jcre.ts';
import type { SecureChannel } from '../channel.ts';
import type { KeySet } from '../keys.ts';
import type { PendingLoad } from '../load.ts';
import type { DomainKeys, Registry } from '../registry.ts';
import type { Response } from './common.ts';

/** The card manager's configuration of its security domains (manager.ts makes it from GpOptions; the SSDs share the ISD's). */
export interface IsdConfig {
  aid: Uint8Array;
  /** Card Production Life Cycle data (GET DATA 9F7F), 42 bytes. */
  cplc: Uint8Array;
  /** Issuer Identification Number (GET DATA 0042) and Card Image Number (0045). */
  iin: Uint8Array;
  cin: Uint8Array;
  scp02i: number | null;
  scp03i: number | null;
  kdd: Uint8Array;
  random?: (n: number) => Uint8Array;
  /** Key sets the domain keeps at most. */
  maxKeySets: number;
  /** The key set a new supplementary security domain starts with (default: DES3 40..4F, KVN FF). */
  ssdKeys?: () => KeySet;
}

/**
 * What a security domain keeps for one logical channel it is selected on (GPCS 10.2: a secure
 * channel session is bound to the logical channel it was opened on), and the multi-command
 * operations under way there. Made at selection; dropped at deselection, channel close and reset.
 */
export class ChannelSession {
  /** The Load File INSTALL [for load] announced, with its blocks so far (load.ts). */
  pendingLoad: PendingLoad | null = null;
  /** The security domain the load under way will be associated with (null: the ISD). */
  loadTarget: Uint8Array | null = null;
  /** Whether the load under way was authorized by a token (its last LOAD answers with a receipt). */
  loadDelegated = false;
  /** GET STATUS answers still to send (P2 b1: next occurrence). */
  statusRest: { p1: number; entries: Uint8Array[] } | null = null;
  /** The block number the next STORE DATA must carry (GPCS 11.11.2.2). */
  storeNext = 0;
  /** The STORE DATA blocks received so far (plain), applied at the last block. */
  storeBuffer: Uint8Array[] = [];
  /** The application INSTALL [for personalization] named: STORE DATA goes to it (transient). */
  personalizing: Uint8Array | null = null;

  constructor(readonly channel: SecureChannel) {}
}

/** What a command handler may use of the security domain that received the command. */
export interface DomainContext {
  readonly rt: Jcre;
  readonly registry: Registry;
  readonly config: IsdConfig;
  /** This domain's AID (the ISD's is config.aid). */
  readonly aid: Uint8Array;
  /** Whether this is the Issuer Security Domain (else a supplementary one). */
  readonly isIsd: boolean;
  /** The session of the logical channel the current command came on. */
  readonly session: ChannelSession;
  /** This domain's privileges. */
  readonly privileges: number;
  /** This domain's key sets and counters, as the registry keeps them. */
  keys(): DomainKeys;
  /** A data object this domain got by STORE DATA. */
  dataObject(tag: number): Uint8Array | undefined;
  /** The security domain `aid` (an application, load file or SSD) is associated with. */
  ownerOf(aid: Uint8Array): Uint8Array;
  /** Whether this domain may manage `aid`: the ISD all content, an SSD what is associated with it. */
  owns(aid: Uint8Array): boolean;
  /** Whether this domain may run a card content management command: null (yes), 'delegated' (on a valid token: answer with a receipt), or the status word refusing it. */
  authorize(token: Uint8Array | undefined, signed: () => Uint8Array): number | 'delegated' | null;
  /** The answer of a card content management command: '00', or, done on a token, its receipt over `receiptData()`. */
  confirm(delegated: boolean, receiptData: () => Uint8Array): Response;
}

/** A command's handler (install.ts, load.ts, ...): the domain, the command's P1, P2 and data field, and the whole command as unwrapped. */
export type Handler = (ctx: DomainContext, p1: number, p2: number, data: Uint8Array, apdu: Uint8Array) => Response;
