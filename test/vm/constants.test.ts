import { describeTables } from './run-tables.ts';
import { tables } from './cases/constants.ts';

describeTables(tables);
