// A card image made with a card manager keeps it: reopening the image without CardOptions.gp
// (as `jcvm run --card` does) still puts the Issuer Security Domain in front of the JCRE.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Card } from '../../../runtime/card.ts';
import { hex } from '../../../loader/bytes.ts';
import { fromHex } from '../helpers.ts';

const ISD = 'A000000151000000';

describe('the card manager in the card image', () => {
  it('comes back when the image is reopened without the option, with its options', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jcvm-gp-')), 'card.img');
    const a = new Card({ cardFile: file, gp: { isdAid: fromHex('A0000001510000FF') } });
    a.powerOn();
    expect(hex(a.transmit(fromHex('00A4040008A0000001510000FF00'))).slice(-4)).toBe('9000');
    const b = new Card({ cardFile: file });
    expect(b.cardManager).not.toBeNull();
    b.powerOn();
    expect(hex(b.transmit(fromHex('00A4040008A0000001510000FF00'))).slice(-4)).toBe('9000');
    // a plain card has none: nothing answers the ISD's AID
    const plain = new Card({ cardFile: join(mkdtempSync(join(tmpdir(), 'jcvm-gp-')), 'plain.img') });
    plain.powerOn();
    expect(hex(plain.transmit(fromHex(`00A4040008${ISD}00`)))).toBe('6A82');
    expect(new Card({ cardFile: plain.file! }).cardManager).toBeNull();
  });
});
