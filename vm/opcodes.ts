// The JCVM instruction set (JCVM spec 3.0.5/3.1, chapter 7), one table for everything:
// the interpreter, the disassembler, the assembler and the structural checks all read it.
//
// Operand layout: one character per operand, in byte order.
//   b  s1 immediate          B  u1 immediate           h  s2 immediate      i  s4 immediate
//   l  u1 local index        c  u1 constant-pool index C  u2 constant-pool index
//   o  s1 branch offset      O  s2 branch offset       t  u1 array type (newarray, checkcast)
//   T  stableswitch body     U  itableswitch body      K  slookupswitch body   M  ilookupswitch body
// Stack effect: words popped and pushed (an int is two words); -1 where it depends on operands.

export interface OpInfo {
  readonly code: number;
  readonly name: string;
  readonly operands: string;
  readonly pop: number;
  readonly push: number;
  /** Size in bytes including the opcode, or 0 for the variable-length switches. */
  readonly size: number;
  readonly branch: boolean;
  readonly int: boolean; // needs ACC_INT in the package header
}

const OPERAND_BYTES: Record<string, number> = { b: 1, B: 1, h: 2, i: 4, l: 1, c: 1, C: 2, o: 1, O: 2, t: 1 };

const table: OpInfo[] = [];

function op(code: number, name: string, operands: string, pop: number, push: number, int = false): void {
  let size = 1;
  for (const k of operands) {
    const n = OPERAND_BYTES[k];
    if (n === undefined) { size = 0; break; }
    size += n;
  }
  const branch = /[oOTUKM]/.test(operands) || name === 'jsr' || name === 'ret';
  table[code] = { code, name, operands, pop, push, size, branch, int };
}

op(0x00, 'nop', '', 0, 0);
op(0x01, 'aconst_null', '', 0, 1);
op(0x02, 'sconst_m1', '', 0, 1);
op(0x03, 'sconst_0', '', 0, 1);
op(0x04, 'sconst_1', '', 0, 1);
op(0x05, 'sconst_2', '', 0, 1);
op(0x06, 'sconst_3', '', 0, 1);
op(0x07, 'sconst_4', '', 0, 1);
op(0x08, 'sconst_5', '', 0, 1);
op(0x09, 'iconst_m1', '', 0, 2, true);
op(0x0a, 'iconst_0', '', 0, 2, true);
op(0x0b, 'iconst_1', '', 0, 2, true);
op(0x0c, 'iconst_2', '', 0, 2, true);
op(0x0d, 'iconst_3', '', 0, 2, true);
op(0x0e, 'iconst_4', '', 0, 2, true);
op(0x0f, 'iconst_5', '', 0, 2, true);
op(0x10, 'bspush', 'b', 0, 1);
op(0x11, 'sspush', 'h', 0, 1);
op(0x12, 'bipush', 'b', 0, 2, true);
op(0x13, 'sipush', 'h', 0, 2, true);
op(0x14, 'iipush', 'i', 0, 2, true);
op(0x15, 'aload', 'l', 0, 1);
op(0x16, 'sload', 'l', 0, 1);
op(0x17, 'iload', 'l', 0, 2, true);
op(0x18, 'aload_0', '', 0, 1);
op(0x19, 'aload_1', '', 0, 1);
op(0x1a, 'aload_2', '', 0, 1);
op(0x1b, 'aload_3', '', 0, 1);
op(0x1c, 'sload_0', '', 0, 1);
op(0x1d, 'sload_1', '', 0, 1);
op(0x1e, 'sload_2', '', 0, 1);
op(0x1f, 'sload_3', '', 0, 1);
op(0x20, 'iload_0', '', 0, 2, true);
op(0x21, 'iload_1', '', 0, 2, true);
op(0x22, 'iload_2', '', 0, 2, true);
op(0x23, 'iload_3', '', 0, 2, true);
op(0x24, 'aaload', '', 2, 1);
op(0x25, 'baload', '', 2, 1);
op(0x26, 'saload', '', 2, 1);
op(0x27, 'iaload', '', 2, 2, true);
op(0x28, 'astore', 'l', 1, 0);
op(0x29, 'sstore', 'l', 1, 0);
op(0x2a, 'istore', 'l', 2, 0, true);
op(0x2b, 'astore_0', '', 1, 0);
op(0x2c, 'astore_1', '', 1, 0);
op(0x2d, 'astore_2', '', 1, 0);
op(0x2e, 'astore_3', '', 1, 0);
op(0x2f, 'sstore_0', '', 1, 0);
op(0x30, 'sstore_1', '', 1, 0);
op(0x31, 'sstore_2', '', 1, 0);
op(0x32, 'sstore_3', '', 1, 0);
op(0x33, 'istore_0', '', 2, 0, true);
op(0x34, 'istore_1', '', 2, 0, true);
op(0x35, 'istore_2', '', 2, 0, true);
op(0x36, 'istore_3', '', 2, 0, true);
op(0x37, 'aastore', '', 3, 0);
op(0x38, 'bastore', '', 3, 0);
op(0x39, 'sastore', '', 3, 0);
op(0x3a, 'iastore', '', 4, 0, true);
op(0x3b, 'pop', '', 1, 0);
op(0x3c, 'pop2', '', 2, 0);
op(0x3d, 'dup', '', 1, 2);
op(0x3e, 'dup2', '', 2, 4);
op(0x3f, 'dup_x', 'B', -1, -1);
op(0x40, 'swap_x', 'B', -1, -1);
op(0x41, 'sadd', '', 2, 1);
op(0x42, 'iadd', '', 4, 2, true);
op(0x43, 'ssub', '', 2, 1);
op(0x44, 'isub', '', 4, 2, true);
op(0x45, 'smul', '', 2, 1);
op(0x46, 'imul', '', 4, 2, true);
op(0x47, 'sdiv', '', 2, 1);
op(0x48, 'idiv', '', 4, 2, true);
op(0x49, 'srem', '', 2, 1);
op(0x4a, 'irem', '', 4, 2, true);
op(0x4b, 'sneg', '', 1, 1);
op(0x4c, 'ineg', '', 2, 2, true);
op(0x4d, 'sshl', '', 2, 1);
op(0x4e, 'ishl', '', 4, 2, true);
op(0x4f, 'sshr', '', 2, 1);
op(0x50, 'ishr', '', 4, 2, true);
op(0x51, 'sushr', '', 2, 1);
op(0x52, 'iushr', '', 4, 2, true);
op(0x53, 'sand', '', 2, 1);
op(0x54, 'iand', '', 4, 2, true);
op(0x55, 'sor', '', 2, 1);
op(0x56, 'ior', '', 4, 2, true);
op(0x57, 'sxor', '', 2, 1);
op(0x58, 'ixor', '', 4, 2, true);
op(0x59, 'sinc', 'lb', 0, 0);
op(0x5a, 'iinc', 'lb', 0, 0, true);
op(0x5b, 's2b', '', 1, 1);
op(0x5c, 's2i', '', 1, 2, true);
op(0x5d, 'i2b', '', 2, 1, true);
op(0x5e, 'i2s', '', 2, 1, true);
op(0x5f, 'icmp', '', 4, 1, true);
op(0x60, 'ifeq', 'o', 1, 0);
op(0x61, 'ifne', 'o', 1, 0);
op(0x62, 'iflt', 'o', 1, 0);
op(0x63, 'ifge', 'o', 1, 0);
op(0x64, 'ifgt', 'o', 1, 0);
op(0x65, 'ifle', 'o', 1, 0);
op(0x66, 'ifnull', 'o', 1, 0);
op(0x67, 'ifnonnull', 'o', 1, 0);
op(0x68, 'if_acmpeq', 'o', 2, 0);
op(0x69, 'if_acmpne', 'o', 2, 0);
op(0x6a, 'if_scmpeq', 'o', 2, 0);
op(0x6b, 'if_scmpne', 'o', 2, 0);
op(0x6c, 'if_scmplt', 'o', 2, 0);
op(0x6d, 'if_scmpge', 'o', 2, 0);
op(0x6e, 'if_scmpgt', 'o', 2, 0);
op(0x6f, 'if_scmple', 'o', 2, 0);
op(0x70, 'goto', 'o', 0, 0);
op(0x71, 'jsr', 'O', 0, 1);
op(0x72, 'ret', 'l', 0, 0);
op(0x73, 'stableswitch', 'T', 1, 0);
op(0x74, 'itableswitch', 'U', 2, 0, true);
op(0x75, 'slookupswitch', 'K', 1, 0);
op(0x76, 'ilookupswitch', 'M', 2, 0, true);
op(0x77, 'areturn', '', 1, 0);
op(0x78, 'sreturn', '', 1, 0);
op(0x79, 'ireturn', '', 2, 0, true);
op(0x7a, 'return', '', 0, 0);
op(0x7b, 'getstatic_a', 'C', 0, 1);
op(0x7c, 'getstatic_b', 'C', 0, 1);
op(0x7d, 'getstatic_s', 'C', 0, 1);
op(0x7e, 'getstatic_i', 'C', 0, 2, true);
op(0x7f, 'putstatic_a', 'C', 1, 0);
op(0x80, 'putstatic_b', 'C', 1, 0);
op(0x81, 'putstatic_s', 'C', 1, 0);
op(0x82, 'putstatic_i', 'C', 2, 0, true);
op(0x83, 'getfield_a', 'c', 1, 1);
op(0x84, 'getfield_b', 'c', 1, 1);
op(0x85, 'getfield_s', 'c', 1, 1);
op(0x86, 'getfield_i', 'c', 1, 2, true);
op(0x87, 'putfield_a', 'c', 2, 0);
op(0x88, 'putfield_b', 'c', 2, 0);
op(0x89, 'putfield_s', 'c', 2, 0);
op(0x8a, 'putfield_i', 'c', 3, 0, true);
op(0x8b, 'invokevirtual', 'C', -1, -1);
op(0x8c, 'invokespecial', 'C', -1, -1);
op(0x8d, 'invokestatic', 'C', -1, -1);
op(0x8e, 'invokeinterface', 'BCB', -1, -1);
op(0x8f, 'new', 'C', 0, 1);
op(0x90, 'newarray', 't', 1, 1);
op(0x91, 'anewarray', 'C', 1, 1);
op(0x92, 'arraylength', '', 1, 1);
op(0x93, 'athrow', '', 1, 0);
op(0x94, 'checkcast', 'tC', 1, 1);
op(0x95, 'instanceof', 'tC', 1, 1);
op(0x96, 'sinc_w', 'lh', 0, 0);
op(0x97, 'iinc_w', 'lh', 0, 0, true);
op(0x98, 'ifeq_w', 'O', 1, 0);
op(0x99, 'ifne_w', 'O', 1, 0);
op(0x9a, 'iflt_w', 'O', 1, 0);
op(0x9b, 'ifge_w', 'O', 1, 0);
op(0x9c, 'ifgt_w', 'O', 1, 0);
op(0x9d, 'ifle_w', 'O', 1, 0);
op(0x9e, 'ifnull_w', 'O', 1, 0);
op(0x9f, 'ifnonnull_w', 'O', 1, 0);
op(0xa0, 'if_acmpeq_w', 'O', 2, 0);
op(0xa1, 'if_acmpne_w', 'O', 2, 0);
op(0xa2, 'if_scmpeq_w', 'O', 2, 0);
op(0xa3, 'if_scmpne_w', 'O', 2, 0);
op(0xa4, 'if_scmplt_w', 'O', 2, 0);
op(0xa5, 'if_scmpge_w', 'O', 2, 0);
op(0xa6, 'if_scmpgt_w', 'O', 2, 0);
op(0xa7, 'if_scmple_w', 'O', 2, 0);
op(0xa8, 'goto_w', 'O', 0, 0);
op(0xa9, 'getfield_a_w', 'C', 1, 1);
op(0xaa, 'getfield_b_w', 'C', 1, 1);
op(0xab, 'getfield_s_w', 'C', 1, 1);
op(0xac, 'getfield_i_w', 'C', 1, 2, true);
op(0xad, 'getfield_a_this', 'c', 0, 1);
op(0xae, 'getfield_b_this', 'c', 0, 1);
op(0xaf, 'getfield_s_this', 'c', 0, 1);
op(0xb0, 'getfield_i_this', 'c', 0, 2, true);
op(0xb1, 'putfield_a_w', 'C', 2, 0);
op(0xb2, 'putfield_b_w', 'C', 2, 0);
op(0xb3, 'putfield_s_w', 'C', 2, 0);
op(0xb4, 'putfield_i_w', 'C', 3, 0, true);
op(0xb5, 'putfield_a_this', 'c', 1, 0);
op(0xb6, 'putfield_b_this', 'c', 1, 0);
op(0xb7, 'putfield_s_this', 'c', 1, 0);
op(0xb8, 'putfield_i_this', 'c', 2, 0, true);
op(0xfe, 'impdep1', '', 0, 0);
op(0xff, 'impdep2', '', 0, 0);

/** Indexed by opcode byte; undefined for the unassigned codes 0xb9..0xfd. */
export const OPCODES: readonly (OpInfo | undefined)[] = table;

export const OPCODE_BY_NAME: ReadonlyMap<string, OpInfo> = new Map(
  table.filter((o): o is OpInfo => o !== undefined).map((o) => [o.name, o]),
);

/** The highest opcode a CAP method may contain (putfield_i_this); impdep1/2 are reserved. */
export const LAST_STANDARD_OPCODE = 0xb8;

/** Array type codes of newarray and checkcast/instanceof (JCVM spec 7.5, table 7-2..). */
export const ArrayType = {
  BOOLEAN: 10,
  BYTE: 11,
  SHORT: 12,
  INT: 13,
  REFERENCE: 14, // checkcast/instanceof only: an array of the class or interface at the index
} as const;

/** Opcode numbers by name, for code that switches on them (the interpreter). */
export const Op = Object.fromEntries(
  table.filter((o): o is OpInfo => o !== undefined).map((o) => [o.name.toUpperCase(), o.code]),
) as Record<string, number>;

/**
 * Length in bytes of the instruction at `pc` (switches read their counts from the code).
 * Returns -1 when the opcode is undefined or the instruction runs past `end`.
 */
export function instructionLength(code: Uint8Array, pc: number, end = code.length): number {
  if (pc >= end) return -1;
  const info = OPCODES[code[pc]!];
  if (!info) return -1;
  let len = info.size;
  if (len === 0) {
    const u2 = (at: number): number => (at + 1 < end ? (code[at]! << 8) | code[at + 1]! : -1);
    const s2 = (at: number): number => { const v = u2(at); return v < 0 ? NaN : (v << 16) >> 16; };
    switch (info.operands) {
      case 'T': { const lo = s2(pc + 3), hi = s2(pc + 5); if (!(hi >= lo)) return -1; len = 7 + 2 * (hi - lo + 1); break; }
      case 'U': {
        if (pc + 10 >= end) return -1;
        const dv = new DataView(code.buffer, code.byteOffset + pc + 3, 8);
        const lo = dv.getInt32(0), hi = dv.getInt32(4);
        if (!(hi >= lo) || hi - lo > 0xffff) return -1;
        len = 11 + 2 * (hi - lo + 1); break;
      }
      case 'K': { const n = u2(pc + 3); if (n < 0) return -1; len = 5 + 4 * n; break; }
      case 'M': { const n = u2(pc + 3); if (n < 0) return -1; len = 5 + 6 * n; break; }
      default: return -1;
    }
  }
  return pc + len <= end ? len : -1;
}
