// Turns case tables (test/vm/cases/*.ts) into vitest tests: one describe per table, one
// it.each row per case, named by the row's description.

import { describe, it } from 'vitest';
import { checkRow, type Table } from './harness.ts';

export function describeTables(tables: readonly Table[]): void {
  for (const t of tables) {
    describe(t.title, () => {
      it.each(t.rows)('%s', (_description, body, args, expected) => {
        checkRow(t.options, body, args, expected);
      });
    });
  }
}
