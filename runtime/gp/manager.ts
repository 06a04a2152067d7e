// The GlobalPlatform card manager (GPCS 2.3 §3-§6): the Issuer Security Domain and the
// reference installer as native applets of the card, the registry they share, and the routing
// that puts them in front of the JCRE — the ISD is selected on the basic channel at every reset
// and takes the commands when no applet is selected; SELECT by AID reaches the native applets;
// applications that are not SELECTABLE, locked, or on a locked or terminated card are not
// selected. Supplementary security domains (registry entries) are selected by their AID too, each
// a SecurityDomain of its own (made when first selected, its session state transient).

import { equalBytes, fromHex, hex } from '../../loader/bytes.ts';
import { channelOf, parseCommand } from '../apdu.ts';
import type { CardManagerHook, Jcre } from '../jcre.ts';
import { IssuerSecurityDomain, GpSw, SecurityDomain } from './isd.ts';
import { defaultKeySet, type KeyType } from './keys.ts';
import { AppState, CardState, type CardStateName, Registry } from './registry.ts';
import { RiInstaller } from './ri-installer.ts';
import { swBytes } from './sm.ts';

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

interface NativeApplet {
  readonly aid: Uint8Array;
  select(cmd: Uint8Array): Uint8Array;
  deselect(): void;
  process(cmd: Uint8Array): Uint8Array;
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

export class CardManager implements CardManagerHook {
  readonly registry: Registry;
  readonly isd: IssuerSecurityDomain;
  readonly ri: RiInstaller | null;
  private readonly natives: NativeApplet[];
  /** The supplementary security domains selected since the last reset, by AID. */
  private readonly ssds = new Map<string, SecurityDomain>();
  /** The native applet selected on the basic channel, or null (then the JCRE's selected applet, if any). */
  private selectedNative: NativeApplet | null = null;

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
    this.natives = this.ri ? [this.isd, this.ri] : [this.isd];
    rt.cardManager = this;
    rt.onReset.push(() => this.reset());
    this.reset();
  }

  /** Card reset: every native session ends; the ISD is selected on the basic channel. */
  private reset(): void {
    for (const n of this.natives) n.deselect();
    for (const d of this.ssds.values()) d.deselect();
    this.ssds.clear();
    this.selectedNative = this.isd;
  }

  get cardState(): number {
    return this.registry.state.cardState;
  }

  /** The supplementary security domain a SELECT names (exact or partial AID), if any. */
  private ssd(aid: Uint8Array): SecurityDomain | undefined {
    if (aid.length < 5) return undefined;
    const d = this.registry.state.domains.find((e) => aid.length <= e.aid.length && equalBytes(e.aid.subarray(0, aid.length), aid));
    if (!d) return undefined;
    const key = hex(d.aid);
    let sd = this.ssds.get(key);
    if (!sd) {
      sd = new SecurityDomain(this.rt, this.registry, this.isd.config, d.aid);
      this.ssds.set(key, sd);
    }
    return sd;
  }

  route(cmd: Uint8Array): Uint8Array | null {
    const parsed = parseCommand(cmd);
    if (!parsed) return null;
    const cla = cmd[0]!;
    if (channelOf(cla) !== 0) return null; // logical channels: the JCRE's (issue 8)
    const state = this.registry.state.cardState;
    if ((cla & 0x80) === 0 && cmd[1] === 0xa4 && cmd[2] === 0x04) {
      const aid = cmd.subarray(parsed.dataOffset, parsed.dataOffset + parsed.nc);
      const native = aid.length === 0 ? this.isd : this.natives.find((n) => aid.length >= 5 && aid.length <= n.aid.length && equalBytes(n.aid.subarray(0, aid.length), aid)) ?? this.ssd(aid);
      if (native) {
        if (native instanceof SecurityDomain && !native.isIsd) {
          // GPCS 5.3.2: an SSD is selectable once SELECTABLE (or PERSONALIZED), not while LOCKED.
          const life = this.registry.domain(native.aid)?.lifeCycle ?? AppState.INSTALLED;
          if (state >= CardState.CARD_LOCKED || life === AppState.INSTALLED) return swBytes(GpSw.FILE_NOT_FOUND);
          if ((life & AppState.LOCKED) !== 0) return swBytes(0x6999);
        }
        if (native !== this.isd && state >= CardState.CARD_LOCKED) return swBytes(GpSw.FILE_NOT_FOUND);
        this.rt.deselectApplet();
        if (this.selectedNative && this.selectedNative !== native) this.selectedNative.deselect();
        this.selectedNative = native;
        return native.select(cmd);
      }
      const inst = this.rt.selectTarget(aid, cmd[3]!);
      if (inst) {
        // GPCS 5.1.1.4-5: on a locked or terminated card only the ISD is selected; 5.3.1: only
        // SELECTABLE (and application specific) states can be selected, never LOCKED ones.
        if (state >= CardState.CARD_LOCKED) return swBytes(GpSw.FILE_NOT_FOUND);
        const life = this.registry.appState(inst.aid).lifeCycle;
        if (life === AppState.INSTALLED) return swBytes(GpSw.FILE_NOT_FOUND);
        if ((life & AppState.LOCKED) !== 0) return swBytes(0x6999);
        if (this.selectedNative) this.selectedNative.deselect();
        this.selectedNative = null;
        return null; // the JCRE selects it
      }
      // No match: an ordinary command for whatever is selected (as cref does).
    }
    if (this.selectedNative instanceof SecurityDomain && !this.selectedNative.isIsd && !this.registry.domain(this.selectedNative.aid)) {
      this.selectedNative = this.isd; // the domain selected was deleted meanwhile (not possible from its own channel; kept safe)
    }
    if (this.selectedNative) return this.selectedNative.process(cmd);
    if (!this.rt.selected) {
      // Nothing selected (an applet refused selection): the ISD answers, as after a reset.
      this.selectedNative = this.isd;
      return this.isd.process(cmd);
    }
    return null;
  }
}
