// The Java Card reference implementation's on-card installer (AID A0 00 00 00 62 03 01 08 01), as
// Oracle's cref 2.2.2 answers the scripts scriptgen makes (corpus install-ri.scr and its
// expected output; JC development kit user guide, "Using the Installer"): a second door into
// the same card content as the Issuer Security Domain — packages are linked by the JCRE,
// instances created by it, and the GlobalPlatform registry sees them as loaded and selectable.
//
//   80 B0 00 00            CAP begin
//   80 B2 tag 00           component begin       80 B4 tag 00 Lc data   component data
//   80 BC tag 00           component end         80 BA 00 00            CAP end: decode and link
//   80 B8 00 00 Lc [Lc class AID][Lp params]     create applet: install(params) -> registered AID
//   80 C0 / C2 00 00 Lc [Lc package AID]        delete package / package and its applets
//   80 C4 n  00 Lc [La AID]*n                   delete applets (all or none)
//
// The corpus shows only successes. The failure status words are this implementation's choice,
// after the installer's table as far as it could be recalled (not checked against cref):
// 6422 command out of order, 6402 a CAP that does not decode, 640C package AID already on the
// card, 6438 an import not on the card, 6424 another link failure, 6430 no applet class with
// that AID, 640D instance AID taken, 6437 install() failed; for deletion, ISO's 6A88 (nothing
// with that AID) and 6985 (something depends on it).

import { equalBytes } from '../../loader/bytes.ts';
import { decodeCap } from '../../loader/cap/decode.ts';
import { LinkError } from '../../loader/link.ts';
import { DeleteError, InstallError, type Jcre } from '../jcre.ts';
import type { NativeApplication } from '../native-app.ts';
import { concat } from './crypto.ts';
import type { Registry } from './registry.ts';
import { splitCommand, swBytes } from './sm.ts';

export const RI_INSTALLER_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x00, 0x62, 0x03, 0x01, 0x08, 0x01);

export const RiSw = {
  OUT_OF_ORDER: 0x6422,
  BAD_CAP: 0x6402,
  DUPLICATE_PACKAGE: 0x640c,
  DUPLICATE_APPLET: 0x640d,
  IMPORT_NOT_FOUND: 0x6438,
  LINK_FAILED: 0x6424,
  APPLET_NOT_FOUND: 0x6430,
  CREATION_FAILED: 0x6437,
  NOT_FOUND: 0x6a88,
  IN_USE: 0x6985,
} as const;

/** A CAP being downloaded: components by tag, the one open. */
interface Download {
  components: Map<number, Uint8Array[]>;
  open: number | null;
}

export class RiInstaller implements NativeApplication {
  readonly aid = RI_INSTALLER_AID;
  readonly partialAid = true;
  /** The CAP download under way on each logical channel the installer is selected on. Lost at deselection and reset. */
  private readonly downloads = new Map<number, Download>();

  constructor(
    private readonly rt: Jcre,
    private readonly registry: Registry,
  ) {}

  select(_cmd: Uint8Array, ch: number): Uint8Array {
    this.downloads.delete(ch);
    return swBytes(0x9000);
  }

  deselect(ch: number): void {
    this.downloads.delete(ch);
  }

  reset(): void {
    this.downloads.clear();
  }

  roots(): number[] {
    return [];
  }

  process(cmd: Uint8Array, ch: number): Uint8Array {
    const c = splitCommand(cmd);
    if (!c) return swBytes(0x6700);
    if (c.ins === 0xa4 && (c.cla & 0x80) === 0) return swBytes(0x6a82); // a SELECT of an AID nothing answers to
    if ((c.cla & 0xb0) !== 0x80) return swBytes(0x6e00); // proprietary class, any channel, no secure messaging or chaining
    const d = this.downloads.get(ch);
    switch (c.ins) {
      case 0xb0:
        this.downloads.set(ch, { components: new Map(), open: null });
        return swBytes(0x9000);
      case 0xb2:
        if (!d || d.open !== null || d.components.has(c.p1)) return this.outOfOrder(ch);
        d.open = c.p1;
        d.components.set(c.p1, []);
        return swBytes(0x9000);
      case 0xb4:
        if (!d || d.open !== c.p1) return this.outOfOrder(ch);
        d.components.get(c.p1)!.push(c.data.slice());
        return swBytes(0x9000);
      case 0xbc:
        if (!d || d.open !== c.p1) return this.outOfOrder(ch);
        d.open = null;
        return swBytes(0x9000);
      case 0xba:
        if (!d || d.open !== null) return this.outOfOrder(ch);
        this.downloads.delete(ch);
        return swBytes(this.link(d.components));
      case 0xb8:
        return this.create(c.data);
      case 0xc0:
      case 0xc2:
        return swBytes(this.deletePackage(c.data, c.ins === 0xc2));
      case 0xc4:
        return swBytes(this.deleteApplets(c.p1, c.data));
      default:
        return swBytes(0x6d00);
    }
  }

  private outOfOrder(ch: number): Uint8Array {
    this.downloads.delete(ch);
    return swBytes(RiSw.OUT_OF_ORDER);
  }

  private link(parts: Map<number, Uint8Array[]>): number {
    const components = new Map<number, Uint8Array>();
    for (const [tag, chunks] of parts) components.set(tag, concat(...chunks));
    let cap;
    try {
      cap = decodeCap(components);
    } catch (e) {
      if (e instanceof Error) return RiSw.BAD_CAP; // CapFormatError, and whatever else a malformed CAP makes decodeCap throw
      throw e;
    }
    if (this.rt.findPackage(cap.header.package.AID)) return RiSw.DUPLICATE_PACKAGE;
    try {
      this.rt.loadPackage(cap);
    } catch (e) {
      if (e instanceof LinkError) return /is not on the card/.test(e.message) ? RiSw.IMPORT_NOT_FOUND : RiSw.LINK_FAILED;
      throw e;
    }
    return 0x9000;
  }

  /** Create applet: [Lc class AID][Lp parameters]; install() gets the parameters as they are. */
  private create(data: Uint8Array): Uint8Array {
    const la = data[0] ?? 0;
    const classAid = data.subarray(1, 1 + la);
    const lp = data[1 + la] ?? -1;
    if (la < 5 || la > 16 || lp < 0 || 2 + la + lp !== data.length) return swBytes(0x6700);
    const params = data.subarray(2 + la);
    const pkg = this.rt.packages.find((p) => p.linked.applets.some((a) => equalBytes(a.aid, classAid)));
    if (!pkg) return swBytes(RiSw.APPLET_NOT_FOUND);
    // The instance AID is what install() registers; the class AID stands in for the JCRE's check.
    if (this.rt.instanceByAid(classAid)) return swBytes(RiSw.DUPLICATE_APPLET);
    try {
      const inst = this.rt.install(pkg.linked.pkg.aid, classAid, classAid, params);
      this.registry.removeApp(inst.aid); // a fresh instance: selectable, no privileges
      this.registry.associate(inst.aid, null); // associated with the ISD
      this.registry.save();
      return concat(inst.aid, [0x90, 0x00]);
    } catch (e) {
      if (e instanceof InstallError) return swBytes(RiSw.CREATION_FAILED);
      throw e;
    }
  }

  private deletePackage(data: Uint8Array, withApplets: boolean): number {
    const n = data[0] ?? 0;
    if (n < 5 || n > 16 || data.length !== 1 + n) return 0x6700;
    const aid = data.subarray(1);
    const pkg = this.rt.packages.find((p) => equalBytes(p.linked.pkg.aid, aid));
    const gone = pkg ? this.rt.applets.filter((a) => a.pkg === pkg).map((a) => a.aid) : [];
    return this.deleting(() => this.rt.deletePackage(aid, withApplets), [...gone, aid]);
  }

  private deleteApplets(count: number, data: Uint8Array): number {
    const aids: Uint8Array[] = [];
    let at = 0;
    while (at < data.length) {
      const n = data[at]!;
      if (n < 5 || n > 16 || at + 1 + n > data.length) return 0x6700;
      aids.push(data.subarray(at + 1, at + 1 + n));
      at += 1 + n;
    }
    if (aids.length === 0 || aids.length !== count) return 0x6700;
    return this.deleting(() => this.rt.deleteApplet(aids[0]!, ...aids.slice(1)), aids);
  }

  private deleting(run: () => void, gone: Uint8Array[]): number {
    try {
      run();
    } catch (e) {
      if (e instanceof DeleteError) return e.reason === 'not-found' ? RiSw.NOT_FOUND : RiSw.IN_USE;
      throw e;
    }
    for (const a of gone) {
      this.registry.removeApp(a);
      this.registry.associate(a, null); // an SSD's content deleted through this door leaves no association behind
    }
    this.registry.save();
    return 0x9000;
  }
}
