#!/usr/bin/env node
// Entry point for `jcvm` after `npm link`: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('./jcvm.ts');
process.exit(await runCli(process.argv.slice(2)));
