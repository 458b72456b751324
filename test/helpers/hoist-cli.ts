import { spawn, type ChildProcess } from 'node:child_process';
import { HOIST_BIN } from './paths';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  root: string;
  input?: Buffer | string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Start `hoist ARGS` as a child process with HOIST_ROOT set. */
export function spawnHoist(args: string[], options: RunOptions): ChildProcess {
  return spawn(process.execPath, [HOIST_BIN, ...args], {
    env: { ...process.env, ...options.env, HOIST_ROOT: options.root },
    cwd: options.cwd ?? process.cwd(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Run `hoist ARGS` to completion, collecting its output. */
export function runHoist(args: string[], options: RunOptions): Promise<RunResult> {
  return collect(spawnHoist(args, options), options.input);
}

export function collect(child: ChildProcess, input?: Buffer | string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin?.on('error', () => undefined);
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}
