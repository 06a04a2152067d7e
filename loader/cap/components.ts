// Typed records of the CAP file components (JCVM spec 3.0.5 chapter 6, 3.1 chapter 6,
// compact format). Field names follow the specification. Offsets that other components
// use to refer into a component (class_ref offsets into the Class component, method
// offsets into the Method component) are kept as they are in the file: the linker resolves them.

export const ComponentTag = {
  Header: 1,
  Directory: 2,
  Applet: 3,
  Import: 4,
  ConstantPool: 5,
  Class: 6,
  Method: 7,
  StaticField: 8,
  ReferenceLocation: 9,
  Export: 10,
  Descriptor: 11,
  Debug: 12,
  StaticResources: 13,
} as const;

export const COMPONENT_NAMES: Record<number, string> = {
  1: 'Header',
  2: 'Directory',
  3: 'Applet',
  4: 'Import',
  5: 'ConstantPool',
  6: 'Class',
  7: 'Method',
  8: 'StaticField',
  9: 'RefLocation',
  10: 'Export',
  11: 'Descriptor',
  12: 'Debug',
  13: 'StaticResources',
};

/** Header flags (JCVM 6.4). */
export const PackageFlags = { ACC_INT: 0x01, ACC_EXPORT: 0x02, ACC_APPLET: 0x04 } as const;

export interface PackageInfo {
  minor_version: number;
  major_version: number;
  AID: Uint8Array;
}

export interface HeaderComponent {
  magic: number; // 0xDECAFFED
  minor_version: number; // CAP format minor: 1, 2 or 3
  major_version: number; // CAP format major: 2
  flags: number;
  package: PackageInfo;
  /** package_name_info (CAP 2.2 and later); '' when absent or empty. */
  package_name: string;
}

export interface CustomComponentInfo {
  component_tag: number;
  size: number;
  AID: Uint8Array;
}

export interface DirectoryComponent {
  /** Indexed by tag - 1 (Header first). 11 entries in 2.1, 12 in 2.2, 13 in 2.3. */
  component_sizes: number[];
  static_field_size: { image_size: number; array_init_count: number; array_init_size: number };
  import_count: number;
  applet_count: number;
  custom_components: CustomComponentInfo[];
}

export interface AppletInfo {
  AID: Uint8Array;
  /** Offset into the Method component's info of the static install(byte[],short,byte) method. */
  install_method_offset: number;
}

export interface AppletComponent {
  applets: AppletInfo[];
}

export interface ImportComponent {
  packages: PackageInfo[];
}

/** A class reference as it appears in the constant pool, Class and Descriptor components. */
export type ClassRef =
  | { kind: 'internal'; offset: number } // offset into the Class component's info
  | { kind: 'external'; package_token: number; class_token: number }; // package index into Import

export const CpTag = {
  Classref: 1,
  InstanceFieldref: 2,
  VirtualMethodref: 3,
  SuperMethodref: 4,
  StaticFieldref: 5,
  StaticMethodref: 6,
} as const;

export type StaticRef =
  | { kind: 'internal'; offset: number } // into the static field image or the Method component
  | { kind: 'external'; package_token: number; class_token: number; token: number };

export type CpEntry =
  | { tag: 1; class_ref: ClassRef }
  | { tag: 2; class_ref: ClassRef; token: number }
  | { tag: 3; class_ref: ClassRef; token: number }
  | { tag: 4; class_ref: ClassRef; token: number }
  | { tag: 5; ref: StaticRef }
  | { tag: 6; ref: StaticRef };

export interface ConstantPoolComponent {
  constant_pool: CpEntry[];
}

export const ClassFlags = { ACC_INTERFACE: 0x8, ACC_SHAREABLE: 0x4, ACC_REMOTE: 0x2 } as const;

export interface InterfaceInfo {
  /** Offset of this record within the Class component's info (what class_refs point at). */
  offset: number;
  flags: number; // high nibble of the bitfield
  superinterfaces: ClassRef[];
  interface_name?: string; // ACC_REMOTE only
}

export interface ImplementedInterfaceInfo {
  interface: ClassRef;
  index: number[]; // virtual method tokens of this class, in interface method token order
}

export interface ClassInfo {
  offset: number;
  flags: number;
  /** null for java.lang.Object itself (0xFFFF). */
  super_class_ref: ClassRef | null;
  declared_instance_size: number;
  first_reference_token: number;
  reference_count: number;
  public_method_table_base: number;
  public_method_table_count: number;
  package_method_table_base: number;
  package_method_table_count: number;
  /** Method component offsets (0xFFFF = inherited / not in this package). */
  public_virtual_method_table: number[];
  package_virtual_method_table: number[];
  interfaces: ImplementedInterfaceInfo[];
  /** ACC_REMOTE classes only: raw remote_interface_info. */
  remote_interfaces?: Uint8Array;
  /** CAP 2.3 only. */
  public_virtual_method_token_mapping?: number[];
  CAP22_inheritable_public_method_token_count?: number;
}

export interface ClassComponent {
  /** CAP 2.2+: raw type descriptors of remote method signatures (empty in 2.1). */
  signature_pool: Uint8Array;
  /** The signature pool decoded, keyed by offset within signature_pool (see TypeDescriptorInfo.decoded). */
  signature_pool_types?: Map<number, string[]>;
  interfaces: InterfaceInfo[];
  classes: ClassInfo[];
}

export const MethodFlags = { ACC_EXTENDED: 0x8, ACC_ABSTRACT: 0x4 } as const;

/** Offsets are into the Method component's info (JCVM 6.10). */
export interface ExceptionHandlerInfo {
  start_offset: number;
  stop_bit: boolean;
  active_length: number;
  handler_offset: number;
  /** Constant pool index of a Classref, or 0 for a finally (catch-all) handler. */
  catch_type_index: number;
}

export interface MethodInfo {
  /** Offset of the method header within the Method component's info (what refs point at). */
  offset: number;
  flags: number;
  max_stack: number;
  nargs: number;
  max_locals: number;
  /** Offset of the first bytecode within the Method component's info. */
  code_offset: number;
  bytecodes: Uint8Array;
  /** The Descriptor component's entry for this method (loader/cap fills it). */
  descriptor?: MethodDescriptorInfo;
  /** Info offset of the owning class record in the Class component, from the Descriptor. */
  class_offset?: number;
}

export interface MethodComponent {
  exception_handlers: ExceptionHandlerInfo[];
  /** Methods, in file order, delimited with the help of the Descriptor component. */
  methods: MethodInfo[];
  /** The whole info (everything after tag and size), which method offsets index. */
  info: Uint8Array;
}

export interface ArrayInitInfo {
  type: number; // 2 boolean, 3 byte, 4 short, 5 int
  values: Uint8Array; // raw big-endian element bytes
}

export interface StaticFieldComponent {
  image_size: number;
  reference_count: number;
  array_init: ArrayInitInfo[];
  default_value_count: number;
  non_default_values: Uint8Array;
}

export interface RefLocationComponent {
  /** Method component info offsets of one-byte constant-pool indices (decoded from deltas). */
  byte_index_offsets: number[];
  /** Method component info offsets of two-byte constant-pool indices. */
  byte2_index_offsets: number[];
}

export interface ClassExportInfo {
  class_offset: number;
  static_field_offsets: number[];
  static_method_offsets: number[];
}

export interface ExportComponent {
  class_exports: ClassExportInfo[];
}

export interface FieldDescriptorInfo {
  token: number;
  access_flags: number;
  /** Static fields: a StaticRef; instance fields: class ref + token. */
  field_ref: { kind: 'static'; ref: StaticRef } | { kind: 'instance'; class_ref: ClassRef; token: number };
  /** Primitive: 0x8000 | type code; else offset into type_descriptor_info. */
  type: number;
}

export interface MethodDescriptorInfo {
  token: number;
  access_flags: number;
  method_offset: number;
  type_offset: number;
  bytecode_count: number;
  exception_handler_count: number;
  exception_handler_index: number;
}

export interface ClassDescriptorInfo {
  token: number;
  access_flags: number;
  this_class_ref: ClassRef;
  interfaces: ClassRef[];
  fields: FieldDescriptorInfo[];
  methods: MethodDescriptorInfo[];
}

export interface TypeDescriptorInfo {
  /** Type offsets (into the types area) of each constant pool entry; 0xFFFF where none. */
  constant_pool_types: number[];
  /**
   * Decoded type descriptors keyed by their offset within type_descriptor_info (the value
   * type_offset and constant_pool_types hold): "(Ljavacard/framework/APDU;[B)V" style, with
   * class references written as L<package token>.<class token>; (external) or L@<offset>;
   * (this package's Class component). A descriptor used by a method is written in method form.
   */
  type_desc: Map<number, string>;
  /** The same descriptors as lists of types (parameters then return type for a method). */
  decoded?: Map<number, string[]>;
}

/**
 * class_descriptor_info access_flags (JCVM 6.14): ACC_PUBLIC, ACC_FINAL, ACC_INTERFACE (0x40),
 * ACC_ABSTRACT (0x80), ACC_SHAREABLE / ACC_REMOTE (0x20). For fields and methods use
 * MemberAccess: there ACC_ABSTRACT is 0x40 and 0x80 is ACC_INIT.
 */
export const DescriptorAccess = {
  ACC_PUBLIC: 0x01,
  ACC_PRIVATE: 0x02,
  ACC_PROTECTED: 0x04,
  ACC_STATIC: 0x08,
  ACC_FINAL: 0x10,
  ACC_INTERFACE: 0x40,
  ACC_ABSTRACT: 0x80,
  ACC_SHAREABLE: 0x20,
  ACC_REMOTE: 0x20,
  ACC_INIT: 0x80,
} as const;

/** field_descriptor_info and method_descriptor_info access_flags (JCVM 6.14). */
export const MemberAccess = {
  ACC_PUBLIC: 0x01,
  ACC_PRIVATE: 0x02,
  ACC_PROTECTED: 0x04,
  ACC_STATIC: 0x08,
  ACC_FINAL: 0x10,
  ACC_ABSTRACT: 0x40,
  ACC_INIT: 0x80,
} as const;

export interface DescriptorComponent {
  classes: ClassDescriptorInfo[];
  types: TypeDescriptorInfo;
}

export interface StaticResourcesComponent {
  resources: { id: number; data: Uint8Array }[];
}

/** A whole decoded CAP file. */
export interface CapFile {
  header: HeaderComponent;
  directory: DirectoryComponent;
  applet?: AppletComponent;
  import: ImportComponent;
  constantPool: ConstantPoolComponent;
  class: ClassComponent;
  method: MethodComponent;
  staticField: StaticFieldComponent;
  refLocation: RefLocationComponent;
  export?: ExportComponent;
  /** Absent when the CAP file came without one (JCVM 6.14: not required for execution). */
  descriptor?: DescriptorComponent;
  debug?: Uint8Array; // kept raw
  staticResources?: StaticResourcesComponent;
  /** Every component's bytes as read (tag, size, info), keyed by tag. */
  raw: Map<number, Uint8Array>;
  /** META-INF/javacard.xml and APPLET-INF/applet.xml as parsed, when the archive had them. */
  descriptors?: { javacardXml?: unknown; appletXml?: unknown; applets: { aid: string; className: string }[] };
  /** The package name from the archive path (e.g. "conformance/echo"), when known. */
  packagePath?: string;
}
