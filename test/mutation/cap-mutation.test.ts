// 1,000 corrupted variants of the corpus CAP files, fed to one card that already has the echo
// applet (and the firewall library) loaded and installed. Each variant must either load, or be
// refused cleanly: CapFormatError, LinkError, or an Error whose message says what is wrong —
// never a TypeError / RangeError / host crash, and the card must be left exactly as it was.
// A package that loads is installed (and its applet selected and sent a command): failures
// there must be an InstallError or a status word. Echo must keep answering throughout.
//
// Each variant first gets a package AID (and applet AIDs) of its own, so that a corrupted copy
// of a package that is already on the card is checked by the decoder and the linker rather than
// refused as a duplicate; then one corruption is applied. Deterministic: a seeded PRNG.
// Longer campaigns by hand, e.g.:
//   JCVM_MUTATION_VARIANTS=8000 JCVM_MUTATION_SEED=3 JCVM_MUTATION_ECHO_EVERY=1 npx vitest run test/mutation

import { describe, expect, it } from 'vitest';
import { CapFormatError, fromHex, hex } from '../../loader/bytes.ts';
import { readPackageFile } from '../../loader/files.ts';
import { LinkError } from '../../loader/link.ts';
import { Card } from '../../runtime/card.ts';
import { InstallError } from '../../runtime/jcre.ts';
import { CORPUS_DIR, corpusCapFiles } from '../corpus.ts';
import { makeVariant, prng, readSource, type Kind } from './mutate.ts';

// JCVM_MUTATION_VARIANTS / JCVM_MUTATION_SEED run a longer or another campaign by hand.
const VARIANTS = Number(process.env.JCVM_MUTATION_VARIANTS ?? 1000);
const SEED = Number(process.env.JCVM_MUTATION_SEED ?? 0x4a43564d); // "JCVM"
const ECHO_EVERY = Number(process.env.JCVM_MUTATION_ECHO_EVERY ?? 50);

/** Messages of JavaScript's own errors: a refusal must never look like one of these. */
const HOST_ERROR = /Cannot read prop|Cannot set prop|is not a function|is not iterable|of undefined|of null|undefined is not|\bNaN\b|Invalid typed array|Invalid array length|outside the bounds|Maximum call stack|is not defined/;

function classify(e: unknown): { ok: boolean; kind: string; message: string } {
  if (!(e instanceof Error)) return { ok: false, kind: `non-Error ${typeof e}`, message: String(e) };
  const kind = e instanceof CapFormatError ? 'CapFormatError' : e instanceof LinkError ? 'LinkError' : e instanceof InstallError ? 'InstallError' : e.constructor.name;
  const clean = e instanceof CapFormatError || e instanceof LinkError || e instanceof InstallError || e.constructor === Error;
  const ok = clean && e.message.length >= 10 && !HOST_ERROR.test(e.message);
  return { ok, kind, message: e.message };
}

/**
 * What a refusal must not change: the package list, the applet list, and the objects on the
 * heap (not counting the JCRE's own exception objects, which it makes on first use and keeps).
 */
function snapshot(card: Card): { packages: string; applets: string; objects: number } {
  const throwable = card.jcre.api.cls('java/lang/Throwable');
  const objects = [...card.jcre.heap.handles((o) => !(o.owner === 0 && o.cls !== null && o.cls.isSubclassOf(throwable)))].length;
  return { packages: JSON.stringify(card.packages()), applets: JSON.stringify(card.applets()), objects };
}

function changes(a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>): string | undefined {
  const out: string[] = [];
  if (a.packages !== b.packages) out.push(`packages ${a.packages} -> ${b.packages}`);
  if (a.applets !== b.applets) out.push(`applets ${a.applets} -> ${b.applets}`);
  if (a.objects !== b.objects) out.push(`heap objects ${a.objects} -> ${b.objects}`);
  return out.length ? out.join('; ') : undefined;
}

describe('corrupted CAP files', () => {
  it(`${VARIANTS} variants: loaded or refused cleanly; the card is unchanged by refusals; echo keeps answering`, async () => {
    const started = Date.now();
    const card = new Card({ instructionBudget: 200_000 });
    card.load(await readPackageFile(`${CORPUS_DIR}/echo/echo.cap`));
    card.load(await readPackageFile(`${CORPUS_DIR}/firewall/fwlib.cap`));
    card.install(fromHex('F04A43564D01'), fromHex('F04A43564D0101'));
    card.powerOn();
    const echo = (): string => {
      card.powerOff();
      card.powerOn();
      const sel = hex(card.transmit(fromHex('00A4040007F04A43564D0101')));
      const r = hex(card.transmit(fromHex('8040000002AABB02')));
      return `${sel} ${r}`;
    };
    expect(echo()).toBe('9000 AABB9000');

    const sources = await Promise.all(corpusCapFiles().map(readSource));
    const rnd = prng(SEED);
    const problems: string[] = [];
    const refused = new Map<string, number>(); // error kind -> count
    const byKind = new Map<Kind, { loaded: number; refused: number }>();
    const installs = { ok: 0, refused: 0, selected: 0 };
    const samples = new Map<string, string>(); // error kind -> one message
    let loaded = 0;
    let instanceNo = 0;
    const sinceCheck: string[] = [];

    for (let n = 0; n < VARIANTS; n++) {
      const src = rnd.pick(sources);
      const taken = new Set(card.packages().map((p) => p.aid));
      const v = await makeVariant(src, n, rnd, taken);
      const label = `#${n} ${src.path.slice(CORPUS_DIR.length + 1)}: ${v.what}`;
      const stats = byKind.get(v.kind) ?? { loaded: 0, refused: 0 };
      byKind.set(v.kind, stats);
      const before = snapshot(card);
      let pkg;
      try {
        pkg = await card.loadCap(v.bytes, label);
      } catch (e) {
        const c = classify(e);
        refused.set(c.kind, (refused.get(c.kind) ?? 0) + 1);
        if (!samples.has(c.kind)) samples.set(c.kind, c.message.slice(0, 140));
        stats.refused++;
        if (!c.ok) problems.push(`${label}: refused with ${c.kind}: ${c.message}`);
        const changed = changes(before, snapshot(card));
        if (changed) problems.push(`${label}: refused, but the card changed: ${changed}`);
      }
      if (pkg) {
        loaded++;
        stats.loaded++;
        for (const appletAid of pkg.applets) {
          const instanceAid = Uint8Array.of(0xf0, 0x4a, 0x43, 0x56, 0x4d, 0xfd, instanceNo >> 8, instanceNo & 0xff);
          instanceNo++;
          const beforeInstall = snapshot(card);
          let installed = false;
          try {
            card.install(fromHex(pkg.aid), fromHex(appletAid), instanceAid);
            installed = true;
            installs.ok++;
          } catch (e) {
            installs.refused++;
            if (!(e instanceof InstallError)) problems.push(`${label}: install of ${appletAid} threw ${classify(e).kind}: ${(e as Error).message}`);
            const changed = changes(beforeInstall, snapshot(card));
            if (changed) problems.push(`${label}: install failed (${(e as Error).message}), but the card changed: ${changed}`);
          }
          if (!installed) continue;
          const registered = card.applets().at(-1)!.aid;
          try {
            const sel = card.transmit(fromHex(`00A40400${(registered.length / 2).toString(16).padStart(2, '0')}${registered}`));
            const cmd = card.transmit(fromHex('8001000000'));
            if (sel.length < 2 || cmd.length < 2) problems.push(`${label}: a response without a status word`);
            installs.selected++;
          } catch (e) {
            problems.push(`${label}: SELECT / command of ${registered} threw ${classify(e).kind}: ${(e as Error).message}`);
          }
          card.powerOff(); // leave no corrupted applet selected (a power cycle calls no deselect())
          card.powerOn();
        }
      }
      if (pkg) sinceCheck.push(label);
      if ((n + 1) % ECHO_EVERY === 0) {
        const r = echo();
        if (r !== '9000 AABB9000') problems.push(`after #${n}: echo answered ${r}; loaded since the last check: ${sinceCheck.join(' | ') || 'none'}`);
        sinceCheck.length = 0;
      }
    }
    const last = echo();
    if (last !== '9000 AABB9000') problems.push(`at the end: echo answered ${last}`);

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const lines = [
      `CAP mutation: ${VARIANTS} variants of ${sources.length} corpus CAP files (seed ${SEED.toString(16)}), ${seconds} s`,
      `  loaded ${loaded}, refused ${VARIANTS - loaded}: ${[...refused].map(([k, c]) => `${k} ${c}`).join(', ')}`,
      `  by mutation: ${[...byKind].map(([k, s]) => `${k} ${s.loaded}/${s.refused}`).join(', ')} (loaded/refused)`,
      `  installs of loaded applets: ${installs.ok} created (${installs.selected} selected and sent a command), ${installs.refused} refused with InstallError`,
      ...[...samples].map(([k, m]) => `  e.g. ${k}: ${m}`),
      `  problems: ${problems.length}`,
      ...problems.slice(0, 30).map((p) => `    ${p}`),
    ];
    console.log(lines.join('\n'));
    expect(problems).toEqual([]);
  }, 120_000);
});
