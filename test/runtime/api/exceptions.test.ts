// Exceptions: ISOException reasons as status words (throwIt and applet-made instances),
// CardRuntimeException reasons (getReason / setReason, the JCRE-owned instance of throwIt),
// uncaught non-ISO exceptions -> 6F00, and an exception in install() -> InstallError with the
// card unchanged.

import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../../loader/bytes.ts';
import { Card } from '../../../runtime/card.ts';
import { InstallError } from '../../../runtime/jcre.ts';
import { readPackageFile } from '../../../loader/files.ts';
import { AID, corpusCap, install, select, tx } from '../helpers.ts';
import { cp, PROBE_AID, PROBE_PKG, probeCap, probeCard, type ProbeApplet } from './probe.ts';

const P1P2 = `aload_2; sconst_2; invokestatic ${cp('getShort')};`;
const P1 = 'aload_2; sconst_2; baload;';
const P2 = 'aload_2; sconst_3; baload;';
const ISO_EX = '@{.classRef 0.7;}';

const applet: ProbeApplet = {
  probes: [
    // INS 70: ISOException.throwIt(P1P2)
    { ins: 0x70, code: `${P1P2} invokestatic ${cp('throwIt')}; sconst_0; sreturn;` },
    // INS 71: throw new ISOException(P1P2)
    { ins: 0x71, code: `new ${cp('isoExClass')}; dup; ${P1P2} invokespecial ${cp('isoExInit')}; athrow;` },
    // INS 72: SystemException.throwIt(P2)
    { ins: 0x72, code: `${P2} invokestatic ${cp('sysExThrowIt')}; sconst_0; sreturn;` },
    // INS 73: new SystemException(P2), then setReason(P1), thrown
    {
      ins: 0x73,
      code: `new ${cp('sysExClass')}; dup; ${P2} invokespecial ${cp('sysExInit')}; astore_3; aload_3; ${P1} invokevirtual ${cp('setReason')}; aload_3; athrow;`,
    },
    // INS 74: CardRuntimeException.throwIt(5): not caught by the probe -> 6F00
    { ins: 0x74, code: `sconst_5; invokestatic ${cp('crExThrowIt')}; sconst_0; sreturn;` },
    // INS 75: throw new RuntimeException() -> 6F00
    { ins: 0x75, code: `new ${cp('runtimeExClass')}; dup; invokespecial ${cp('runtimeExInit')}; athrow;` },
    // INS 76: catch ISOException.throwIt(P1P2) and ISOException.throwIt(1234): answers both
    // getReason() of the first caught object (read after the second throw), then 01 if both
    // caught objects are the same (JCRE-owned) instance
    {
      ins: 0x76,
      code: `
			T1:	${P1P2} invokestatic ${cp('throwIt')};
			E1:	sconst_0; sreturn;
			H1:	astore_3;
			T2:	sspush 4660; invokestatic ${cp('throwIt')};
			E2:	sconst_0; sreturn;
			H2:	astore 4;
				aload_2; sconst_0; aload_3; invokevirtual ${cp('getReason')}; invokestatic ${cp('setShort')}; pop;
				aload_2; sconst_2; aload 4; invokevirtual ${cp('getReason')}; invokestatic ${cp('setShort')}; pop;
				aload_2; sconst_4; sconst_0; bastore;
				aload_3; aload 4; if_acmpne DIFF;
				aload_2; sconst_4; sconst_1; bastore;
			DIFF:	sconst_5; sreturn;
			.exceptionTable {
				T1 E1 H1 ${ISO_EX};
				T2 E2 H2 ${ISO_EX};
			}`,
    },
    // INS 77: ArithmeticException uncaught by the applet's own code -> the probe maps it (6A01);
    // INS 78: an array store of the wrong type (ArrayStoreException, 6A07)
    { ins: 0x77, code: `sconst_1; sconst_0; sdiv; sreturn;` },
    {
      ins: 0x78,
      // An AID[] array stored into itself (storing the APDU buffer, a global array, would be
      // the firewall's SecurityException first: JCRE 6.2.8.2).
      code: `sconst_1; anewarray ${cp('aidClass')}; astore_3; aload_3; sconst_0; aload_3; aastore; sconst_0; sreturn;`,
    },
  ],
};

let card: Card;
beforeAll(() => {
  card = probeCard(applet);
});

describe('ISOException', () => {
  it('throwIt: the reason is the status word, with no data', () => {
    expect(tx(card, '80706A82')).toBe('6A82');
    expect(tx(card, '80709000')).toBe('9000');
    expect(tx(card, '80706F00')).toBe('6F00');
    expect(tx(card, '80700001')).toBe('0001');
    expect(tx(card, '8070FFFF')).toBe('FFFF');
  });
  it('an instance the applet made itself works the same', () => {
    expect(tx(card, '80716985')).toBe('6985');
  });
  it('getReason of caught instances; throwIt reuses one JCRE-owned instance', () => {
    expect(tx(card, '80766A80')).toBe('1234' + '1234' + '01' + '9000');
  });
});

describe('other CardRuntimeExceptions', () => {
  it('SystemException.throwIt(reason) is caught with that reason', () => {
    expect(tx(card, '80720001')).toBe('6A41');
    expect(tx(card, '80720006')).toBe('6A46');
  });
  it('setReason changes the reason of an applet-made instance', () => {
    expect(tx(card, '80730301')).toBe('6A43');
  });
  it('uncaught CardRuntimeException and RuntimeException: 6F00', () => {
    expect(tx(card, '80740000')).toBe('6F00');
    expect(tx(card, '80750000')).toBe('6F00');
  });
  it('VM exceptions: ArithmeticException, ArrayStoreException', () => {
    expect(tx(card, '80770000')).toBe('6A01');
    expect(tx(card, '80780000')).toBe('6A07');
  });
  it('the applet keeps working after uncaught exceptions', () => {
    expect(tx(card, '80709000')).toBe('9000');
  });
});

describe('install()', () => {
  it('an exception in install(): InstallError; no instance, the package stays, a second try works', () => {
    const failing = probeCap({ ...applet, init: `sspush 27264; invokestatic ${cp('throwIt')};` });
    const c = new Card();
    c.load(failing);
    expect(() => c.install(fromHex(PROBE_PKG), fromHex(PROBE_AID))).toThrow(InstallError);
    expect(() => c.install(fromHex(PROBE_PKG), fromHex(PROBE_AID))).toThrow(/ISOException/);
    expect(c.applets()).toEqual([]);
    expect(c.packages().map((p) => p.aid)).toEqual([PROBE_PKG]);
    c.powerOn();
    expect(select(c, PROBE_AID)).toBe('6A82');
  });

  it('after a failed install(), the JCRE-owned exception objects still work for other applets', async () => {
    const c = new Card();
    c.load(probeCap({ ...applet, init: `sspush 27264; invokestatic ${cp('throwIt')};` }));
    expect(() => c.install(fromHex(PROBE_PKG), fromHex(PROBE_AID))).toThrow(InstallError);
    // a new applet whose objects take the freed handles, then ISOException.throwIt in it
    c.load(await readPackageFile(corpusCap('echo', 'echo.cap')));
    install(c, AID.echoPkg, AID.echo);
    c.powerOn();
    expect(select(c, AID.echo)).toBe('9000');
    expect(tx(c, '80706A80')).toBe('6A80');
    expect(tx(c, '00100000')).toBe('6E00');
    expect(tx(c, '8040000002AABB02')).toBe('AABB9000');
  });

  it('install() of an existing instance AID or of an unknown class: InstallError', () => {
    const cap = probeCap(applet);
    const c = new Card();
    c.load(cap);
    c.install(fromHex(PROBE_PKG), fromHex(PROBE_AID));
    expect(() => c.install(fromHex(PROBE_PKG), fromHex(PROBE_AID))).toThrow(/already exists/); // same instance AID
    expect(() => c.install(fromHex(PROBE_PKG), fromHex('F04A43564D7F99'))).toThrow(InstallError); // class AID unknown
    expect(c.applets().length).toBe(1);
  });
});
