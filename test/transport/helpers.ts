// Shared by the transport tests: the corpus echo applet (conformance.echo, see
// ../shared/corpus/echo/src) on a card driven at the TPDU level, and a probe applet that
// reports what javacard.framework.APDU says about the protocol.

import type { Card, CardOptions } from '../../runtime/card.ts';
import { TpduCard, type TpduOptions } from '../../runtime/transport/tpdu-card.ts';
import { probeCard, type ProbeApplet } from '../runtime/api/probe.ts';
import { AID, corpusCard, install, selectApdu } from '../runtime/helpers.ts';

export { selectApdu };
export const ECHO = AID.echo;

/** A card with the echo applet installed (not powered). */
export async function echoCard(options: CardOptions = {}): Promise<Card> {
  const card = await corpusCard([['echo', 'echo.cap']], options);
  install(card, AID.echoPkg, AID.echo);
  return card;
}

/** The echo card behind a TpduCard, powered on (the ATR read, nothing selected). */
export async function echoTpdu(options: CardOptions = {}, tpdu: TpduOptions = {}): Promise<TpduCard> {
  const tc = new TpduCard(await echoCard(options), tpdu);
  tc.powerOn();
  return tc;
}

/**
 * INS 01: buf = getProtocol() (1 byte), getInBlockSize() (2), getOutBlockSize() (2),
 * getNAD() (1). INS 02: APDU.waitExtension() P1 times, no data.
 */
export const LINK_PROBE: ProbeApplet = {
  probes: [
    {
      ins: 0x01,
      code: `
				aload_2;
				sconst_0;
				invokestatic @{staticMethodRef 0.10.2()B;};
				bastore;
				aload_2;
				sconst_1;
				invokestatic @{staticMethodRef 0.10.0()S;};
				invokestatic @{staticMethodRef 0.16.6([BSS)S;};
				pop;
				aload_2;
				sconst_3;
				invokestatic @{staticMethodRef 0.10.1()S;};
				invokestatic @{staticMethodRef 0.16.6([BSS)S;};
				pop;
				aload_2;
				sconst_5;
				aload_1;
				invokevirtual @{virtualMethodRef 0.10.2()B;};
				bastore;
				bspush 6;
				sreturn;`,
    },
    {
      ins: 0x02,
      code: `
				aload_2;
				sconst_2;
				baload;
				sstore_3;
			L:	sload_3;
				ifeq D;
				invokestatic @{staticMethodRef 0.10.3()V;};
				sinc 3 -1;
				goto L;
			D:	sconst_0;
				sreturn;`,
    },
  ],
};

/** The link probe on a card (options: its protocols) behind a TpduCard, powered on. */
export function probeTpdu(options: CardOptions = {}, tpdu: TpduOptions = {}): TpduCard {
  const tc = new TpduCard(probeCard(LINK_PROBE, options), tpdu);
  tc.powerOn();
  return tc;
}
