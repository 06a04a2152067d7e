// JCA classes and interfaces: header (`.class public EchoApplet 0 extends 0.3`), `.fields`,
// the virtual method tables, `.implementedInterfaceInfoTable`, and methods with their code
// and exception tables.

import type {
  ClassAst,
  ExceptionEntryAst,
  FieldAst,
  ImplementedInterfaceAst,
  InstructionAst,
  MethodAst,
  MethodTableAst,
  Modifier,
  OperandAst,
} from './ast.ts';
import { OPCODE_BY_NAME } from '../../vm/opcodes.ts';
import { type Cursor, posOf } from './parse-util.ts';

const MODIFIERS = new Set<string>(['public', 'protected', 'private', 'static', 'final', 'abstract']);

function modifiers(c: Cursor): Modifier[] {
  const out: Modifier[] = [];
  for (;;) {
    const t = c.peek();
    if (t.kind !== 'ident' || t.sig !== undefined || !MODIFIERS.has(t.text)) return out;
    c.next();
    out.push(t.text as Modifier);
  }
}

function optionalNumber(c: Cursor, what: string, min: number, max: number): number | undefined {
  return c.peek().kind === 'number' ? c.number(what, min, max) : undefined;
}

export function parseClass(c: Cursor): ClassAst {
  const head = c.next(); // .class or .interface
  const isInterface = head.text === '.interface';
  const mods = modifiers(c);
  const name = c.ident(`the ${isInterface ? 'interface' : 'class'} name`).text;
  const token = optionalNumber(c, 'a class token', 0, 255);
  const cls: ClassAst = {
    isInterface,
    modifiers: mods,
    name,
    ...(token !== undefined ? { token } : {}),
    shareable: false,
    remote: false,
    superInterfaces: [],
    fields: [],
    interfaceTable: [],
    methods: [],
    pos: posOf(head),
  };
  if (c.isKeyword('extends')) {
    c.next();
    if (isInterface) {
      cls.superInterfaces.push(c.classRef());
      while (c.acceptPunct(',')) cls.superInterfaces.push(c.classRef());
    } else {
      cls.superClass = c.classRef('the superclass');
    }
  }
  if (c.isKeyword('implements')) {
    c.next();
    cls.superInterfaces.push(c.classRef());
    while (c.acceptPunct(',')) cls.superInterfaces.push(c.classRef());
  }
  c.block(() => classItem(c, cls), `${isInterface ? 'interface' : 'class'} ${name}`);
  // `implements` without an interface table: the indices are worked out when assembling.
  if (!isInterface && !cls.interfaceTable.length) {
    cls.interfaceTable = cls.superInterfaces.map((iface) => ({ iface, indices: [], pos: iface.pos }));
  }
  return cls;
}

function classItem(c: Cursor, cls: ClassAst): void {
  const t = c.peek();
  if (t.kind !== 'directive') c.fail(t, 'a class directive (.fields, .method, ...)', t);
  switch (t.text) {
    case '.shareable':
    case '.remote':
      c.next();
      c.punct(';');
      if (t.text === '.shareable') cls.shareable = true;
      else cls.remote = true;
      return;
    case '.superinterfaces':
      c.next();
      c.block(() => {
        cls.superInterfaces.push(c.classRef('a superinterface'));
        c.punct(';');
      }, '.superInterfaces');
      return;
    case '.fields':
      c.next();
      c.block(() => cls.fields.push(field(c)), '.fields');
      return;
    case '.publicmethodtable':
    case '.packagemethodtable': {
      c.next();
      const table = methodTable(c, t.text === '.publicmethodtable');
      if (t.text === '.publicmethodtable') cls.publicMethodTable = table;
      else cls.packageMethodTable = table;
      return;
    }
    case '.implementedinterfaceinfotable':
      c.next();
      c.block(() => cls.interfaceTable.push(implemented(c)), '.implementedInterfaceInfoTable');
      return;
    case '.method':
      cls.methods.push(method(c));
      return;
    default:
      c.fail(t, 'a class directive (.fields, .method, ...)', t);
  }
}

function field(c: Cursor): FieldAst {
  const pos = posOf(c.peek());
  const mods = modifiers(c);
  const type = c.type();
  const name = c.ident('a field name').text;
  const f: FieldAst = { modifiers: mods, type, name, pos };
  const token = optionalNumber(c, 'a field token', 0, 255);
  if (token !== undefined) f.token = token;
  if (c.acceptPunct('=')) {
    if (c.acceptPunct('{')) {
      const values: number[] = [];
      if (!c.isPunct('}')) {
        values.push(initValue(c));
        while (c.acceptPunct(',')) values.push(initValue(c));
      }
      c.punct('}', "',' or '}' in an array initializer");
      f.init = { kind: 'array', values };
    } else {
      f.init = { kind: 'value', value: initValue(c) };
    }
  }
  c.punct(';', "';' after a field declaration");
  return f;
}

function initValue(c: Cursor): number {
  const t = c.peek();
  if (t.kind === 'ident' && (t.text === 'true' || t.text === 'false')) {
    c.next();
    return t.text === 'true' ? 1 : 0;
  }
  return c.number('an initial value');
}

function methodTable(c: Cursor, isPublic: boolean): MethodTableAst {
  const pos = posOf(c.peek());
  const base = c.number('the method table base', 0, 255);
  const table: MethodTableAst = { base, entries: [], pos };
  const count = isPublic ? optionalNumber(c, 'the inheritable method token count', 0, 255) : undefined;
  if (count !== undefined) table.inheritableCount = count;
  c.block(() => {
    const t = c.next();
    if (t.kind !== 'ident' || t.sig === undefined) c.fail(t, 'a method name with its descriptor', t);
    const mapping = optionalNumber(c, 'a method token mapping', 0, 255);
    c.punct(';', "';' after a method table entry");
    table.entries.push({ name: t.text, sig: t.sig, ...(mapping !== undefined ? { mapping } : {}), pos: posOf(t) });
  }, 'the method table');
  return table;
}

function implemented(c: Cursor): ImplementedInterfaceAst {
  const t = c.directive('.interface');
  const iface = c.classRef('the implemented interface');
  const indices: number[] = [];
  c.block(() => {
    indices.push(c.number('a virtual method token', 0, 255));
    c.punct(';');
  }, 'the interface method list');
  return { iface, indices, pos: posOf(t) };
}

function method(c: Cursor): MethodAst {
  const head = c.next(); // .method
  const mods = modifiers(c);
  const t = c.next();
  if (t.kind !== 'ident' || t.sig === undefined) c.fail(t, 'a method name with its descriptor, e.g. process(Ljavacard/framework/APDU;)V', t);
  const token = optionalNumber(c, 'a method token', 0, 255);
  const m: MethodAst = {
    modifiers: mods,
    name: t.text,
    sig: t.sig,
    ...(token !== undefined ? { token } : {}),
    stack: 0,
    locals: 0,
    bindings: [],
    code: [],
    trailingLabels: [],
    exceptions: [],
    pos: posOf(head),
  };
  let labels: string[] = [];
  c.block(() => {
    const p = c.peek();
    if (p.kind === 'directive') {
      c.next();
      switch (p.text) {
        case '.stack':
        case '.locals': {
          const v = c.number(`the ${p.text} value`, 0, 255);
          c.punct(';');
          if (p.text === '.stack') m.stack = v;
          else m.locals = v;
          return;
        }
        case '.descriptor':
          m.bindings.push(c.binding(p));
          return;
        case '.exceptiontable':
          c.block(() => m.exceptions.push(exceptionEntry(c)), '.exceptionTable');
          return;
        default:
          c.fail(p, 'a method directive (.stack, .locals, .descriptor, .exceptionTable) or an instruction', p);
      }
    }
    const word = c.next();
    if (word.kind !== 'ident' || word.sig !== undefined) c.fail(word, 'an instruction or a label', word);
    if (c.acceptPunct(':')) {
      labels.push(word.text);
      return;
    }
    if (!OPCODE_BY_NAME.has(word.text.toLowerCase())) c.fail(word, 'an instruction', `unknown mnemonic '${word.text}'`);
    m.code.push(instruction(c, word.text, labels, posOf(word)));
    labels = [];
  }, `method ${m.name}`);
  m.trailingLabels = labels;
  return m;
}

function instruction(c: Cursor, mnemonic: string, labels: string[], pos: InstructionAst['pos']): InstructionAst {
  const operands: OperandAst[] = [];
  for (;;) {
    const t = c.peek();
    if (t.kind === 'number') {
      c.next();
      operands.push({ kind: 'number', value: t.value!, pos: posOf(t) });
    } else if (t.kind === 'ident' && t.sig === undefined) {
      c.next();
      operands.push({ kind: 'label', name: t.text, pos: posOf(t) });
    } else {
      break;
    }
  }
  c.punct(';', `an operand or ';' after ${mnemonic}`);
  return { labels, mnemonic: mnemonic.toLowerCase(), operands, pos };
}

function exceptionEntry(c: Cursor): ExceptionEntryAst {
  const first = c.ident('the start label of an exception handler range');
  const end = c.ident('the end label of an exception handler range');
  const handler = c.ident('the handler label');
  const catchType = c.number('the catch type constant pool index', 0, 65535);
  c.punct(';', "';' after an exception table entry");
  return { start: first.text, end: end.text, handler: handler.text, catchType, pos: posOf(first) };
}
