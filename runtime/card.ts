// The Card API that programs and tests use: power, ATR, APDUs, loading and installing.
// It is a thin front over the JCRE; the CLI and the script runners use only this.

import { fromHex, hex } from '../loader/bytes.ts';
import { readCap } from '../loader/cap/archive.ts';
import type { CapFile } from '../loader/cap/components.ts';
import { Jcre, JCRE_CONTEXT, type AppletInstance, type JcreOptions } from './jcre.ts';
import { Kind } from '../vm/types.ts';

/** The named card-memory array holding historical bytes set by GPSystem.setATRHistBytes. */
const ATR_HISTORICAL = 'atr.historical';
import { existsSync } from 'node:fs';
import { CardOs } from './os/os.ts';
import { DEFAULT_CHIP, type ManufacturingRecord } from './os/manufacturing.ts';
import { ROM, type Rom } from './os/rom.ts';
import { PowerLoss } from './memory/eeprom.ts';
import { captureDirectory, changeStamp, encodeImage, readImageFile, removeStaleTemporaries, writeFileAtomic } from './memory/image.ts';
import { memoryReport, type MemoryReport } from './memory/report.ts';
import type { ApduCard } from './script/types.ts';
import { buildAtr, checkAtrConfig, DEFAULT_ATR_CONFIG, offeredProtocols, type AtrConfig, type ProtocolOffer } from './transport/atr.ts';
import { DEFAULT_FS_AID, FileSystemApp } from './fs/app.ts'; // native applications (issue 8)
import { CardManager, type GpOptions } from './gp/manager.ts';

export interface CardOptions extends JcreOptions {
  /**
   * Keep the card's whole persistent state in this file (a card image): opened if it exists
   * (CardImageError, file untouched, when it is corrupt or foreign), else created; written
   * atomically after every APDU, load, installation and power-up that changed the card.
   * The memory sizes of an existing image are its own.
   */
  cardFile?: string;
  /**
   * The chip's manufacturing record (serial, batch, EEPROM size, batch key); absent fields
   * take the default chip's, and the EEPROM size defaults to `persistentSize`. The OS lays its
   * memory out for the EEPROM size the record gives.
   */
  chip?: Partial<ManufacturingRecord>;
  /** false: a manufactured chip that answers only the completion commands (`jcvm card new`). Default true. */
  completed?: boolean;
  /** The OS ROM (tests give a damaged one). */
  rom?: Rom;
  /** Transmission protocols offered in the ATR (runtime/transport): the first is in force after it. Default T=1. */
  protocol?: ProtocolOffer;
  /** Historical bytes of the ATR (at most 15); default "jcvm". */
  historicalBytes?: Uint8Array;
  /** Other ATR parameters (Fi, Di, WI, IFSC, BWI, CWI, EDC); default DEFAULT_ATR_CONFIG's. */
  atr?: Partial<Omit<AtrConfig, 'protocols' | 'historical'>>;
  /**
   * AID of the ISO/IEC 7816-4 file-system application (runtime/fs); default
   * F04A43564D46530001; null: the card has none.
   */
  fileSystemAid?: Uint8Array | null;
  /**
   * A GlobalPlatform card: the card manager (Issuer Security Domain, selected at every reset,
   * and the reference installer) as native applications of the JCRE (runtime/gp). Off by default.
   */
  gp?: GpOptions | boolean;
}

export interface PackageSummary {
  aid: string;
  name: string;
  version: string;
  applets: string[];
}

export interface AppletSummary {
  aid: string;
  packageAid: string;
  className: string;
}

/**
 * ATR of the default card (ISO/IEC 7816-3 8.2): TS=3B, T0 (TD1, 4 historical bytes), TD1 (T=1,
 * TD2 follows), TD2 (TA3, TB3 for T=1), TA3 IFSC=254, TB3 BWI=4 CWI=5, historical bytes
 * "jcvm", TCK. A card's own comes from its options (runtime/transport/atr.ts).
 */
export const DEFAULT_ATR = buildAtr(DEFAULT_ATR_CONFIG);

/** Thrown when an APDU is sent to a card that is not powered. */
export class CardStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CardStateError';
  }
}

export class Card implements ApduCard {
  readonly jcre: Jcre;
  /** The OS beneath the JCRE: chip state, self-test, completion. */
  readonly os: CardOs;
  /** The GlobalPlatform card manager, when the card has one (CardOptions.gp). */
  readonly cardManager: CardManager | null = null;
  private powered = false;

  /** The card image file, when the card has one. */
  readonly file: string | null;
  /** The directory last written to the file (JSON): an APDU that changed nothing writes nothing. */
  private savedDirectory = '';
  private savedStamp = '';
  /** The card manager's options as the image keeps them (null: no card manager). */
  private gpSaved: Record<string, string | number | boolean | null> | null = null;
  /** Times the image file was written by this Card. */
  imageWrites = 0;

  /** What the ATR announces (protocols, parameters, historical bytes). */
  readonly atrConfig: AtrConfig;

  constructor(options: CardOptions = {}) {
    this.atrConfig = {
      ...DEFAULT_ATR_CONFIG,
      ...options.atr,
      protocols: offeredProtocols(options.protocol ?? 'T=1'),
      historical: (options.historicalBytes ?? DEFAULT_ATR_CONFIG.historical).slice(),
    };
    checkAtrConfig(this.atrConfig);
    this.file = options.cardFile ?? null;
    if (this.file) removeStaleTemporaries(this.file);
    if (this.file && existsSync(this.file)) {
      const saved = readImageFile(this.file);
      this.jcre = new Jcre(options, { ...saved, file: this.file });
      this.os = new CardOs(this.jcre.memory.eeprom, options.rom ?? ROM);
      // A card made with a card manager keeps it (its options are in the image).
      const gp = options.gp ?? (saved.directory.cardManager ? gpOptionsFromImage(saved.directory.cardManager) : undefined);
      this.gpSaved = gp ? gpOptionsForImage(gp === true ? {} : gp) : null;
      if (gp) this.cardManager = new CardManager(this.jcre, gp === true ? {} : gp);
      this.writesPerApdu.push(...saved.directory.writesPerApdu);
      this.savedDirectory = JSON.stringify(captureDirectory(this.jcre, this.writesPerApdu, this.gpSaved));
      this.savedStamp = changeStamp(this.jcre);
    } else {
      // Hardware recognition: the OS lays out the EEPROM the manufacturing record gives.
      const eepromSize = options.chip?.eepromSize ?? options.persistentSize ?? DEFAULT_CHIP.eepromSize;
      const chip: ManufacturingRecord = { ...DEFAULT_CHIP, ...options.chip, eepromSize };
      this.jcre = new Jcre({ ...options, persistentSize: eepromSize });
      this.os = new CardOs(this.jcre.memory.eeprom, options.rom ?? ROM);
      this.os.manufacture(chip);
      if (options.completed !== false) this.os.completeAtFactory();
      if (options.gp) this.cardManager = new CardManager(this.jcre, options.gp === true ? {} : options.gp);
      this.gpSaved = options.gp ? gpOptionsForImage(options.gp === true ? {} : options.gp) : null;
      this.persist();
    }
    // GPSystem.setATRHistBytes (runtime/api/globalplatform.ts): historical bytes an applet set are
    // kept in card memory and come back with the card image.
    const hist = this.jcre.namedObjects.get(ATR_HISTORICAL);
    const histArray = hist === undefined ? undefined : this.jcre.heap.get(hist);
    if (histArray) {
      const b = new Uint8Array(histArray.data.buffer, histArray.data.byteOffset, histArray.data.length);
      if (b[0]! <= 15) this.atrConfig.historical = b.slice(1, 1 + b[0]!);
    }
    this.jcre.atrHistoricalBytes = (bytes) => this.setHistoricalBytes(bytes);
    // Native applications (runtime/native-app.ts): the file system, selectable by its AID.
    if (options.fileSystemAid !== null) this.jcre.nativeApps.push(new FileSystemApp(this.jcre, options.fileSystemAid ?? DEFAULT_FS_AID));
  }

  /** Write the card image if the card's state differs from the file's (no file: nothing). */
  persist(): void {
    if (!this.file) return;
    const stamp = changeStamp(this.jcre);
    if (stamp === this.savedStamp) return;
    const dir = JSON.stringify(captureDirectory(this.jcre, this.writesPerApdu, this.gpSaved));
    // The directory carries the persistent write count: equal directories, equal EEPROM.
    if (dir !== this.savedDirectory) {
      writeFileAtomic(this.file, encodeImage(this.jcre, dir));
      this.savedDirectory = dir;
      this.imageWrites++;
    }
    this.savedStamp = stamp;
  }

  get isPowered(): boolean {
    return this.powered;
  }

  /** Cold reset: transient memory cleared, nothing selected. Returns the ATR. */
  powerOn(): Uint8Array {
    // Recovery first (an OS table update torn halfway is rolled back), then the self-test.
    this.jcre.powerUp();
    this.os.powerUp();
    this.writesPerApdu.length = 0;
    this.powered = true;
    this.persist();
    // The protocol in force after the ATR is the first offered (no PPS); an APDU-level caller
    // is a reader that announced IFSD 254 (the TPDU layers set their own, runtime/transport).
    const link = this.jcre.link;
    link.protocol = this.atrConfig.protocols[0]!;
    link.ifsc = this.atrConfig.ifsc;
    link.ifsd = 254;
    link.nad = 0;
    return this.atr;
  }

  /** The ATR the card answers at its next reset. */
  get atr(): Uint8Array {
    return buildAtr(this.atrConfig);
  }

  /**
   * Historical bytes of the ATR from the next reset on (at most 15; RangeError otherwise), as
   * GlobalPlatform's GPSystem.setATRHistBytes asks. Kept in card memory (a JCRE-owned array
   * named 'atr.historical': length ‖ bytes, one atomic write), hence in the card image.
   */
  setHistoricalBytes(bytes: Uint8Array): void {
    if (bytes.length > 15) throw new RangeError(`an ATR has at most 15 historical bytes, not ${bytes.length}`);
    const rt = this.jcre;
    let h = rt.namedObjects.get(ATR_HISTORICAL);
    if (h === undefined) {
      h = rt.jcreObject(() => rt.heap.newArray(Kind.ByteArray, 16, JCRE_CONTEXT));
      rt.namedObjects.set(ATR_HISTORICAL, h);
    }
    const o = rt.heap.get(h)!;
    const value = Int8Array.from([bytes.length, ...bytes]);
    rt.persistentWrite(o, 0, value.length, true, () => o.data.set(value, 0));
    this.atrConfig.historical = bytes.slice();
  }

  /** Warm reset: same as power cycling for the card's state. */
  reset(): Uint8Array {
    return this.powerOn();
  }

  powerOff(): void {
    this.jcre.reset();
    this.powered = false;
  }

  /** Send a command APDU (as on the wire); returns response data followed by SW1 SW2. */
  transmit(command: Uint8Array): Uint8Array {
    if (!this.powered) throw new CardStateError('the card is not powered: call powerOn() first');
    const w0 = this.jcre.memory.eeprom.writes;
    try {
      const operational = this.os.operational;
      const r = operational ? this.jcre.process(command) : this.os.process(command);
      // A completed chip runs the JCRE from the next command on, on a clean reset.
      if (!operational && this.os.operational) this.jcre.reset();
      this.recordWrites(command, this.jcre.memory.eeprom.writes - w0);
      this.persist();
      return r;
    } catch (e) {
      this.recordWrites(command, this.jcre.memory.eeprom.writes - w0);
      // Tearing: the card stops where the power went, as if pulled from the reader; the
      // image keeps the torn state, which the next power-up recovers.
      if (e instanceof PowerLoss) {
        this.powered = false;
        this.persist();
      }
      throw e;
    }
  }

  /** Persistent writes of each APDU that wrote, since power-up (writes wear EEPROM: a developer wants to see them). */
  readonly writesPerApdu: { command: string; writes: number }[] = [];

  private recordWrites(command: Uint8Array, writes: number): void {
    if (writes === 0) return; // the hot path (and the report lists only APDUs that wrote)
    if (this.writesPerApdu.length >= 10_000) this.writesPerApdu.splice(0, 5_000); // keep the latest
    this.writesPerApdu.push({ command: hex(command.subarray(0, 4)), writes });
  }

  /** Used and free memory, per package and per applet instance, and the writes of each APDU since power-up. */
  memoryReport(): MemoryReport {
    return memoryReport(this.jcre, this.writesPerApdu);
  }

  /**
   * Lose power at the `n`-th persistent write from now (0 = the next one): the command being
   * processed then throws PowerLoss and the card is off; `powerOn()` recovers.
   */
  tearAt(n: number): void {
    this.jcre.memory.eeprom.tearAt = this.jcre.memory.eeprom.writes + n;
  }

  /** Persistent writes since the card was made (each bytecode store or API write counts one). */
  get persistentWrites(): number {
    return this.jcre.memory.eeprom.writes;
  }

  /** Load a decoded CAP file (LinkError, card unchanged, when it cannot be linked). */
  load(cap: CapFile): PackageSummary {
    this.requireOperational();
    const pkg = this.jcre.loadPackage(cap);
    this.persist();
    return summarizePackage(pkg.linked.pkg.aid, pkg.linked.pkg.name, pkg.linked.pkg.major, pkg.linked.pkg.minor, pkg.linked.applets.map((a) => a.aid));
  }

  /** Read (CAP archive, loose components) and load. */
  async loadCap(bytes: Uint8Array, name?: string): Promise<PackageSummary> {
    return this.load(await readCap(bytes, name));
  }

  /**
   * Create an applet instance. `params` are the application-specific install parameters;
   * install() receives the GlobalPlatform layout [Li][instance AID][Lc=0][La][params].
   */
  install(packageAid: Uint8Array, classAid: Uint8Array, instanceAid: Uint8Array = classAid, params: Uint8Array = new Uint8Array(0)): AppletSummary {
    this.requireOperational();
    const data = installData(instanceAid, params);
    const inst = this.jcre.install(packageAid, classAid, instanceAid, data);
    this.persist();
    return summarizeApplet(inst);
  }

  private requireOperational(): void {
    if (!this.os.operational) {
      throw new CardStateError(this.os.selfTestFailure ? `the card failed its self-test: ${this.os.selfTestFailure}` : 'the chip is not completed: it answers only the completion commands');
    }
  }

  /** Delete an applet instance (DeleteError, card unchanged, when refused: selected, or its objects referenced from elsewhere). */
  deleteApplet(aid: Uint8Array): void {
    this.requireOperational();
    this.jcre.deleteApplet(aid);
    this.persist();
  }

  /** Delete a package (DeleteError, card unchanged, when refused: instances left, imported by another package, objects referenced). */
  deletePackage(aid: Uint8Array): void {
    this.requireOperational();
    this.jcre.deletePackage(aid);
    this.persist();
  }

  packages(): PackageSummary[] {
    return this.jcre.packages.map((p) => summarizePackage(p.linked.pkg.aid, p.linked.pkg.name, p.linked.pkg.major, p.linked.pkg.minor, p.linked.applets.map((a) => a.aid)));
  }

  applets(): AppletSummary[] {
    return this.jcre.applets.map(summarizeApplet);
  }
}

/** GlobalPlatform install data as the JCRE hands it to install(): [Li][AID][Lc][control][La][params]. */
export function installData(instanceAid: Uint8Array, params: Uint8Array): Uint8Array {
  if (instanceAid.length < 5 || instanceAid.length > 16) throw new RangeError(`an instance AID has 5 to 16 bytes, not ${instanceAid.length}`);
  if (params.length > 255) throw new RangeError(`install parameters are ${params.length} bytes; at most 255`);
  return Uint8Array.from([instanceAid.length, ...instanceAid, 0, params.length, ...params]);
}

function summarizePackage(aid: Uint8Array, name: string, major: number, minor: number, applets: Uint8Array[]): PackageSummary {
  return { aid: hex(aid), name, version: `${major}.${minor}`, applets: applets.map((a) => hex(a)) };
}

function summarizeApplet(inst: AppletInstance): AppletSummary {
  return { aid: hex(inst.aid), packageAid: hex(inst.pkg.linked.pkg.aid), className: inst.cls.name.replace(/\//g, '.') };
}

/** The card manager's options that a card image keeps (bytes as hex; a random source is not kept). */
function gpOptionsForImage(o: GpOptions): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v instanceof Uint8Array) out[k] = `hex:${hex(v)}`;
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
  }
  return out;
}

function gpOptionsFromImage(saved: Record<string, string | number | boolean | null>): GpOptions {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(saved)) out[k] = typeof v === 'string' && v.startsWith('hex:') ? fromHex(v.slice(4)) : v;
  return out as GpOptions;
}
