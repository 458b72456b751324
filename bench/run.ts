// Entry point of `npm run bench [-- NAME...]`: runs the workloads for hoist and its peers,
// prints the report and writes it to bench/results.md.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { killRunningCommands } from './harness/measure-command';
import { parseArgs, USAGE } from './harness/parse-args';
import { renderResults } from './harness/render-results';
import { runBench } from './harness/run-bench';
import { workloads } from './workloads/index';

/** dist/bench/run.js -> the repository root. */
const REPO_ROOT = resolve(__dirname, '..', '..');

export async function main(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.list) {
    for (const w of workloads) process.stdout.write(`${w.name.padEnd(24)} ${w.description}\n`);
    return 0;
  }
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) process.exit(130); // a second Ctrl-C: leave now
    process.stderr.write(`bench: ${signal}, stopping the running command and daemons\n`);
    abort.abort();
    killRunningCommands();
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const report = await runBench({
    ...args,
    workloads,
    repoRoot: REPO_ROOT,
    workDir: process.env.HOIST_BENCH_DIR || '/var/tmp/hoist-bench',
    log: (m) => process.stderr.write(`${m}\n`),
    command: ['npm run bench --', ...argv].join(' '),
    signal: abort.signal,
  });
  if (abort.signal.aborted) return 130;
  const markdown = renderResults(report);
  const out = args.out ? resolve(args.out) : join(REPO_ROOT, 'bench', 'results.md');
  writeFileSync(out, `${markdown}\n`);
  process.stdout.write(`${markdown}\nwritten to ${out}\n`);
  const failed = report.workloads.some((w) => w.error || (w.kind === 'process' && w.cases.some((c) => c.status.startsWith('failed'))));
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
