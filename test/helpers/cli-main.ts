import { Readable, Writable } from 'node:stream';
import { main } from '../../src/cli/main';

/** A Writable that keeps what was written, as text. */
export function captureStream(): Writable & { text: string } {
  const w = new Writable({
    write(c: Buffer, _e, cb) {
      w.text += c.toString();
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

/** Run `hoist ARGV` in this process (main() with captured streams) in `env`. */
export async function runMain(argv: string[], env: NodeJS.ProcessEnv, stdin: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = captureStream();
  const stderr = captureStream();
  const code = await main(argv, { stdout, stderr, stdin: Readable.from(stdin), env, signal: new AbortController().signal });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
