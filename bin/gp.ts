// `jcvm gp`: GlobalPlatform card management of a card image, as a host-side GP client
// (runtime/gp/client.ts) over APDUs to the card (Card.transmit) — the same path any external
// tool takes: SELECT of the ISD, INITIALIZE UPDATE / EXTERNAL AUTHENTICATE (SCP02 or SCP03,
// C-MAC), then the content commands.
//
//   list                                   GET STATUS: the ISD, applications, load files and modules
//   install <cap> [--applet <class AID>] [--instance <AID>] [--params <hex>] [--privileges <hex>]
//                                          INSTALL [for load], LOAD, INSTALL [for install and make selectable]
//   delete <aid> [--with-related]          DELETE (the object, or it and related objects)
//   keys [--put-key <hex> [--new-kvn <n>] [--replace <kvn>]]
//                                          GET DATA 00E0 (key information); PUT KEY of a new key set
//   create-sd <aid> [--privileges <hex>]   INSTALL [for install and make selectable] of a supplementary
//                                          security domain (default privileges 804000: Authorized Management)
//   lock <aid> | unlock <aid>              SET STATUS of an application or security domain
//   card-state initialized|secured|locked|unlocked|terminated
//                                          SET STATUS of the card's life cycle
//
// --sd <aid> works through that security domain instead of the ISD (its keys, its content).

import { existsSync } from 'node:fs';
import { fromHex, hex } from '../loader/bytes.ts';
import { readCapPath } from '../loader/cap/archive.ts';
import { Card } from '../runtime/card.ts';
import { GpClient, GpClientError, parseTlvStatus, type StatusEntry } from '../runtime/gp/client.ts';
import { SD_LOAD_FILE, SD_MODULE } from '../runtime/gp/isd.ts';
import { DEFAULT_ISD_AID } from '../runtime/gp/manager.ts';
import { defaultKeySet, makeKeySet, type KeySet } from '../runtime/gp/keys.ts';
import { loadFileDataBlock } from '../runtime/gp/load.ts';
import { AppState, CardState } from '../runtime/gp/registry.ts';
import { readTlvs } from '../runtime/gp/tlv.ts';

export interface GpArgs {
  positional: string[];
  flag(name: string): string | undefined;
  has(name: string): boolean;
}

export const GP_USAGE = 'usage: jcvm gp list|install <cap>|delete <aid>|keys|create-sd <aid>|lock <aid>|unlock <aid>|card-state <state> --card <image> [--sd <aid>] [--scp 02|03] [--key <hex>] [--kvn <n>]';

const SUBCOMMANDS = ['list', 'install', 'delete', 'keys', 'create-sd', 'lock', 'unlock', 'card-state'];

/** `card-state` names → the SET STATUS P2 of the card life cycle (GPCS 11.10.3.1; unlocked: back to SECURED). */
const CARD_STATE_ARGS: Record<string, number> = {
  initialized: CardState.INITIALIZED,
  secured: CardState.SECURED,
  locked: CardState.CARD_LOCKED,
  unlocked: CardState.SECURED,
  terminated: CardState.TERMINATED,
};

/** A user error of `jcvm gp` (printed as one line, exit status 2). */
export class GpUsageError extends Error {}

const hexArg = (text: string, what: string): Uint8Array => {
  if (!/^([0-9a-fA-F]{2})+$/.test(text)) throw new GpUsageError(`${what} must be hex bytes, not '${text}'`);
  return fromHex(text);
};

const intArg = (text: string, what: string, max: number): number => {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : Number(text);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new GpUsageError(`${what} must be a number from 0 to ${max}, not '${text}'`);
  return n;
};

const CARD_STATES = new Map<number, string>(Object.entries(CardState).map(([k, v]) => [v, k]));

function appState(n: number): string {
  if (n === 0x03) return 'INSTALLED';
  if (n === 0x07) return 'SELECTABLE';
  if ((n & 0x80) !== 0) return `LOCKED (${hex([n])})`;
  return `application specific ${hex([n])}`;
}

export async function gpCommand(a: GpArgs, out: (s: string) => void): Promise<number> {
  const [sub, arg] = a.positional;
  const file = a.flag('--card');
  if (!sub || !SUBCOMMANDS.includes(sub) || !file) throw new GpUsageError(GP_USAGE);
  const scpText = a.flag('--scp');
  if (scpText !== undefined && scpText !== '02' && scpText !== '03' && scpText !== '2' && scpText !== '3') throw new GpUsageError(`--scp must be 02 or 03, not '${scpText}'`);
  const scp = scpText === undefined ? null : Number(scpText) === 2 ? 2 : 3;
  const keyText = a.flag('--key');
  const key = keyText === undefined ? null : hexArg(keyText, '--key');
  if (key && ![16, 24, 32].includes(key.length)) throw new GpUsageError(`--key must have 16, 24 or 32 bytes, not ${key.length}`);
  if (key && key.length !== 16 && scp === 2) throw new GpUsageError('SCP02 keys have 16 bytes');
  const kvn = a.has('--kvn') ? intArg(a.flag('--kvn')!, '--kvn', 0x7f) : 0;

  // A new image gets a card manager whose initial keys are 40..4F for the SCP asked (default SCP03).
  const created = !existsSync(file);
  const card = new Card({ cardFile: file, gp: { keyType: scp === 2 ? 'DES3' : 'AES' } });
  if (created) out(`created card image ${file} (GlobalPlatform card manager, ${scp === 2 ? 'SCP02' : 'SCP03'} keys 404142...4F)`);
  card.powerOn();
  const host = new GpClient((apdu) => card.transmit(apdu));
  const sdText = a.flag('--sd');
  const sd = sdText === undefined ? DEFAULT_ISD_AID : hexArg(sdText, '--sd');
  const sel = host.select(sd);
  if (sel.sw !== 0x9000) throw new GpClientError(sdText === undefined ? 'SELECT of the ISD' : `SELECT of the security domain ${hex(sd)}`, sel.sw);
  const bytes = key ?? defaultKeySet('DES3', 0xff, 16).enc;
  // The card's answer to INITIALIZE UPDATE names the protocol; the key bytes are the same for both.
  const keys: KeySet = makeKeySet(kvn || 0xff, bytes.length === 16 && scp !== 3 ? 'DES3' : 'AES', bytes, bytes, bytes);
  host.open(keys, { kvn });
  if (scp !== null && host.scp !== scp) throw new GpClientError(`the card runs SCP0${host.scp}, not SCP0${scp}`);

  switch (sub) {
    case 'list':
      return list(host, out);
    case 'install':
      if (!arg) throw new GpUsageError('usage: jcvm gp install <cap> --card <image> [--applet <class AID>] [--instance <AID>] [--params <hex>] [--privileges <hex>]');
      return install(host, arg, a, out);
    case 'delete': {
      if (!arg) throw new GpUsageError('usage: jcvm gp delete <aid> --card <image> [--with-related]');
      const aid = hexArg(arg, 'the AID');
      const r = host.delete(aid, a.has('--with-related'));
      if (r.sw !== 0x9000) throw new GpClientError(`DELETE ${hex(aid)}`, r.sw);
      out(`deleted ${hex(aid)}${a.has('--with-related') ? ' and related objects' : ''}`);
      return 0;
    }
    case 'create-sd': {
      if (!arg) throw new GpUsageError('usage: jcvm gp create-sd <aid> --card <image> [--privileges <hex>]');
      const aid = hexArg(arg, 'the AID');
      const privileges = a.has('--privileges') ? hexArg(a.flag('--privileges')!, '--privileges') : Uint8Array.of(0x80, 0x40, 0x00);
      const r = host.install(SD_LOAD_FILE, SD_MODULE, aid, { privileges });
      if (r.sw !== 0x9000) throw new GpClientError(`INSTALL [for install and make selectable] of the security domain ${hex(aid)}`, r.sw);
      out(`created security domain ${hex(aid)} privileges ${hex(privileges)} (initial keys 404142...4F, KVN FF)`);
      return 0;
    }
    case 'lock':
    case 'unlock': {
      if (!arg) throw new GpUsageError(`usage: jcvm gp ${sub} <aid> --card <image>`);
      const aid = hexArg(arg, 'the AID');
      const entry = status(host, 0x40).find((e) => e.aid === hex(aid));
      if (!entry) throw new GpClientError(`GET STATUS: no application or security domain ${hex(aid)}`, 0x6a88);
      // Unlocking goes back to the state before the lock (GPCS 5.3.1-2): P2 is that state.
      const p2 = sub === 'lock' ? AppState.LOCKED | (entry.lifeCycle & 0x7f) : entry.lifeCycle & 0x7f;
      const r = host.setStatus(0x40, p2, aid);
      if (r.sw !== 0x9000) throw new GpClientError(`SET STATUS ${hex(aid)} ${hex([p2])}`, r.sw);
      out(`${sub === 'lock' ? 'locked' : 'unlocked'} ${hex(aid)} (${appState(p2)})`);
      return 0;
    }
    case 'card-state': {
      const p2 = arg === undefined ? undefined : CARD_STATE_ARGS[arg.toLowerCase()];
      if (p2 === undefined) throw new GpUsageError(`usage: jcvm gp card-state ${Object.keys(CARD_STATE_ARGS).join('|')} --card <image>`);
      const r = host.setStatus(0x80, p2);
      if (r.sw !== 0x9000) throw new GpClientError(`SET STATUS card ${hex([p2])}`, r.sw);
      out(`card life cycle ${CARD_STATES.get(p2)}`);
      return 0;
    }
    default:
      return keysCommand(host, a, out);
  }
}

function status(host: GpClient, p1: number): StatusEntry[] {
  const r = host.getStatus(p1, true);
  if (r.sw === 0x6a88) return [];
  if (r.sw !== 0x9000) throw new GpClientError(`GET STATUS ${hex([p1])}`, r.sw);
  return parseTlvStatus(r.data);
}

function list(host: GpClient, out: (s: string) => void): number {
  const isd = status(host, 0x80);
  for (const e of isd) out(`ISD: ${e.aid} (${CARD_STATES.get(e.lifeCycle) ?? hex([e.lifeCycle])}) privileges ${e.privileges ?? ''}`);
  // The associated security domain is shown when it is not the ISD (an SSD sees only its own content).
  const domain = (e: StatusEntry): string => (e.domain && e.domain !== isd[0]?.aid ? ` domain ${e.domain}` : '');
  for (const e of status(host, 0x40)) {
    const sd = e.privileges !== undefined && (parseInt(e.privileges.slice(0, 2), 16) & 0x80) !== 0;
    out(`${sd ? 'SD' : 'APP'}: ${e.aid} (${appState(e.lifeCycle)}) privileges ${e.privileges ?? ''}${e.loadFile ? ` load file ${e.loadFile}` : ''}${domain(e)}`);
  }
  for (const e of status(host, 0x10)) {
    out(`PKG: ${e.aid} (LOADED)${e.version ? ` version ${parseInt(e.version.slice(0, 2), 16)}.${parseInt(e.version.slice(2, 4), 16)}` : ''}${domain(e)}`);
    for (const m of e.modules ?? []) out(`  applet ${m}`);
  }
  return 0;
}

async function install(host: GpClient, path: string, a: GpArgs, out: (s: string) => void): Promise<number> {
  const cap = await readCapPath(path);
  const pkg = cap.header.package.AID;
  const r1 = host.installForLoad(pkg);
  if (r1.sw !== 0x9000) throw new GpClientError(`INSTALL [for load] ${hex(pkg)}`, r1.sw);
  const file = loadFileDataBlock(cap.raw);
  const r2 = host.load(file);
  if (r2.sw !== 0x9000) throw new GpClientError(`LOAD ${hex(pkg)}`, r2.sw);
  out(`loaded ${hex(pkg)} (${file.length} bytes in ${Math.ceil(file.length / 0xdf)} LOAD blocks)`);
  const classes = (cap.applet?.applets ?? []).map((x) => x.AID);
  const appletText = a.flag('--applet');
  const chosen = appletText === undefined ? classes : [hexArg(appletText, '--applet')];
  const instanceText = a.flag('--instance');
  if (instanceText !== undefined && chosen.length !== 1) throw new GpUsageError(`--instance needs one applet class (the CAP has ${chosen.length}): name it with --applet`);
  const params = a.has('--params') ? hexArg(a.flag('--params')!, '--params') : new Uint8Array(0);
  const privileges = a.has('--privileges') ? hexArg(a.flag('--privileges')!, '--privileges') : Uint8Array.of(0);
  for (const cls of chosen) {
    const instance = instanceText === undefined ? cls : hexArg(instanceText, '--instance');
    const r = host.install(pkg, cls, instance, { params, privileges });
    if (r.sw !== 0x9000) throw new GpClientError(`INSTALL [for install and make selectable] ${hex(instance)}`, r.sw);
    out(`installed ${hex(instance)} (class ${hex(cls)})`);
  }
  return 0;
}

function keysCommand(host: GpClient, a: GpArgs, out: (s: string) => void): number {
  const putText = a.flag('--put-key');
  if (putText !== undefined) {
    const value = hexArg(putText, '--put-key');
    const newKvn = a.has('--new-kvn') ? intArg(a.flag('--new-kvn')!, '--new-kvn', 0x7f) : 1;
    const replace = a.has('--replace') ? intArg(a.flag('--replace')!, '--replace', 0xff) : 0;
    const type = host.scp === 2 ? 'DES3' : 'AES';
    if (type === 'DES3' && value.length !== 16) throw new GpUsageError('SCP02 keys have 16 bytes');
    if (![16, 24, 32].includes(value.length)) throw new GpUsageError(`--put-key must have 16, 24 or 32 bytes, not ${value.length}`);
    const r = host.putKeySet(makeKeySet(newKvn, type, value, value, value), replace);
    if (r.sw !== 0x9000) throw new GpClientError('PUT KEY', r.sw);
    out(`put key set ${hex([newKvn])} (${type}, ${value.length} bytes)${replace ? ` replacing ${hex([replace])}` : ''}`);
  }
  const r = host.getData(0x00e0);
  if (r.sw !== 0x9000) throw new GpClientError('GET DATA 00E0', r.sw);
  const e0 = readTlvs(r.data)?.find((t) => t.tag === 0xe0);
  for (const c of readTlvs(e0?.value ?? new Uint8Array(0)) ?? []) {
    if (c.tag !== 0xc0 || c.value.length < 4) continue;
    const [id, version, type, length] = c.value as unknown as [number, number, number, number];
    out(`KVN ${hex([version])} key ${id} type ${hex([type])} (${type === 0x80 ? 'DES' : type === 0x88 ? 'AES' : 'other'}) ${length} bytes`);
  }
  return 0;
}
