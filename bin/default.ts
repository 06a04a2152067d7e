// `npm start`: the bundled default. Assembles the sample applets of applets/ (JCA), installs
// each on a fresh default card, runs its apdutool script and prints the exchange, checked
// against the expected output beside the script.

import { readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSuite } from '../runtime/script/suite.ts';
import { makeSuiteCard } from '../runtime/script/suite-card.ts';

const appletsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'applets');

export async function runSamples(out: (s: string) => void = console.log): Promise<boolean> {
  let ok = true;
  const names = readdirSync(appletsDir).filter((n) => existsSync(join(appletsDir, n, 'suite.json'))).sort();
  for (const name of names) {
    const result = await runSuite(join(appletsDir, name, 'suite.json'), (suite) => makeSuiteCard(suite));
    out(`== ${name}: ${result.suite.description.split('.')[0]}`);
    for (const s of result.scripts) {
      for (const line of s.lines) out(line);
      const verdict = s.passed ? 'as expected' : s.error ? `FAILED: ${s.error}` : `FAILED at line ${s.firstDiff?.line}: expected ${s.firstDiff?.expected}`;
      out(`-- ${name}: ${s.lines.length} APDUs, ${verdict}`);
      ok &&= s.passed;
    }
  }
  return ok;
}

if (process.argv[1] && /default\.(ts|js)$/.test(process.argv[1])) {
  runSamples().then(
    (ok) => process.exit(ok ? 0 : 1),
    (e: unknown) => {
      process.stderr.write(`jcvm: ${(e as Error).message}\n`);
      process.exit(2);
    },
  );
}
