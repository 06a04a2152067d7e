// INSTALL [for personalization] and STORE DATA to an application (GPCS 2.3 11.5.2.3.3, 11.11),
// over APDUs: a JCA applet implementing org.globalplatform.Application records what its
// processData receives; the security domain passes each block in the applet's context.

import { describe, expect, it } from 'vitest';
import { concat } from '../../../runtime/gp/crypto.ts';
import { SD_LOAD_FILE, SD_MODULE } from '../../../runtime/gp/domain/common.ts';
import { cp, field, PROBE_AID, probeCard, type ProbeApplet } from '../api/probe.ts';
import { DES_KEYS, fromHex, hex, sw } from './helpers.ts';
import { GpClient } from '../../../runtime/gp/client.ts';

const GOT = 'byte[] got', N = 'short n';

/** processData(buf, off, len): appends buf[off..off+len] to `got`; a block starting EE throws ISOException 6A81. */
function personalizable(implementsApplication: boolean): ProbeApplet {
  return {
    imports: ['0xA0:0x0:0x0:0x1:0x51:0x0 1.0;\t\t//org/globalplatform'],
    fields: [GOT, N],
    init: `aload_0; bspush 64; newarray 11; putfield_a ${field(GOT)};`,
    ...(implementsApplication
      ? {
          shareable: {
            iface: '2.0',
            sio: 'aconst_null; areturn;',
            methods: [
              {
                sig: 'processData([BSS)V',
                locals: 0,
                code: `aload_1; sload_2; baload; bspush -18; if_scmpne OK; sspush 27265; invokestatic ${cp('throwIt')};
				OK: aload_1; sload_2; getfield_a_this ${field(GOT)}; getfield_s_this ${field(N)}; sload_3; invokestatic ${cp('arrayCopy')}; pop;
				getfield_s_this ${field(N)}; sload_3; sadd; putfield_s_this ${field(N)}; return;`,
              },
            ],
          },
        }
      : {}),
    probes: [
      {
        ins: 0x01, // what processData got
        code: `getfield_a_this ${field(GOT)}; sconst_0; aload_2; sconst_0; getfield_s_this ${field(N)}; invokestatic ${cp('arrayCopy')}; pop; getfield_s_this ${field(N)}; sreturn;`,
      },
    ],
  };
}

function setup(implementsApplication = true): { host: GpClient; got: () => string; transmit: (h: string) => string } {
  const card = probeCard(personalizable(implementsApplication), { gp: true });
  const host = new GpClient((apdu) => card.transmit(apdu));
  host.select();
  return {
    host,
    transmit: (h) => hex(card.transmit(fromHex(h))).toLowerCase(),
    got: () => {
      const r = hex(card.transmit(fromHex(`00A4040007${PROBE_AID}00`))).toLowerCase();
      expect(r.slice(-4)).toBe('9000');
      const g = hex(card.transmit(fromHex('80010000'))).toLowerCase();
      host.select();
      return g;
    },
  };
}

const forPerso = (aid: Uint8Array): Uint8Array => concat([0, 0, aid.length], aid, [0, 0, 0]);
const APP = fromHex(PROBE_AID);

describe('INSTALL [for personalization] and STORE DATA to an application', () => {
  it('each STORE DATA block reaches Application.processData in the applet context, the data in the APDU buffer', () => {
    const { host, got } = setup();
    host.open(DES_KEYS);
    expect(sw(host.send(0x80, 0xe6, 0x20, 0x00, forPerso(APP), 0))).toBe('9000');
    expect(sw(host.storeData(fromHex('DF0103AABBCCDF0201'), { blockSize: 4 }))).toBe('9000');
    // The ISD's own data objects are untouched.
    expect(hex(host.getData(0x0042).data).toLowerCase()).toBe('42044a43564d');
    expect(got()).toBe('df0103aabbccdf02019000');
  });

  it('the last block ends personalization: STORE DATA goes to the ISD again', () => {
    const { host, got } = setup();
    host.open(DES_KEYS);
    expect(sw(host.send(0x80, 0xe6, 0x20, 0x00, forPerso(APP), 0))).toBe('9000');
    expect(sw(host.storeData(fromHex('0102')))).toBe('9000');
    expect(sw(host.storeData(fromHex('420411223344')))).toBe('9000');
    expect(hex(host.getData(0x0042).data).toLowerCase()).toBe('420411223344');
    expect(got()).toBe('01029000');
  });

  it("block numbers follow (6A86); the application's ISOException is the answer", () => {
    const { host, got } = setup();
    host.open(DES_KEYS);
    expect(sw(host.send(0x80, 0xe6, 0x20, 0x00, forPerso(APP), 0))).toBe('9000');
    expect(sw(host.send(0x80, 0xe2, 0x00, 0x00, [0x11], 0))).toBe('9000');
    expect(sw(host.send(0x80, 0xe2, 0x00, 0x05, [0x22], 0))).toBe('6a86');
    expect(sw(host.send(0x80, 0xe2, 0x80, 0x00, [0xee, 0x01], 0))).toBe('6a81');
    expect(got()).toBe('119000');
  });

  it('refusals: no session 6982; unknown AID 6A88; not an Application 6985; associated with an SSD 6985', () => {
    const { host, transmit } = setup();
    expect(transmit('80E620000D000007' + PROBE_AID + '00000000')).toBe('6982');
    host.open(DES_KEYS);
    expect(sw(host.send(0x80, 0xe6, 0x20, 0x00, forPerso(fromHex('F0F0F0F0F0')), 0))).toBe('6a88');
    const ssd = fromHex('A000000151535301');
    expect(sw(host.install(SD_LOAD_FILE, SD_MODULE, ssd, { privileges: Uint8Array.of(0x80) }))).toBe('9000');
    expect(sw(host.extradite(ssd, APP))).toBe('9000');
    expect(sw(host.send(0x80, 0xe6, 0x20, 0x00, forPerso(APP), 0))).toBe('6985');

    const plain = setup(false);
    plain.host.open(DES_KEYS);
    expect(sw(plain.host.send(0x80, 0xe6, 0x20, 0x00, forPerso(APP), 0))).toBe('6985');
    // Without personalization, STORE DATA of a tag the ISD does not keep is refused by the ISD.
    expect(sw(plain.host.storeData(fromHex('DF0101AA')))).toBe('6a80');
  });
});
