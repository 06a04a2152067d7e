// jcvm gp: GlobalPlatform card management of a card image over APDUs (bin/gp.ts), each
// subcommand end to end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../bin/jcvm.ts';
import { CORPUS_DIR } from '../corpus.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'jcvm-gp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const echoCap = join(CORPUS_DIR, 'echo', 'echo.cap');
const NEW_KEY = '000102030405060708090A0B0C0D0E0F';

describe('jcvm gp', () => {
  for (const scp of ['03', '02'] as const) {
    it(`list, install, delete and keys on a new image (SCP${scp})`, async () => {
      const card = join(dir, `scp${scp}.jcard`);
      const opts = ['--card', card, '--scp', scp];
      const l0 = await cli('gp', 'list', ...opts);
      expect(l0.code).toBe(0);
      expect(l0.out).toEqual([
        `created card image ${card} (GlobalPlatform card manager, SCP${scp} keys 404142...4F)`,
        'ISD: A000000151000000 (OP_READY) privileges 9EDD80',
      ]);

      const inst = await cli('gp', 'install', echoCap, ...opts, '--params', 'CAFE');
      expect(inst.code).toBe(0);
      expect(inst.out[0]).toMatch(/^loaded F04A43564D01 \(\d+ bytes in \d+ LOAD blocks\)$/);
      expect(inst.out[1]).toBe('installed F04A43564D0101 (class F04A43564D0101)');
      const l1 = await cli('gp', 'list', ...opts);
      expect(l1.out).toEqual([
        'ISD: A000000151000000 (OP_READY) privileges 9EDD80',
        'APP: F04A43564D0101 (SELECTABLE) privileges 000000 load file F04A43564D01',
        'PKG: F04A43564D01 (LOADED) version 1.0',
        '  applet F04A43564D0101',
      ]);
      // The applet answers on the image (jcvm run, no card manager in front of it).
      const run = await cli('run', '--card', card, '--apdu', '00A4040007F04A43564D0101', '8020030003');
      expect(run.out.slice(-2)).toEqual(['=> 80 20 03 00 03', '<= 00 01 02 90 00']);

      const keyType = scp === '02' ? '80 (DES)' : '88 (AES)';
      const k0 = await cli('gp', 'keys', ...opts);
      expect(k0.out).toEqual([1, 2, 3].map((id) => `KVN FF key ${id} type ${keyType} 16 bytes`));
      const k1 = await cli('gp', 'keys', ...opts, '--put-key', NEW_KEY, '--new-kvn', '0x30');
      expect(k1.code).toBe(0);
      expect(k1.out[0]).toBe(`put key set 30 (${scp === '02' ? 'DES3' : 'AES'}, 16 bytes)`);
      expect(k1.out.slice(1)).toEqual([1, 2, 3].map((id) => `KVN 30 key ${id} type ${keyType} 16 bytes`));
      // The default keys no longer open a session; the new ones do.
      const old = await cli('gp', 'list', ...opts);
      expect(old.code).toBe(2);
      expect(old.err[0]).toMatch(/card cryptogram is wrong/);
      const withNew = ['--key', NEW_KEY, '--kvn', '0x30'];
      const del = await cli('gp', 'delete', 'F04A43564D01', '--with-related', ...opts, ...withNew);
      expect(del.out).toEqual(['deleted F04A43564D01 and related objects']);
      const l2 = await cli('gp', 'list', ...opts, ...withNew);
      expect(l2.out).toEqual(['ISD: A000000151000000 (OP_READY) privileges 9EDD80']);
    });
  }

  it('delete without --with-related refuses a package with instances; bad usage is one line', async () => {
    const card = join(dir, 'refuse.jcard');
    expect((await cli('gp', 'install', echoCap, '--card', card)).code).toBe(0);
    const r = await cli('gp', 'delete', 'F04A43564D01', '--card', card);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['jcvm: DELETE F04A43564D01: 6985']);
    expect((await cli('gp', 'delete', 'F04A43564D0101', '--card', card)).out).toEqual(['deleted F04A43564D0101']);
    expect((await cli('gp', 'delete', 'F04A43564D01', '--card', card)).out).toEqual(['deleted F04A43564D01']);
    const bad = await cli('gp', 'list');
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/^jcvm: usage: jcvm gp/);
    expect((await cli('gp', 'list', '--card', card, '--scp', '04')).err).toEqual(["jcvm: --scp must be 02 or 03, not '04'"]);
    expect((await cli('gp', 'list', '--card', card, '--scp', '02')).err).toEqual(['jcvm: the card runs SCP03, not SCP02']);
  });

  it('two vendors: create-sd, install and list through each --sd, the other vendor refused; lock, unlock, card-state', async () => {
    const card = join(dir, 'vendors.jcard');
    const opts = ['--card', card];
    const A = 'A00000055901AA01', B = 'A00000055902BB01';
    expect((await cli('gp', 'create-sd', A, ...opts)).out.at(-1)).toBe(`created security domain ${A} privileges 804000 (initial keys 404142...4F, KVN FF)`);
    expect((await cli('gp', 'create-sd', B, ...opts)).code).toBe(0);
    const ia = await cli('gp', 'install', echoCap, ...opts, '--sd', A);
    expect(ia.out[1]).toBe('installed F04A43564D0101 (class F04A43564D0101)');
    expect((await cli('gp', 'install', join(CORPUS_DIR, 'arith', 'arith.cap'), ...opts, '--sd', B)).code).toBe(0);
    // Each vendor lists its own content; the ISD lists all, with the domains.
    const la = await cli('gp', 'list', ...opts, '--sd', A);
    expect(la.out).toEqual([`APP: F04A43564D0101 (SELECTABLE) privileges 000000 load file F04A43564D01 domain ${A}`, `PKG: F04A43564D01 (LOADED) version 1.0 domain ${A}`, '  applet F04A43564D0101']);
    const all = await cli('gp', 'list', ...opts);
    expect(all.out.filter((l) => l.startsWith('SD: '))).toEqual([`SD: ${A} (SELECTABLE) privileges 804000 load file A0000001515350`, `SD: ${B} (SELECTABLE) privileges 804000 load file A0000001515350`]);
    expect(all.out.filter((l) => l.startsWith('PKG: '))).toEqual([`PKG: F04A43564D01 (LOADED) version 1.0 domain ${A}`, `PKG: F04A43564D02 (LOADED) version 1.0 domain ${B}`]);
    // Vendor B cannot delete or lock vendor A's application.
    const del = await cli('gp', 'delete', 'F04A43564D0101', ...opts, '--sd', B);
    expect(del.err).toEqual(['jcvm: DELETE F04A43564D0101: 6985']);
    expect((await cli('gp', 'lock', 'F04A43564D0101', ...opts, '--sd', B)).err).toEqual(['jcvm: GET STATUS: no application or security domain F04A43564D0101: 6A88']);
    // The ISD locks it: SELECT answers 6999 until it is unlocked.
    expect((await cli('gp', 'lock', 'F04A43564D0101', ...opts)).out.at(-1)).toBe('locked F04A43564D0101 (LOCKED (87))');
    const select = ['run', '--card', card, '--apdu', '00A4040007F04A43564D0101'];
    expect((await cli(...select)).out.at(-1)).toBe('<= 69 99');
    expect((await cli('gp', 'unlock', 'F04A43564D0101', ...opts)).out.at(-1)).toBe('unlocked F04A43564D0101 (SELECTABLE)');
    expect((await cli(...select)).out.at(-1)).toMatch(/90 00$/);
    // The card life cycle: OP_READY → INITIALIZED → SECURED → CARD_LOCKED → SECURED; no step back, none skipped.
    expect((await cli('gp', 'card-state', 'secured', ...opts)).err).toEqual(['jcvm: SET STATUS card 0F: 6985']);
    expect((await cli('gp', 'card-state', 'initialized', ...opts)).out.at(-1)).toBe('card life cycle INITIALIZED');
    expect((await cli('gp', 'card-state', 'secured', ...opts)).out.at(-1)).toBe('card life cycle SECURED');
    expect((await cli('gp', 'card-state', 'initialized', ...opts)).err).toEqual(['jcvm: SET STATUS card 07: 6985']);
    expect((await cli('gp', 'card-state', 'locked', ...opts)).out.at(-1)).toBe('card life cycle CARD_LOCKED');
    expect((await cli('gp', 'card-state', 'unlocked', ...opts)).out.at(-1)).toBe('card life cycle SECURED');
    expect((await cli('gp', 'card-state', 'sleepy', ...opts)).err[0]).toMatch(/^jcvm: usage: jcvm gp card-state initialized\|secured/);
  });
});
