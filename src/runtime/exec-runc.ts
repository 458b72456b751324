import { RuntimeError } from '../errors';
import { runProcess } from '../sys';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Run a short runc command (argv from `runcArgv`) to completion; coded errors on failure. */
export async function execRunc(argv: string[], signal?: AbortSignal): Promise<ExecResult> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const r = await runProcess(argv, signal ? { signal } : {}).catch((err: NodeJS.ErrnoException) => {
    throw spawnError(cmd, args, err);
  });
  if (r.code !== 0) throw runcFailed(cmd, args, r.code, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

export function spawnError(cmd: string, args: string[], err: NodeJS.ErrnoException): RuntimeError {
  if (err.code === 'ENOENT') return new RuntimeError('RUNTIME_NOT_FOUND', `${cmd} is not installed (Debian package runc)`, { cmd }, { cause: err });
  if (err.name === 'AbortError') return new RuntimeError('ABORTED', `${cmd} ${args.join(' ')} aborted`, { cmd, args }, { cause: err });
  return new RuntimeError('RUNTIME_FAILED', `${cmd}: ${err.message}`, { cmd, args }, { cause: err });
}

/** runc's own message: the `msg=` of its logrus line when it has one. */
export function runcMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l !== '');
  const last = lines[lines.length - 1] ?? '';
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(last);
  return m ? m[1]!.replace(/\\"/g, '"') : last;
}

export function runcFailed(cmd: string, args: string[], code: number | null, stderr: string): RuntimeError {
  const msg = runcMessage(stderr);
  if (/does not exist|not exist/.test(msg)) {
    return new RuntimeError('RUNTIME_CONTAINER_NOT_FOUND', `${cmd}: ${msg}`, { args, code, stderr: stderr.slice(-4000) });
  }
  if (/already exists/.test(msg)) return new RuntimeError('RUNTIME_CONTAINER_EXISTS', `${cmd}: ${msg}`, { args, code });
  return new RuntimeError('RUNTIME_FAILED', `${cmd} ${args.join(' ')} failed: ${msg}`, { args, code, stderr: stderr.slice(-4000) });
}
