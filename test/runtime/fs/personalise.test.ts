// Personalisation from JSON (`jcvm fs load`): the description checked field by field with the
// place of each error, nothing written for a bad one; the command line end to end, with the
// memory report of a card with two applets and a file system.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../../bin/cli.ts';
import { Card } from '../../../runtime/card.ts';
import { buildFileSystem, FsDescriptionError, loadFileSystem } from '../../../runtime/fs/personalise.ts';
import { CORPUS_DIR } from '../../corpus.ts';
import { sample, SAMPLE_PATH } from './fs-helpers.ts';

const withMf = (mf: unknown): unknown => ({ mf });

describe('buildFileSystem', () => {
  it('the sample: MF, 2 DFs, 5 EFs and 2 secret EFs in 634 bytes', () => {
    const bytes = buildFileSystem(sample());
    expect(bytes.length).toBe(634);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x46, 0x53, 1, 10]);
  });

  it.each([
    [withMf({ files: [{ ef: '3F00' }] }), 'mf.files[0].ef: 3F00 is reserved'],
    [withMf({ files: [{ ef: '2F00' }, { df: '2F00' }] }), 'mf.files[1]: file identifier 2F00 is already used'],
    [withMf({ files: [{ ef: '2F00', sfi: 1 }, { ef: '2F01', sfi: 1 }] }), 'mf.files[1].sfi: short EF identifier 1 is already used'],
    [withMf({ files: [{ ef: '2F00', sfi: 31 }] }), 'mf.files[0].sfi: a whole number 1..30'],
    [withMf({ files: [{ ef: '2F00', size: 2, data: '010203' }] }), 'mf.files[0].data: 3 bytes for an EF of 2'],
    [withMf({ files: [{ ef: '2F00', structure: 'cyclic' }] }), 'mf.files[0].structure'],
    [withMf({ files: [{ ef: '2F00', structure: 'linear-fixed' }] }), 'mf.files[0].recordLength'],
    [withMf({ files: [{ ef: '2F00', structure: 'linear-fixed', recordLength: 2, records: ['010203'] }] }), 'mf.files[0].records[0]: 3 bytes'],
    [withMf({ files: [{ ef: '2F00', read: 'sometimes' }] }), 'mf.files[0].read: an access condition'],
    [withMf({ files: [{ ef: '2F00', read: { state: 127 } }] }), 'mf.files[0].read.state'],
    [withMf({ files: [{ ef: '2F00', colour: 'red' }] }), 'mf.files[0].colour: unknown field'],
    [withMf({ files: [{ ef: '2F00', df: '2F01' }] }), 'mf.files[0]: a file has either "df" or "ef"'],
    [withMf({ files: [{ df: '5000', name: 'A000' }, { df: '5001', name: 'A000' }] }), 'mf.files[1].name: DF name A000 is already the name of mf.files[0]'],
    [withMf({ secrets: [{ ref: 1, pin: '31', maxTries: 3, onSuccess: 1 }, { ref: 1, pin: '32', maxTries: 3, onSuccess: 1 }] }), 'mf.secrets[1].ref: reference 1 is already used'],
    [withMf({ secrets: [{ ref: 1, aes128: '0011', maxTries: 3, onSuccess: 1 }] }), 'mf.secrets[0].aes128: 2 bytes; exactly 16'],
    [withMf({ secrets: [{ ref: 1, pin: '31', aes128: '00', maxTries: 3, onSuccess: 1 }] }), 'mf.secrets[0]: a secret has either'],
    [withMf({ secrets: [{ ref: 1, pin: '31', maxTries: 0, onSuccess: 1 }] }), 'mf.secrets[0].maxTries'],
    [withMf({ secrets: [{ ref: 32, pin: '31', maxTries: 3, onSuccess: 1 }] }), 'mf.secrets[0].ref'],
    [withMf({ secrets: [{ ref: 1, pin: '31', maxTries: 3, tries: 4, onSuccess: 1 }] }), 'mf.secrets[0].tries'],
    [withMf({ files: [{ ef: '2F00', size: 40000 }] }), 'mf.files[0].size'],
    [withMf({ files: [{ ef: '2F00', size: 20000 }, { ef: '2F01', size: 20000 }] }), 'the file system needs'],
    [{ mf: {}, extra: 1 }, 'description.extra: unknown field'],
    ['{ not json', 'description: not JSON'],
  ])('refuses %j naming the place', (desc, message) => {
    expect(() => buildFileSystem(desc)).toThrow(FsDescriptionError);
    expect(() => buildFileSystem(desc)).toThrow(message);
  });

  it('a refused description leaves the card as it was', () => {
    const card = new Card();
    const writes = card.persistentWrites;
    const objects = card.jcre.heap.count;
    expect(() => loadFileSystem(card, withMf({ files: [{ ef: '3F00' }] }))).toThrow(FsDescriptionError);
    expect(card.persistentWrites).toBe(writes);
    expect(card.jcre.heap.count).toBe(objects);
  });
});

describe('jcvm fs load', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('personalises a card image; the file system answers in later runs; mem reports it beside two applets', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jcvm-fs-cli-'));
    const img = join(dir, 'card.img');
    const echo = join(CORPUS_DIR, 'echo', 'echo.cap');
    const pin = join(CORPUS_DIR, 'pin', 'pin.cap');
    expect((await cli('run', '--card', img, echo, pin, '--install', 'F04A43564D0101', 'F04A43564D0601')).code).toBe(0);
    const load = await cli('fs', 'load', SAMPLE_PATH, '--card', img);
    expect(load).toMatchObject({ code: 0, out: [`opened card image ${img}; file system sample.json loaded: 10 files, 634 bytes`] });
    const run = await cli('mem', '--card', img, '--apdu', '00A4040C09F04A43564D46530001', '002000010431323334', '00A4020C022F01', '00B0000004', '00A4040007F04A43564D0101', '8020030003');
    expect(run.code).toBe(0);
    expect(run.out.slice(1, 13)).toEqual([
      '=> 00 A4 04 0C 09 F0 4A 43 56 4D 46 53 00 01',
      '<= 90 00',
      '=> 00 20 00 01 04 31 32 33 34',
      '<= 90 00',
      '=> 00 A4 02 0C 02 2F 01',
      '<= 90 00',
      '=> 00 B0 00 00 04',
      '<= 4A 6F 68 6E 90 00',
      '=> 00 A4 04 00 07 F0 4A 43 56 4D 01 01',
      '<= 90 00',
      '=> 80 20 03 00 03',
      '<= 00 01 02 90 00',
    ]);
    expect(run.out).toContain('  of which the file system: 634 B, 10 files (MF, DFs, EFs, secret EFs)');
    expect(run.out.filter((l) => l.startsWith('package '))).toHaveLength(2);
    const again = await cli('fs', 'load', SAMPLE_PATH, '--card', img);
    expect(again).toMatchObject({ code: 2, err: ['jcvm: the card already has a file system'] });
  });

  it('a bad description: one line, status 2, and no image created', async () => {
    dir = mkdtempSync(join(tmpdir(), 'jcvm-fs-cli-'));
    const img = join(dir, 'card.img');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(withMf({ files: [{ ef: 'FFFF' }] })));
    const r = await cli('fs', 'load', bad, '--card', img);
    expect(r).toMatchObject({ code: 2, err: ['jcvm: mf.files[0].ef: FFFF is reserved (ISO/IEC 7816-4: the MF, the path escape, RFU)'] });
    expect(existsSync(img)).toBe(false);
    expect((await cli('fs', 'load', bad)).err[0]).toMatch(/usage: jcvm fs load/);
  });
});
