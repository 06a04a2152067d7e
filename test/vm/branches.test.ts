import { describeTables } from './run-tables.ts';
import { tables } from './cases/branches.ts';

describeTables(tables);
