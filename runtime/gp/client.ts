// The host side of GlobalPlatform card management, over any APDU transport: SELECT of the
// security domain, SCP02 / SCP03 session opening (INITIALIZE UPDATE, card cryptogram check,
// EXTERNAL AUTHENTICATE) and C-MAC on every later command, and the card content commands
// (INSTALL, LOAD, DELETE, GET STATUS, SET STATUS, GET DATA, PUT KEY). For tests and `jcvm gp`
// (bin/gp.ts). Sessions at security level 01 (C-MAC) only; responses are taken as they come.
//
// Delegated Management (tokens.ts): with `tokens` set, INSTALL and DELETE carry the token it
// gives for the signed data; receipts are checked with verifyReceipt. DAP (dap.ts): withDapBlocks
// puts DAP blocks before a Load File's Data Block.

import { createHash, type KeyObject, randomBytes } from 'node:crypto';
import { hex } from '../../loader/bytes.ts';
import { claOnChannel } from '../apdu.ts';
import { aesCbc, aesCmac, concat, desEcb, retailMac, sameBytes } from './crypto.ts';
import { computeDap, dapBlock } from './dap.ts';
import { type DomainKey, KEY_TYPE_AES, KEY_TYPE_DES, KEY_TYPE_RSA_E, KEY_TYPE_RSA_N, keyCheckValue, type KeySet, type KeyType } from './keys.ts';
import { DEFAULT_ISD_AID } from './manager.ts';
import { cardCryptogram02, cmacIcv02, hostCryptogram02, sessionKeys02 } from './scp02.ts';
import { cryptogram03, DERIVE03, sessionKeys03 } from './scp03.ts';
import { berLength, readTlvs, type Tlv, tlv } from './tlv.ts';
import { signToken, tokenSignedData } from './tokens.ts';

export { ReceiptData, verifyReceipt, parseReceipt } from './tokens.ts';

/** The token of a command's signed data (tokens.ts), or none. */
export type TokenSource = (signed: Uint8Array) => Uint8Array;

/** Tokens signed with the card issuer's private key (the pair of the ISD's Token Verification key). */
export function tokensFrom(privateKey: KeyObject): TokenSource {
  return (signed) => signToken(privateKey, signed);
}

export interface Reply {
  data: Uint8Array;
  sw: number;
}

export class GpClientError extends Error {
  constructor(
    message: string,
    readonly sw?: number,
  ) {
    super(sw === undefined ? message : `${message}: ${sw.toString(16).padStart(4, '0').toUpperCase()}`);
    this.name = 'GpClientError';
  }
}

interface HostSession {
  scp: 2 | 3;
  /** The MAC of the next command (CLA 84 set) and updates the chain. */
  mac(header: Uint8Array, data: Uint8Array): Uint8Array;
  /** Encrypts a key value for PUT KEY (SCP02: session DEK 3DES-ECB; SCP03: static DEK AES-CBC). */
  encryptKey(key: Uint8Array): Uint8Array;
}

export interface OpenOptions {
  /** KVN for INITIALIZE UPDATE P1 (0: the card's first key set). */
  kvn?: number;
  /** SCP02 option i the card runs (the response does not carry it; default 55). */
  scp02i?: number;
  hostChallenge?: Uint8Array;
}

export interface ClientOptions {
  /**
   * The logical channel the client's commands go on (0-19, default the basic channel), numbered
   * in every CLA byte (ISO/IEC 7816-4 5.4.1) after secure messaging has been computed over the
   * basic channel's class byte, as a PC/SC stack numbers the channel of a wrapped command.
   */
  channel?: number;
}

export class GpClient {
  private session: HostSession | null = null;
  private readonly channel: number;
  /** Delegated Management: the tokens INSTALL and DELETE carry (none: no token). */
  tokens: TokenSource | null = null;

  constructor(
    private readonly transmit: (apdu: Uint8Array) => Uint8Array,
    options: ClientOptions = {},
  ) {
    this.channel = options.channel ?? 0;
    if (!Number.isInteger(this.channel) || this.channel < 0 || this.channel > 19) throw new RangeError(`logical channel: 0 to 19, not ${this.channel}`);
  }

  /** A class byte of the first interindustry coding (00, 80, 84) on this client's channel. */
  private cla(cla: number): number {
    return claOnChannel(cla, this.channel);
  }

  /** Sends one command as it is; data and status word. */
  raw(apdu: Uint8Array): Reply {
    const r = this.transmit(apdu);
    return { data: r.subarray(0, r.length - 2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]! };
  }

  /**
   * Case 1-4 command; with C-MAC when a session is open (CLA b3 set, MAC appended). Short, or
   * extended when the data (with its MAC) passes 255 bytes: Lc 00 ‖ 2 bytes (also in the MACed
   * header), Le 2 bytes.
   */
  send(cla: number, ins: number, p1: number, p2: number, data: ArrayLike<number> = [], le: number | null = null): Reply {
    let body: Uint8Array = Uint8Array.from(data);
    const extended = body.length + (this.session ? 8 : 0) > 0xff;
    const lc = (n: number): number[] => (extended ? [0, n >>> 8, n & 0xff] : [n]);
    if (this.session) {
      // The MAC covers the class byte of the basic channel; the channel is numbered after (as a PC/SC stack does).
      cla |= 0x04;
      const header = Uint8Array.of(cla, ins, p1, p2, ...lc(body.length + 8));
      body = concat(body, this.session.mac(header, body));
    }
    const leField = le === null ? [] : extended ? [le >>> 8, le & 0xff] : [le];
    const apdu = concat([this.cla(cla), ins, p1, p2], body.length ? lc(body.length) : [], body, leField);
    return this.raw(apdu);
  }

  /** The same, failing unless the status word is 9000 (or one of `accept`). */
  expect(cla: number, ins: number, p1: number, p2: number, data: ArrayLike<number> = [], accept: number[] = []): Uint8Array {
    const r = this.send(cla, ins, p1, p2, data);
    if (r.sw !== 0x9000 && !accept.includes(r.sw)) throw new GpClientError(`command ${hex([cla, ins, p1, p2])}`, r.sw);
    return r.data;
  }

  get scp(): 2 | 3 | null {
    return this.session?.scp ?? null;
  }

  /** Ends the host's view of the session (the card ends its own at deselection, reset, or an error). */
  forget(): void {
    this.session = null;
  }

  select(aid: Uint8Array = DEFAULT_ISD_AID): Reply {
    this.session = null;
    return this.raw(concat([this.cla(0x00), 0xa4, 0x04, 0x00, aid.length], aid, [0x00]));
  }

  /** INITIALIZE UPDATE and EXTERNAL AUTHENTICATE at security level 01 with `keys`; checks the card cryptogram. */
  open(keys: KeySet, options: OpenOptions = {}): void {
    this.session = null;
    const hostChallenge = options.hostChallenge ?? new Uint8Array(randomBytes(8));
    const r = this.raw(concat([this.cla(0x80), 0x50, options.kvn ?? 0, 0x00, 8], hostChallenge, [0x00]));
    if (r.sw !== 0x9000) throw new GpClientError('INITIALIZE UPDATE', r.sw);
    const d = r.data;
    const scp = d[11];
    let session: HostSession;
    let hostCryptogram: Uint8Array;
    if (scp === 0x02) {
      if (d.length !== 28) throw new GpClientError(`INITIALIZE UPDATE answered ${d.length} bytes`);
      const seq = (d[12]! << 8) | d[13]!;
      const challenge = d.subarray(14, 20);
      const k = sessionKeys02(keys, seq);
      if (!sameBytes(cardCryptogram02(k.enc, hostChallenge, seq, challenge), d.subarray(20, 28))) throw new GpClientError('the card cryptogram is wrong (SCP02)');
      hostCryptogram = hostCryptogram02(k.enc, seq, challenge, hostChallenge);
      const i = options.scp02i ?? 0x55;
      let last: Uint8Array | null = null;
      session = {
        scp: 2,
        mac: (header, data) => {
          // GPCS E.4.4: retail MAC (C-MAC key) over the modified header and the data, chained
          // as the card chains it (cmacIcv02).
          last = retailMac(k.mac, cmacIcv02(i, k.mac, last), concat(header, data));
          return last;
        },
        encryptKey: (key) => desEcb(k.dek, key),
      };
    } else if (scp === 0x03) {
      const challenge = d.subarray(13, 21);
      const k = sessionKeys03(keys, hostChallenge, challenge);
      if (!sameBytes(cryptogram03(k.mac, DERIVE03.CARD_CRYPTOGRAM, hostChallenge, challenge), d.subarray(21, 29))) throw new GpClientError('the card cryptogram is wrong (SCP03)');
      hostCryptogram = cryptogram03(k.mac, DERIVE03.HOST_CRYPTOGRAM, hostChallenge, challenge);
      let chain: Uint8Array = new Uint8Array(16);
      session = {
        scp: 3,
        mac: (header, data) => {
          // Amd D 6.2.4: AES-CMAC (S-MAC) of the chaining value ‖ header ‖ data; 8 bytes sent.
          chain = aesCmac(k.mac, concat(chain, header, data));
          return chain.slice(0, 8);
        },
        encryptKey: (key) => aesCbc(keys.dek, new Uint8Array(16), key),
      };
    } else {
      throw new GpClientError(`INITIALIZE UPDATE names SCP ${scp}`);
    }
    this.session = session;
    const ea = this.send(0x80, 0x82, 0x01, 0x00, hostCryptogram);
    if (ea.sw !== 0x9000) {
      this.session = null;
      throw new GpClientError('EXTERNAL AUTHENTICATE', ea.sw);
    }
  }

  // --- card content management ---

  /** INSTALL with its LV fields and the token field last: the token of P1 ‖ P2 ‖ length ‖ fields when `tokens` is set (GPCS C.4.1), else empty. */
  private installCommand(p1: number, fields: Uint8Array): Reply {
    const token = this.tokens?.(tokenSignedData(p1, 0x00, fields)) ?? new Uint8Array(0);
    return this.send(0x80, 0xe6, p1, 0x00, concat(fields, [token.length], token), 0);
  }

  /** INSTALL [for load] (GPCS 11.5.2.3.1): Load File AID, the security domain (default: none named, the one selected), an optional hash, load parameters (e.g. EF with memory requirements). */
  installForLoad(loadFileAid: Uint8Array, hash: Uint8Array = new Uint8Array(0), sd: Uint8Array = new Uint8Array(0), loadParams: Uint8Array = new Uint8Array(0)): Reply {
    return this.installCommand(0x02, concat([loadFileAid.length], loadFileAid, [sd.length], sd, [hash.length], hash, [loadParams.length], loadParams));
  }

  /** INSTALL [for extradition] (GPCS 11.5.2.3.4): the application, load file or SSD `aid` to the security domain `sd` (an SSD to itself: the root of its own hierarchy). */
  extradite(sd: Uint8Array, aid: Uint8Array): Reply {
    return this.installCommand(0x10, concat([sd.length], sd, [0, aid.length], aid, [0]));
  }

  /** LOAD of a whole Load File in blocks of `blockSize` (GPCS 11.6): each answer until the first that is not 9000. */
  load(file: Uint8Array, blockSize = 0xdf): Reply {
    let last: Reply = { data: new Uint8Array(0), sw: 0x6f00 };
    for (let at = 0, n = 0; at < file.length; at += blockSize, n++) {
      const lastBlock = at + blockSize >= file.length;
      last = this.send(0x80, 0xe8, lastBlock ? 0x80 : 0x00, n & 0xff, file.subarray(at, at + blockSize), 0);
      if (last.sw !== 0x9000) return last;
    }
    return last;
  }

  /** INSTALL [for install] (and make selectable: P1 0C) (GPCS 11.5.2.3.2): privileges of 1 or 3 bytes, C9 parameters, EF system parameters (e.g. C7/C8 memory quotas). */
  install(elf: Uint8Array, module: Uint8Array, app: Uint8Array, options: { privileges?: Uint8Array; params?: Uint8Array; system?: Uint8Array; selectable?: boolean } = {}): Reply {
    const priv = options.privileges ?? Uint8Array.of(0);
    const params = concat(tlv(0xc9, options.params ?? []), options.system ? tlv(0xef, options.system) : []);
    const fields = concat([elf.length], elf, [module.length], module, [app.length], app, [priv.length], priv, [params.length], params);
    return this.installCommand(options.selectable === false ? 0x04 : 0x0c, fields);
  }

  /** INSTALL [for registry update] (GPCS 11.5.2.3.6): new privileges (none: unchanged) and/or the security domain `aid` goes to. */
  registryUpdate(aid: Uint8Array, options: { privileges?: Uint8Array; sd?: Uint8Array; params?: Uint8Array } = {}): Reply {
    const sd = options.sd ?? new Uint8Array(0), priv = options.privileges ?? new Uint8Array(0), params = options.params ?? new Uint8Array(0);
    return this.installCommand(0x40, concat([0, sd.length], sd, [0, aid.length], aid, [priv.length], priv, [params.length], params));
  }

  /** INSTALL [for make selectable] (GPCS 11.5.2.3.3). */
  makeSelectable(app: Uint8Array, privileges: Uint8Array = Uint8Array.of(0)): Reply {
    return this.installCommand(0x08, concat([0, 0, app.length], app, [privileges.length], privileges, [0]));
  }

  /** DELETE (GPCS 11.2): the object, or (`related`) the object and related ones; with `tokens`, the delete token '9E' after it. */
  delete(aid: Uint8Array, related = false): Reply {
    const p2 = related ? 0x80 : 0x00;
    const fields = tlv(0x4f, aid);
    const token = this.tokens?.(tokenSignedData(0x00, p2, fields));
    return this.send(0x80, 0xe4, 0x00, p2, token ? concat(fields, tlv(0x9e, token)) : fields, 0);
  }

  /** GET STATUS (GPCS 11.4), every page (6310 then P2 b1): the concatenated answers, or the refusal's status word. */
  getStatus(p1: number, tlvFormat: boolean, search: Uint8Array = new Uint8Array(0)): { data: Uint8Array; sw: number; pages: number } {
    const parts: Uint8Array[] = [];
    let p2 = tlvFormat ? 0x02 : 0x00;
    for (let pages = 1; ; pages++) {
      const r = this.send(0x80, 0xf2, p1, p2, tlv(0x4f, search), 0);
      if (r.sw !== 0x9000 && r.sw !== 0x6310) return { data: concat(...parts), sw: r.sw, pages };
      parts.push(r.data);
      if (r.sw === 0x9000) return { data: concat(...parts), sw: 0x9000, pages };
      p2 |= 0x01;
    }
  }

  setStatus(p1: number, state: number, aid: Uint8Array = new Uint8Array(0)): Reply {
    return this.send(0x80, 0xf0, p1, state, aid);
  }

  getData(tag: number): Reply {
    return this.send(0x80, 0xca, tag >>> 8, tag & 0xff, [], 0);
  }

  /**
   * PUT KEY (GPCS 11.8) of a whole key set (ENC, MAC, DEK: key ids 1..3) in the basic format,
   * the key values encrypted for this session; `replace`: KVN of the set replaced (0: a new set).
   */
  putKeySet(keys: KeySet, replace = 0): Reply {
    const s = this.session;
    if (!s) throw new GpClientError('PUT KEY needs an open session');
    const fields = [keys.enc, keys.mac, keys.dek].map((k) => this.secretKeyField(keys.type, k));
    return this.send(0x80, 0xd8, replace, 0x81, concat([keys.kvn], ...fields), 0);
  }

  /**
   * PUT KEY (GPCS 11.8) of one card content management key (KVN '70'..'7F', keys.ts) as key
   * `key.id`: a DES or AES secret (encrypted for this session, with its KCV) or an RSA public key
   * (modulus 'A1' and exponent 'A0' in clear, no KCV); `replace`: its KVN when it replaces one.
   */
  putKey(key: DomainKey, replace = 0): Reply {
    const s = this.session;
    if (!s) throw new GpClientError('PUT KEY needs an open session');
    let fields: Uint8Array;
    if (key.type === 'RSA') {
      fields = concat([KEY_TYPE_RSA_N], berLength(key.modulus.length), key.modulus, [0], [KEY_TYPE_RSA_E], berLength(key.exponent.length), key.exponent, [0]);
    } else {
      fields = this.secretKeyField(key.type, key.key);
    }
    return this.send(0x80, 0xd8, replace, key.id, concat([key.kvn], fields), 0);
  }

  /** One key data field of a secret key: DES 80 ‖ 10 ‖ ciphered key; AES 88 ‖ length ‖ key length ‖ ciphered padded key; then the KCV. */
  private secretKeyField(type: KeyType, k: Uint8Array): Uint8Array {
    const s = this.session!;
    const kcv = keyCheckValue(type, k);
    if (type === 'DES3') return concat([KEY_TYPE_DES, 16], s.encryptKey(k), [3], kcv);
    const padded = concat(k, new Uint8Array((16 - (k.length % 16)) % 16));
    const enc = s.encryptKey(padded);
    return concat([KEY_TYPE_AES, enc.length + 1, k.length], enc, [3], kcv);
  }

  /**
   * STORE DATA (GPCS 11.11) of BER-TLV data in blocks of `blockSize` bytes, numbered from 00,
   * the last with P1 b8; `encrypt`: each block padded 80 00.. and encrypted with the DEK (P1
   * b7-b6 = 11). The last answer (or the first refusal).
   */
  storeData(data: Uint8Array, options: { blockSize?: number; encrypt?: boolean; p1?: number } = {}): Reply {
    const size = options.blockSize ?? 0xdf;
    let last: Reply = { data: new Uint8Array(0), sw: 0x6f00 };
    for (let at = 0, n = 0; at < data.length || n === 0; at += size, n++) {
      const isLast = at + size >= data.length;
      let block = data.subarray(at, at + size);
      if (options.encrypt) {
        const s = this.session;
        if (!s) throw new GpClientError('encrypted STORE DATA needs an open session');
        const bs = this.scp === 2 ? 8 : 16;
        const padded = concat(block, [0x80]);
        block = s.encryptKey(concat(padded, new Uint8Array((bs - (padded.length % bs)) % bs)));
      }
      const p1 = (options.p1 ?? 0x10) | (options.encrypt ? 0x60 : 0) | (isLast ? 0x80 : 0);
      last = this.send(0x80, 0xe2, p1, n & 0xff, block, 0);
      if (last.sw !== 0x9000) return last;
    }
    return last;
  }
}

/** One GET STATUS entry of the legacy format (P2 00) or the TLV one (P2 02), decoded. */
export interface StatusEntry {
  aid: string;
  lifeCycle: number;
  privileges?: string;
  modules?: string[];
  loadFile?: string;
  version?: string;
  domain?: string;
}

/** Decodes GET STATUS data of P1 `p1` (10: with modules) in the legacy format. */
export function parseLegacyStatus(data: Uint8Array, p1: number): StatusEntry[] {
  const out: StatusEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const n = data[at]!;
    const e: StatusEntry = { aid: hex(data.subarray(at + 1, at + 1 + n)), lifeCycle: data[at + 1 + n]!, privileges: hex([data[at + 2 + n]!]) };
    at += 3 + n;
    if (p1 === 0x10) {
      const m = data[at++]!;
      e.modules = [];
      for (let i = 0; i < m; i++) {
        const k = data[at]!;
        e.modules.push(hex(data.subarray(at + 1, at + 1 + k)));
        at += 1 + k;
      }
    }
    out.push(e);
  }
  return out;
}

/** Decodes GET STATUS data in the TLV format (E3 entries). */
export function parseTlvStatus(data: Uint8Array): StatusEntry[] {
  const tlvs = (b: Uint8Array): Tlv[] => {
    const t = readTlvs(b);
    if (!t) throw new GpClientError('GET STATUS data that is not BER-TLV');
    return t;
  };
  return tlvs(data).map((e3) => {
    const e: StatusEntry = { aid: '', lifeCycle: -1 };
    for (const t of tlvs(e3.value)) {
      if (t.tag === 0x4f) e.aid = hex(t.value);
      else if (t.tag === 0x9f70) e.lifeCycle = t.value[0]!;
      else if (t.tag === 0xc5) e.privileges = hex(t.value);
      else if (t.tag === 0xc4) e.loadFile = hex(t.value);
      else if (t.tag === 0xce) e.version = hex(t.value);
      else if (t.tag === 0xcc) e.domain = hex(t.value);
      else if (t.tag === 0x84) (e.modules ??= []).push(hex(t.value));
    }
    return e;
  });
}

/** An RSA public key as PUT KEY carries it (modulus, public exponent), from a node:crypto key. */
export function rsaDomainKey(kvn: number, id: number, publicKey: KeyObject): DomainKey {
  const jwk = publicKey.export({ format: 'jwk' });
  return { kvn, id, type: 'RSA', modulus: new Uint8Array(Buffer.from(jwk.n!, 'base64url')), exponent: new Uint8Array(Buffer.from(jwk.e!, 'base64url')) };
}

/** The hash of a Load File's Data Block (the C4 value), as INSTALL [for load] announces it: SHA-1 or SHA-256. */
export function loadFileDataBlockHash(file: Uint8Array, algorithm: 'sha1' | 'sha256' = 'sha1'): Uint8Array {
  const c4 = readTlvs(file)?.find((t) => t.tag === 0xc4);
  if (!c4) throw new GpClientError('no Load File Data Block (C4) in the Load File');
  return new Uint8Array(createHash(algorithm).update(c4.value).digest());
}

/** The Load File with DAP blocks (dap.ts) before it, one per security domain and its DAP key (an RSA private key or a secret DAP key) over `hash`. */
export function withDapBlocks(file: Uint8Array, hash: Uint8Array, daps: { sd: Uint8Array; key: KeyObject | DomainKey }[]): Uint8Array {
  return concat(...daps.map((d) => dapBlock(d.sd, computeDap(d.key, hash))), file);
}
