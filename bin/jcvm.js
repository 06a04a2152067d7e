#!/usr/bin/env node
// Entry point for `jcvm` after `npm link`: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('./jcvm.ts');
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`jcvm: ${e?.message ?? String(e)}\n`);
    process.exit(2);
  },
);
