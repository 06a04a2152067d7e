// Decoding a whole CAP file from its components (JCVM 3.0.5 / 3.1 chapter 6, compact format,
// CAP format 2.1, 2.2 and 2.3): each component is decoded on its own (decode/*.ts), then the
// references between components and the Directory's bookkeeping are checked here.

import { CapFormatError, hex } from '../bytes.ts';
import type { CapFile, ClassRef } from './components.ts';
import { ComponentTag, PackageFlags } from './components.ts';
import { knownMethodStarts, splitMethodsWithout } from './decode/boundaries.ts';
import { decodeClass } from './decode/class.ts';
import { componentName, DecodeContext, formatHex16, infoBase } from './decode/common.ts';
import { decodeConstantPool } from './decode/constantPool.ts';
import { decodeDescriptor, markMethodTypes } from './decode/descriptor.ts';
import { decodeExport } from './decode/export.ts';
import { decodeApplet, decodeDirectory, decodeHeader, decodeImport } from './decode/header.ts';
import { decodeMethod } from './decode/method.ts';
import { checkCode, splitMethods } from './decode/methods.ts';
import { decodeDebug, decodeStaticResources } from './decode/other.ts';
import { decodeRefLocation } from './decode/refLocation.ts';
import { decodeStaticField } from './decode/staticField.ts';

export { decodeClass } from './decode/class.ts';
export { DecodeContext, type CapVersion, type CrossFacts } from './decode/common.ts';
export { decodeConstantPool } from './decode/constantPool.ts';
export { decodeDescriptor } from './decode/descriptor.ts';
export { decodeExport } from './decode/export.ts';
export { decodeApplet, decodeDirectory, decodeHeader, decodeImport } from './decode/header.ts';
export { decodeMethod } from './decode/method.ts';
export { checkCode, splitMethods } from './decode/methods.ts';
export { decodeDebug, decodeStaticResources } from './decode/other.ts';
export { decodeRefLocation } from './decode/refLocation.ts';
export { decodeStaticField } from './decode/staticField.ts';

/**
 * Components a CAP file needs here (JCVM 6.1, table 6-1); Applet and Export depend on the Header
 * flags. The Descriptor is optional (6.14: not required for execution; scriptgen never sends it):
 * without it method boundaries are derived from the other components (decode/boundaries.ts).
 */
export const REQUIRED_COMPONENTS = [
  ComponentTag.Header,
  ComponentTag.Directory,
  ComponentTag.Import,
  ComponentTag.ConstantPool,
  ComponentTag.Class,
  ComponentTag.Method,
  ComponentTag.StaticField,
  ComponentTag.ReferenceLocation,
];

/** Components the Directory may list that need not be loaded (JCVM 6.14, 6.16). */
const OPTIONAL_IN_DOWNLOAD = new Set<number>([ComponentTag.Descriptor, ComponentTag.Debug]);

function missing(tag: number, why = 'required component is missing'): never {
  throw new CapFormatError(componentName(tag), 0, why);
}

/** Decodes and cross-checks a CAP file given as its components' bytes (tag, size, info) by tag. */
export function decodeCap(components: Map<number, Uint8Array>): CapFile {
  const get = (tag: number): Uint8Array => components.get(tag) ?? missing(tag);
  const header = decodeHeader(get(ComponentTag.Header));
  const ctx = new DecodeContext({ major: header.major_version, minor: header.minor_version });
  for (const tag of REQUIRED_COMPONENTS) get(tag);
  const hasApplet = (header.flags & PackageFlags.ACC_APPLET) !== 0;
  const hasExport = (header.flags & PackageFlags.ACC_EXPORT) !== 0;
  if (hasApplet) get(ComponentTag.Applet);
  else if (components.has(ComponentTag.Applet)) missing(ComponentTag.Applet, 'present, but the Header flags lack ACC_APPLET');
  if (hasExport) get(ComponentTag.Export);
  else if (components.has(ComponentTag.Export)) missing(ComponentTag.Export, 'present, but the Header flags lack ACC_EXPORT');

  const directory = decodeDirectory(get(ComponentTag.Directory), ctx);
  checkDirectorySizes(components, directory.component_sizes, directory.custom_components);

  const imports = decodeImport(get(ComponentTag.Import));
  const sizesEnd = 3 + (directory.component_sizes.length === 13 ? 28 : directory.component_sizes.length * 2);
  if (directory.import_count !== imports.packages.length) {
    throw new CapFormatError('Directory', sizesEnd + 6, `import_count ${directory.import_count} differs from the Import component's count ${imports.packages.length}`);
  }
  const applet = hasApplet ? decodeApplet(get(ComponentTag.Applet), ctx) : undefined;
  const appletCount = applet?.applets.length ?? 0;
  if (directory.applet_count !== appletCount) {
    throw new CapFormatError('Directory', sizesEnd + 7, `applet_count ${directory.applet_count} differs from the Applet component's count ${appletCount}`);
  }
  if (applet) checkAppletAids(applet.applets.map((a) => a.AID), header.package.AID);

  const cls = decodeClass(get(ComponentTag.Class), ctx);
  const staticField = decodeStaticField(get(ComponentTag.StaticField));
  const sfs = directory.static_field_size;
  const arrayInitSize = staticField.array_init.reduce((n, a) => n + a.values.length, 0);
  if (
    sfs.image_size !== staticField.image_size ||
    sfs.array_init_count !== staticField.array_init.length ||
    sfs.array_init_size !== arrayInitSize
  ) {
    throw new CapFormatError(
      'Directory',
      sizesEnd,
      `static_field_size (${sfs.image_size}, ${sfs.array_init_count}, ${sfs.array_init_size}) differs from the Static Field component (${staticField.image_size}, ${staticField.array_init.length}, ${arrayInitSize})`,
    );
  }
  const method = decodeMethod(get(ComponentTag.Method), ctx);
  const descriptorBytes = components.get(ComponentTag.Descriptor);
  const descriptor = descriptorBytes ? decodeDescriptor(descriptorBytes, ctx) : undefined;
  const constantPool = decodeConstantPool(get(ComponentTag.ConstantPool), ctx);
  const refLocation = decodeRefLocation(get(ComponentTag.ReferenceLocation), ctx);
  const exp = hasExport ? decodeExport(get(ComponentTag.Export), ctx) : undefined;
  const debugBytes = components.get(ComponentTag.Debug);
  const resourceBytes = components.get(ComponentTag.StaticResources);

  const methodStarts = descriptor
    ? splitMethods(method, descriptor)
    : splitMethodsWithout(
        method,
        knownMethodStarts({
          cls,
          cp: constantPool.constant_pool,
          installs: applet?.applets.map((a) => a.install_method_offset) ?? [],
          exported: exp?.class_exports.flatMap((c) => c.static_method_offsets) ?? [],
        }),
      );
  if (descriptor) markMethodTypes(descriptor.types, constantPool.constant_pool.map((e) => e.tag));
  const classRecords = new Map<number, 'class' | 'interface'>();
  for (const i of cls.interfaces) classRecords.set(i.offset, 'interface');
  for (const c of cls.classes) classRecords.set(c.offset, 'class');
  ctx.finish({
    importCount: imports.packages.length,
    classRecords,
    methodStarts,
    methodInfoSize: method.info.length,
    staticImageSize: staticField.image_size,
    cp: constantPool.constant_pool,
  });
  if (descriptor) checkDescribedClasses(classRecords, descriptor.classes.map((c) => c.this_class_ref));
  const refs = checkCode(method, constantPool.constant_pool, header.flags);
  checkRefLocations(refLocation.byte_index_offsets, refs.byteIndices, new Set(), 'offsets_to_byte_indices', 3);
  checkRefLocations(
    refLocation.byte2_index_offsets,
    refs.byte2Indices,
    refs.unusedIndices,
    'offsets_to_byte2_indices',
    3 + 2 + rawCount(get(ComponentTag.ReferenceLocation)),
  );

  const cap: CapFile = {
    header,
    directory,
    import: imports,
    constantPool,
    class: cls,
    method,
    staticField,
    refLocation,
    raw: new Map(components),
  };
  if (descriptor) cap.descriptor = descriptor;
  if (applet) cap.applet = applet;
  if (exp) cap.export = exp;
  if (debugBytes) cap.debug = decodeDebug(debugBytes);
  if (resourceBytes) cap.staticResources = decodeStaticResources(resourceBytes);
  return cap;
}

/** byte_index_count of a Reference Location component (its first u2). */
function rawCount(bytes: Uint8Array): number {
  return (bytes[3]! << 8) | bytes[4]!;
}

/**
 * 6.5: each component_sizes entry is that component's size (its info), 0 when absent; custom
 * components are listed with their sizes too. Only the components the format knows may appear.
 */
function checkDirectorySizes(
  components: Map<number, Uint8Array>,
  sizes: number[],
  custom: { component_tag: number; size: number }[],
): void {
  for (const [tag, bytes] of components) {
    if (tag >= 128) {
      const c = custom.find((x) => x.component_tag === tag);
      if (!c) throw new CapFormatError('Directory', 0, `custom component ${tag} is not listed in custom_components`);
      if (c.size !== bytes.length - 3) throw new CapFormatError('Directory', 0, `custom component ${tag}: size ${c.size} differs from its actual ${bytes.length - 3}`);
      continue;
    }
    if (tag < 1 || tag > sizes.length) {
      throw new CapFormatError(componentName(tag), 0, `component tag ${tag} is not defined in CAP format 2.${sizes.length - 10}`);
    }
  }
  for (let tag = 1; tag <= sizes.length; tag++) {
    const bytes = components.get(tag);
    const actual = bytes ? bytes.length - infoBase(tag) : 0;
    // The Descriptor and Debug components may be left out of a download (JCVM 6.14, 6.16;
    // scriptgen sends neither) while the Directory still gives their sizes.
    if (!bytes && OPTIONAL_IN_DOWNLOAD.has(tag)) continue;
    if (sizes[tag - 1] !== actual) {
      const at = 3 + 2 * (tag - 1);
      throw new CapFormatError(
        'Directory',
        at,
        `component_sizes gives ${componentName(tag)} ${sizes[tag - 1]} byte(s), the component has ${bytes ? actual : 'none (absent)'}`,
      );
    }
  }
}

/** 6.6: applet AIDs are distinct and share the package AID's RID (first 5 bytes). */
function checkAppletAids(aids: Uint8Array[], packageAid: Uint8Array): void {
  const seen = new Set<string>();
  aids.forEach((aid, i) => {
    const key = hex(aid);
    if (seen.has(key)) throw new CapFormatError('Applet', 0, `applet ${i}: AID ${key} appears twice`);
    seen.add(key);
    if (hex(aid.subarray(0, 5)) !== hex(packageAid.subarray(0, 5))) {
      throw new CapFormatError('Applet', 0, `applet ${i}: AID ${key} does not have the package's RID ${hex(packageAid.subarray(0, 5))}`);
    }
  });
}

/** 6.14: the Descriptor describes every class and interface of the Class component once. */
function checkDescribedClasses(records: Map<number, string>, refs: ClassRef[]): void {
  const described = new Set<number>();
  for (const ref of refs) {
    if (ref.kind !== 'internal') continue;
    if (described.has(ref.offset)) throw new CapFormatError('Descriptor', 0, `class ${formatHex16(ref.offset)} is described twice`);
    described.add(ref.offset);
  }
  for (const [offset, kind] of records) {
    if (!described.has(offset)) throw new CapFormatError('Descriptor', 0, `${kind} ${formatHex16(offset)} of the Class component has no descriptor`);
  }
}

/**
 * 6.12: the Reference Location component lists exactly the constant-pool indices in the
 * Method component. Unused indices (checkcast of a primitive array type) may be listed or not.
 */
function checkRefLocations(listed: number[], found: Set<number>, optional: Set<number>, what: string, at: number): void {
  const set = new Set(listed);
  for (const o of listed) {
    if (!found.has(o) && !optional.has(o)) {
      throw new CapFormatError('RefLocation', at, `${what}: Method offset ${o} is not a constant-pool index operand`);
    }
  }
  for (const o of [...found].sort((a, b) => a - b)) {
    if (!set.has(o)) throw new CapFormatError('RefLocation', at, `${what}: the constant-pool index at Method offset ${o} is not listed`);
  }
}

