// Bytecode coverage (jcvm --coverage): which bytecodes of which methods ran, counted through
// the interpreter's step hook (vm/trace.ts), so that nothing is paid when coverage is off.
// Written as lcov: with a Debug component, per source file and line; without one, per class,
// with the bytecode's offset in the Method component as the line number (as `cap dump` lists it).
//
// Method names, from the best source there is (a CAP file itself names no method):
//   1. the Debug component's name, when the CAP has one;
//   2. the JCA's name, when the package was assembled from a JCA file given to addJca()
//      (matched by Method component offset and code length, so a different JCA names nothing);
//   3. the install method of the Applet component: install<type>; a constructor (ACC_INIT in
//      the Descriptor component): <init><type>;
//   4. a public or protected virtual method that overrides an API method: the API's name
//      (process(Ljavacard/framework/APDU;)V, select()Z, ...);
//   5. else method@<offset in the Method component>, #<token> when the Descriptor gives one,
//      and the type with class references resolved (imported and own classes).
// Classes: the JCA's name when a JCA names the method, else as the linker names them: the
// applet class from applet.xml when the CAP has one, else <package>/Class<token> (or
// Class@<offset> in the Class component).

import { hex } from '../../loader/bytes.ts';
import type { LinkedPackage } from '../../loader/link.ts';
import { inferFormat } from '../../loader/jca/assemble.ts';
import { buildModel } from '../../loader/jca/model.ts';
import { parseJca } from '../../loader/jca/parser.ts';
import type { StepHook } from '../../vm/interpreter.ts';
import { instructionLength } from '../../vm/opcodes.ts';
import type { VmMethod, VmPackage } from '../../vm/types.ts';
import type { Card } from '../card.ts';
import { parseDebugComponent, type DebugInfo } from './debug.ts';

/** One method's coverage. */
export interface MethodCoverage {
  /** Package path and class (slash-separated), and the method's readable name (see the file comment). */
  pkg: string;
  cls: string;
  method: string;
  /** pc of the first bytecode in the Method component, and one past the last. */
  start: number;
  end: number;
  /** pc of each instruction and how often it ran. */
  instructions: { pc: number; hits: number }[];
  /** Times the first bytecode ran (the calls, unless a loop jumps back to it). */
  entries: number;
  /** Source file and line of each pc, from the Debug component (null without one). */
  source: { file: string; lineOf: (pc: number) => number | null; name: string } | null;
}

/** The Descriptor component's flag of a constructor (JCVM 6.14 method_descriptor_info). */
const ACC_INIT = 0x80;

export class Coverage {
  /** Hits per byte of each package's Method component, by package AID (shared by the cards of a suite). */
  private readonly hits = new Map<string, Uint32Array>();
  private readonly linked = new Map<string, LinkedPackage>();
  /** Method names from JCA files, by package AID: first bytecode's pc -> { name, bytecodes }. */
  private readonly jcaNames = new Map<string, Map<number, { cls: string; name: string; length: number }>>();
  private lastPkg: VmPackage | null = null;
  private lastHits: Uint32Array = new Uint32Array(0);

  /** The hook to give the card (CardOptions.step): counts each bytecode the interpreter runs. */
  readonly step: StepHook = (m: VmMethod, pc: number) => {
    if (m.pkg !== this.lastPkg) {
      this.lastPkg = m.pkg;
      this.lastHits = this.hitsOf(m.pkg, m.code.length);
    }
    this.lastHits[pc]!++;
  };

  private hitsOf(pkg: VmPackage, size: number): Uint32Array {
    const key = hex(pkg.aid);
    let h = this.hits.get(key);
    if (!h || h.length < size) {
      const bigger = new Uint32Array(size);
      if (h) bigger.set(h);
      h = bigger;
      this.hits.set(key, h);
    }
    return h;
  }

  /** Registers the packages of a card (its methods are reported, run or not). */
  addCard(card: Card): void {
    for (const p of card.jcre.packages) {
      const key = hex(p.linked.pkg.aid);
      if (!this.linked.has(key)) this.linked.set(key, p.linked);
    }
  }

  /**
   * Names the methods of the package assembled from this JCA text (when it is loaded). A JCA
   * that does not parse names nothing.
   */
  addJca(text: string, fileName = '<jca>'): void {
    let names: Map<number, { cls: string; name: string; length: number }>;
    let aid: string;
    try {
      const ast = parseJca(text, fileName);
      const model = buildModel(ast, fileName, inferFormat(ast));
      aid = hex(ast.aid);
      names = new Map(model.methods.map((mm) => [mm.offset + (mm.extended ? 4 : 2), { cls: `${ast.name}/${mm.cls.ast.name}`, name: `${mm.ast.name}${mm.ast.sig}`, length: mm.code.bytes.length }]));
    } catch {
      return;
    }
    this.jcaNames.set(aid, names);
  }

  /** The readable name of a method (see the file comment), without its class. */
  private methodName(linked: LinkedPackage, m: VmMethod, jca: Map<number, { name: string; length: number }> | undefined): string {
    const named = jca?.get(m.start);
    if (named) return named.name;
    const type = (m.name.match(/\(.*$/)?.[0] ?? '').replace(/L(\d+)\.(\d+);|L@(\d+);/g, (whole, p: string | undefined, c: string | undefined, own: string | undefined) => {
      const cls = own !== undefined ? linked.classesByOffset.get(Number(own)) : linked.imports[Number(p)]?.classByToken(Number(c));
      return cls ? `L${cls.name};` : whole;
    });
    if (linked.applets.some((a) => a.install === m)) return `install${type}`;
    const owner = m.owner;
    if (owner && !m.isStatic) {
      const token = owner.vtable.indexOf(m);
      for (let s = owner.superClass; token >= 0 && s; s = s.superClass) {
        const api = s.vtable[token];
        if (api && api !== m && !api.name.startsWith('method@')) return api.name;
      }
    }
    const info = linked.cap.method.methods.find((mi) => mi.code_offset === m.start);
    if (info?.descriptor && info.descriptor.access_flags & ACC_INIT) return `<init>${type}`;
    const token = info?.descriptor && info.descriptor.token !== 0xff ? `#${info.descriptor.token}` : '';
    return `method@${info?.offset ?? m.start}${token}${type}`;
  }

  /** Every method of every registered package, in package and Method component order. */
  methods(): MethodCoverage[] {
    const out: MethodCoverage[] = [];
    for (const [key, linked] of this.linked) {
      const hits = this.hits.get(key);
      let debug: DebugInfo | null = null;
      if (linked.cap.debug) {
        try {
          debug = parseDebugComponent(linked.cap.debug);
        } catch {
          debug = null; // a Debug component we cannot read: offsets instead of lines
        }
      }
      // JCA names only when every method they name is there, as long as in the JCA.
      let jca = this.jcaNames.get(key);
      if (jca && ![...jca].every(([pc, n]) => linked.methods.some((m) => m.start === pc && m.end - m.start === n.length))) jca = undefined;
      for (const m of linked.methods) {
        if (m.isAbstract || m.native) continue;
        const instructions: { pc: number; hits: number }[] = [];
        for (let pc = m.start; pc < m.end; pc += Math.max(1, instructionLength(m.code, pc, m.end))) instructions.push({ pc, hits: hits?.[pc] ?? 0 });
        const cls = jca?.get(m.start)?.cls ?? m.owner?.name ?? linked.pkg.name;
        const methodName = this.methodName(linked, m, jca);
        let source: MethodCoverage['source'] = null;
        const dm = debug?.methodAt(m.start);
        if (debug && dm) source = { file: dm.file, name: dm.name, lineOf: (pc) => dm.lineOf(pc - m.start) };
        out.push({ pkg: linked.pkg.name, cls, method: methodName, start: m.start, end: m.end, instructions, entries: hits?.[m.start] ?? 0, source });
      }
    }
    return out;
  }

  /** The coverage as an lcov tracefile (geninfo's format: TN, SF, FN, FNDA, DA, LF, LH). */
  toLcov(testName = 'jcvm'): string {
    const byFile = new Map<string, MethodCoverage[]>();
    for (const m of this.methods()) {
      const file = m.source ? m.source.file : `${m.cls}.class`;
      byFile.set(file, [...(byFile.get(file) ?? []), m]);
    }
    const out: string[] = [];
    for (const [file, methods] of byFile) {
      out.push(`TN:${testName}`, `SF:${file}`);
      const lines = new Map<number, number>();
      let fnHit = 0;
      for (const m of methods) {
        const name = m.source ? `${m.source.name}` : m.method;
        const first = m.source ? m.source.lineOf(m.start) ?? 0 : m.start;
        out.push(`FN:${first},${name}`, `FNDA:${m.entries},${name}`);
        if (m.entries > 0) fnHit++;
        for (const ins of m.instructions) {
          const line = m.source ? m.source.lineOf(ins.pc) : ins.pc;
          if (line === null) continue;
          // a source line runs as often as its most-run bytecode
          lines.set(line, Math.max(lines.get(line) ?? 0, ins.hits));
        }
      }
      out.push(`FNF:${methods.length}`, `FNH:${fnHit}`);
      const sorted = [...lines].sort((a, b) => a[0] - b[0]);
      for (const [line, hits] of sorted) out.push(`DA:${line},${hits}`);
      out.push(`LF:${sorted.length}`, `LH:${sorted.filter(([, h]) => h > 0).length}`, 'end_of_record');
    }
    return out.join('\n') + '\n';
  }

  /** One row per method: bytecodes run of bytecodes there, entries. */
  summaryTable(): string[] {
    const rows = this.methods().map((m) => {
      const covered = m.instructions.filter((i) => i.hits > 0).length;
      const name = `${m.cls.replace(/\//g, '.')}.${m.source ? m.source.name : m.method}`;
      return { name, covered, total: m.instructions.length, entries: m.entries };
    });
    const width = Math.max(6, ...rows.map((r) => r.name.length));
    const lines = [`${'method'.padEnd(width)}  bytecodes run   cover  entries`];
    let c = 0, t = 0;
    for (const r of rows) {
      c += r.covered;
      t += r.total;
      lines.push(`${r.name.padEnd(width)}  ${`${r.covered}/${r.total}`.padStart(13)}  ${percent(r.covered, r.total).padStart(6)}  ${String(r.entries).padStart(7)}`);
    }
    lines.push(`${'total'.padEnd(width)}  ${`${c}/${t}`.padStart(13)}  ${percent(c, t).padStart(6)}`);
    return lines;
  }
}

function percent(a: number, b: number): string {
  return b ? `${((100 * a) / b).toFixed(1)}%` : '-';
}
