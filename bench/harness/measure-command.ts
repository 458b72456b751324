// Runs one case's command as a child process and measures it: wall time by hrtime around the
// child, peak RSS by `/usr/bin/time -f %M` (the largest resident set of any process in the
// child's tree that was waited for). Without /usr/bin/time, RSS comes from polling VmHWM in
// /proc, which can miss a short-lived grandchild: the report says which method was used.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tailLines } from './exec-command';
import { isExecutable } from './find-executable';
import { sampleRss } from './process-tree';
import type { CommandSpec } from './types';

export const GNU_TIME = '/usr/bin/time';

export interface Measurement {
  seconds: number;
  /** Peak RSS of the measured process tree, KiB. */
  peakRssKiB: number;
  /** Peak summed RSS of the tool's service processes (dockerd) during the run, KiB. */
  serviceRssKiB?: number;
}

export interface MeasureOptions {
  /** The child's stdout and stderr are appended here (never to our own stdio). */
  logFile: string;
  servicePids?: () => number[];
  timeoutMs?: number;
}

export type RssMethod = 'gnu-time' | 'proc-poll';

/** `/usr/bin/time` when installed; `HOIST_BENCH_RSS=proc-poll` forces the fallback (tests). */
export function rssMethod(): RssMethod {
  if (process.env.HOIST_BENCH_RSS === 'proc-poll') return 'proc-poll';
  return isExecutable(GNU_TIME) ? 'gnu-time' : 'proc-poll';
}

/** Process groups of the commands being measured, so that a signal handler can end them. */
const running = new Set<number>();

/** Kills the measured commands still running (for Ctrl-C). */
export function killRunningCommands(): void {
  for (const pgid of running) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Spawns in its own process group, so that a timeout kills the command and its children too. */
function runChild(argv: string[], spec: CommandSpec, opts: { logFd: number; timeoutMs?: number; onSpawn(pid: number): void }): Promise<Exit> {
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', opts.logFd, opts.logFd],
    detached: true,
  });
  if (child.pid !== undefined) {
    opts.onSpawn(child.pid);
    running.add(child.pid);
    child.once('exit', () => running.delete(child.pid!));
  }
  return new Promise((resolve, reject) => {
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
    }, opts.timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal }); });
  });
}

/** Measures one run. Rejects when the command fails, with the tail of its log. */
export async function measureCommand(spec: CommandSpec, opts: MeasureOptions): Promise<Measurement> {
  const method = rssMethod();
  const timeFile = `${opts.logFile}.time`;
  const argv = method === 'gnu-time' ? [GNU_TIME, '-f', '%e %M', '-o', timeFile, ...spec.argv] : spec.argv;
  const logFd = openSync(opts.logFile, 'a');
  writeSync(logFd, `\n$ ${spec.argv.join(' ')}\n`);
  let childPid: number | undefined;
  const own = method === 'proc-poll' ? sampleRss(() => (childPid === undefined ? [] : [childPid]), 20) : undefined;
  const service = opts.servicePids ? sampleRss(opts.servicePids) : undefined;
  const started = process.hrtime.bigint();
  let exit: Exit;
  try {
    exit = await runChild(argv, spec, { logFd, timeoutMs: opts.timeoutMs, onSpawn: (pid) => { childPid = pid; } });
  } finally {
    closeSync(logFd);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const ownPeaks = own?.stop();
  const servicePeaks = service?.stop();
  if (exit.code !== 0) {
    const how = exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`;
    throw new Error(`${how}: ${tailLines(readFileSync(opts.logFile, 'utf8'), 3)}`);
  }
  let peakRssKiB: number;
  if (method === 'gnu-time') {
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    rmSync(timeFile, { force: true });
    const m = /^([\d.]+) (\d+)$/.exec(last);
    if (!m) throw new Error(`cannot read ${GNU_TIME} output: ${JSON.stringify(last)}`);
    peakRssKiB = Number(m[2]);
  } else {
    peakRssKiB = ownPeaks!.processHwmKiB;
  }
  return { seconds, peakRssKiB, ...(servicePeaks ? { serviceRssKiB: servicePeaks.treeRssKiB } : {}) };
}
