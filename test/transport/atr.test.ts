// The ATR (ISO/IEC 7816-3 clause 8) built from a card's configuration and parsed back: every
// interface byte where the standard puts it, TCK exactly when a protocol other than T=0 is
// offered, historical bytes settable, PPS after the ATR.

import { describe, expect, it } from 'vitest';
import { Card, DEFAULT_ATR } from '../../runtime/card.ts';
import { AtrError, buildAtr, DEFAULT_ATR_CONFIG, parseAtr, type AtrConfig } from '../../runtime/transport/atr.ts';
import { fromHex, hex } from '../runtime/helpers.ts';

const config = (over: Partial<AtrConfig>): AtrConfig => ({ ...DEFAULT_ATR_CONFIG, ...over });

describe('ATR', () => {
  it('the default card answers the T=1 ATR it always did', () => {
    expect(hex(DEFAULT_ATR)).toBe('3B848131FE456A63766D9D');
    expect(hex(new Card().powerOn())).toBe(hex(DEFAULT_ATR));
    const p = parseAtr(DEFAULT_ATR);
    expect(p).toMatchObject({ protocols: ['T=1'], ifsc: 254, bwi: 4, cwi: 5, edc: 'LRC', fi: 372, di: 1, tckValid: true, convention: 'direct' });
    expect(new TextDecoder().decode(p.historical)).toBe('jcvm');
  });

  it('T=0 only: no TD1 and no TCK (8.2.5)', () => {
    const atr = buildAtr(config({ protocols: ['T=0'], historical: fromHex('0102') }));
    expect(hex(atr)).toBe('3B020102');
    expect(parseAtr(atr)).toMatchObject({ protocols: ['T=0'], tck: null, tckValid: true, wi: 10 });
  });

  it('T=0 with WI: TD1 names T=0, TC2 holds WI', () => {
    const atr = buildAtr(config({ protocols: ['T=0'], wi: 0x20, historical: new Uint8Array(0) }));
    expect(hex(atr)).toBe('3B80' + '40' + '20');
    expect(parseAtr(atr).wi).toBe(0x20);
  });

  it('T=0 and T=1: TD1 T=0, TD2 T=1, T=1 bytes in group 3, TCK', () => {
    const atr = buildAtr(config({ protocols: ['T=0', 'T=1'], ifsc: 16, edc: 'CRC', fi: 512, di: 8, historical: fromHex('80') }));
    // TS T0(TA1 TD1, K=1) TA1=94 TD1(TD2, T=0) TD2(TA3 TB3 TC3, T=1) TA3=10 TB3=45 TC3=01 hist TCK
    expect(hex(atr.subarray(0, -1))).toBe('3B91' + '94' + '80' + '71' + '10' + '45' + '01' + '80');
    const p = parseAtr(atr);
    expect(p).toMatchObject({ protocols: ['T=0', 'T=1'], ifsc: 16, edc: 'CRC', fi: 512, di: 8, tckValid: true });
    expect(atr.reduce((a, b) => a ^ b, 0) ^ 0x3b).toBe(0); // T0..TCK XOR to zero
  });

  it('round trips of many configurations', () => {
    const hist = [new Uint8Array(0), fromHex('00'), fromHex('0031C073D6318000'), new Uint8Array(15).fill(0xa5)];
    for (const protocols of [['T=0'], ['T=1'], ['T=0', 'T=1']] as AtrConfig['protocols'][]) {
      for (const ifsc of [32, 16, 254]) {
        for (const edc of ['LRC', 'CRC'] as const) {
          for (const [fi, di] of [[372, 1], [372, 4], [512, 8], [2048, 32]] as const) {
            for (const historical of hist) {
              for (const [bwi, cwi] of [[4, 13], [7, 0]] as const) {
                const c = config({ protocols, ifsc, edc, fi, di, historical, bwi, cwi, wi: 10 });
                const p = parseAtr(buildAtr(c));
                expect(p.tckValid).toBe(true);
                expect(p.protocols).toEqual(protocols);
                expect([p.fi, p.di]).toEqual([fi, di]);
                expect(hex(p.historical)).toBe(hex(historical));
                if (protocols.includes('T=1')) expect([p.ifsc, p.edc, p.bwi, p.cwi]).toEqual([ifsc, edc, bwi, cwi]);
              }
            }
          }
        }
      }
    }
  });

  it('a wrong TCK is reported; malformed ATRs are refused', () => {
    const bad = DEFAULT_ATR.slice();
    bad[bad.length - 1]! ^= 1;
    expect(parseAtr(bad).tckValid).toBe(false);
    expect(() => parseAtr(fromHex('3C00'))).toThrow(AtrError);
    expect(() => parseAtr(fromHex('3B05'))).toThrow(/5 historical bytes/);
    expect(() => parseAtr(DEFAULT_ATR.subarray(0, -1))).toThrow(/TCK/);
    expect(() => parseAtr(fromHex('3B0000'))).toThrow(/after the historical bytes/);
  });

  it('refuses configurations the standard does not allow', () => {
    expect(() => buildAtr(config({ historical: new Uint8Array(16) }))).toThrow(/at most 15/);
    expect(() => buildAtr(config({ protocols: ['T=1', 'T=0'] }))).toThrow(/ascending/);
    expect(() => buildAtr(config({ ifsc: 255 }))).toThrow(/IFSC/);
    expect(() => buildAtr(config({ fi: 400 }))).toThrow(/Fi 400/);
    expect(() => new Card({ protocol: 'T=2' as never })).toThrow(/T=0, T=1 or T=0,T=1/);
  });

  it('card options and setHistoricalBytes (GPSystem.setATRHistBytes) shape the next ATR', () => {
    const card = new Card({ protocol: 'T=0,T=1', historicalBytes: fromHex('4A43'), atr: { ifsc: 64, edc: 'CRC' } });
    let p = parseAtr(card.powerOn());
    expect(p).toMatchObject({ protocols: ['T=0', 'T=1'], ifsc: 64, edc: 'CRC' });
    expect(hex(p.historical)).toBe('4A43');
    card.setHistoricalBytes(fromHex('0102030405'));
    expect(hex(parseAtr(card.atr).historical)).toBe('0102030405');
    p = parseAtr(card.reset());
    expect(hex(p.historical)).toBe('0102030405');
    expect(() => card.setHistoricalBytes(new Uint8Array(16))).toThrow(RangeError);
  });
});
