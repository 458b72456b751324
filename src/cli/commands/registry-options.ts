import * as path from 'node:path';
import { UsageError } from '../../errors';
import { createProgressRenderer, type ProgressRenderer } from '../render/progress-renderer';
import type { MirrorSettings, RegistryClientOptions } from '../../registry';
import type { CliContext } from '../context';

/** Flags pull and push share, as docker names them (plus hoist's --insecure-registry). */
export interface RegistryFlags {
  quiet?: boolean;
  maxConcurrent?: string;
  insecureRegistry?: string[];
  /** skopeo's --registries-conf FILE (pull) */
  registriesConf?: string;
}

export function maxConcurrentOf(flags: RegistryFlags): number | undefined {
  if (flags.maxConcurrent === undefined) return undefined;
  const n = Number(flags.maxConcurrent);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError('USAGE', `--max-concurrent must be an integer from 1 to 64, not ${JSON.stringify(flags.maxConcurrent)}`);
  return n;
}

/** Client options from the context: --debug lines on stderr, --insecure-registry, the environment. */
export function clientOptionsOf(ctx: CliContext, flags: RegistryFlags): RegistryClientOptions {
  return {
    env: ctx.env,
    ...(flags.insecureRegistry && flags.insecureRegistry.length > 0 ? { insecureRegistries: flags.insecureRegistry } : {}),
    ...(ctx.debug ? { debug: (line: string) => ctx.stderr.write(`debug: ${line}\n`) } : {}),
  };
}

/** Mirrors for pulls: registries.conf (--registries-conf, else CONTAINERS_REGISTRIES_CONF, else the system's) and daemon.json. */
export function mirrorsOf(ctx: CliContext, flags: RegistryFlags): MirrorSettings {
  return { env: ctx.env, ...(flags.registriesConf !== undefined ? { registriesConf: path.resolve(ctx.cwd, flags.registriesConf) } : {}) };
}

/** Per-layer bars on a TTY, lines otherwise, nothing with --quiet. */
export function rendererOf(ctx: CliContext, flags: RegistryFlags): ProgressRenderer {
  return createProgressRenderer({ out: ctx.stdout, ...(flags.quiet ? { mode: 'quiet' as const } : {}), debug: ctx.debug });
}
