// T=1 (ISO/IEC 7816-3 clause 11) against the corpus echo applet: blocks byte for byte, every
// APDU case, chaining both ways with IFSC 16 and a 255-byte echo, S(IFS) changing IFSD,
// corrupted blocks (LRC and CRC) recovered by R-blocks and retransmission, RESYNCH, ABORT of
// a chain either way, WTX, NAD; PPS choosing T=1 on a T=0,T=1 card.

import { describe, expect, it } from 'vitest';
import { Card } from '../../runtime/card.ts';
import type { EdcKind } from '../../runtime/transport/atr.ts';
import { crc16, decodeBlock, describeBlock, encodeBlock, iBlock, lrc, RError, rBlock, sBlock, SType, type Block } from '../../runtime/transport/t1-block.ts';
import type { Direction } from '../../runtime/transport/t1-terminal.ts';
import { TpduCard, TpduTerminal, type TerminalOptions } from '../../runtime/transport/tpdu-card.ts';
import { PROBE_AID } from '../runtime/api/probe.ts';
import { fromHex, hex, pattern } from '../runtime/helpers.ts';
import { ECHO, echoCard, echoTpdu, probeTpdu, selectApdu } from './helpers.ts';

const enc = (b: Block, edc: EdcKind = 'LRC'): Uint8Array => encodeBlock(b, edc);
const I = (ns: number, inf: string, more = false, nad = 0) => iBlock(nad, ns, more, fromHex(inf));
const R = (nr: number, error = RError.NONE) => rBlock(0, nr, error);
const S = (type: SType, response: boolean, inf?: number) => sBlock(0, type, response, inf === undefined ? new Uint8Array(0) : Uint8Array.of(inf));
/** Sends a block to the card, returns the card's block as hex. */
const x = (tc: TpduCard, b: Block | Uint8Array, edc: EdcKind = 'LRC'): string => hex(tc.exchange(b instanceof Uint8Array ? b : enc(b, edc)));
const h = (b: Block, edc: EdcKind = 'LRC'): string => hex(enc(b, edc));

interface Logged {
  from: Direction;
  what: string;
}

/** A terminal on an echo card with IFSC `ifsc`, the echo applet selected; `log` collects block descriptions. */
async function echoTerminal(ifsc: number, edc: EdcKind, options: TerminalOptions = {}): Promise<{ term: TpduTerminal; tc: TpduCard; log: Logged[] }> {
  const log: Logged[] = [];
  const tc = await echoTpdu({ atr: { ifsc, edc } });
  const term = new TpduTerminal(tc, { ifsd: 32, ...options, log: (l) => log.push({ from: l.from, what: l.what ?? '' }) });
  term.powerOn();
  expect(hex(term.transmit(fromHex(selectApdu(ECHO))))).toBe('9000');
  log.length = 0;
  return { term, tc, log };
}

const count = (log: Logged[], from: Direction, re: RegExp): number => log.filter((l) => l.from === from && re.test(l.what)).length;

describe('T=1 blocks', () => {
  it('LRC and CRC (ISO/IEC 13239 FCS: "123456789" gives 906E, sent low byte first)', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x906e);
    expect(lrc(fromHex('00400190'))).toBe(0xd1);
    expect(h(I(0, '80100000'))).toBe('00000480100000' + '94'); // NAD PCB LEN INF LRC
    const crcBlock = enc(R(1), 'CRC');
    const c = crc16(fromHex('009000'));
    expect(hex(crcBlock)).toBe('009000' + hex([c & 0xff, c >> 8]));
    expect(decodeBlock(crcBlock, 'CRC')).toMatchObject({ kind: 'R', nr: 1, error: 0 });
  });

  it('decoding refuses bad EDC, lengths, RFU bits and malformed S-blocks', () => {
    const good = enc(I(0, '0102'));
    const bad = good.slice();
    bad[3]! ^= 0x40;
    expect(decodeBlock(bad, 'LRC')).toMatchObject({ kind: 'bad', error: RError.EDC });
    expect(decodeBlock(good.subarray(0, 5), 'LRC')).toMatchObject({ kind: 'bad', error: RError.OTHER });
    const rfu = Uint8Array.of(0, 0x01, 0, 0x01);
    expect(decodeBlock(rfu, 'LRC')).toMatchObject({ kind: 'bad', error: RError.OTHER });
    expect(decodeBlock(enc(I(0, pattern(20))), 'LRC', 16)).toMatchObject({ kind: 'bad', reason: /exceeds/ });
    expect(decodeBlock(Uint8Array.of(0, 0xc1, 0, 0xc1), 'LRC')).toMatchObject({ kind: 'bad', reason: /S-block/ });
    expect(describeBlock(S(SType.IFS, false, 20))).toBe('S(IFS request 20)');
    expect(describeBlock(I(1, '00', true))).toBe('I(1,M) 1 byte');
  });
});

describe('T=1 card side, block by block', () => {
  it('case 1-4 in single I-blocks, sequence numbers alternating', async () => {
    const tc = await echoTpdu({ atr: { ifsc: 254 } });
    expect(x(tc, I(0, selectApdu(ECHO)))).toBe(h(I(0, '9000')));
    expect(x(tc, I(1, '80100000'))).toBe(h(I(1, '9000')));
    expect(x(tc, I(0, '8020030003'))).toBe(h(I(0, '0001029000')));
    expect(x(tc, I(1, '8030000002ABCD'))).toBe(h(I(1, '9000')));
    expect(x(tc, I(0, '8040000002ABCD02'))).toBe(h(I(0, 'ABCD9000')));
    expect(x(tc, I(1, '80706A8800'))).toBe(h(I(1, '6A88')));
  });

  it('a command chained in IFSC-sized blocks is acknowledged by R-blocks; a response longer than IFSD comes chained', async () => {
    const tc = await echoTpdu({ atr: { ifsc: 16 } });
    expect(tc.ifsd).toBe(32);
    expect(x(tc, I(0, selectApdu(ECHO)))).toBe(h(I(0, '9000')));
    const apdu = '8040000028' + pattern(40) + '28'; // 46 bytes: 16 + 16 + 14
    expect(x(tc, I(1, apdu.slice(0, 32), true))).toBe(h(R(0)));
    expect(x(tc, I(0, apdu.slice(32, 64), true))).toBe(h(R(1)));
    // the last block: the response (42 bytes) comes in 32 + 10
    expect(x(tc, I(1, apdu.slice(64)))).toBe(h(I(1, pattern(32), true)));
    expect(x(tc, R(1))).toBe(h(I(1, pattern(32), true))); // R(1) names the block just sent: again
    expect(x(tc, R(0))).toBe(h(I(0, pattern(8, (i) => 32 + i) + '9000'))); // R(0): the next one
    // an INF longer than IFSC is an invalid block
    expect(x(tc, I(0, pattern(17)))).toBe(h(R(0, RError.OTHER)));
  });

  it('a bad EDC is answered by an R-block with the EDC error; an R-block naming the last I-block gets it again (LRC and CRC)', async () => {
    for (const edc of ['LRC', 'CRC'] as const) {
      const tc = await echoTpdu({ atr: { edc } });
      const sel = enc(I(0, selectApdu(ECHO)), edc);
      const broken = sel.slice();
      broken[broken.length - 1]! ^= 0x01;
      expect(x(tc, broken, edc), edc).toBe(h(R(0, RError.EDC), edc));
      expect(x(tc, sel, edc)).toBe(h(I(0, '9000'), edc));
      // the terminal did not get the response: R(0) names I-block 0 again
      expect(x(tc, R(0, RError.EDC), edc)).toBe(h(I(0, '9000'), edc));
      expect(x(tc, R(0), edc)).toBe(h(I(0, '9000'), edc));
      // a wrong N(S) is another error
      expect(x(tc, I(0, '80100000'), edc)).toBe(h(R(1, RError.OTHER), edc));
      expect(x(tc, I(1, '80100000'), edc)).toBe(h(I(1, '9000'), edc));
    }
  });

  it('S(IFS request) changes IFSD; values out of 1..254 are refused', async () => {
    const tc = await echoTpdu();
    expect(x(tc, S(SType.IFS, false, 20))).toBe(h(S(SType.IFS, true, 20)));
    expect(tc.ifsd).toBe(20);
    expect(x(tc, sBlock(0, SType.IFS, false, Uint8Array.of(0)))).toBe(h(R(0, RError.OTHER)));
    expect(x(tc, I(0, selectApdu(ECHO)))).toBe(h(I(0, '9000')));
    // 19 bytes and the SW: 20 + 1
    expect(x(tc, I(1, '8020130000'))).toBe(h(I(1, pattern(19) + '90', true)));
    expect(x(tc, R(0))).toBe(h(I(0, '00')));
  });

  it('RESYNCH: sequence numbers back to 0 and IFSD back to 32', async () => {
    const tc = await echoTpdu();
    expect(x(tc, S(SType.IFS, false, 254))).toBe(h(S(SType.IFS, true, 254)));
    expect(x(tc, I(0, selectApdu(ECHO)))).toBe(h(I(0, '9000')));
    expect(x(tc, S(SType.RESYNCH, false))).toBe(h(S(SType.RESYNCH, true)));
    expect(tc.ifsd).toBe(32);
    expect(x(tc, I(0, '8020280000'))).toBe(h(I(0, pattern(32), true)));
    expect(x(tc, R(1))).toBe(h(I(1, pattern(8, (i) => 32 + i) + '9000')));
  });

  it('ABORT ends a command chain (the command never runs) and a response chain', async () => {
    const tc = await echoTpdu({ atr: { ifsc: 16 } });
    expect(x(tc, I(0, selectApdu(ECHO)))).toBe(h(I(0, '9000')));
    expect(x(tc, I(1, '803000001A' + pattern(11), true))).toBe(h(R(0)));
    expect(x(tc, S(SType.ABORT, false))).toBe(h(S(SType.ABORT, true)));
    // sequence numbers carry on; the aborted INS 30 kept nothing
    expect(x(tc, I(0, '8032000000'))).toBe(h(I(1, '0000' + '9000')));
    expect(x(tc, I(1, '8050000000'))).toBe(h(I(0, pattern(32), true)));
    expect(x(tc, S(SType.ABORT, false))).toBe(h(S(SType.ABORT, true)));
    expect(x(tc, I(0, '80100000'))).toBe(h(I(1, '9000')));
  });

  it('WTX: the card asks before answering a command that called APDU.waitExtension() (or ran long); a WTX request from the terminal is an error', () => {
    const tc = probeTpdu();
    expect(x(tc, I(0, selectApdu(PROBE_AID)))).toBe(h(I(0, '9000')));
    expect(x(tc, I(1, '0002020000'))).toBe(h(S(SType.WTX, false, 2)));
    expect(x(tc, R(1))).toBe(h(S(SType.WTX, false, 2))); // lost: asked again
    expect(x(tc, S(SType.WTX, true, 2))).toBe(h(I(1, '9000')));
    expect(x(tc, S(SType.WTX, false, 1))).toBe(h(R(0, RError.OTHER)));
    expect(x(tc, S(SType.WTX, true, 1))).toBe(h(R(0, RError.OTHER)));
    const slow = probeTpdu({}, { wtxBytecodes: 1 });
    expect(x(slow, I(0, selectApdu(PROBE_AID)))).toMatch(/^00C301/); // S(WTX request): one unit per bytecode
  });

  it('NAD: the card answers with source and destination swapped; APDU.getNAD is the command block\'s', () => {
    const tc = probeTpdu();
    expect(x(tc, I(0, selectApdu(PROBE_AID), false, 0x12))).toBe(hex(enc(iBlock(0x21, 0, false, fromHex('9000')))));
    expect(x(tc, I(1, '0001000006', false, 0x12))).toBe(hex(enc(iBlock(0x21, 1, false, fromHex('01' + '00FE' + '0020' + '12' + '9000')))));
  });
});

describe('T=1 terminal and card', () => {
  it('every APDU case gives over T=1 the response the APDU-level card gives', async () => {
    const apdus = [selectApdu(ECHO), '80100000', '8020050005', '8020100000', '8050000000', '8030000003AABBCC', '8032000000', '8040000004DEADBEEF04', '80400000C8' + pattern(200, (i) => 0xff - i) + 'C8', '80706A8800', '8072000000', '80FF000000', '00FF000000'];
    const plain = await echoCard();
    plain.powerOn();
    for (const [ifsc, ifsd] of [[254, 254], [16, 32], [5, 7]]) {
      const tc = new TpduCard(await echoCard({ atr: { ifsc: ifsc! } }));
      const term = new TpduTerminal(tc, { ifsd: ifsd! });
      term.powerOn();
      for (const a of apdus) expect(hex(term.transmit(fromHex(a))), `${a} IFSC ${ifsc}`).toBe(hex(plain.transmit(fromHex(a))));
    }
  });

  it('chaining both ways: IFSC 16, a 255-byte echo, IFSD 32 then 20 after S(IFS)', async () => {
    const { term, tc, log } = await echoTerminal(16, 'LRC');
    const data = pattern(255, (i) => i * 7);
    const apdu = fromHex('80400000FF' + data + 'FF'); // 261 bytes: 17 blocks of 16 at most
    expect(hex(term.transmit(apdu))).toBe(data + '9000');
    expect(count(log, 'IFD', /^I\(\d,M\) 16 bytes$/)).toBe(16);
    expect(count(log, 'IFD', /^I\(\d\) 5 bytes$/)).toBe(1);
    expect(count(log, 'ICC', /^R\(\d\)$/)).toBe(16);
    expect(count(log, 'ICC', /^I\(\d,M\) 32 bytes$/)).toBe(8); // 257 = 8 x 32 + 1
    expect(count(log, 'ICC', /^I\(\d\) 1 byte$/)).toBe(1);
    expect(count(log, 'IFD', /^R\(\d\)$/)).toBe(8);
    log.length = 0;
    term.t1!.setIfsd(20);
    expect(tc.ifsd).toBe(20);
    expect(hex(term.transmit(apdu))).toBe(data + '9000');
    expect(count(log, 'ICC', /^I\(\d,M\) 20 bytes$/)).toBe(12); // 257 = 12 x 20 + 17
    expect(count(log, 'ICC', /^I\(\d\) 17 bytes$/)).toBe(1);
  });

  it('a corrupted block either way is recovered by an R-block and retransmission (LRC and CRC)', async () => {
    for (const edc of ['LRC', 'CRC'] as const) {
      for (const [side, which] of [['IFD', 3], ['ICC', 2], ['ICC', 18], ['IFD', 17]] as const) {
        const flip = (b: Uint8Array, from: Direction, n: number): Uint8Array => {
          if (from !== side || n !== which) return b;
          const c = b.slice();
          c[Math.min(4, c.length - 1)]! ^= 0x08; // an INF byte (or the EDC of a short block)
          return c;
        };
        const { term, log } = await echoTerminal(16, edc, { tamper: flip });
        const data = pattern(255, (i) => 255 - i);
        // block counts include the SELECT's (IFD 0, ICC 0): IFD 1..17 carry the command, ICC 1..16
        // acknowledge it, ICC 17..25 carry the response
        expect(hex(term.transmit(fromHex('80400000FF' + data + 'FF'))), `${edc} ${side} ${which}`).toBe(data + '9000');
        expect(log.some((l) => /EDC error|invalid block/.test(l.what)), `${edc} ${side} ${which}`).toBe(true);
      }
    }
  });

  it('RESYNCH and ABORT through the terminal', async () => {
    const { term, tc } = await echoTerminal(16, 'CRC');
    term.t1!.setIfsd(64);
    expect(hex(term.transmit(fromHex('8030000003010203')))).toBe('9000');
    term.t1!.resynch();
    expect(tc.ifsd).toBe(32);
    expect(hex(term.transmit(fromHex('8032000000')))).toBe('0003010203' + '9000');
    term.t1!.sendPartialChain(fromHex('8030000020' + pattern(32)), 2);
    term.t1!.abort();
    expect(hex(term.transmit(fromHex('8032000000')))).toBe('0003010203' + '9000');
  });

  it('getProtocol over T=1 (PPS from a T=0,T=1 card): PROTOCOL_T1, IFSC, the IFSD announced, the NAD', () => {
    const tc = probeTpdu({ protocol: 'T=0,T=1', atr: { ifsc: 48 } });
    const term = new TpduTerminal(tc, { protocol: 'T=1', ifsd: 100, nad: 0x05 });
    term.powerOn();
    expect(hex(term.transmit(fromHex(selectApdu(PROBE_AID))))).toBe('9000');
    expect(hex(term.transmit(fromHex('0001000006')))).toBe('01' + '0030' + '0064' + '05' + '9000');
  });

  it('PPS right after the ATR selects T=1 on a T=0,T=1 card; a protocol not offered gets silence', () => {
    const card = new Card({ protocol: 'T=0,T=1' });
    const tc = new TpduCard(card);
    tc.powerOn();
    expect(tc.protocol).toBe('T=0');
    expect(hex(tc.exchange(fromHex('FF01FF')))).toBe(''); // wrong PCK: the card stays mute
    tc.powerOn();
    expect(hex(tc.exchange(fromHex('FF01FE')))).toBe('FF01FE');
    expect(tc.protocol).toBe('T=1');
    tc.powerOn();
    expect(tc.protocol).toBe('T=0');
    // PPS1 naming Fi=512 Di=8 is not the card's: the answer leaves PPS1 out
    expect(hex(tc.exchange(fromHex('FF1194' + hex([0xff ^ 0x11 ^ 0x94]))))).toBe('FF01FE');
    const t0only = new TpduCard(new Card({ protocol: 'T=0' }));
    t0only.powerOn();
    expect(hex(t0only.exchange(fromHex('FF01FE')))).toBe('');
  });
});
