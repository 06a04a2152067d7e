import { describeTables } from './run-tables.ts';
import { tables } from './cases/arith-int.ts';

describeTables(tables);
