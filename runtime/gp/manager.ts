// The GlobalPlatform card manager (GPCS 2.3 §3-§6): the Issuer Security Domain, the reference
// installer and the supplementary security domains (one per registry entry) as native
// applications of the JCRE, selected per logical channel like any application, and the registry
// they share. The ISD is the JCRE's default application: selected on the basic channel at every
// reset and answering there when nothing is selected. What may be selected is the card manager's
// selection policy: applications that are not SELECTABLE, LOCKED ones, and anything but the ISD
// on a locked or terminated card are refused.

import { equalBytes, fromHex, hex } from '../../loader/bytes.ts';
import type { Jcre } from '../jcre.ts';
import { GpSw } from './domain/common.ts';
import { IssuerSecurityDomain, SecurityDomain } from './domain/domain.ts';
import { defaultKeySet, type KeyType } from './keys.ts';
import { AppState, CardState, type CardStateName, Registry } from './registry.ts';
import { RiInstaller } from './ri-installer.ts';

export const DEFAULT_ISD_AID = fromHex('A000000151000000');

export interface GpOptions {
  /** The Issuer Security Domain's AID (default A000000151000000). */
  isdAid?: Uint8Array;
  /** The initial key set: 40..4F of this type (DES3: SCP02, AES: SCP03), length and KVN (default DES3, 16, FF). */
  keyType?: KeyType;
  keyLength?: number;
  kvn?: number;
  /** SCP02 / SCP03 option i (default 55 / 70); null: not offered. */
  scp02i?: number | null;
  scp03i?: number | null;
  /** Card life cycle state of a new card (default OP_READY). */
  lifeCycle?: CardStateName;
  /** Key diversification data (INITIALIZE UPDATE, GET DATA CF), 10 bytes. */
  kdd?: Uint8Array;
  /** CPLC data (GET DATA 9F7F), 42 bytes. */
  cplc?: Uint8Array;
  /** Issuer Identification Number and Card Image Number (GET DATA 42, 45). */
  iin?: Uint8Array;
  cin?: Uint8Array;
  /** The reference installer (A0000000620301 0801) beside the ISD (default true). */
  riInstaller?: boolean;
  /** Card challenges for the random modes (default: the OS CSPRNG). */
  random?: (n: number) => Uint8Array;
  /** Bytes of card memory the registry may take (default 2048). */
  registryBytes?: number;
  /** Key sets the ISD keeps at most (default 8). */
  maxKeySets?: number;
}

/** CPLC (GPCS H.1, Table H-3) of a jcvm card: fabricator, type, OS id and dates, serial number. */
function defaultCplc(): Uint8Array {
  const c = new Uint8Array(42);
  c.set([0x4a, 0x43], 0); // IC fabricator "JC"
  c.set([0x56, 0x4d], 2); // IC type "VM"
  c.set([0x4a, 0x56], 4); // operating system identifier
  c.set([0x00, 0x01], 10); // operating system release level
  c.set([0x00, 0x00, 0x00, 0x01], 15); // IC serial number
  return c;
}

export class CardManager {
  readonly registry: Registry;
  readonly isd: IssuerSecurityDomain;
  readonly ri: RiInstaller | null;
  /** The supplementary security domains, one native application per registry entry (made when first looked up). */
  private readonly ssds = new Map<string, SecurityDomain>();

  constructor(
    private readonly rt: Jcre,
    options: GpOptions = {},
  ) {
    const aid = options.isdAid ?? DEFAULT_ISD_AID;
    const keyType = options.keyType ?? 'DES3';
    this.registry = new Registry(
      rt,
      () => ({
        cardState: CardState[options.lifeCycle ?? 'OP_READY'],
        keySets: [defaultKeySet(keyType, options.kvn ?? 0xff, options.keyLength ?? 16)],
        counters: new Map(),
        apps: [],
        domains: [],
        associations: [],
      }),
      options.registryBytes ?? 2048,
    );
    this.isd = new IssuerSecurityDomain(rt, this.registry, {
      aid,
      cplc: options.cplc ?? defaultCplc(),
      iin: options.iin ?? fromHex('4A43564D'),
      cin: options.cin ?? fromHex('4A43564D0001'),
      scp02i: options.scp02i === undefined ? 0x55 : options.scp02i,
      scp03i: options.scp03i === undefined ? 0x70 : options.scp03i,
      kdd: options.kdd ?? fromHex('00004A43564D00000001'),
      maxKeySets: options.maxKeySets ?? 8,
      ssdKeys: () => defaultKeySet(keyType, 0xff, options.keyLength ?? 16),
      ...(options.random ? { random: options.random } : {}),
    });
    this.ri = options.riInstaller === false ? null : new RiInstaller(rt, this.registry);
    // The ISD, the installer and the SSDs are native applications of the JCRE; the ISD is the
    // default application of the basic channel (it has the Card Reset privilege, GPCS 6.4.2.1.1).
    rt.nativeApps.push(...(this.ri ? [this.isd, this.ri] : [this.isd]));
    rt.nativeSources.push(() => this.domains());
    rt.defaultApplication = this.isd;
    rt.selectionPolicy = (target) => this.mayBeSelected(target);
    rt.cardManager = this;
  }

  get cardState(): number {
    return this.registry.state.cardState;
  }

  /** The supplementary security domains of the registry, as native applications (kept while their entry lives). */
  private domains(): SecurityDomain[] {
    const entries = this.registry.state.domains;
    if (this.ssds.size > entries.length || entries.some((d) => !this.ssds.has(hex(d.aid)))) {
      const live = new Set(entries.map((d) => hex(d.aid)));
      for (const key of this.ssds.keys()) if (!live.has(key)) this.ssds.delete(key);
      for (const d of entries) if (!this.ssds.has(hex(d.aid))) this.ssds.set(hex(d.aid), new SecurityDomain(this.rt, this.registry, this.isd.config, d.aid));
    }
    return [...this.ssds.values()];
  }

  /** The security domain the application `aid` is associated with (GPCS 7.3): an SSD, else the ISD. */
  domainOf(aid: Uint8Array): SecurityDomain {
    const sd = this.registry.associatedSd(aid);
    return (sd && this.domains().find((d) => equalBytes(d.aid, sd))) || this.isd;
  }

  /**
   * The selection policy: null when the application `aid` may be selected, else the status word.
   * GPCS 5.1.1.4-5: on a CARD_LOCKED or TERMINATED card only the ISD; 5.3.1-5.3.2: an
   * application or SSD still INSTALLED is not found, a LOCKED one refuses.
   */
  private mayBeSelected(aid: Uint8Array): number | null {
    if (equalBytes(aid, this.isd.aid)) return null;
    if (this.registry.state.cardState >= CardState.CARD_LOCKED) return GpSw.FILE_NOT_FOUND;
    const life = (this.registry.domain(aid) ?? this.registry.appState(aid)).lifeCycle;
    if (life === AppState.INSTALLED) return GpSw.FILE_NOT_FOUND;
    if ((life & AppState.LOCKED) !== 0) return 0x6999;
    return null;
  }
}
