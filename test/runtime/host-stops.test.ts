// What the card answers when an applet's code stops for a host-side reason rather than a Java
// Card exception: a state only invalid code reaches (VmCrash), the instruction budget, a native
// the runtime lacks. The card answers 6F00, says why in lastHostError, and stays usable.
import { describe, expect, it } from 'vitest';
import { VmCrash } from '../../vm/errors.ts';
import { AID, corpusCard, install, select, tx } from './helpers.ts';

describe('host stops', () => {
  it('a VmCrash in process() answers 6F00 and the card keeps working', async () => {
    const card = await corpusCard([['echo', 'echo.cap']]);
    install(card, AID.echoPkg, AID.echo);
    card.powerOn();
    expect(select(card, AID.echo)).toBe('9000');
    const cls = card.jcre.applets[0]!.cls;
    const process = cls.vtable[7]!;
    // Pretend process() resolved to an abstract method, as a corrupted class table can make it.
    cls.vtable[7] = Object.assign(Object.create(Object.getPrototypeOf(process)), process, { isAbstract: true, native: null });
    expect(tx(card, '80100000')).toBe('6F00');
    expect(card.jcre.lastHostError).toBeInstanceOf(VmCrash);
    cls.vtable[7] = process;
    expect(tx(card, '8020030003')).toBe('0001029000');
  });

  it('a VmCrash in select() fails the selection with 6999', async () => {
    const card = await corpusCard([['echo', 'echo.cap']]);
    install(card, AID.echoPkg, AID.echo);
    card.powerOn();
    const cls = card.jcre.applets[0]!.cls;
    const sel = cls.vtable[6]!;
    cls.vtable[6] = Object.assign(Object.create(Object.getPrototypeOf(sel)), sel, { isAbstract: true, native: null });
    expect(select(card, AID.echo)).toBe('6999');
    cls.vtable[6] = sel;
    expect(select(card, AID.echo)).toBe('9000');
  });
});
