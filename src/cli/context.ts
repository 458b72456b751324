import type { Readable, Writable } from 'node:stream';
import { defaultStoreRoot, Store } from '../store';

/** What every command gets: its streams, environment, store and cancellation. */
export interface CliContext {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  /** set by the global --debug flag */
  debug: boolean;
  /** store root: --root, else HOIST_ROOT, else the default */
  root?: string;
  openStore(): Promise<Store>;
}

export function createContext(partial: Partial<CliContext> & { signal: AbortSignal }): CliContext {
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    // process.stdin opens a stream on fd 0 (~1.5 ms at start): only for the commands that read it
    get stdin(): Readable {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    debug: false,
    ...partial,
    openStore: () => Store.open(ctx.root ?? defaultStoreRoot(ctx.env)),
  };
  return ctx;
}
