// Start-up check: every opcode of the table (vm/opcodes.ts, 0x00..0xb8; impdep1/impdep2 are
// reserved and may not appear in a CAP file) is executed by at least one row of the test/vm
// tables, and nothing outside the table is. The rows run again here with the VM's trace switch
// on, and the mnemonics the trace prints are collected: an opcode whose handler were missing
// would stop its rows with a VmCrash, and one the tables forgot would be listed below.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAST_STANDARD_OPCODE, OPCODES } from '../../vm/opcodes.ts';
import { checkRow, executed, recordOpcodes, type Table } from './harness.ts';
import { tables as arithInt } from './cases/arith-int.ts';
import { tables as arithShort } from './cases/arith-short.ts';
import { tables as arrays } from './cases/arrays.ts';
import { tables as branches } from './cases/branches.ts';
import { tables as constants } from './cases/constants.ts';
import { tables as locals } from './cases/locals.ts';
import { tables as objects } from './cases/objects.ts';
import { tables as stack } from './cases/stack.ts';

const FAMILIES: [string, Table[]][] = [
  ['constants', constants],
  ['locals', locals],
  ['arith-short', arithShort],
  ['arith-int', arithInt],
  ['branches', branches],
  ['stack', stack],
  ['arrays', arrays],
  ['objects', objects],
];

/** Mnemonics of the standard opcodes 0x00..0xb8. */
const STANDARD = OPCODES.slice(0, LAST_STANDARD_OPCODE + 1).map((o, code) => {
  if (!o) throw new Error(`no opcode 0x${code.toString(16)} in the table`);
  return o.name;
});

describe('every opcode of the table is executed by a test', () => {
  beforeAll(() => recordOpcodes(true));
  afterAll(() => recordOpcodes(false));

  // Tracing every bytecode is slow; on a loaded 2-CPU machine a family takes several seconds.
  it.each(FAMILIES)('%s rows run with the trace on', (_family, tables) => {
    for (const t of tables) for (const [, body, args, expected] of t.rows) checkRow(t.options, body, args, expected);
  }, 60_000);

  it('the executed mnemonics are exactly the table from 0x00 to 0xb8', () => {
    expect(STANDARD.length).toBe(0xb9);
    expect(new Set(STANDARD).size).toBe(0xb9);
    const missing = STANDARD.filter((n) => !executed.has(n));
    const unknown = [...executed].filter((n) => !STANDARD.includes(n));
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
    expect([...executed].sort()).toEqual([...STANDARD].sort());
  });
});
