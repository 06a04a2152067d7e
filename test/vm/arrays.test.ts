import { describeTables } from './run-tables.ts';
import { tables } from './cases/arrays.ts';

describeTables(tables);
