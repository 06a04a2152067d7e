// The reference installer's protocol (runtime/gp/ri-installer.ts): every corpus suite's
// install-ri.scr on a GlobalPlatform card, against what Oracle's cref 2.2.2 answered
// (install-ri.scr.expected.out) byte for byte, the scripts unchanged (their downloads leave the
// Descriptor component out); then each of the suite's scripts on a card installed that way.
// Deletion through the installer, and its refusals.

import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, hex } from '../../../loader/bytes.ts';
import { Card } from '../../../runtime/card.ts';
import { parseScript } from '../../../runtime/script/apdutool.ts';
import { compareOutput, runScript } from '../../../runtime/script/runner.ts';
import { readSuite } from '../../../runtime/script/suite.ts';
import { CORPUS_DIR, corpusSuites } from '../../corpus.ts';

/** Suites whose scripts do not pass yet after an installation through the installer, and why. */
const KNOWN_FAILING: Record<string, string> = {};

function output(card: Card, text: string, name: string): string[] {
  return runScript(card, parseScript(text, name));
}

function compare(lines: string[], path: string): string {
  const { firstDiff } = compareOutput(lines, readFileSync(`${path}.expected.out`, 'utf8'));
  return firstDiff ? `line ${firstDiff.line}\n  expected: ${firstDiff.expected}\n  actual:   ${firstDiff.actual}` : '';
}

const suites = corpusSuites().filter((s) => existsSync(resolve(CORPUS_DIR, s, 'install-ri.scr')));

describe('reference installer: install-ri.scr of every suite', () => {
  it('finds the installer scripts', () => {
    expect(suites.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of suites) {
    const dir = resolve(CORPUS_DIR, name);
    const script = resolve(dir, 'install-ri.scr');

    // scriptgen sends no Descriptor component (tag 11): the loader derives what it needs from the
    // other components (loader/cap/decode/boundaries.ts, loader/derive.ts).
    it(`${name}: install-ri.scr unchanged answers byte for byte as cref did, then the suite's scripts pass`, () => {
      const text = readFileSync(script, 'utf8');
      const install = compare(output(new Card({ gp: true }), text, script), script);
      if (install) expect.fail(`install-ri.scr differs at ${install}`);
      const failures: string[] = [];
      for (const s of readSuite(resolve(dir, 'suite.json')).scripts) {
        const card = new Card({ gp: true });
        output(card, text, script);
        const diff = compare(output(card, readFileSync(s, 'utf8'), s), s);
        if (diff) failures.push(`${s}: ${diff}`);
      }
      if (name in KNOWN_FAILING) {
        expect(failures.length, `${name} passes now: remove it from KNOWN_FAILING (${KNOWN_FAILING[name]})`).toBeGreaterThan(0);
      } else if (failures.length) {
        expect.fail(failures.join('\n'));
      }
    });
  }
});

describe('reference installer: deletion', () => {
  const send = (card: Card, apdu: string): string => hex(card.transmit(fromHex(apdu.replace(/ /g, '')))).toLowerCase();

  function installed(name: string): Card {
    const card = new Card({ gp: true });
    const script = resolve(CORPUS_DIR, name, 'install-ri.scr');
    expect(compare(output(card, readFileSync(script, 'utf8'), script), script)).toBe('');
    card.powerOn();
    expect(send(card, '00A4040009 A00000006203010801')).toBe('9000');
    return card;
  }

  it('refuses to delete a package another imports, or one with instances; deletes applets, then packages, in dependency order', () => {
    const card = installed('firewall');
    const before = card.memoryReport();
    // fwlib (F04A43564D0710) is imported by the server and the client.
    expect(send(card, '80C0000008 07F04A43564D0710')).toBe('6985');
    expect(send(card, '80C2000008 07F04A43564D0710')).toBe('6985');
    // The server package has an instance.
    expect(send(card, '80C0000008 07F04A43564D0720')).toBe('6985');
    expect(send(card, '80C0000008 07F04A43564D0799')).toBe('6a88');
    expect(send(card, '80C4010009 08F04A43564D072099')).toBe('6a88');
    expect(send(card, '80C4020012 08F04A43564D073001 08F04A43564D072099')).toBe('6a88'); // all or none
    expect(card.memoryReport().packages).toEqual(before.packages);
    expect(card.memoryReport().persistent).toEqual(before.persistent);
    // The client instance, then the client package; the server package with its instance; the library.
    expect(send(card, '80C4010009 08F04A43564D073001')).toBe('9000');
    expect(send(card, '80C0000008 07F04A43564D0730')).toBe('9000');
    expect(send(card, '80C2000008 07F04A43564D0720')).toBe('9000');
    expect(send(card, '80C0000008 07F04A43564D0710')).toBe('9000');
    expect(card.packages()).toEqual([]);
    expect(card.applets()).toEqual([]);
    expect(send(card, '00A4040008 F04A43564D072001')).toBe('6a82');
  });

  it('frees the memory the deleted content took', () => {
    const empty = new Card({ gp: true }).memoryReport().persistent.used;
    const card = installed('echo');
    expect(card.memoryReport().persistent.used).toBeGreaterThan(empty);
    expect(send(card, '80C2000007 06F04A43564D01')).toBe('9000');
    expect(card.memoryReport().persistent.used).toBe(empty);
  });

  it('refuses commands out of order (6422) and an applet class it does not have (6430)', () => {
    const card = new Card({ gp: true });
    card.powerOn();
    expect(send(card, '00A4040009 A00000006203010801')).toBe('9000');
    expect(send(card, '80B2010000')).toBe('6422');
    expect(send(card, '80B0000000')).toBe('9000');
    expect(send(card, '80B4010002 0102')).toBe('6422');
    expect(send(card, '80BA000000')).toBe('6422');
    expect(send(card, '80B8000009 07F04A43564D0101 00')).toBe('6430');
  });
});
