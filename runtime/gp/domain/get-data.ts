// GET DATA (GPCS 11.3): the domain's data objects — CPLC (9F7F), card data (66), the key
// information template (E0), IIN (42), CIN (45), the sequence counter (C1), the KDD (CF); 42, 45,
// 66 and CF as STORE DATA set them (store-data.ts), else the card's. Answered outside a secure
// channel session too.

import { KEY_TYPE_AES, KEY_TYPE_DES, keyComponents } from '../keys.ts';
import { swBytes } from '../sm.ts';
import { tlv } from '../tlv.ts';
import { GpSw, ok, type Response } from './common.ts';
import type { DomainContext, IsdConfig } from './context.ts';

export function getData(ctx: DomainContext, p1: number, p2: number): Response {
  const tag = (p1 << 8) | p2;
  const c = ctx.config;
  switch (tag) {
    case 0x9f7f:
      return ok(tlv(0x9f7f, c.cplc));
    case 0x0066: {
      const stored = ctx.dataObject(0x66);
      return ok(stored ? tlv(0x66, stored) : cardData(c));
    }
    case 0x00e0:
      return ok(keyInformation(ctx));
    case 0x0042:
      return ok(tlv(0x42, ctx.dataObject(0x42) ?? c.iin));
    case 0x0045:
      return ok(tlv(0x45, ctx.dataObject(0x45) ?? c.cin));
    case 0x00c1: {
      // Sequence counter of the default key version (GPCS H.2 / Amd D 7.1.1.3): 2 bytes SCP02, 3 bytes SCP03.
      const k = ctx.keys().keySets[0];
      if (!k) return swBytes(GpSw.NOT_FOUND);
      const n = ctx.keys().counters.get(k.kvn) ?? 0;
      return ok(tlv(0xc1, k.type === 'DES3' ? [(n >>> 8) & 0xff, n & 0xff] : [(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]));
    }
    case 0x00cf:
      return ok(tlv(0xcf, ctx.dataObject(0xcf) ?? c.kdd));
    default:
      return swBytes(GpSw.NOT_FOUND);
  }
}

/** Card Data (GPCS H.2, Table H-1): card recognition data with the GlobalPlatform OIDs. */
function cardData(config: IsdConfig): Uint8Array {
  const oid = (...tail: number[]): Uint8Array => tlv(0x06, [0x2a, 0x86, 0x48, 0x86, 0xfc, 0x6b, ...tail]);
  const scps: Uint8Array[] = [];
  if (config.scp02i !== null) scps.push(tlv(0x64, oid(0x04, 0x02, config.scp02i)));
  if (config.scp03i !== null) scps.push(tlv(0x64, oid(0x04, 0x03, config.scp03i)));
  return tlv(0x66, tlv(0x73, oid(0x01), tlv(0x60, oid(0x02, 0x02, 0x03, 0x01)), tlv(0x63, oid(0x03)), ...scps));
}

/**
 * Key Information Template (GPCS 11.3.3.1, Table 11-26): E0 { C0 { key id, KVN, then type and
 * length of each component } per key } — the SCP key sets, then the card content management
 * keys (an RSA key: A1 modulus, A0 exponent). A component longer than 255 bytes (an RSA modulus
 * of 2048 bits) is written FF ‖ type ‖ length (2), as the extended key information does.
 */
function keyInformation(ctx: DomainContext): Uint8Array {
  const keys: Uint8Array[] = [];
  for (const k of ctx.keys().keySets) {
    const type = k.type === 'DES3' ? KEY_TYPE_DES : KEY_TYPE_AES;
    for (const [id, key] of [[1, k.enc], [2, k.mac], [3, k.dek]] as const) keys.push(tlv(0xc0, [id, k.kvn, type, key.length]));
  }
  for (const k of ctx.registry.roleKeys(ctx.isIsd ? null : ctx.aid)) {
    const components = keyComponents(k).flatMap(([type, n]) => (n > 0xff ? [0xff, type, n >>> 8, n & 0xff] : [type, n]));
    keys.push(tlv(0xc0, [k.id, k.kvn, ...components]));
  }
  return tlv(0xe0, ...keys);
}
