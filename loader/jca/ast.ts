// The JCA syntax tree: what the text says, names unresolved. Names of this package's classes
// stay names; other packages' classes and members are given by tokens (`0.3`, `0.3.1`), the
// package token being an index into `.imports`. Every node keeps its source position so that
// the assembler can point at the text when something does not resolve.

import type { SourcePos } from './errors.ts';

/** A class or interface: one of this package (by simple name) or an imported one by tokens. */
export type ClassRefAst =
  | { kind: 'local'; name: string; pos: SourcePos }
  | { kind: 'external'; pkg: number; cls: number; pos: SourcePos };

/** A field type as JCA writes it: `short`, `byte[]`, `Shape`, `0.3[]`. */
export type TypeAst =
  | { kind: 'primitive'; name: 'boolean' | 'byte' | 'short' | 'int'; array: boolean }
  | { kind: 'class'; cls: ClassRefAst; array: boolean };

/** `.descriptor Ljavacard/framework/APDU; 0.10;`: which imported class a descriptor's name means. */
export interface DescriptorBinding {
  descriptor: string;
  cls: ClassRefAst;
  pos: SourcePos;
}

export type CpKind =
  | 'classRef'
  | 'instanceFieldRef'
  | 'staticFieldRef'
  | 'virtualMethodRef'
  | 'superMethodRef'
  | 'staticMethodRef';

/** A member of this package (`EchoApplet/kept`) or of another by tokens (`0.3.1`). */
export type MemberRefAst =
  | { kind: 'local'; cls: string; name: string }
  | { kind: 'external'; pkg: number; cls: number; token: number };

export type CpEntryAst =
  | { kind: 'classRef'; cls: ClassRefAst; pos: SourcePos }
  | {
      kind: 'instanceFieldRef' | 'staticFieldRef';
      type: TypeAst;
      member: MemberRefAst;
      pos: SourcePos;
    }
  | {
      kind: 'virtualMethodRef' | 'superMethodRef' | 'staticMethodRef';
      member: MemberRefAst;
      /** Method descriptor, e.g. `(Ljavacard/framework/APDU;[B)V`. */
      sig: string;
      bindings: DescriptorBinding[];
      pos: SourcePos;
    };

export interface ImportAst {
  aid: Uint8Array;
  major: number;
  minor: number;
  pos: SourcePos;
}

export interface AppletAst {
  aid: Uint8Array;
  className: string;
  pos: SourcePos;
}

/** Access and modifier keywords, as written. */
export type Modifier = 'public' | 'protected' | 'private' | 'static' | 'final' | 'abstract';

export interface FieldAst {
  modifiers: Modifier[];
  type: TypeAst;
  name: string;
  /** Instance fields and exported static fields carry a token; other statics do not. */
  token?: number;
  /** `= 5` or `= {1,2,3}` (static fields only). */
  init?: { kind: 'value'; value: number } | { kind: 'array'; values: number[] };
  pos: SourcePos;
}

/** One row of `.publicMethodTable` / `.packageMethodTable`. */
export interface MethodTableEntryAst {
  name: string;
  sig: string;
  /** CAP 2.3: public_virtual_method_token_mapping value written after the signature. */
  mapping?: number;
  pos: SourcePos;
}

export interface MethodTableAst {
  base: number;
  /** CAP 2.3 `.publicMethodTable base count`: CAP22_inheritable_public_method_token_count. */
  inheritableCount?: number;
  entries: MethodTableEntryAst[];
  pos: SourcePos;
}

export interface ImplementedInterfaceAst {
  iface: ClassRefAst;
  /** Virtual method tokens of the class, in interface method token order (may be omitted). */
  indices: number[];
  pos: SourcePos;
}

export type OperandAst =
  | { kind: 'number'; value: number; pos: SourcePos }
  | { kind: 'label'; name: string; pos: SourcePos };

export interface InstructionAst {
  labels: string[];
  mnemonic: string;
  operands: OperandAst[];
  pos: SourcePos;
}

export interface ExceptionEntryAst {
  start: string;
  end: string;
  handler: string;
  /** Constant pool index of the caught class, 0 for any (finally). */
  catchType: number;
  pos: SourcePos;
}

export interface MethodAst {
  modifiers: Modifier[];
  name: string;
  sig: string;
  token?: number;
  stack: number;
  locals: number;
  bindings: DescriptorBinding[];
  code: InstructionAst[];
  /** Labels that follow the last instruction (rare; end of code). */
  trailingLabels: string[];
  exceptions: ExceptionEntryAst[];
  pos: SourcePos;
}

export interface ClassAst {
  isInterface: boolean;
  modifiers: Modifier[];
  name: string;
  token?: number;
  shareable: boolean;
  remote: boolean;
  /** Classes: the superclass. Interfaces: none. */
  superClass?: ClassRefAst;
  /** Interfaces: `.superInterfaces`; classes: `implements` (if written). */
  superInterfaces: ClassRefAst[];
  fields: FieldAst[];
  publicMethodTable?: MethodTableAst;
  packageMethodTable?: MethodTableAst;
  interfaceTable: ImplementedInterfaceAst[];
  methods: MethodAst[];
  pos: SourcePos;
}

export interface PackageAst {
  /** Internal form, e.g. `conformance/echo`. */
  name: string;
  aid: Uint8Array;
  major: number;
  minor: number;
  imports: ImportAst[];
  applets: AppletAst[];
  constantPool: CpEntryAst[];
  classes: ClassAst[];
  pos: SourcePos;
}
