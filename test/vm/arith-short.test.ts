import { describeTables } from './run-tables.ts';
import { tables } from './cases/arith-short.ts';

describeTables(tables);
