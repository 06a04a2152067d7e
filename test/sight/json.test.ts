// --json for every command that prints results (issue 7): each output parses as JSON.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cli } from '../bin/cli.ts';
import { CORPUS_DIR } from '../corpus.ts';

/** Runs the command and parses everything it printed as one JSON value. */
async function json(...argv: string[]): Promise<{ code: number; value: Record<string, any> }> {
  const r = await cli(...argv);
  expect(r.err).toEqual([]);
  return { code: r.code, value: JSON.parse(r.out.join('\n')) as Record<string, any> };
}

const echoCap = join(CORPUS_DIR, 'echo', 'echo.cap');
const sampleFs = resolve(import.meta.dirname, '../../runtime/fs/sample.json');
const batchKey = '000102030405060708090A0B0C0D0E0F';

describe('--json', () => {
  it('cap dump: every component, methods with their listings', async () => {
    const { code, value } = await json('cap', 'dump', echoCap, '--json');
    expect(code).toBe(0);
    expect(value.header.package.AID).toBe('F04A43564D01');
    expect(value.import.packages.length).toBeGreaterThan(0);
    expect(value.constantPool.constant_pool.length).toBeGreaterThan(0);
    expect(value.class.classes.length).toBeGreaterThan(0);
    expect(value.method.methods.length).toBeGreaterThan(0);
    expect(value.method.methods.some((m: { listing: string[] }) => m.listing.some((l) => /invoke/.test(l)))).toBe(true);
    expect(value.componentTags).toContain(7);
  });

  it('cap jca: the JCA text in a field', async () => {
    const { value } = await json('cap', 'jca', echoCap, '--json');
    expect(value.jca).toMatch(/\.package/);
  });

  it('asm: what was written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jcvm-json-'));
    const { code, value } = await json('asm', 'applets/hello/hello.jca', '-o', join(dir, 'hello.cap'), '--json');
    expect(code).toBe(0);
    expect(value).toMatchObject({ file: join(dir, 'hello.cap'), format: expect.any(String) });
    expect(value.bytes).toBeGreaterThan(0);
    expect(value.aid).toMatch(/^[0-9A-F]+$/);
    expect(value.components.map((c: { tag: number }) => c.tag)).toContain(1);
  });

  it('card new, info and complete', async () => {
    const img = join(mkdtempSync(join(tmpdir(), 'jcvm-json-')), 'chip.img');
    const made = await json('card', 'new', '--card', img, '--batch-key', batchKey, '--json');
    expect(made.code).toBe(0);
    expect(made.value).toMatchObject({ command: 'card new', card: img, state: 'manufactured (not completed)' });
    expect(made.value.record.serial).toMatch(/^[0-9A-F]{16}$/);
    expect(JSON.stringify(made.value)).not.toContain(batchKey); // the secret is never printed
    const info = await json('card', 'info', '--card', img, '--json');
    expect(info.value).toMatchObject({ command: 'card info', completionFailures: 0, selfTest: { passed: true } });
    const done = await json('card', 'complete', '--card', img, '--batch-key', batchKey, '--json');
    expect(done.code).toBe(0);
    expect(done.value).toMatchObject({ authentic: true, completed: true, sw: '9000', state: 'completed (OP_READY)' });
  });

  it('fs load', async () => {
    const img = join(mkdtempSync(join(tmpdir(), 'jcvm-json-')), 'card.img');
    const { code, value } = await json('fs', 'load', sampleFs, '--card', img, '--json');
    expect(code).toBe(0);
    expect(value).toMatchObject({ card: img, created: true });
    expect(value.files).toBeGreaterThan(0);
    expect(value.bytes).toBeGreaterThan(0);
  });

  it('run and mem (JSON already)', async () => {
    const run = await json('run', echoCap, '--install', 'F04A43564D0101', '--json', '--apdu', '00A4040007F04A43564D0101');
    expect(run.value.exchanges[0].status).toMatch(/^9000/);
    const mem = await json('mem', echoCap, '--install', 'F04A43564D0101', '--json');
    expect(mem.value.memory.packages).toMatchObject([{ aid: 'F04A43564D01', name: 'conformance/echo', applets: ['F04A43564D0101'] }]);
    expect(mem.value.memory.applets).toMatchObject([{ aid: 'F04A43564D0101', package: 'F04A43564D01' }]);
  });

  it('serve and shell say it does not apply', async () => {
    for (const command of ['serve', 'shell']) {
      const r = await cli(command, '--json', '--vpcd');
      expect(r.code).toBe(2);
      expect(r.err[0]).toMatch(new RegExp(`--json does not apply to ${command}`));
    }
  });
});
