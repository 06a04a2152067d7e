// The small bookkeeping components: Header (JCVM 6.4), Directory (6.5), Applet (6.6) and
// Import (6.7), in their compact forms for CAP format 2.1, 2.2 and 2.3.

import type { AppletComponent, DirectoryComponent, HeaderComponent, ImportComponent } from '../components.ts';
import { ComponentTag, PackageFlags } from '../components.ts';
import { type DecodeContext, formatHex16, openComponent, readAid, readPackageInfo } from './common.ts';

export const CAP_MAGIC = 0xdecaffed;

/** ACC_EXTENDED (JCVM 3.1 6.4): the extended CAP format, which this loader does not read. */
export const ACC_EXTENDED = 0x08;

export function decodeHeader(bytes: Uint8Array): HeaderComponent {
  const r = openComponent(bytes, ComponentTag.Header);
  const magicAt = r.offset;
  const magic = r.u4('magic');
  if (magic !== CAP_MAGIC) r.fail(`bad magic 0x${magic.toString(16).toUpperCase()}, expected 0xDECAFFED`, magicAt);
  const versionAt = r.offset;
  const minor_version = r.u1('minor_version');
  const major_version = r.u1('major_version');
  // 6.4: major 2; minor 1 (JC 2.1/3.0.x), 2 (remote interfaces, JC 2.2) or 3 (JC 3.1).
  if (major_version !== 2 || minor_version < 1 || minor_version > 3) {
    r.fail(`unsupported CAP format version ${major_version}.${minor_version} (expected 2.1, 2.2 or 2.3)`, versionAt);
  }
  const flagsAt = r.offset;
  const flags = r.u1('flags');
  if (flags & ACC_EXTENDED) r.fail('ACC_EXTENDED: the extended CAP format is not supported', flagsAt);
  const known = PackageFlags.ACC_INT | PackageFlags.ACC_EXPORT | PackageFlags.ACC_APPLET;
  if (flags & ~known) r.fail(`flags 0x${flags.toString(16)} has reserved bits set`, flagsAt);
  const pkg = readPackageInfo(r, 'package');
  // package_name_info exists since CAP 2.2 (6.4); 2.3 converters always write it (often empty).
  let package_name = '';
  if (minor_version >= 3 || (minor_version === 2 && r.remaining > 0)) {
    const len = r.u1('package_name name_length');
    package_name = new TextDecoder().decode(r.bytesView(len, 'package_name name'));
  }
  r.expectEnd('the Header component');
  return { magic, minor_version, major_version, flags, package: pkg, package_name };
}

/**
 * component_sizes holds 11 u2 sizes in CAP 2.1 (Header..Descriptor), a 12th for Debug in 2.2,
 * and in 2.3 a 13th, Static_Resource_Component_Size, which is a u4 (JCVM 3.1 6.5,
 * component_size_info_compact) — the two bytes a 2.3 Directory has beyond 13 u2s.
 */
export function decodeDirectory(bytes: Uint8Array, ctx: DecodeContext): DirectoryComponent {
  const r = openComponent(bytes, ComponentTag.Directory);
  const count = ctx.atLeast(3) ? 13 : ctx.atLeast(2) ? 12 : 11;
  const component_sizes: number[] = [];
  for (let i = 0; i < count; i++) {
    component_sizes.push(i === 12 ? r.u4('Static_Resource_Component_Size') : r.u2('component_sizes'));
  }
  if (component_sizes[ComponentTag.Directory - 1] !== bytes.length - 3) {
    r.fail(`component_sizes gives the Directory ${component_sizes[1]} byte(s), it has ${bytes.length - 3}`, 5);
  }
  const static_field_size = {
    image_size: r.u2('static_field_size image_size'),
    array_init_count: r.u2('static_field_size array_init_count'),
    array_init_size: r.u2('static_field_size array_init_size'),
  };
  const import_count = r.u1('import_count');
  const applet_count = r.u1('applet_count');
  const customAt = r.offset;
  const custom_count = r.u1('custom_count');
  if (custom_count > 127) r.fail(`custom_count ${custom_count} is above 127`, customAt);
  const custom_components = [];
  for (let i = 0; i < custom_count; i++) {
    const at = r.offset;
    const component_tag = r.u1('custom component_tag');
    // 6.5: tags 128..255 are for custom components.
    if (component_tag < 128) r.fail(`custom component_tag ${component_tag} is not in 128..255`, at);
    const size = r.u2('custom component size');
    const AID = readAid(r, 'custom component');
    custom_components.push({ component_tag, size, AID });
  }
  r.expectEnd('the Directory component');
  return { component_sizes, static_field_size, import_count, applet_count, custom_components };
}

export function decodeApplet(bytes: Uint8Array, ctx: DecodeContext): AppletComponent {
  const r = openComponent(bytes, ComponentTag.Applet);
  const countAt = r.offset;
  const count = r.u1('count');
  if (count === 0) r.fail('count is 0: a package without applets has no Applet component', countAt);
  const applets = [];
  for (let i = 0; i < count; i++) {
    const AID = readAid(r, `applet ${i}`);
    const at = r.offset;
    const install_method_offset = r.u2('install_method_offset');
    ctx.later(r.component, at, (f) =>
      f.methodStarts.has(install_method_offset)
        ? undefined
        : `applet ${i}: install_method_offset ${formatHex16(install_method_offset)} is not the offset of a method in the Method component`,
    );
    applets.push({ AID, install_method_offset });
  }
  r.expectEnd('the Applet component');
  return { applets };
}

export function decodeImport(bytes: Uint8Array): ImportComponent {
  const r = openComponent(bytes, ComponentTag.Import);
  const countAt = r.offset;
  const count = r.u1('count');
  // Package tokens are 0..127 (JCVM 4.3.7.1), so at most 128 imports.
  if (count > 128) r.fail(`count ${count} is above 128`, countAt);
  const packages = [];
  for (let i = 0; i < count; i++) packages.push(readPackageInfo(r, `package ${i}`));
  r.expectEnd('the Import component');
  return { packages };
}
