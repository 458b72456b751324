import type { Command } from 'commander';
import type { CliContext } from './context';

/**
 * A command module registers one `hoist` subcommand. Its action computes a
 * result (data) and renders it; it returns the exit status (default 0).
 */
export interface CommandModule {
  register(program: Command, ctx: CliContext, setExit: (code: number) => void): void;
}

/** Wrap an async action so its exit status reaches main() and errors propagate. */
export function action<A extends unknown[]>(
  setExit: (code: number) => void,
  fn: (...args: A) => Promise<number | void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const code = await fn(...args);
    setExit(code ?? 0);
  };
}

/** commander collects repeatable options with this */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
