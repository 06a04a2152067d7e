// Just enough of the converter's JCA listing (the .jca beside every corpus .cap) to cross-check
// the CAP decoder: package and applet AIDs, counts, and each method's instructions with branch
// labels blanked out ("L").

export interface JcaFacts {
  packageAid: string;
  appletAids: string[];
  importCount: number;
  cpCount: number;
  classCount: number;
  methodCount: number;
  /** One entry per method with code: its instructions, normalised, joined by '; '. */
  methods: string[];
  /** catch_type_index of every exception table row. */
  catchTypes: number[];
}

function aidHex(text: string): string {
  return text
    .split(':')
    .map((b) => parseInt(b, 16).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

function block(lines: string[], start: number): string[] {
  let depth = 0;
  const out: string[] = [];
  for (let i = start; i < lines.length; i++) {
    const l = lines[i]!;
    depth += (l.match(/\{/g) ?? []).length - (l.match(/\}/g) ?? []).length;
    out.push(l);
    if (depth === 0) break;
  }
  return out;
}

export function parseJca(text: string): JcaFacts {
  const lines = text.split('\n').map((l) => l.replace(/\/\/.*$/, '').trim());
  const raw = text.split('\n');
  const find = (re: RegExp): number => lines.findIndex((l) => re.test(l));
  const packageAid = aidHex(/\.aid\s+([0-9A-Fa-fx:]+);/.exec(text)![1]!);
  const appletAt = find(/^\.applet\s*\{/);
  const appletAids = appletAt < 0 ? [] : block(lines, appletAt).slice(1, -1).filter(Boolean).map((l) => aidHex(l.split(/\s+/)[0]!));
  const importCount = block(lines, find(/^\.imports\s*\{/)).slice(1, -1).filter(Boolean).length;
  const cpLines = block(raw, find(/^\.constantPool\s*\{/));
  const cpCount = cpLines.filter((l) => /^\s*\/\/\s*\d+\s*$/.test(l)).length;
  // Top-level declarations only (one tab in); implemented interfaces are listed nested deeper.
  const classCount = raw.filter((l) => /^\t\.(class|interface)\b/.test(l)).length;
  const methods: string[] = [];
  const catchTypes: number[] = [];
  let methodCount = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!/^\.method\b/.test(lines[i]!)) continue;
    methodCount++;
    const body = block(lines, i);
    const ins: string[] = [];
    let inTable = false;
    for (const l of body.slice(1, -1)) {
      if (/^\.exceptionTable/.test(l)) { inTable = true; continue; }
      if (inTable) {
        if (l === '}') inTable = false;
        else if (l) catchTypes.push(Number(l.replace(';', '').split(/\s+/)[3]));
        continue;
      }
      if (!l || l.startsWith('.')) continue;
      const stmt = l.replace(/^L\d+:\s*/, '').replace(/;$/, '').trim();
      if (stmt) ins.push(stmt.split(/\s+/).map((t) => (/^L\d+$/.test(t) ? 'L' : t)).join(' '));
    }
    if (ins.length) methods.push(ins.join('; '));
  }
  return { packageAid, appletAids, importCount, cpCount, classCount, methodCount, methods, catchTypes };
}
