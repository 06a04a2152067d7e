import { describeTables } from './run-tables.ts';
import { tables } from './cases/locals.ts';

describeTables(tables);
