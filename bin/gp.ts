// `jcvm gp`: GlobalPlatform card management of a card image, as a host-side GP client
// (runtime/gp/client.ts) over APDUs to the card (Card.transmit) — the same path any external
// tool takes: SELECT of the ISD, INITIALIZE UPDATE / EXTERNAL AUTHENTICATE (SCP02 or SCP03,
// C-MAC), then the content commands.
//
//   list                                   GET STATUS: the ISD, applications, load files and modules
//   install <cap> [--applet <class AID>] [--instance <AID>] [--params <hex>] [--privileges <hex>]
//           [--dap-key <private.pem|hex> [--dap-sd <aid>]] [--quota <volatile>,<non-volatile>]
//           [--load-requirements <code>,<volatile>,<non-volatile>]
//                                          INSTALL [for load] (with the SHA-256 Load File Data Block
//                                          hash), LOAD, INSTALL [for install and make selectable]
//   delete <aid> [--with-related]          DELETE (the object, or it and related objects)
//   keys [--put-key <hex> [--new-kvn <n>] [--replace <kvn>]] [--put-token-key <rsa.pem>]
//        [--put-receipt-key <hex>] [--put-dap-key <rsa.pem|hex>]
//                                          GET DATA 00E0 (key information); PUT KEY of a new key set,
//                                          of the token (70), receipt (71) or DAP (73) key
//   create-sd <aid> [--privileges <hex>]   INSTALL [for install and make selectable] of a supplementary
//                                          security domain (default privileges 804000: Authorized Management)
//   lock <aid> | unlock <aid>              SET STATUS of an application or security domain
//   card-state initialized|secured|locked|unlocked|terminated
//                                          SET STATUS of the card's life cycle
//
// --sd <aid> works through that security domain instead of the ISD (its keys, its content).
// --token-key <private.pem> signs the token of each INSTALL and DELETE (a Delegated Management
// domain needs one); a receipt in the answer is checked with --receipt-key <hex>, else printed.
// Secret keys are hex, AES under SCP03 and DES under SCP02 unless prefixed aes: or des:.

import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { concat, fromHex, hex } from '../loader/bytes.ts';
import { readCapPath } from '../loader/cap/archive.ts';
import { Card } from '../runtime/card.ts';
import { GpClient, GpClientError, loadFileDataBlockHash, parseReceipt, parseTlvStatus, ReceiptData, type Reply, rsaDomainKey, type StatusEntry, tokensFrom, verifyReceipt, withDapBlocks } from '../runtime/gp/client.ts';
import { SD_LOAD_FILE, SD_MODULE } from '../runtime/gp/domain/common.ts';
import { DEFAULT_ISD_AID } from '../runtime/gp/manager.ts';
import { checkKeyLength, defaultKeySet, type DomainKey, KEY_TYPE_AES, KEY_TYPE_DES, KEY_TYPE_RSA_N, KVN, makeKeySet, type KeySet, type KeyType } from '../runtime/gp/keys.ts';
import { loadFileDataBlock } from '../runtime/gp/load.ts';
import { AppState, CardState } from '../runtime/gp/registry.ts';
import { readTlvs, tlv } from '../runtime/gp/tlv.ts';

export interface GpArgs {
  positional: string[];
  flag(name: string): string | undefined;
  has(name: string): boolean;
}

export const GP_USAGE = 'usage: jcvm gp list|install <cap>|delete <aid>|keys|create-sd <aid>|lock <aid>|unlock <aid>|card-state <state> --card <image> [--sd <aid>] [--scp 02|03] [--key <hex>] [--kvn <n>] [--token-key <private.pem>] [--receipt-key <hex>]';

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

/** A secret key given as hex, its type from an `aes:` / `des:` prefix (none: left to the caller). */
interface SecretArg {
  type?: KeyType;
  key: Uint8Array;
}

const isSecretText = (text: string): boolean => /^(aes:|des:)?[0-9a-f]+$/i.test(text);

function secretArg(text: string, what: string): SecretArg {
  const m = /^(aes:|des:)?(.*)$/i.exec(text)!;
  const type: KeyType | undefined = m[1] === undefined ? undefined : m[1].toLowerCase() === 'des:' ? 'DES3' : 'AES';
  const key = hexArg(m[2]!, what);
  if (!checkKeyLength(type ?? 'AES', key.length)) throw new GpUsageError(`${what} must have ${type === 'DES3' ? '16' : '16, 24 or 32'} bytes, not ${key.length}`);
  return { type, key };
}

/** An RSA key from a PEM file: the private key (to sign), or the public key (of a public or private PEM). */
function pemArg(path: string, what: string, kind: 'private' | 'public'): KeyObject {
  if (!existsSync(path)) throw new GpUsageError(`${what}: no file ${path} (a PEM ${kind === 'private' ? 'RSA private key' : 'RSA key'})`);
  let key: KeyObject;
  try {
    key = kind === 'private' ? createPrivateKey(readFileSync(path)) : createPublicKey(readFileSync(path));
  } catch {
    throw new GpUsageError(`${what}: ${path} is not a PEM ${kind === 'private' ? 'private' : 'public or private'} key`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new GpUsageError(`${what}: ${path} is a ${key.asymmetricKeyType} key, not RSA`);
  return key;
}

/** `a,b,c` memory sizes as TLVs of `tags` (an empty place leaves its tag out); 2 bytes each, 4 past 65535 (quota.ts). */
function sizesArg(text: string, what: string, tags: number[]): Uint8Array {
  const parts = text.split(',');
  if (parts.length !== tags.length) throw new GpUsageError(`${what} takes ${tags.length} sizes separated by commas, not '${text}'`);
  return concat(
    ...parts.map((p, i) => {
      if (p === '') return [];
      const n = intArg(p, what, 0xffffffff);
      return tlv(tags[i]!, n <= 0xffff ? [n >>> 8, n & 0xff] : [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
    }),
  );
}

const CARD_STATES = new Map<number, string>(Object.entries(CardState).map(([k, v]) => [v, k]));

function appState(n: number): string {
  if (n === AppState.INSTALLED) return 'INSTALLED';
  if (n === AppState.SELECTABLE) return 'SELECTABLE';
  if ((n & AppState.LOCKED) !== 0) return `LOCKED (${hex([n])})`;
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
  const tokenKey = a.has('--token-key') ? pemArg(a.flag('--token-key')!, '--token-key', 'private') : null;
  const receiptKey = a.has('--receipt-key') ? secretArg(a.flag('--receipt-key')!, '--receipt-key') : null;

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
  if (tokenKey) host.tokens = tokensFrom(tokenKey);
  const receipt = (r: Reply, data: Uint8Array, what: string): void => printReceipt(r, data, what, receiptKey, out);

  switch (sub) {
    case 'list':
      return list(host, out);
    case 'install':
      if (!arg) throw new GpUsageError('usage: jcvm gp install <cap> --card <image> [--applet <class AID>] [--instance <AID>] [--params <hex>] [--privileges <hex>] [--dap-key <private.pem|hex> [--dap-sd <aid>]] [--quota <volatile>,<non-volatile>] [--load-requirements <code>,<volatile>,<non-volatile>]');
      return install(host, sd, arg, a, out, receipt);
    case 'delete': {
      if (!arg) throw new GpUsageError('usage: jcvm gp delete <aid> --card <image> [--with-related]');
      const aid = hexArg(arg, 'the AID');
      const r = host.delete(aid, a.has('--with-related'));
      if (r.sw !== 0x9000) throw new GpClientError(`DELETE ${hex(aid)}`, r.sw);
      out(`deleted ${hex(aid)}${a.has('--with-related') ? ' and related objects' : ''}`);
      receipt(r, ReceiptData.delete(aid), 'DELETE');
      return 0;
    }
    case 'create-sd': {
      if (!arg) throw new GpUsageError('usage: jcvm gp create-sd <aid> --card <image> [--privileges <hex>]');
      const aid = hexArg(arg, 'the AID');
      const privileges = a.has('--privileges') ? hexArg(a.flag('--privileges')!, '--privileges') : Uint8Array.of(0x80, 0x40, 0x00);
      const r = host.install(SD_LOAD_FILE, SD_MODULE, aid, { privileges });
      if (r.sw !== 0x9000) throw new GpClientError(`INSTALL [for install and make selectable] of the security domain ${hex(aid)}`, r.sw);
      out(`created security domain ${hex(aid)} privileges ${hex(privileges)} (initial keys 404142...4F, KVN FF)`);
      receipt(r, ReceiptData.install(SD_LOAD_FILE, aid), 'INSTALL');
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

/**
 * The receipt of a command done on a token (runtime/gp/tokens.ts), if the answer has one: checked
 * with --receipt-key (a DES key gives 8-byte receipts, an AES key 16: the length says which when
 * the key has no prefix), else printed.
 */
function printReceipt(r: Reply, data: Uint8Array, what: string, key: SecretArg | null, out: (s: string) => void): void {
  const p = parseReceipt(r.data);
  if (!p) return;
  if (!key) {
    out(`receipt ${hex(p.receipt)} (counter ${p.counter})`);
    return;
  }
  const type = key.type ?? (p.receipt.length === 8 && key.key.length === 16 ? 'DES3' : 'AES');
  if (!verifyReceipt({ kvn: KVN.RECEIPT, id: 1, type, key: key.key }, r.data, data)) throw new GpClientError(`the receipt of ${what} (counter ${p.counter}) does not verify with --receipt-key`);
  out(`receipt verified (counter ${p.counter})`);
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

/** A secret role key of `kvn` (key id 1), typed by its prefix or else by the session's protocol. */
function secretRoleKey(arg: SecretArg, kvn: number, host: GpClient): DomainKey {
  return { kvn, id: 1, type: arg.type ?? (host.scp === 2 ? 'DES3' : 'AES'), key: arg.key };
}

async function install(host: GpClient, sd: Uint8Array, path: string, a: GpArgs, out: (s: string) => void, receipt: (r: Reply, data: Uint8Array, what: string) => void): Promise<number> {
  // Every argument is read before the first command, so that a bad one leaves the card as it was.
  const dapText = a.flag('--dap-key');
  const dapKey = dapText === undefined ? null : isSecretText(dapText) ? secretRoleKey(secretArg(dapText, '--dap-key'), KVN.DAP, host) : pemArg(dapText, '--dap-key', 'private');
  // The DAP is for the domain the load goes to unless another (one with Mandated DAP) is named.
  const dapSd = a.has('--dap-sd') ? hexArg(a.flag('--dap-sd')!, '--dap-sd') : sd;
  if (a.has('--dap-sd') && !dapKey) throw new GpUsageError('--dap-sd names the domain of a --dap-key');
  const loadParams = a.has('--load-requirements') ? tlv(0xef, sizesArg(a.flag('--load-requirements')!, '--load-requirements', [0xc6, 0xc7, 0xc8])) : new Uint8Array(0);
  const quota = a.has('--quota') ? sizesArg(a.flag('--quota')!, '--quota', [0xc7, 0xc8]) : undefined;
  const quotaText = a.flag('--quota')?.split(',').map((n, i) => n && `${['volatile', 'non-volatile'][i]} ${n}`).filter((x) => x).join(', ');
  const cap = await readCapPath(path);
  const pkg = cap.header.package.AID;
  const classes = (cap.applet?.applets ?? []).map((x) => x.AID);
  const appletText = a.flag('--applet');
  const chosen = appletText === undefined ? classes : [hexArg(appletText, '--applet')];
  const instanceText = a.flag('--instance');
  const instance = instanceText === undefined ? null : hexArg(instanceText, '--instance');
  if (instance && chosen.length !== 1) throw new GpUsageError(`--instance needs one applet class (the CAP has ${chosen.length}): name it with --applet`);
  const params = a.has('--params') ? hexArg(a.flag('--params')!, '--params') : new Uint8Array(0);
  const privileges = a.has('--privileges') ? hexArg(a.flag('--privileges')!, '--privileges') : Uint8Array.of(0);
  const file = loadFileDataBlock(cap.raw);
  // The hash always goes in INSTALL [for load]: a DAP signs it, and a Delegated Management load's token binds the file through it.
  const hash = loadFileDataBlockHash(file, 'sha256');
  const r1 = host.installForLoad(pkg, hash, new Uint8Array(0), loadParams);
  if (r1.sw !== 0x9000) throw new GpClientError(`INSTALL [for load] ${hex(pkg)}`, r1.sw);
  const loaded = dapKey ? withDapBlocks(file, hash, [{ sd: dapSd, key: dapKey }]) : file;
  const r2 = host.load(loaded);
  if (r2.sw !== 0x9000) throw new GpClientError(`LOAD ${hex(pkg)}`, r2.sw);
  out(`loaded ${hex(pkg)} (${loaded.length} bytes in ${Math.ceil(loaded.length / 0xdf)} LOAD blocks${dapKey ? `, DAP of ${hex(dapSd)}` : ''})`);
  receipt(r2, ReceiptData.load(pkg, sd), 'LOAD');
  for (const cls of chosen) {
    const app = instance ?? cls;
    const r = host.install(pkg, cls, app, { params, privileges, system: quota });
    if (r.sw !== 0x9000) throw new GpClientError(`INSTALL [for install and make selectable] ${hex(app)}`, r.sw);
    out(`installed ${hex(app)} (class ${hex(cls)})${quotaText ? ` with memory quotas ${quotaText}` : ''}`);
    receipt(r, ReceiptData.install(pkg, app), 'INSTALL');
  }
  return 0;
}

/** The card content management keys `keys` puts (runtime/gp/keys.ts KVN): option, role, the forms the card takes (RSA public, DES/AES secret). */
const ROLE_KEYS = [
  { flag: '--put-token-key', kvn: KVN.TOKEN, role: 'token verification', rsa: true, secret: false },
  { flag: '--put-receipt-key', kvn: KVN.RECEIPT, role: 'receipt generation', rsa: false, secret: true },
  { flag: '--put-dap-key', kvn: KVN.DAP, role: 'DAP verification', rsa: true, secret: true },
] as const;
const ROLES = new Map<number, string>(ROLE_KEYS.map((k) => [k.kvn, k.role]));

/** One key of the key information template (GPCS 11.3.3.1): id, KVN, components (type, length; FF type length(2) past 255 bytes). */
interface KeyInfo {
  id: number;
  kvn: number;
  components: [number, number][];
}

function keyInformation(host: GpClient): KeyInfo[] {
  const r = host.getData(0x00e0);
  if (r.sw !== 0x9000) throw new GpClientError('GET DATA 00E0', r.sw);
  const e0 = readTlvs(r.data)?.find((t) => t.tag === 0xe0);
  const keys: KeyInfo[] = [];
  for (const c of readTlvs(e0?.value ?? new Uint8Array(0)) ?? []) {
    if (c.tag !== 0xc0 || c.value.length < 4) continue;
    const v = c.value;
    const components: [number, number][] = [];
    for (let at = 2; at < v.length; ) {
      const long = v[at] === 0xff;
      components.push(long ? [v[at + 1]!, (v[at + 2]! << 8) | v[at + 3]!] : [v[at]!, v[at + 1]!]);
      at += long ? 4 : 2;
    }
    keys.push({ id: v[0]!, kvn: v[1]!, components });
  }
  return keys;
}

function describeKey(k: KeyInfo): string {
  const [type, length] = k.components[0] ?? [0, 0];
  const name = type === KEY_TYPE_DES ? 'DES' : type === KEY_TYPE_AES ? 'AES' : type === KEY_TYPE_RSA_N ? 'RSA public' : 'other';
  const role = ROLES.get(k.kvn);
  return `KVN ${hex([k.kvn])} key ${k.id} type ${hex([type])} (${name}) ${length} bytes${role ? `, ${role}` : ''}`;
}

/** The key of a `keys --put-...-key` option: hex for a secret, else a PEM file. */
function roleKeyArg(role: (typeof ROLE_KEYS)[number], text: string, host: GpClient): DomainKey {
  if (role.secret && isSecretText(text)) return secretRoleKey(secretArg(text, role.flag), role.kvn, host);
  if (!role.rsa) throw new GpUsageError(`${role.flag} takes a DES or AES key in hex, not '${text}'`);
  return rsaDomainKey(role.kvn, 1, pemArg(text, role.flag, 'public'));
}

function keysCommand(host: GpClient, a: GpArgs, out: (s: string) => void): number {
  // Every key argument is read before the first PUT KEY, so that a bad one changes nothing.
  const roleKeys = ROLE_KEYS.flatMap((role) => {
    const text = a.flag(role.flag);
    return text === undefined ? [] : [{ role, key: roleKeyArg(role, text, host) }];
  });
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
  for (const { role, key } of roleKeys) {
    // A key already there is replaced (PUT KEY P1 = its KVN): trying one key after another is the point.
    const replace = keyInformation(host).some((k) => k.kvn === role.kvn) ? role.kvn : 0;
    const r = host.putKey(key, replace);
    if (r.sw !== 0x9000) throw new GpClientError(`PUT KEY ${hex([role.kvn])} (${role.role})`, r.sw);
    const what = key.type === 'RSA' ? `RSA ${key.modulus.length * 8} bits` : `${key.type}, ${key.key.length} bytes`;
    out(`${replace ? 'replaced' : 'put'} ${role.role} key ${hex([role.kvn])} (${what})`);
  }
  for (const k of keyInformation(host)) out(describeKey(k));
  return 0;
}
