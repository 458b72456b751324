import { spawn, type StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
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

function stdioOf(x: 'inherit' | 'ignore' | Readable | Writable | undefined, dflt: 'inherit' | 'ignore'): 'inherit' | 'ignore' | 'pipe' {
  if (x === undefined) return dflt;
  return typeof x === 'string' ? x : 'pipe';
}

/**
 * `runc run ID`: creates, starts and waits for the container in the
 * foreground, forwarding `forwardSignals` to it (runc passes signals it gets
 * on to the container's process), and resolves to its exit status. runc
 * deletes the container's state when it exits (unless `keep`).
 */
export function run(id: string, options: RunOptions, io: RunIo = {}): Promise<RunResult> {
  const [cmd, ...args] = runcArgv('run', options, [id]) as [string, ...string[]];
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = [stdioOf(io.stdin, 'ignore'), stdioOf(io.stdout, 'inherit'), stdioOf(io.stderr, 'inherit')];
    const child = spawn(cmd, args, { stdio, detached: io.ownProcessGroup === true });
    if (typeof io.stdin === 'object' && child.stdin) {
      child.stdin.on('error', () => undefined);
      io.stdin.pipe(child.stdin);
    }
    if (typeof io.stdout === 'object') child.stdout?.pipe(io.stdout, { end: false });
    if (typeof io.stderr === 'object') child.stderr?.pipe(io.stderr, { end: false });
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
    };
    for (const s of io.forwardSignals ?? []) process.on(s, forward);
    const onAbort = (): void => {
      kill(id, 'SIGKILL', options).catch(() => child.kill('SIGKILL'));
    };
    io.signal?.addEventListener('abort', onAbort, { once: true });
    if (io.signal?.aborted) onAbort();
    const done = (): void => {
      for (const s of io.forwardSignals ?? []) process.off(s, forward);
      io.signal?.removeEventListener('abort', onAbort);
      if (typeof io.stdin === 'object' && child.stdin) io.stdin.unpipe(child.stdin);
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      done();
      reject(spawnError(cmd, args, err));
    });
    child.on('close', (code, sig) => {
      done();
      resolve({ status: exitStatusOf(code, sig) });
    });
  });
}
