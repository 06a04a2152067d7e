// Natives of org.globalplatform (GlobalPlatform Card API 1.7, export facts in facts.json): GPSystem,
// and the JCRE-owned objects it hands out — the GPRegistryEntry of an on-card entity and the
// SecureChannel of the Security Domain an applet is associated with (the ISD, or the SSD it was
// loaded, installed or extradited under). They act on the card manager's registry
// (runtime/gp/registry.ts) and run the card manager's secure channel code (runtime/gp/channel.ts)
// with that domain's key sets, one session per logical channel; GPSystem.getCVM gives the
// card's global PIN (runtime/gp/cvm.ts). A
// card without a card manager (CardOptions.gp off) answers as a SECURED card on which nothing is
// privileged.
//
// The objects are permanent JCRE entry points (JCRE 6.2.1; an applet may keep them in a field),
// kept by name in `Jcre.namedObjects` (collector roots, saved in the card image); their classes
// are shareable, so invokeinterface from an applet's context switches to the JCRE's.

import { equalBytes, hex } from '../../loader/bytes.ts';
import type { VmClass } from '../../vm/types.ts';
import type { Vm } from '../../vm/interpreter.ts';
import { ApduStateCode } from '../apdu.ts';
import { SecureChannel as CardChannel } from '../gp/channel.ts';
import { CVM_GLOBAL_PIN, globalCvm } from '../gp/cvm.ts';
import type { CardManager } from '../gp/manager.ts';
import { AppState, CardState, ISD_PRIVILEGES, LOADED, Privilege, privilegeBytes } from '../gp/registry.ts';
import { JCRE_CONTEXT, type AppletInstance, type Jcre } from '../jcre.ts';
import { array, bytesOf, checkRange, FW } from './common.ts';
import { defineKeyClass } from './crypto/classes.ts';
import type { NativeTable } from './registry.ts';

export const GP = 'org/globalplatform';
const GPS = `${GP}/GPSystem`;
const ISO_EX = `${FW}/ISOException`;

/** GPRegistryEntry / SecureChannel security level bits (GP API 1.7, SecureChannel constants). */
export const SecurityLevel = { AUTHENTICATED: 0x80, ANY_AUTHENTICATED: 0x40, C_MAC: 0x01, C_DECRYPTION: 0x02, R_MAC: 0x10, R_ENCRYPTION: 0x20 } as const;

/** Privilege numbers of GPRegistryEntry.isPrivileged (GP API: PRIVILEGE_SECURITY_DOMAIN = 0 ... CONTACTLESS_SELF_ACTIVATION = 19): bit 23 - n. */
export function privilegeBit(n: number): number {
  return n >= 0 && n <= 23 ? 1 << (23 - n) : 0;
}

/** A registry entry object's state: the AID of the entity it describes (hex). */
interface EntryState {
  aid: string;
}

export function globalPlatformNatives(rt: Jcre): NativeTable {
  const t: NativeTable = {};
  const cm = (): CardManager | null => rt.cardManager as CardManager | null;
  const iso = (sw: number): never => rt.throwException(ISO_EX, sw << 16 >> 16);
  /** The applet a GPSystem call comes from (static: no context switch). */
  const caller = (): AppletInstance | null => rt.currentApplet();
  /** The applet that called a method of a JCRE entry point object (the call switched to the JCRE's context). */
  const client = (): AppletInstance | null => rt.previousApplet() ?? rt.currentApplet();
  const privileges = (aid: Uint8Array | null): number => {
    const m = cm();
    if (!m || !aid) return 0;
    return m.registry.appState(aid).privileges;
  };
  const setCardState = (to: number, privilege: number): number => {
    const m = cm();
    const a = caller();
    if (!m || !a || (privileges(a.aid) & privilege) !== privilege) return 0;
    const from = m.registry.state.cardState;
    const legal = to === CardState.TERMINATED ? from !== CardState.TERMINATED : from === CardState.SECURED && to === CardState.CARD_LOCKED;
    if (!legal) return 0;
    m.registry.state.cardState = to;
    m.registry.save();
    return 1;
  };

  // --- the JCRE's objects --------------------------------------------------------------
  const named = (name: string, cls: () => VmClass, state: unknown): number => {
    let h = rt.namedObjects.get(name);
    if (h === undefined) {
      h = rt.jcreObject(() => rt.heap.newInstance(cls(), JCRE_CONTEXT));
      const o = rt.heap.get(h)!;
      o.global = true; // a permanent JCRE entry point (see isPermanentEntryPoint)
      o.native = state;
      rt.namedObjects.set(name, h);
    }
    return h;
  };
  const aidNamed = (aid: Uint8Array): number => {
    const name = `gp.api.aid.${hex(aid)}`;
    let h = rt.namedObjects.get(name);
    if (h === undefined || !rt.aidBytes(rt.heap.get(h))) {
      h = rt.newAidObject(aid);
      rt.namedObjects.set(name, h);
    }
    return h;
  };
  const entryAid = (vm: Vm, h: number): Uint8Array => {
    const st = vm.deref(h).native as EntryState | null;
    return Uint8Array.from(Buffer.from(st?.aid ?? '', 'hex'));
  };
  /** What the registry knows of an AID: the ISD, an application, a load file; null for nothing. */
  const kindOf = (aid: Uint8Array): 'isd' | 'app' | 'elf' | null => {
    const m = cm();
    if (m && equalBytes(aid, m.isd.aid)) return 'isd';
    if (rt.instanceByAid(aid)) return 'app';
    if (rt.packages.some((p) => equalBytes(p.linked.pkg.aid, aid))) return 'elf';
    return null;
  };

  // --- the secure channel of the applet's Security Domain --------------------------------
  /**
   * The sessions by logical channel: the applet and domain each belongs to. A session ends when
   * another applet is selected on its channel, and at reset.
   */
  const sessions = new Map<number, { channel: CardChannel; owner: AppletInstance | null; domain: object }>();
  rt.onReset.push(() => {
    for (const s of sessions.values()) s.channel.close();
    sessions.clear();
  });
  const session = (): CardChannel => {
    const m = cm();
    if (!m) return iso(0x6985);
    const a = client();
    const domain = a ? m.domainOf(a.aid) : m.isd;
    const ch = rt.currentChannel;
    const s = sessions.get(ch);
    if (s && s.owner === a && s.domain === domain && rt.selected === a) return s.channel;
    s?.channel.close();
    const channel = domain.newChannel();
    sessions.set(ch, { channel, owner: a, domain });
    return channel;
  };
  /**
   * decryptData / encryptData: whole blocks of (buf, off, len) deciphered or enciphered in place
   * with the session's data key (SCP02 3DES-ECB, session DEK; SCP03 AES-CBC, Key-DEK).
   */
  const cryptInPlace = (vm: Vm, b: number, encrypt: boolean): number => {
    const ch = session();
    const buf = array(vm, vm.stack[b + 1]!), off = vm.stack[b + 2]!, len = vm.stack[b + 3]!;
    checkRange(vm, buf, off, len);
    if (ch.state !== 'open') iso(0x6985);
    if (len % (ch.scp === 2 ? 8 : 16) !== 0) iso(0x6700);
    const input = bytesOf(vm, vm.stack[b + 1]!, off, len);
    const out = encrypt ? ch.encryptKey(input) : ch.decryptKey(input);
    buf.data.set(out as unknown as Int8Array, off);
    return out.length;
  };
  const level = (ch: CardChannel): number => (ch.state === 'open' ? ch.securityLevel | SecurityLevel.AUTHENTICATED : 0);
  const swOf = (r: Uint8Array): number => (r[r.length - 2]! << 8) | r[r.length - 1]!;

  const identity = (vm: Vm, b: number): number => (vm.stack[b] === vm.stack[b + 1] ? 1 : 0);
  const channelNatives = {
    'equals(Ljava/lang/Object;)Z': identity,
    'processSecurity(Ljavacard/framework/APDU;)S': () => {
      const ch = session();
      // The whole command is the JCRE's: receive what the applet has not, answer at OFFSET_CDATA.
      const s = rt.apdu;
      const cmd = s.cmd;
      const cla = cmd[0]!, ins = cmd[1]!;
      if ((cla & 0x80) === 0) iso(0x6e00);
      let r: Uint8Array;
      if (ins === 0x50) r = ch.initializeUpdate(cmd);
      else if (ins === 0x82) r = ch.externalAuthenticate(cmd);
      else return iso(0x6d00);
      if (s.parsed.nc > s.received) {
        rt.apduBuffer.set(cmd.subarray(s.parsed.dataOffset + s.received, s.parsed.dataOffset + s.parsed.nc) as unknown as Int8Array, 5 + s.received);
        s.received = s.parsed.nc;
        s.state = ApduStateCode.FULL_INCOMING;
      }
      const sw = swOf(r);
      if (sw !== 0x9000) iso(sw);
      const data = r.subarray(0, r.length - 2);
      rt.apduBuffer.set(data as unknown as Int8Array, 5);
      return data.length;
    },
    'wrap([BSS)S': (vm: Vm, b: number) => {
      const ch = session();
      const buf = array(vm, vm.stack[b + 1]!), off = vm.stack[b + 2]!, len = vm.stack[b + 3]!;
      checkRange(vm, buf, off, len);
      if (len < 2) iso(0x6700);
      const out = ch.wrap(bytesOf(vm, vm.stack[b + 1]!, off, len));
      const data = out.subarray(0, out.length - 2);
      checkRange(vm, buf, off, data.length);
      buf.data.set(data as unknown as Int8Array, off);
      return data.length;
    },
    'unwrap([BSS)S': (vm: Vm, b: number) => {
      const ch = session();
      const buf = array(vm, vm.stack[b + 1]!), off = vm.stack[b + 2]!, len = vm.stack[b + 3]!;
      checkRange(vm, buf, off, len);
      const u = ch.unwrap(bytesOf(vm, vm.stack[b + 1]!, off, len));
      if (u.sw !== undefined) return iso(u.sw);
      buf.data.set(u.apdu as unknown as Int8Array, off);
      return u.apdu.length;
    },
    'decryptData([BSS)S': (vm: Vm, b: number) => cryptInPlace(vm, b, false),
    'encryptData([BSS)S': (vm: Vm, b: number) => cryptInPlace(vm, b, true),
    'resetSecurity()V': () => {
      session().close();
    },
    'getSecurityLevel()B': () => level(session()),
  };

  // --- GPRegistryEntry ------------------------------------------------------------------
  const entryState = (aid: Uint8Array): number => {
    const m = cm();
    const k = kindOf(aid);
    if (!m) return k === 'elf' ? LOADED : k === 'app' ? AppState.SELECTABLE : 0;
    if (k === 'isd') return m.registry.state.cardState;
    if (k === 'elf') return LOADED;
    return m.registry.appState(aid).lifeCycle;
  };
  const entryNatives = {
    'equals(Ljava/lang/Object;)Z': identity,
    'deregisterService(S)V': () => iso(0x6985), // Global Services are not offered
    'registerService(S)V': () => iso(0x6985),
    'getAID()Ljavacard/framework/AID;': (vm: Vm, b: number) => aidNamedOrInstance(entryAid(vm, vm.stack[b]!)),
    'getPrivileges([BS)S': (vm: Vm, b: number) => {
      const aid = entryAid(vm, vm.stack[b]!);
      const buf = array(vm, vm.stack[b + 1]!), off = vm.stack[b + 2]!;
      checkRange(vm, buf, off, 3);
      const m = cm();
      const p = m && kindOf(aid) === 'isd' ? ISD_PRIVILEGES : privileges(aid);
      buf.data.set(privilegeBytes(p) as unknown as Int8Array, off);
      return 3;
    },
    'getState()B': (vm: Vm, b: number) => entryState(entryAid(vm, vm.stack[b]!)) << 24 >> 24,
    'isAssociated(Ljavacard/framework/AID;)Z': (vm: Vm, b: number) => {
      const sd = rt.aidBytes(rt.heap.get(vm.stack[b + 1]!));
      const m = cm();
      return sd && m && equalBytes(sd, m.isd.aid) && kindOf(entryAid(vm, vm.stack[b]!)) !== null ? 1 : 0;
    },
    'isPrivileged(B)Z': (vm: Vm, b: number) => {
      const aid = entryAid(vm, vm.stack[b]!);
      const m = cm();
      const p = m && kindOf(aid) === 'isd' ? ISD_PRIVILEGES : privileges(aid);
      const bit = privilegeBit(vm.stack[b + 1]!);
      return bit !== 0 && (p & bit) === bit ? 1 : 0;
    },
    'setState(B)Z': (vm: Vm, b: number) => {
      const m = cm();
      const aid = entryAid(vm, vm.stack[b]!);
      const who = client();
      const to = vm.stack[b + 1]! & 0xff;
      if (!m || !who || kindOf(aid) !== 'app') return 0;
      const e = m.registry.appState(aid);
      const self = equalBytes(who.aid, aid);
      const globalLock = (privileges(who.aid) & Privilege.GLOBAL_LOCK) !== 0;
      let next: number;
      if (to === AppState.LOCKED) {
        // GPCS 5.3.2: an application locks itself, or one with Global Lock locks it.
        if (!self && !globalLock) return 0;
        next = e.lifeCycle | AppState.LOCKED;
      } else if ((e.lifeCycle & AppState.LOCKED) !== 0) {
        // Unlocking: only by another application with Global Lock, back to the state before.
        if (self || !globalLock || to !== (e.lifeCycle & 0x7f)) return 0;
        next = to;
      } else {
        // Application specific states: the application itself, from SELECTABLE on (b3..b1 = 111).
        if (!self || (to & 0x87) !== 0x07 || e.lifeCycle === AppState.INSTALLED) return 0;
        next = to;
      }
      m.registry.setApp({ ...e, aid: e.aid.slice(), lifeCycle: next });
      m.registry.save();
      return 1;
    },
  };
  const aidNamedOrInstance = (aid: Uint8Array): number => rt.instanceByAid(aid)?.aidHandle ?? aidNamed(aid);

  // --- GPSystem -------------------------------------------------------------------------
  // The classes exist from the start (a card image's objects name them).
  const entryClass = defineKeyClass(rt.api, 'jcvm/gp/RegistryEntryImpl', [`${GP}/GPRegistryEntry`], entryNatives);
  const channelClass = defineKeyClass(rt.api, 'jcvm/gp/SecureChannelImpl', [`${GP}/SecureChannel`], channelNatives);
  // The card's global PIN (runtime/gp/cvm.ts): managed by an applet with CVM Management.
  const cvm = globalCvm(rt, () => {
    const a = client();
    return !!a && (privileges(a.aid) & Privilege.CVM_MANAGEMENT) !== 0;
  });
  const cvmClass = defineKeyClass(rt.api, 'jcvm/gp/GlobalCvmImpl', [`${GP}/CVM`], cvm.natives);
  entryClass.isShareable = channelClass.isShareable = cvmClass.isShareable = true;
  rt.permanentEntryPointClasses.add(entryClass);
  rt.permanentEntryPointClasses.add(channelClass);
  rt.permanentEntryPointClasses.add(cvmClass);

  t[`${GPS}.getCardState()B`] = () => (cm()?.registry.state.cardState ?? CardState.SECURED) << 24 >> 24;
  t[`${GPS}.getCardContentState()B`] = () => {
    const a = caller();
    return a ? entryState(a.aid) << 24 >> 24 : 0;
  };
  t[`${GPS}.setCardContentState(B)Z`] = (vm, b) => {
    const m = cm();
    const a = caller();
    const to = vm.stack[b]! & 0xff;
    // GP API: application specific states only (b8 = 0, b3..b1 = 111), never LOCKED or INSTALLED.
    if (!m || !a || (to & 0x87) !== 0x07) return 0;
    const e = m.registry.appState(a.aid);
    if ((e.lifeCycle & AppState.LOCKED) !== 0 || e.lifeCycle === AppState.INSTALLED) return 0;
    m.registry.setApp({ ...e, aid: e.aid.slice(), lifeCycle: to });
    m.registry.save();
    return 1;
  };
  t[`${GPS}.lockCard()Z`] = () => setCardState(CardState.CARD_LOCKED, Privilege.CARD_LOCK);
  t[`${GPS}.terminateCard()Z`] = () => setCardState(CardState.TERMINATED, Privilege.CARD_TERMINATE);
  t[`${GPS}.setATRHistBytes([BSB)Z`] = (vm, b) => {
    const buf = array(vm, vm.stack[b]!), off = vm.stack[b + 1]!, len = vm.stack[b + 2]!;
    checkRange(vm, buf, off, Math.max(len, 0));
    const a = caller();
    // Only an applet with the Card Reset privilege (there is no default selected applet: the ISD is).
    if (!a || !rt.atrHistoricalBytes || (privileges(a.aid) & Privilege.CARD_RESET) === 0) return 0;
    if (len < 0 || len > 15) return 0;
    rt.atrHistoricalBytes(bytesOf(vm, vm.stack[b]!, off, len));
    return 1;
  };
  t[`${GPS}.getRegistryEntry(Ljavacard/framework/AID;)L${GP}/GPRegistryEntry;`] = (vm, b) => {
    const ref = vm.stack[b]!;
    const aid = ref === 0 ? caller()?.aid ?? null : rt.aidBytes(rt.heap.get(ref));
    if (!aid || kindOf(aid) === null) return 0;
    return named(`gp.api.entry.${hex(aid)}`, () => entryClass, { aid: hex(aid) } satisfies EntryState);
  };
  t[`${GPS}.getSecureChannel()L${GP}/SecureChannel;`] = () => (cm() ? named('gp.api.secureChannel', () => channelClass, null) : 0);
  // CVM_GLOBAL_PIN only (on a card with a card manager); null for any other CVM.
  t[`${GPS}.getCVM(B)L${GP}/CVM;`] = (vm, b) => (cm() && (vm.stack[b]! & 0xff) === CVM_GLOBAL_PIN ? cvm.object(() => cvmClass) : 0);
  t[`${GPS}.getService(Ljavacard/framework/AID;S)L${GP}/GlobalService;`] = () => 0; // no Global Services
  return t;
}
