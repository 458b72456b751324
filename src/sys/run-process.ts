import type { ChildProcess, StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** node:child_process on first use: it pulls in net, dgram and streams that most commands never need (docs/run.md, "Start time"). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess = (): typeof import('node:child_process') => require('node:child_process') as typeof import('node:child_process');

/** Captured stderr kept for an error message (the tail: where tools put the reason). */
export const STDERR_CAP = 64 * 1024;
/** Captured stdout past this is dropped (a tool's JSON answer, never a payload). */
export const STDOUT_CAP = 16 * 1024 * 1024;

export interface ProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** abort: the child is killed (SIGTERM, or `killSignal`) and the promise rejects with an AbortError */
  signal?: AbortSignal;
  killSignal?: NodeJS.Signals;
  /** default `ignore`; a string or Buffer is written to stdin, which is then closed; a Readable is piped */
  stdin?: 'ignore' | 'inherit' | string | Buffer | Readable;
  /** default `capture` (up to STDOUT_CAP) */
  stdout?: 'capture' | 'ignore' | 'inherit' | Writable;
  /** default `capture` (its last STDERR_CAP bytes) */
  stderr?: 'capture' | 'ignore' | 'inherit' | Writable;
  /** a process group of its own (a terminal's Ctrl-C then reaches only us) */
  detached?: boolean;
  /** run as this uid / gid, with no supplementary groups (needs root) */
  uid?: number;
  gid?: number;
  /** called once the child exists (to forward signals to it) */
  onSpawn?: (child: ChildProcess) => void;
}

export interface ProcessResult {
  /** exit code, null when killed by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** the last STDERR_CAP bytes of stderr, when captured */
  stderr: string;
}

type Io = ProcessOptions['stdin'] | ProcessOptions['stdout'];

function stdioOf(x: Io, dflt: 'ignore' | 'pipe'): 'ignore' | 'inherit' | 'pipe' {
  if (x === undefined) return dflt;
  if (x === 'ignore' || x === 'inherit') return x;
  return 'pipe';
}

function spawnChild(cmd: string, args: readonly string[], stdio: StdioOptions, options: StartOptions): ChildProcess {
  return childProcess().spawn(cmd, args, {
    stdio,
    shell: false,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.killSignal !== undefined ? { killSignal: options.killSignal } : {}),
    ...(options.detached === true ? { detached: true } : {}),
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
}

/** What `startProcess` takes: how to start the child; its stdio is the caller's to wire. */
export type StartOptions = Pick<ProcessOptions, 'cwd' | 'env' | 'signal' | 'killSignal' | 'detached' | 'uid' | 'gid'> & {
  /** per fd: `pipe` (default), `ignore` or `inherit` */
  stdio?: readonly ['pipe' | 'ignore' | 'inherit', 'pipe' | 'ignore' | 'inherit', 'pipe' | 'ignore' | 'inherit'];
};

/**
 * Starts `argv[0]` and hands back the child, for a process whose streams the
 * caller drives while it runs (a decompressor in a pipeline, an agent that
 * lives as long as a build). Errors (ENOENT…) arrive as the child's 'error'
 * event. Anything that runs to its end goes through `runProcess`.
 */
export function startProcess(argv: readonly string[], options: StartOptions = {}): ChildProcess {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new TypeError('startProcess: empty argv');
  return spawnChild(cmd, args, [...(options.stdio ?? ['pipe', 'pipe', 'pipe'])], options);
}

/**
 * Runs `argv[0]` with `argv.slice(1)` (an argv, never a shell string) to
 * its end; resolves with its status whatever it is, rejects only when it
 * cannot start (ENOENT, EACCES: Node's error, with `code`) or on abort.
 * The one place hoist starts child processes.
 */
export function runProcess(argv: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new TypeError('runProcess: empty argv'));
  const stdio: StdioOptions = [stdioOf(options.stdin, 'ignore'), stdioOf(options.stdout, 'pipe'), stdioOf(options.stderr, 'pipe')];
  if (typeof options.stdin === 'string' || Buffer.isBuffer(options.stdin)) stdio[0] = 'pipe';
  return new Promise((resolve, reject) => {
    const child = spawnChild(cmd, args, stdio, options);
    let stdout = '';
    let stderr = '';
    const { stdin, stdout: out, stderr: err } = options;
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // the child may exit without reading
      if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) child.stdin.end(stdin);
      else if (typeof stdin === 'object') stdin.pipe(child.stdin);
    }
    if (out === undefined || out === 'capture') {
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        if (stdout.length < STDOUT_CAP) stdout += d;
      });
    } else if (typeof out === 'object') child.stdout?.pipe(out, { end: false });
    if (err === undefined || err === 'capture') {
      child.stderr?.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.length > 2 * STDERR_CAP) stderr = stderr.slice(-STDERR_CAP);
      });
    } else if (typeof err === 'object') child.stderr?.pipe(err, { end: false });
    const unpipe = (): void => {
      if (typeof stdin === 'object' && !Buffer.isBuffer(stdin) && child.stdin) stdin.unpipe(child.stdin);
    };
    child.once('error', (e) => {
      unpipe();
      reject(e);
    });
    child.once('close', (code, sig) => {
      unpipe();
      if (options.signal?.aborted) return; // the 'error' (AbortError) rejects
      resolve({ code, signal: sig, stdout, stderr: stderr.slice(-STDERR_CAP) });
    });
    if (child.pid !== undefined) options.onSpawn?.(child);
  });
}

/** `cmd args… failed (exit N): <stderr's last line>` for an error message. */
export function describeExit(argv: readonly string[], result: ProcessResult): string {
  const status = result.signal !== null ? `killed by ${result.signal}` : `exit ${result.code}`;
  const said = result.stderr.trim().split('\n').pop() ?? '';
  return `${argv.join(' ')} failed (${status})${said !== '' ? `: ${said}` : ''}`;
}

/** `runProcess` for a tool that must succeed: a non-zero exit or a signal rejects with `describeExit`'s message. */
export async function runChecked(argv: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const r = await runProcess(argv, options);
  if (r.code !== 0) throw new Error(describeExit(argv, r));
  return r;
}

/**
 * The synchronous form, only for `process.on('exit')` handlers (nothing
 * async runs there); stdio ignored but stderr, which is captured.
 */
export function runProcessSync(argv: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): ProcessResult {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new TypeError('runProcessSync: empty argv');
  const r = childProcess().spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], shell: false, encoding: 'utf8', maxBuffer: 2 * STDERR_CAP, ...(options.env ? { env: options.env } : {}) });
  return { code: r.status, signal: r.signal, stdout: '', stderr: (r.stderr ?? '').slice(-STDERR_CAP) };
}
