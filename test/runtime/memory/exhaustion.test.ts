// Running out of memory (issue 3): installing applet instances into a small card until the
// persistent memory is full. The installation that does not fit fails with
// SystemException.NO_RESOURCE, changes nothing, and every instance made before still answers.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../../loader/bytes.ts';
import { readPackageFile } from '../../../loader/files.ts';
import { Card } from '../../../runtime/card.ts';
import { InstallError } from '../../../runtime/jcre.ts';
import { formatMemoryReport } from '../../../runtime/memory/report.ts';
import { CORPUS_DIR } from '../../corpus.ts';

describe('persistent memory exhaustion', () => {
  it('fills the card with lifecycle instances until NO_RESOURCE; the card still answers and nothing else changed', async () => {
    const card = new Card({ persistentSize: 4096, commitCapacity: 256 });
    card.load(await readPackageFile(join(CORPUS_DIR, 'lifecycle', 'lifecycle.cap')));
    const instance = (i: number): Uint8Array => Uint8Array.of(0xf0, 0x4a, 0x43, 0x56, 0x4d, 0x0a, 0x80, i);
    let made = 0;
    let failure: Error | null = null;
    let before = card.memoryReport();
    for (let i = 0; i < 250 && !failure; i++) {
      before = card.memoryReport();
      try {
        card.install(fromHex('F04A43564D0A'), fromHex('F04A43564D0A01'), instance(i), Uint8Array.of(i));
        made++;
      } catch (e) {
        failure = e as Error;
      }
    }
    expect(made).toBeGreaterThan(3);
    expect(failure).toBeInstanceOf(InstallError);
    expect(failure!.message).toMatch(/SystemException \(reason 5\)/); // NO_RESOURCE
    // Nothing of the failed installation stayed.
    const after = card.memoryReport();
    expect(after.persistent).toEqual(before.persistent);
    expect(card.applets()).toHaveLength(made);
    expect(after.persistent.free).toBeLessThan(512);
    // The instances made before still work: select the first and the last, read their install parameter.
    card.powerOn();
    for (const i of [0, made - 1]) {
      const aid = hex(instance(i));
      expect(hex(card.transmit(fromHex(`00A4040008${aid}`))).slice(-4)).toBe('9000');
      expect(hex(card.transmit(fromHex('8003000000')))).toBe(`01${hex(Uint8Array.of(i))}9000`);
    }
    console.log(formatMemoryReport(card.memoryReport()).slice(0, 4).join('\n'));
  });

  it('JCSystem.getAvailableMemory follows the free memory', async () => {
    const card = new Card({ persistentSize: 8192, commitCapacity: 256 });
    card.load(await readPackageFile(join(CORPUS_DIR, 'echo', 'echo.cap')));
    const before = card.memoryReport().persistent.largestFree;
    card.install(fromHex('F04A43564D01'), fromHex('F04A43564D0101'));
    const after = card.memoryReport().persistent.largestFree;
    // echo allocates byte[32] and byte[256] persistent (and 256 bytes of RAM)
    expect(before - after).toBeGreaterThanOrEqual(32 + 256);
    expect(before - after).toBeLessThan(32 + 256 + 64);
  });
});
