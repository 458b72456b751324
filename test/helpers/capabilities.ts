import { spawnSync } from 'node:child_process';

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Skip the current test (or suite, from a before hook) with a printed reason. */
export function skipWith(ctx: Mocha.Context, reason: string): never {
  process.stdout.write(`      skipped: ${reason}\n`);
  ctx.skip();
}

/** Skip unless every named command is installed. */
export function requireCommands(ctx: Mocha.Context, ...names: string[]): void {
  const missing = names.filter((n) => !hasCommand(n));
  if (missing.length > 0) skipWith(ctx, `needs ${missing.join(', ')} (not installed)`);
}
