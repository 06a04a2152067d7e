// docs/crypto.md lists every ALG_* and TYPE_* constant of the API with whether jcvm accepts
// it: checked here against the implementation (getInstance / buildKey / new KeyPair answer
// NO_SUCH_ALGORITHM exactly for the ones marked "no"), and against the export files (every
// constant is listed, with its value).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../corpus.ts';
import { CryptoHarness, SEC } from './harness.ts';

interface Row {
  cls: string;
  name: string;
  value: number;
  supported: string;
}

function docRows(): Row[] {
  const rows: Row[] = [];
  let cls = '';
  for (const line of readFileSync(`${REPO_ROOT}/docs/crypto.md`, 'utf8').split('\n')) {
    const h = /^### javacardx?\.\w+\.(\w+)/.exec(line);
    if (h) cls = h[1]!;
    const m = /^\| `(\w+)` \| (-?\d+) \| [\d.]+ \| ([^|]+) \|/.exec(line);
    if (m) rows.push({ cls, name: m[1]!, value: Number(m[2]), supported: m[3]!.trim() });
  }
  return rows;
}

function exportConstants(): { cls: string; name: string; value: number }[] {
  const out: { cls: string; name: string; value: number }[] = [];
  for (const pkg of ['javacard.security', 'javacardx.crypto']) {
    const p = JSON.parse(readFileSync(`${REPO_ROOT}/../shared/api/3.2.0/${pkg}.json`, 'utf8')) as { classes: { name: string; fields: { name: string; value?: number | string }[] }[] };
    for (const c of p.classes) for (const f of c.fields) if (/^(ALG_|TYPE_)/.test(f.name)) out.push({ cls: c.name.slice(c.name.lastIndexOf('/') + 1), name: f.name, value: Number(f.value) });
  }
  return out;
}

/** The lengths a key type is tried with (the doc names those accepted). */
function lengths(name: string): number[] {
  if (/_DES(_TRANSIENT|$)/.test(name)) return [64, 128, 192];
  if (/AES/.test(name)) return [128, 192, 256];
  if (/RSA/.test(name)) return [512, 1024, 2048, 4096];
  if (/EC_FP/.test(name)) return [192, 224, 256, 384, 521];
  if (/EC_F2M/.test(name)) return [113, 163, 193];
  if (/DSA/.test(name)) return [512, 1024];
  if (/DH/.test(name)) return [1024, 2048];
  if (/HMAC/.test(name)) return [64, 128];
  if (/GENERIC/.test(name)) return [128, 256];
  return [128];
}

function probe(h: CryptoHarness, r: Row): string {
  const answer = (fn: () => unknown): string => {
    const o = h.outcome(fn);
    return o === 'ok' ? 'yes' : o === 'CryptoException 3' ? 'no' : o;
  };
  const v = r.value;
  switch (r.cls) {
    case 'MessageDigest':
      return answer(() => h.digest(v));
    case 'Signature':
      return answer(() => h.signature(v));
    case 'Cipher':
    case 'AEADCipher':
      return answer(() => h.cipher(v));
    case 'KeyAgreement':
      return answer(() => h.call(`${SEC}/KeyAgreement`, `getInstance(BZ)L${SEC}/KeyAgreement;`, v, 0));
    case 'RandomData':
      return answer(() => h.call(`${SEC}/RandomData`, `getInstance(B)L${SEC}/RandomData;`, v));
    case 'Checksum':
      return answer(() => h.call(`${SEC}/Checksum`, `getInstance(BZ)L${SEC}/Checksum;`, v, 0));
    case 'KeyPair':
      return answer(() => h.construct(`${SEC}/KeyPair`, '(BS)V', v, ({ 4: 163, 5: 256 } as Record<number, number>)[v] ?? 1024));
    case 'KeyBuilder': {
      const build = r.name.startsWith('TYPE_')
        ? (l: number) => h.buildKey(v, l)
        : (l: number) => h.call(`${SEC}/KeyBuilder`, `buildKey(BBSZ)L${SEC}/Key;`, v, 0, l, 0);
      const ok = lengths(r.name).filter((l) => answer(() => build(l)) === 'yes');
      return ok.length ? `yes (${ok.join(', ')})` : 'no';
    }
    default:
      throw new Error(`no probe for ${r.cls}`);
  }
}

describe('docs/crypto.md', () => {
  it('lists every ALG_* and TYPE_* constant of javacard.security and javacardx.crypto, with its value', () => {
    const listed = docRows().map((r) => `${r.cls}.${r.name}=${r.value}`).sort();
    const api = exportConstants().map((c) => `${c.cls}.${c.name}=${c.value}`).sort();
    expect(listed).toEqual(api);
  });

  it('says "yes" exactly for what the implementation accepts', () => {
    const h = new CryptoHarness();
    const wrong = docRows()
      .map((r) => ({ r, actual: probe(h, r) }))
      .filter(({ r, actual }) => actual !== r.supported)
      .map(({ r, actual }) => `${r.cls}.${r.name}: doc says '${r.supported}', jcvm answers '${actual}'`);
    expect(wrong).toEqual([]);
  });
});
