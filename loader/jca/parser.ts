// The JCA parser: text → PackageAst. Grammar as the converter writes it (Java Card 3.0.5 user
// guide, "Java Card Assembly syntax example"):
//
//   .package name { .aid AID; .version M.m; .imports { AID M.m; ... } .applet { AID Name; ... }
//                   .constantPool { entry; ... } (.class ... | .interface ...)* }
//
// Directives and constant pool entry kinds are case-insensitive (`classRef` and `.classRef`
// both occur: the 2.2.2 converter writes the former).

import type { CpEntryAst, CpKind, MemberRefAst, PackageAst } from './ast.ts';
import { Lexer, type Token } from './lexer.ts';
import { parseClass } from './parse-class.ts';
import { Cursor, posOf } from './parse-util.ts';

const CP_KINDS: Record<string, CpKind> = {
  classref: 'classRef',
  instancefieldref: 'instanceFieldRef',
  staticfieldref: 'staticFieldRef',
  virtualmethodref: 'virtualMethodRef',
  supermethodref: 'superMethodRef',
  staticmethodref: 'staticMethodRef',
};

export function parseJca(text: string, fileName = '<jca>'): PackageAst {
  const c = new Cursor(new Lexer(text, fileName));
  const head = c.directive('.package');
  const name = c.ident('the package name, e.g. com/example/wallet');
  const pkg: PackageAst = {
    name: name.text,
    aid: new Uint8Array(0),
    major: 0,
    minor: 0,
    imports: [],
    applets: [],
    constantPool: [],
    classes: [],
    pos: posOf(head),
  };
  let sawAid = false;
  c.block(() => {
    const t = c.peek();
    if (t.kind !== 'directive') c.fail(t, 'a package directive (.aid, .version, .imports, .applet, .constantPool, .class, .interface)', t);
    switch (t.text) {
      case '.aid':
        c.next();
        pkg.aid = c.aid();
        sawAid = true;
        c.punct(';');
        return;
      case '.version': {
        c.next();
        Object.assign(pkg, c.version());
        c.punct(';');
        return;
      }
      case '.imports':
        c.next();
        c.block(() => {
          const at = posOf(c.peek());
          const aid = c.aid();
          const v = c.version();
          c.punct(';');
          pkg.imports.push({ aid, ...v, pos: at });
        }, '.imports');
        return;
      case '.applet':
        c.next();
        c.block(() => {
          const at = posOf(c.peek());
          const aid = c.aid();
          const className = c.ident('the applet class name').text;
          c.punct(';');
          pkg.applets.push({ aid, className, pos: at });
        }, '.applet');
        return;
      case '.constantpool':
        c.next();
        c.block(() => pkg.constantPool.push(cpEntry(c)), '.constantPool');
        return;
      case '.class':
      case '.interface':
        pkg.classes.push(parseClass(c));
        return;
      default:
        c.fail(t, 'a package directive (.aid, .version, .imports, .applet, .constantPool, .class, .interface)', t);
    }
  }, `package ${name.text}`);
  if (!sawAid) c.lex.error(head, `package ${name.text} has no .aid directive`);
  const end = c.peek();
  if (end.kind !== 'eof') c.fail(end, 'end of file after the package', end);
  return pkg;
}

function cpEntry(c: Cursor): CpEntryAst {
  const t = c.next();
  const word = t.kind === 'directive' ? t.text.slice(1) : t.kind === 'ident' && t.sig === undefined ? t.text.toLowerCase() : '';
  const kind = CP_KINDS[word];
  if (!kind) c.fail(t, 'a constant pool entry (classRef, instanceFieldRef, virtualMethodRef, superMethodRef, staticFieldRef, staticMethodRef)', t);
  const pos = posOf(t);
  switch (kind) {
    case 'classRef': {
      const cls = c.classRef();
      c.punct(';', "';' after a constant pool entry");
      return { kind, cls, pos };
    }
    case 'instanceFieldRef':
    case 'staticFieldRef': {
      const type = c.type();
      const m = c.next();
      if (m.sig !== undefined) c.fail(m, 'a field reference', m);
      const member = memberRef(c, m, 'a field reference such as EchoApplet/kept or 0.3.1');
      c.punct(';', "';' after a constant pool entry");
      return { kind, type, member, pos };
    }
    default: {
      const m = c.next();
      if (m.sig === undefined) c.fail(m, 'a method reference with its descriptor, e.g. EchoApplet/<init>()V or 0.3.1()V', m);
      const member = memberRef(c, m, 'a method reference');
      c.punct(';', "';' after a constant pool entry");
      const bindings = [];
      while (c.isDirective('.descriptor')) bindings.push(c.binding(c.next()));
      return { kind, member, sig: m.sig, bindings, pos };
    }
  }
}

function memberRef(c: Cursor, t: Token, what: string): MemberRefAst {
  if (t.kind === 'ident') {
    const slash = t.text.lastIndexOf('/');
    if (slash > 0 && slash < t.text.length - 1 && !t.text.slice(0, slash).includes('/')) {
      return { kind: 'local', cls: t.text.slice(0, slash), name: t.text.slice(slash + 1) };
    }
  } else if (t.kind === 'dotted' && t.parts!.length === 3) {
    const [pkg, cls, token] = t.parts as [number, number, number];
    return { kind: 'external', pkg, cls, token };
  }
  c.fail(t, what, t);
}
