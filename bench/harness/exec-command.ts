// Runs an unmeasured helper command (hooks, version probes) to completion, argv only.
import { spawn } from 'node:child_process';
import type { CommandSpec } from './types';

const OUTPUT_CAP = 1 << 20;

export class CommandError extends Error {
  constructor(
    message: string,
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

/** Keeps the last `cap` characters of a growing text. */
export function appendCapped(text: string, chunk: string, cap = OUTPUT_CAP): string {
  const next = text + chunk;
  return next.length > cap ? next.slice(next.length - cap) : next;
}

/** The last few lines of a command's output, for an error message. */
export function tailLines(text: string, lines = 5): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Resolves with stdout; rejects with a CommandError carrying the tail of stderr. */
export async function execCommand(spec: CommandSpec, options: { timeoutMs?: number } = {}): Promise<string> {
  return (await execCommandOutput(spec, options)).stdout;
}

/** Like execCommand, with stderr too (some tools print their version there). */
export function execCommandOutput(spec: CommandSpec, options: { timeoutMs?: number } = {}): Promise<CommandOutput> {
  const [file, ...args] = spec.argv;
  if (!file) return Promise.reject(new Error('execCommand: empty argv'));
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout = appendCapped(stdout, c); });
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr = appendCapped(stderr, c, 64 << 10); });
    child.once('error', (err) => reject(new CommandError(`${file}: ${err.message}`, spec.argv, null, stderr)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolve({ stdout, stderr });
      const how = signal ? `killed by ${signal}` : `exit ${code}`;
      reject(new CommandError(`${spec.argv.join(' ')}: ${how}\n${tailLines(stderr)}`, spec.argv, code, stderr));
    });
  });
}
