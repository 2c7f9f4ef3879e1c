import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './usage-error.js';

export const benchUsage = `Usage: circuit-breaker bench [--quick] [--guard] [--profile] [--only PATHS] [--out DIR]

Measures what the gateway adds: starts the provider simulator (lean mode), the compiled gateway and a load client as
three processes, and compares every figure direct vs through the gateway in the same run (time to first token, gaps
between tokens, single-stream throughput, concurrent paced streams, memory, CPU per token, client disconnects).

Options:
      --quick        a short run (under a minute); prints the table, writes no docs unless --out
      --guard        exit 1 on a gross regression only (ratios against direct: added TTFT p50 > 5 ms, < 0.1× throughput)
      --profile      run the gateway under --cpu-prof and print its top self-time functions
      --only PATHS   comma-separated: pass-through, openai-to-anthropic, anthropic-to-gemini
      --out DIR      where to write benchmarks.md/.json and the SVG charts (default docs/ for a full run)
  -h, --help         show this help

Needs the repository checkout (bench/ is not published) and a build (npm run build); npm run bench does both.`;

/** `circuit-breaker bench`: runs the harness in bench/ as a child process and passes its exit code on. */
export async function runBenchCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${benchUsage}\n`);
    return 0;
  }
  // Two levels up from both src/cli/ and dist/cli/: the repository root.
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const harness = `${root}bench/run-bench.ts`;
  if (!existsSync(harness)) {
    throw new UsageError('bench runs from a checkout of the repository (bench/run-bench.ts is not in the package)');
  }
  const child = spawn(process.execPath, ['--import', 'tsx', harness, ...argv], { cwd: root, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
