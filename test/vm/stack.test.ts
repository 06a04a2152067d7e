import { describeTables } from './run-tables.ts';
import { tables } from './cases/stack.ts';

describeTables(tables);
