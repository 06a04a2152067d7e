// The command line run in-process: its exit status and the lines it wrote to stdout and stderr.
import { runCli } from '../../bin/jcvm.ts';

export async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}
