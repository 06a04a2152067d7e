// T=0 (ISO/IEC 7816-3 clauses 10 and 12.2) against the corpus echo applet: every APDU case
// as C-TPDUs and the card's characters (procedure bytes, data, SW1 SW2), 6Cxx and re-issue,
// 61xx and GET RESPONSE, byte-by-byte ACKs, NULL bytes; the terminal helper's APDUs answered
// as over the APDU-level Card; APDU.getProtocol and block sizes as an applet sees them.

import { describe, expect, it, vi } from 'vitest';
import { Card } from '../../runtime/card.ts';
import { readT0Reply, t0Transmit, T0ProtocolError, type T0Exchange } from '../../runtime/transport/t0.ts';
import { TpduCard, TpduTerminal } from '../../runtime/transport/tpdu-card.ts';
import { PROBE_AID } from '../runtime/api/probe.ts';
import { fromHex, hex, pattern } from '../runtime/helpers.ts';
import { ECHO, echoCard, echoTpdu, probeTpdu, selectApdu } from './helpers.ts';

const x = (tc: TpduCard, tpdu: string): string => hex(tc.exchange(fromHex(tpdu.replace(/\s/g, ''))));

async function selected(ack?: 'byte', nullBytecodes?: number): Promise<TpduCard> {
  const tc = await echoTpdu({ protocol: 'T=0' }, { t0: { ...(ack && { ack }), ...(nullBytecodes && { nullBytecodes }) } });
  expect(tc.protocol).toBe('T=0');
  // SELECT is case 3 over T=0: ACK (INS A4), the AID, then 9000
  expect(x(tc, selectApdu(ECHO))).toBe(ack === 'byte' ? '5B'.repeat(7) + '9000' : 'A49000');
  return tc;
}

describe('T=0 card side, character by character', () => {
  it('case 1: the header with P3 = 00, then SW1 SW2', async () => {
    const tc = await selected();
    expect(x(tc, '8010000000')).toBe('9000');
  });

  it('case 2: P3 = Le accepted: ACK, Le bytes, SW; P3 = 00 is 256', async () => {
    const tc = await selected();
    expect(x(tc, '8020050005')).toBe('20' + '0001020304' + '9000');
    expect(x(tc, '8050000000')).toBe('50' + pattern(256) + '9000');
    // the applet sees Ne = P3
    expect(x(tc, '8024000002')).toBe('24' + '0002' + '9000');
  });

  it('case 2: a wrong P3 is answered 6C La; the re-issued command collects the response without running the applet again', async () => {
    const tc = await selected();
    const spy = vi.spyOn(tc.card, 'transmit');
    expect(x(tc, '8020050010')).toBe('6C05');
    expect(x(tc, '8020050005')).toBe('20' + '0001020304' + '9000');
    expect(spy).toHaveBeenCalledTimes(1);
    // a shorter P3 too; and Le = 256 for a 16-byte answer
    expect(x(tc, '8020100002')).toBe('6C10');
    expect(x(tc, '8020100010')).toBe('20' + pattern(16) + '9000');
    expect(x(tc, '8020100000')).toBe('6C10');
    // no re-issue: the held response is dropped, the next command runs
    expect(x(tc, '8010000000')).toBe('9000');
    expect(x(tc, '8020100010')).toBe('20' + pattern(16) + '9000');
    expect(spy).toHaveBeenCalledTimes(5);
  });

  it('case 3: ACK, the data, then SW', async () => {
    const tc = await selected();
    expect(x(tc, '8030000003 AABBCC')).toBe('30' + '9000');
    expect(x(tc, '8032000005')).toBe('32' + '0003AABBCC' + '9000');
    const d = pattern(130, (i) => 0x40 + i);
    expect(x(tc, '8030000082' + d)).toBe('309000');
    expect(x(tc, '8032000022')).toBe('32' + '0082' + d.slice(0, 64) + '9000');
  });

  it('case 4: ACK, the data, 61xx; GET RESPONSE fetches the response (in parts, 6Cxx for too long a Le)', async () => {
    const tc = await selected();
    expect(x(tc, '8040000004 DEADBEEF')).toBe('40' + '6104');
    expect(x(tc, '00C0000004')).toBe('C0' + 'DEADBEEF' + '9000');
    expect(x(tc, '8040000004 DEADBEEF')).toBe('406104');
    expect(x(tc, '00C0000010')).toBe('6C04');
    expect(x(tc, '00C0000002')).toBe('C0' + 'DEAD' + '6102');
    expect(x(tc, '00C0000002')).toBe('C0' + 'BEEF' + '9000');
    // GET RESPONSE with nothing waiting goes to the applet (which has no INS C0, and CLA 00 is not its)
    expect(x(tc, '00C0000002')).toBe('6E00');
    const d = pattern(200, (i) => 0xff - i);
    expect(x(tc, '80400000C8' + d)).toBe('4061C8');
    expect(x(tc, '00C00000C8')).toBe('C0' + d + '9000');
  });

  it('case 4 seen by the applet: setOutgoing() answers 256 (API, T=0 case 4), Le is not sent', async () => {
    const tc = await selected();
    expect(x(tc, '80240000020102')).toBe('24' + '6102');
    expect(x(tc, '00C0000002')).toBe('C0' + '0100' + '9000');
  });

  it('status words without data, and INS 6X / 9X refused (10.3.2)', async () => {
    const tc = await selected();
    expect(x(tc, '80706A8800')).toBe('6A88');
    expect(x(tc, '8072000000')).toBe('6A80'); // data written, then an exception: no data
    expect(x(tc, '8060000000')).toBe('6D00');
    expect(x(tc, '8095000000')).toBe('6D00');
    expect(x(tc, '8099000000')).toBe('6D00');
    expect(() => tc.exchange(fromHex('8030000003AABB'))).toThrow(/P3 is 3 but 2 data bytes/);
  });

  it('byte-by-byte: INS ^ FF before each data byte, either way', async () => {
    const tc = await selected('byte');
    expect(x(tc, '8030000003 AABBCC')).toBe('CFCFCF9000');
    expect(x(tc, '8020030003')).toBe('DF00' + 'DF01' + 'DF02' + '9000');
    expect(x(tc, '8040000002 1234')).toBe('BFBF6102');
    expect(x(tc, '00C0000002')).toBe('3F12' + '3F34' + '9000');
  });

  it('NULL bytes (60) while the applet works: one per APDU.waitExtension() and per N bytecodes', async () => {
    const tc = await selected(undefined, 40);
    const d = pattern(200);
    const r = x(tc, '80400000C8' + d);
    expect(r.startsWith('4060')).toBe(true);
    expect(r.endsWith('61C8')).toBe(true);
    expect(r.slice(2, -4)).toMatch(/^(60)+$/);
    const p = probeTpdu({ protocol: 'T=0' });
    expect(x(p, selectApdu(PROBE_AID))).toBe('A49000');
    expect(x(p, '0002030000')).toBe('606060' + '9000');
  });
});

describe('T=0 terminal side', () => {
  it('reads procedure bytes and refuses what is not one', () => {
    expect(readT0Reply(fromHex('6060A40102609000'), 0xa4, 0, 2)).toMatchObject({ sw1: 0x90, sw2: 0, nulls: 3 });
    expect(() => readT0Reply(fromHex('129000'), 0xa4, 0, 2)).toThrow(T0ProtocolError);
    expect(() => readT0Reply(fromHex('A401'), 0xa4, 0, 2)).toThrow(/end before/);
    expect(() => readT0Reply(fromHex('900000'), 0xa4, 0, 0)).toThrow(/after SW1 SW2/);
  });

  it('every APDU case gives over T=0 the response the APDU-level card gives (6Cxx, 61xx and GET RESPONSE inside)', async () => {
    const apdus = [
      selectApdu(ECHO),
      '80100000', // case 1
      '8020050005', // case 2, exact Le
      '8020050010', // case 2, Le too long: 6C05, re-issue
      '8020100004', // case 2, Le too short: 6C10, re-issue
      '8020100000', // case 2, Le 256
      '8050000000', // 256 bytes
      '8030000003AABBCC', // case 3
      '8032000000',
      '8040000004DEADBEEF04', // case 4: 6104, GET RESPONSE
      '80400000C8' + pattern(200, (i) => 0xff - i) + 'C8',
      '80706A8800', // error SW
      '8072000000',
      '80FF000000', // 6D00
      '00FF000000', // 6E00
    ];
    const plain = await echoCard();
    plain.powerOn();
    for (const ack of ['all', 'byte'] as const) {
      const tc = new TpduCard(await echoCard({ protocol: 'T=0' }), { t0: { ack } });
      const log: T0Exchange[] = [];
      tc.powerOn();
      for (const a of apdus) {
        const want = hex(plain.transmit(fromHex(a)));
        expect(hex(t0Transmit((t) => tc.exchange(t), fromHex(a), (e) => log.push(e))), a).toBe(want);
      }
      // the transcript shows the GET RESPONSEs and re-issues
      expect(log.some((e) => hex(e.command) === '00C0000004')).toBe(true);
      expect(log.some((e) => hex(e.command) === '8020050005' && hex(e.reply).endsWith('9000'))).toBe(true);
    }
  });

  it('TpduTerminal on a T=0 card', async () => {
    const lines: string[] = [];
    const tc = new TpduCard(await echoCard({ protocol: 'T=0' }));
    const term = new TpduTerminal(tc, { log: (l) => lines.push(`${l.from} ${hex(l.bytes)}`) });
    term.powerOn();
    expect(term.protocol).toBe('T=0');
    expect(hex(term.transmit(fromHex(selectApdu(ECHO))))).toBe('9000');
    expect(hex(term.transmit(fromHex('8040000002CAFE02')))).toBe('CAFE9000');
    expect(lines.slice(-4)).toEqual(['IFD 8040000002CAFE', 'ICC 406102', 'IFD 00C0000002', 'ICC C0CAFE9000']);
    expect(() => term.transmit(fromHex('80400000000002CAFE'))).toThrow(/extended/);
  });
});

describe('APDU.getProtocol and block sizes as the applet sees them', () => {
  it('T=0: PROTOCOL_T0, in block 1, out block 258, NAD 0', () => {
    const tc = probeTpdu({ protocol: 'T=0' });
    const term = new TpduTerminal(tc);
    term.powerOn();
    expect(hex(term.transmit(fromHex(selectApdu(PROBE_AID))))).toBe('9000');
    expect(hex(term.transmit(fromHex('0001000006')))).toBe('00' + '0001' + '0102' + '00' + '9000');
  });

  it('the APDU-level card answers its first protocol: T=1 by default, T=0 on a T=0 or T=0,T=1 card', () => {
    for (const [protocol, want] of [[undefined, '01' + '00FE' + '00FE' + '00'], ['T=0', '00' + '0001' + '0102' + '00'], ['T=0,T=1', '00' + '0001' + '0102' + '00']] as const) {
      const card = probeTpdu(protocol ? { protocol } : {}).card as Card;
      card.powerOn();
      expect(hex(card.transmit(fromHex(selectApdu(PROBE_AID))))).toBe('9000');
      expect(hex(card.transmit(fromHex('0001000006')))).toBe(want + '9000');
    }
  });
});
