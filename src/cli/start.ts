/* eslint-disable @typescript-eslint/no-require-imports */
import { installCompileCache } from './compile-cache';
import { restoreDeferredExtraCa } from '../sys/extra-ca';
import { deferBuiltins } from './defer-builtins';
import { scheduleSnapshotBuild, type StartedFrom } from './snapshot/schedule-build';
import { snapshotKindFor } from './snapshot/snapshot-files';

/**
 * Runs `hoist ARGV...` as a process: what bin/hoist does, and what the
 * deserialized main of a start-up snapshot does (cli/snapshot/). `from` says
 * how this process started: `disk` (modules read from dist/), `snapshot` (the
 * heap of a blob), or `stale` (a blob whose modules changed since, so read
 * from disk); after a start without a usable blob, one is built in the
 * background for the next (docs/run.md, "Start time").
 */
export function start(argv: string[], root: string, from: StartedFrom = 'disk'): void {
  // NODE_EXTRA_CA_CERTS back where bin/hoist's shell part took it from (sys/extra-ca.ts)
  restoreDeferredExtraCa();
  try {
    // A V8 code cache for the modules loaded from disk, and commander's child_process deferred
    installCompileCache(root);
    deferBuiltins();
  } catch {
    /* a start without the cache is only slower */
  }
  // A reader that stops early (`hoist diff IMG | head`) closes our stdout: stop quietly with the
  // status of a Unix tool killed by SIGPIPE (128 + 13), not an 'Unhandled error' stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err && err.code === 'EPIPE') process.exit(141);
    throw err;
  });
  let settled = false;
  (require('./main') as typeof import('./main')).main(argv).then(
    (code) => {
      settled = true;
      process.exitCode = code;
      scheduleSnapshotBuild(root, from, snapshotKindFor(argv));
    },
    (err: Error) => {
      settled = true;
      process.stderr.write(`hoist: internal error: ${(err && err.stack) || err}\n`);
      process.exitCode = 1;
    },
  );
  // Node exits with status 0 when nothing is left to wait for, even if main() never
  // settled: a stalled operation must not look like success.
  process.on('beforeExit', () => {
    if (settled) return;
    process.stderr.write('hoist: internal error: the operation stalled (a stream never ended)\n');
    process.exit(1);
  });
}
