// jcvm gp: GlobalPlatform card management of a card image over APDUs (bin/gp.ts), each
// subcommand end to end; Delegated Management (tokens, receipts), DAP and memory quotas from the
// command line, with RSA keys made here and given as PEM files.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './cli.ts';
import { CORPUS_DIR } from '../corpus.ts';

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

/** An RSA-1024 key pair written as `<name>.pem` (PKCS#8 private) and `<name>.pub.pem` (SPKI public). */
function rsaPems(name: string): { priv: string; pub: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const priv = join(dir, `${name}.pem`), pub = join(dir, `${name}.pub.pem`);
  writeFileSync(priv, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(pub, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  return { priv, pub };
}

describe('jcvm gp: Delegated Management, DAP, memory quotas', () => {
  const issuer = rsaPems('issuer');
  const stranger = rsaPems('stranger');
  const RECEIPT_KEY = 'A0A1A2A3A4A5A6A7A8A9AAABACADAEAF';
  const loadedEcho = /^loaded F04A43564D01 \(\d+ bytes in \d+ LOAD blocks\)$/;

  it('a Delegated Management SSD installs and deletes with --token-key; receipts verified or printed; no token or a stranger\'s refused, the card unchanged', async () => {
    const card = join(dir, 'dm.jcard');
    const opts = ['--card', card];
    const DM = 'A00000055907DD01';
    const dm = [...opts, '--sd', DM];
    expect((await cli('gp', 'create-sd', DM, ...opts, '--privileges', 'A00000')).out.at(-1)).toBe(`created security domain ${DM} privileges A00000 (initial keys 404142...4F, KVN FF)`);
    const keys = await cli('gp', 'keys', ...opts, '--put-token-key', issuer.pub, '--put-receipt-key', RECEIPT_KEY);
    expect(keys.out).toEqual([
      'put token verification key 70 (RSA 1024 bits)',
      'put receipt generation key 71 (AES, 16 bytes)',
      ...[1, 2, 3].map((id) => `KVN FF key ${id} type 88 (AES) 16 bytes`),
      'KVN 70 key 1 type A1 (RSA public) 128 bytes, token verification',
      'KVN 71 key 1 type 88 (AES) 16 bytes, receipt generation',
    ]);

    // Without a token the card refuses (6982), with a token of another key too (6A80); nothing changes.
    const before = (await cli('gp', 'list', ...opts)).out;
    const none = await cli('gp', 'install', echoCap, ...dm);
    expect(none.code).toBe(2);
    expect(none.err).toEqual(['jcvm: INSTALL [for load] F04A43564D01: 6982']);
    expect((await cli('gp', 'install', echoCap, ...dm, '--token-key', stranger.priv)).err).toEqual(['jcvm: INSTALL [for load] F04A43564D01: 6A80']);
    expect((await cli('gp', 'list', ...opts)).out).toEqual(before);

    const inst = await cli('gp', 'install', echoCap, ...dm, '--token-key', issuer.priv, '--receipt-key', RECEIPT_KEY);
    expect(inst.code).toBe(0);
    expect(inst.out[0]).toMatch(loadedEcho);
    expect(inst.out.slice(1)).toEqual(['receipt verified (counter 1)', 'installed F04A43564D0101 (class F04A43564D0101)', 'receipt verified (counter 2)']);
    expect((await cli('gp', 'list', ...opts)).out).toContain(`PKG: F04A43564D01 (LOADED) version 1.0 domain ${DM}`);

    // Without --receipt-key the receipt is printed; with a wrong one the check fails (the command was done).
    const del = await cli('gp', 'delete', 'F04A43564D0101', ...dm, '--token-key', issuer.priv);
    expect(del.out[0]).toBe('deleted F04A43564D0101');
    expect(del.out[1]).toMatch(/^receipt [0-9A-F]{32} \(counter 3\)$/);
    const wrong = await cli('gp', 'delete', 'F04A43564D01', ...dm, '--token-key', issuer.priv, '--receipt-key', RECEIPT_KEY.replace('AF', 'AE'));
    expect(wrong.code).toBe(2);
    expect(wrong.err).toEqual(['jcvm: the receipt of DELETE (counter 4) does not verify with --receipt-key']);
    expect((await cli('gp', 'list', ...opts)).out).toEqual(before);

    // Putting the token key again replaces it: the issuer's tokens no longer pass.
    expect((await cli('gp', 'keys', ...opts, '--put-token-key', stranger.priv)).out[0]).toBe('replaced token verification key 70 (RSA 1024 bits)');
    expect((await cli('gp', 'install', echoCap, ...dm, '--token-key', issuer.priv)).err).toEqual(['jcvm: INSTALL [for load] F04A43564D01: 6A80']);
    expect((await cli('gp', 'install', echoCap, ...dm, '--token-key', stranger.priv)).code).toBe(0);
  });

  it('DAP: an SSD with DAP Verification and an RSA key takes the load signed with --dap-key only; a Mandated DAP SSD with an AES key (hex) for every load', async () => {
    const card = join(dir, 'dap.jcard');
    const opts = ['--card', card];
    const DAP = 'A00000055908DA01', MANDATED = 'A00000055909CA01';
    const dapKey = rsaPems('dap');
    expect((await cli('gp', 'create-sd', DAP, ...opts, '--privileges', 'C04000')).code).toBe(0);
    expect((await cli('gp', 'keys', ...opts, '--put-dap-key', dapKey.pub)).err).toEqual(['jcvm: PUT KEY 73 (DAP verification): 6985']); // the ISD has no DAP Verification
    const keys = await cli('gp', 'keys', ...opts, '--sd', DAP, '--put-dap-key', dapKey.pub);
    expect(keys.out[0]).toBe('put DAP verification key 73 (RSA 1024 bits)');
    expect(keys.out.at(-1)).toBe('KVN 73 key 1 type A1 (RSA public) 128 bytes, DAP verification');

    const before = (await cli('gp', 'list', ...opts)).out;
    for (const extra of [[], ['--dap-key', stranger.priv]]) {
      const r = await cli('gp', 'install', echoCap, ...opts, '--sd', DAP, ...extra);
      expect(r.err).toEqual(['jcvm: LOAD F04A43564D01: 6A80']);
    }
    expect((await cli('gp', 'list', ...opts)).out).toEqual(before);
    const ok = await cli('gp', 'install', echoCap, ...opts, '--sd', DAP, '--dap-key', dapKey.priv);
    expect(ok.out).toEqual([expect.stringMatching(new RegExp(`^loaded F04A43564D01 \\(\\d+ bytes in \\d+ LOAD blocks, DAP of ${DAP}\\)$`)), 'installed F04A43564D0101 (class F04A43564D0101)']);

    // Mandated DAP: the ISD's own load needs that domain's DAP (--dap-sd), an AES-CMAC here; a DES MAC does not pass.
    const AES_DAP = '909192939495969798999A9B9C9D9E9F';
    expect((await cli('gp', 'create-sd', MANDATED, ...opts, '--privileges', 'C1')).code).toBe(0);
    expect((await cli('gp', 'keys', ...opts, '--sd', MANDATED, '--put-dap-key', AES_DAP)).out[0]).toBe('put DAP verification key 73 (AES, 16 bytes)');
    const arith = join(CORPUS_DIR, 'arith', 'arith.cap');
    expect((await cli('gp', 'install', arith, ...opts)).err).toEqual(['jcvm: LOAD F04A43564D02: 6A80']);
    expect((await cli('gp', 'install', arith, ...opts, '--dap-key', `des:${AES_DAP}`, '--dap-sd', MANDATED)).err).toEqual(['jcvm: LOAD F04A43564D02: 6A80']);
    const viaMandated = await cli('gp', 'install', arith, ...opts, '--dap-key', AES_DAP, '--dap-sd', MANDATED);
    expect(viaMandated.code).toBe(0);
    expect(viaMandated.out[0]).toMatch(new RegExp(`DAP of ${MANDATED}\\)$`));
  });

  it('install --quota (EF C7, C8) and --load-requirements (EF C6, C7, C8): too small a quota or too large a requirement 6A84', async () => {
    const card = join(dir, 'quota.jcard');
    const opts = ['--card', card];
    // echo's install() makes a 256-byte CLEAR_ON_DESELECT array.
    const small = await cli('gp', 'install', echoCap, ...opts, '--quota', '255,');
    expect(small.out.at(-1)).toMatch(loadedEcho);
    expect(small.err).toEqual(['jcvm: INSTALL [for install and make selectable] F04A43564D0101: 6A84']);
    expect((await cli('gp', 'delete', 'F04A43564D01', ...opts)).code).toBe(0);
    expect((await cli('gp', 'install', echoCap, ...opts, '--quota', '256,100')).err).toEqual(['jcvm: INSTALL [for install and make selectable] F04A43564D0101: 6A84']);
    expect((await cli('gp', 'delete', 'F04A43564D01', ...opts)).code).toBe(0);
    expect((await cli('gp', 'install', echoCap, ...opts, '--quota', '256,4096')).out.at(-1)).toBe('installed F04A43564D0101 (class F04A43564D0101) with memory quotas volatile 256, non-volatile 4096');
    expect((await cli('gp', 'list', ...opts)).out).toContain('APP: F04A43564D0101 (SELECTABLE) privileges 000000 load file F04A43564D01');

    const arith = join(CORPUS_DIR, 'arith', 'arith.cap');
    expect((await cli('gp', 'install', arith, ...opts, '--load-requirements', '100000000,,')).err).toEqual(['jcvm: INSTALL [for load] F04A43564D02: 6A84']);
    expect((await cli('gp', 'install', arith, ...opts, '--load-requirements', ',1000000,')).err).toEqual(['jcvm: INSTALL [for load] F04A43564D02: 6A84']);
    expect((await cli('gp', 'install', arith, ...opts, '--load-requirements', '2000,100,100')).code).toBe(0);
  });

  it('bad key and size arguments are one line each', async () => {
    const card = join(dir, 'args.jcard');
    const opts = ['--card', card];
    const err = async (...argv: string[]): Promise<string[]> => {
      const r = await cli('gp', ...argv, ...opts);
      expect(r.code).toBe(2);
      return r.err;
    };
    expect(await err('install', echoCap, '--quota', '256')).toEqual(["jcvm: --quota takes 2 sizes separated by commas, not '256'"]);
    expect(await err('install', echoCap, '--quota', '256,x')).toEqual(["jcvm: --quota must be a number from 0 to 4294967295, not 'x'"]);
    expect(await err('list', '--token-key', join(dir, 'nothing.pem'))).toEqual([`jcvm: --token-key: no file ${join(dir, 'nothing.pem')} (a PEM RSA private key)`]);
    expect(await err('list', '--token-key', issuer.pub)).toEqual([`jcvm: --token-key: ${issuer.pub} is not a PEM private key`]);
    expect(await err('list', '--receipt-key', '0102')).toEqual(['jcvm: --receipt-key must have 16, 24 or 32 bytes, not 2']);
    expect(await err('keys', '--put-receipt-key', issuer.pub)).toEqual([`jcvm: --put-receipt-key takes a DES or AES key in hex, not '${issuer.pub}'`]);
    expect(await err('install', echoCap, '--dap-sd', 'A00000055908DA01')).toEqual(['jcvm: --dap-sd names the domain of a --dap-key']);
    // A bad argument is found before the first command: the card stays as it was.
    expect(await err('keys', '--put-key', NEW_KEY, '--put-dap-key', 'des:00112233')).toEqual(['jcvm: --put-dap-key must have 16 bytes, not 4']);
    expect((await cli('gp', 'keys', ...opts)).out).toEqual([1, 2, 3].map((id) => `KVN FF key ${id} type 88 (AES) 16 bytes`));
    expect(await err('install', echoCap, '--privileges', 'zz')).toEqual(["jcvm: --privileges must be hex bytes, not 'zz'"]);
    expect((await cli('gp', 'list', ...opts)).out).toEqual(['ISD: A000000151000000 (OP_READY) privileges 9EDD80']);
  });
});
