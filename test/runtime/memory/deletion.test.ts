// Object deletion (issue 3): JCSystem.requestObjectDeletion collects the objects nothing
// reaches when process() returns, and their memory comes back; reachable objects stay.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Card } from '../../../runtime/card.ts';
import { tx } from '../helpers.ts';
import { cp, field, probeCard } from '../api/probe.ts';

const KEEP = 'byte[] keep';

describe('JCSystem.requestObjectDeletion', () => {
  let card: Card;
  beforeAll(() => {
    card = probeCard({
      fields: [KEEP],
      probes: [
        // INS 10: isObjectDeletionSupported
        { ins: 0x10, code: `aload_2; sconst_0; invokestatic ${cp('isObjectDeletionSupported')}; bastore; sconst_1; sreturn;` },
        // INS 11: allocate P1 garbage arrays of 200 bytes, keep the last one in a field
        {
          ins: 0x11,
          locals: 1,
          code: `
				aload_2; sconst_2; baload; sstore_3;
			L1:	sload_3; ifeq L2;
				aload_0; sspush 200; newarray 11; putfield_a ${field(KEEP)};
				sinc 3 -1; goto L1;
			L2:	sconst_0; sreturn;`,
        },
        // INS 12: requestObjectDeletion
        { ins: 0x12, code: `invokestatic ${cp('requestObjectDeletion')}; sconst_0; sreturn;` },
        // INS 13: the kept array's length (it must survive)
        { ins: 0x13, code: `aload_2; sconst_0; getfield_a_this ${field(KEEP)}; arraylength; invokestatic ${cp('setShort')}; pop; sconst_2; sreturn;` },
      ],
    });
    card.powerOn();
    expect(tx(card, '00A4040007F04A43564D7F01')).toBe('9000');
  });

  it('is supported', () => {
    expect(tx(card, '80100000')).toBe('019000');
  });

  it('frees unreachable objects at the end of the APDU and keeps reachable ones', () => {
    const free0 = card.memoryReport().persistent.free;
    expect(tx(card, '8011050000')).toBe('9000'); // 5 arrays of 200 bytes, 4 of them garbage
    const free1 = card.memoryReport().persistent.free;
    expect(free0 - free1).toBeGreaterThanOrEqual(5 * 200);
    const objects1 = card.memoryReport().packages[0]!.use.objects;
    expect(tx(card, '80120000')).toBe('9000');
    const free2 = card.memoryReport().persistent.free;
    expect(free2 - free1).toBeGreaterThanOrEqual(4 * 200);
    expect(free2 - free1).toBeLessThan(5 * 200);
    expect(card.memoryReport().packages[0]!.use.objects).toBe(objects1 - 4);
    expect(tx(card, '80130000')).toBe('00C89000'); // the kept array: 200 bytes
    // the applet and everything else still work
    expect(tx(card, '80100000')).toBe('019000');
  });
});
