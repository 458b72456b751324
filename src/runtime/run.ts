import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { runProcess } from '../sys';
import { exitStatusOf } from './exit-status';
import { spawnError } from './exec-runc';
import { kill } from './runc';
import { runcArgv } from './runc-argv';
import type { RunOptions } from './types';

export interface RunIo {
  /** default `ignore` (docker without -i: no stdin) */
  stdin?: 'inherit' | 'ignore' | Readable;
  /** default `inherit` */
  stdout?: 'inherit' | 'ignore' | Writable;
  stderr?: 'inherit' | 'ignore' | Writable;
  /** signals to this process that are passed on to the container while it runs (docker's sig-proxy) */
  forwardSignals?: NodeJS.Signals[];
  /** start runc in a process group of its own, so a terminal's Ctrl-C reaches only us (and is forwarded once) */
  ownProcessGroup?: boolean;
  /** abort: SIGKILL the container (the builder's cancel); runc then exits 137 */
  signal?: AbortSignal;
}

export interface RunResult {
  /** the container's exit status as a shell reports it: code, or 128+n when killed by signal n */
  status: number;
}

/**
 * `runc run ID`: creates, starts and waits for the container in the
 * foreground, forwarding `forwardSignals` to it (runc passes signals it gets
 * on to the container's process), and resolves to its exit status. runc
 * deletes the container's state when it exits (unless `keep`).
 */
export async function run(id: string, options: RunOptions, io: RunIo = {}): Promise<RunResult> {
  const argv = runcArgv('run', options, [id]);
  let child: ChildProcess | undefined;
  const forward = (sig: NodeJS.Signals): void => {
    child?.kill(sig);
  };
  const onAbort = (): void => {
    kill(id, 'SIGKILL', options).catch(() => child?.kill('SIGKILL'));
  };
  for (const s of io.forwardSignals ?? []) process.on(s, forward);
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await runProcess(argv, {
      stdin: io.stdin ?? 'ignore',
      stdout: io.stdout ?? 'inherit',
      stderr: io.stderr ?? 'inherit',
      detached: io.ownProcessGroup === true,
      onSpawn: (c) => {
        child = c;
        if (io.signal?.aborted) onAbort();
      },
    });
    return { status: exitStatusOf(r.code, r.signal) };
  } catch (err) {
    const [cmd, ...args] = argv as [string, ...string[]];
    throw spawnError(cmd, args, err as NodeJS.ErrnoException);
  } finally {
    for (const s of io.forwardSignals ?? []) process.off(s, forward);
    io.signal?.removeEventListener('abort', onAbort);
  }
}
