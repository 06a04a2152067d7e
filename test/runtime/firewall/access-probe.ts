// The probe applet of the firewall access tests: one method per access to an object given by
// handle in the command data (FOREIGN), per store of an entry point or global array (STORES),
// and the allowed paths (INS 40-46). See setup.ts for the card around it.

import type { ProbeApplet } from '../api/probe.ts';
import { field } from '../api/probe.ts';
import { fcp, HANDLE, RECEIVE } from './setup.ts';

const ARR = 'byte[] arr', OBJ = '1.0 obj', CNT = 'short cnt', BIG = 'int big';
const SREF = 'staticFieldRef byte[] Probe/sref;';
const P1 = 'aload_2; sconst_2; baload;';
const ret0 = 'sconst_0; sreturn;';
/** A forged reference (the handle in the data) in local 4. */
const FORGED = `${RECEIVE} ${HANDLE} astore 4;`;

/** Accesses to the object whose handle is the command data: each must be refused for another context's object. */
export const FOREIGN: Record<string, { ins: number; code: string }> = {
  getfield_a: { ins: 0x50, code: `aload 4; getfield_a ${field(OBJ)}; pop; ${ret0}` },
  getfield_b: { ins: 0x51, code: `aload 4; getfield_b ${field(CNT)}; pop; ${ret0}` },
  getfield_s: { ins: 0x52, code: `aload 4; getfield_s ${field(CNT)}; pop; ${ret0}` },
  getfield_i: { ins: 0x53, code: `aload 4; getfield_i ${field(BIG)}; pop2; ${ret0}` },
  getfield_a_w: { ins: 0x54, code: `aload 4; getfield_a_w ${field(OBJ)}; pop; ${ret0}` },
  getfield_s_w: { ins: 0x55, code: `aload 4; getfield_s_w ${field(CNT)}; pop; ${ret0}` },
  getfield_a_this: { ins: 0x56, code: `aload 4; astore_0; getfield_a_this ${field(ARR)}; pop; ${ret0}` },
  getfield_s_this: { ins: 0x57, code: `aload 4; astore_0; getfield_s_this ${field(CNT)}; pop; ${ret0}` },
  getfield_i_this: { ins: 0x58, code: `aload 4; astore_0; getfield_i_this ${field(BIG)}; pop2; ${ret0}` },
  putfield_a: { ins: 0x59, code: `aload 4; aconst_null; putfield_a ${field(ARR)}; ${ret0}` },
  putfield_b: { ins: 0x5a, code: `aload 4; sconst_1; putfield_b ${field(CNT)}; ${ret0}` },
  putfield_s: { ins: 0x5b, code: `aload 4; sconst_1; putfield_s ${field(CNT)}; ${ret0}` },
  putfield_i: { ins: 0x5c, code: `aload 4; iconst_1; putfield_i ${field(BIG)}; ${ret0}` },
  putfield_s_w: { ins: 0x5d, code: `aload 4; sconst_1; putfield_s_w ${field(CNT)}; ${ret0}` },
  putfield_a_this: { ins: 0x5e, code: `aload 4; astore_0; aconst_null; putfield_a_this ${field(ARR)}; ${ret0}` },
  putfield_s_this: { ins: 0x5f, code: `aload 4; astore_0; sconst_1; putfield_s_this ${field(CNT)}; ${ret0}` },
  putfield_i_this: { ins: 0x60, code: `aload 4; astore_0; iconst_1; putfield_i_this ${field(BIG)}; ${ret0}` },
  baload: { ins: 0x61, code: `aload 4; sconst_0; baload; pop; ${ret0}` },
  saload: { ins: 0x62, code: `aload 4; sconst_0; saload; pop; ${ret0}` },
  aaload: { ins: 0x63, code: `aload 4; sconst_0; aaload; pop; ${ret0}` },
  iaload: { ins: 0x64, code: `aload 4; sconst_0; iaload; pop2; ${ret0}` },
  bastore: { ins: 0x65, code: `aload 4; sconst_0; sconst_1; bastore; ${ret0}` },
  sastore: { ins: 0x66, code: `aload 4; sconst_0; sconst_1; sastore; ${ret0}` },
  aastore: { ins: 0x67, code: `aload 4; sconst_0; aconst_null; aastore; ${ret0}` },
  iastore: { ins: 0x68, code: `aload 4; sconst_0; iconst_1; iastore; ${ret0}` },
  arraylength: { ins: 0x69, code: `aload 4; arraylength; pop; ${ret0}` },
  invokevirtual: { ins: 0x6a, code: `aload 4; aconst_null; invokevirtual ${fcp('objectEquals')}; pop; ${ret0}` },
  'invokeinterface (not Shareable)': { ins: 0x6b, code: `aload 4; aload_2; sconst_0; sconst_1; invokeinterface 4 ${fcp('pinInterface')} 0; pop; ${ret0}` },
  invokespecial: { ins: 0x6c, code: `aload 4; invokespecial ${fcp('probeInit')}; ${ret0}` },
  'checkcast (class)': { ins: 0x6d, code: `aload 4; checkcast 0 ${fcp('appletClass')}; pop; ${ret0}` },
  'instanceof (class)': { ins: 0x6e, code: `aload 4; instanceof 0 ${fcp('appletClass')}; pop; ${ret0}` },
  'checkcast (byte[])': { ins: 0x6f, code: `aload 4; checkcast 11 0; pop; ${ret0}` },
  'instanceof (byte[])': { ins: 0x70, code: `aload 4; instanceof 11 0; pop; ${ret0}` },
  athrow: { ins: 0x71, code: `aload 4; athrow;` },
  'Util.arrayCopyNonAtomic from it': { ins: 0x72, code: `aload 4; sconst_0; aload_2; sconst_0; sconst_1; invokestatic ${fcp('arrayCopyNonAtomic')}; pop; ${ret0}` },
  'Util.arrayFillNonAtomic of it': { ins: 0x73, code: `aload 4; sconst_0; sconst_1; sconst_0; invokestatic ${fcp('arrayFillNonAtomic')}; pop; ${ret0}` },
};

/** Stores of JCRE temporary entry points and global arrays into the probe's own fields, arrays and statics. */
export const STORES: Record<string, { ins: number; code: string }> = {
  'putfield_a of the APDU buffer': { ins: 0x10, code: `aload_0; aload_2; putfield_a ${field(ARR)}; ${ret0}` },
  'putfield_a_this of the APDU object': { ins: 0x11, code: `aload_1; putfield_a_this ${field(OBJ)}; ${ret0}` },
  'putfield_a_w of the APDU buffer': { ins: 0x12, code: `aload_0; aload_2; putfield_a_w ${field(ARR)}; ${ret0}` },
  'aastore of the APDU buffer': { ins: 0x13, code: `sconst_1; anewarray @{.classRef 1.0;}; sconst_0; aload_2; aastore; ${ret0}` },
  'putstatic_a of the APDU buffer': { ins: 0x14, code: `aload_2; putstatic_a @{${SREF}}; ${ret0}` },
  'putstatic_a of a JCRE exception object': { ins: 0x15, code: `${FORGED} aload 4; putstatic_a @{${SREF}}; ${ret0}` },
  'putfield_a of a makeGlobalArray array': { ins: 0x16, code: `aload_0; sconst_2; sconst_4; invokestatic ${fcp('makeGlobalArray')}; checkcast 11 0; putfield_a ${field(ARR)}; ${ret0}` },
};

export const applet: ProbeApplet = {
  fields: [ARR, OBJ, CNT, BIG],
  statics: ['static byte[] sref'],
  probes: [
    ...Object.values(FOREIGN).map((p) => ({ ins: p.ins, code: `${FORGED} ${p.code}`, locals: 4 })),
    ...Object.values(STORES).map((p) => ({ ins: p.ins, code: p.code, locals: 4 })),
    // INS 40: obj = (FwService) getAppletShareableInterfaceObject(lookupAID(data), P1) -> [obj != null]
    {
      ins: 0x40,
      code: `${RECEIVE} aload_0; aload_2; sconst_5; sload_3; s2b; invokestatic ${fcp('lookupAID')}; ${P1} invokestatic ${fcp('getSIO')};
				checkcast 0 ${fcp('fwService')}; putfield_a ${field(OBJ)};
				aload_2; sconst_0; getfield_a_this ${field(OBJ)}; instanceof 0 ${fcp('fwService')}; bastore; sconst_1; sreturn;`,
    },
    // INS 41: obj.add(data[0..1], data[2..3]) -> 2 bytes
    {
      ins: 0x41,
      code: `${RECEIVE} aload_2; sconst_0; getfield_a_this ${field(OBJ)}; aload_2; sconst_5; invokestatic ${fcp('getShort')}; aload_2; bspush 7; invokestatic ${fcp('getShort')};
				invokeinterface 3 ${fcp('fwService')} 0; invokestatic ${fcp('setShort')}; sreturn;`,
    },
    // INS 42: a global array of 4 bytes (makeGlobalArray), [1] = 0x5A, read by the server: obj.peek(it, 1) -> 1 byte
    {
      ins: 0x42,
      code: `sconst_2; sconst_4; invokestatic ${fcp('makeGlobalArray')}; checkcast 11 0; astore_3;
				aload_3; sconst_1; bspush 90; bastore;
				aload_2; sconst_0; getfield_a_this ${field(OBJ)}; aload_3; sconst_1; invokeinterface 3 ${fcp('fwService')} 1; bastore; sconst_1; sreturn;`,
    },
    // INS 43: obj.peek(buf, P1P2 as short) -> the server reads the APDU buffer; out of range: AIOOBE crosses back
    {
      ins: 0x43,
      code: `aload_2; sconst_0; getfield_a_this ${field(OBJ)}; aload_2; aload_2; sconst_2; invokestatic ${fcp('getShort')}; invokeinterface 3 ${fcp('fwService')} 1; bastore; sconst_1; sreturn;`,
    },
    // INS 44: the JCRE's AID objects are permanent entry points: stored in a field, methods called -> getAID().getBytes
    {
      ins: 0x44,
      code: `aload_0; invokestatic ${fcp('getAID')}; putfield_a ${field(OBJ)};
				getfield_a_this ${field(OBJ)}; checkcast 0 ${fcp('aidClass')}; aload_2; sconst_0; invokevirtual ${fcp('aidGetBytes')}; sreturn;`,
      locals: 4,
    },
    // INS 45: invokevirtual of a JCRE exception object's method (an entry point): getReason of the handle given
    { ins: 0x45, code: `${FORGED} aload_2; sconst_0; aload 4; invokevirtual ${fcp('getReason')}; invokestatic ${fcp('setShort')}; sreturn;`, locals: 4 },
    // INS 47: the library's static field (another package's) written, then its static method: LibUtil.bump() -> 2 bytes
    {
      ins: 0x47,
      code: `getstatic_s @{staticFieldRef short 2.1.0;}; sconst_1; sadd; putstatic_s @{staticFieldRef short 2.1.0;};
				aload_2; sconst_0; invokestatic @{staticMethodRef 2.1.3()S;}; invokestatic ${fcp('setShort')}; sreturn;`,
    },
    // INS 46: the probe's own objects: fields, arrays, a cast (the fast path) -> [arr[0]][cnt]
    {
      ins: 0x46,
      code: `aload_0; sconst_2; newarray 11; putfield_a ${field(ARR)}; getfield_a_this ${field(ARR)}; sconst_0; bspush 33; bastore;
				aload_0; bspush 44; putfield_s ${field(CNT)};
				aload_2; sconst_0; getfield_a_this ${field(ARR)}; checkcast 11 0; sconst_0; baload; bastore;
				aload_2; sconst_1; getfield_s_this ${field(CNT)}; bastore; sconst_2; sreturn;`,
      locals: 4,
    },
  ],
};

