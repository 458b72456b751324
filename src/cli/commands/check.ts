import * as path from 'node:path';
import type { BaseImageInfo } from '../../dockerfile';
import { UsageError } from '../../errors';
import { formatReference, parseReference } from '../../oci';
import { refNameOf, type Store } from '../../store';
import { lazy } from '../lazy';
import { action, collect, type CommandModule } from '../command';

export const checkCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('check')
      .description("Lint a Dockerfile with BuildKit's build checks (exit 1 on violations or a Dockerfile that does not parse)")
      .argument('[context]', 'build context (for .dockerignore: CopyIgnoredFile)', '.')
      .option('-f, --file <path>', 'name of the Dockerfile (default: CONTEXT/Dockerfile)')
      .option('--format <format>', 'text or json', 'text')
      .option('--build-arg <key=value>', 'build-time variables (repeatable)', collect, [])
      .option('--target <stage>', 'the target build stage')
      .action(
        action(setExit, async (context: string, opts: { file?: string; format: string; buildArg: string[]; target?: string }) => {
          const { runCheck } = lazy.dockerfile();
          if (opts.format !== 'text' && opts.format !== 'json') throw new UsageError('USAGE', `--format must be text or json, not ${JSON.stringify(opts.format)}`);
          const contextDir = path.resolve(ctx.cwd, context);
          const buildArgs: Record<string, string> = {};
          for (const kv of opts.buildArg) {
            const i = kv.indexOf('=');
            if (i <= 0) throw new UsageError('USAGE', `--build-arg must be KEY=VALUE, not ${JSON.stringify(kv)}`);
            buildArgs[kv.slice(0, i)] = kv.slice(i + 1);
          }
          const outcome = runCheck({
            contextDir,
            dockerfilePath: opts.file !== undefined ? path.resolve(ctx.cwd, opts.file) : path.join(contextDir, 'Dockerfile'),
            format: opts.format,
            buildArgs,
            ...(opts.target !== undefined ? { target: opts.target } : {}),
            baseImage: await storeBaseImages(await ctx.openStore()),
          });
          (outcome.error !== undefined && opts.format === 'text' ? ctx.stderr : ctx.stdout).write(outcome.output);
          return outcome.exitCode;
        }),
      );
  },
};

/**
 * The checks ask synchronously about base images (platform, Env, Shell):
 * answer from the images already in the store, read up front.
 */
async function storeBaseImages(store: Store): Promise<(ref: string) => BaseImageInfo | undefined> {
  const { loadImageRecord } = lazy.image();
  const known = new Map<string, BaseImageInfo>();
  for (const entry of (await store.index.read()).manifests) {
    const name = refNameOf(entry);
    if (name === undefined) continue;
    try {
      const { config } = await loadImageRecord(store.content, entry);
      const info: BaseImageInfo = { platform: { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) } };
      if (config.config?.Env) info.env = config.config.Env;
      if (config.config?.Shell) info.shell = config.config.Shell;
      known.set(name, info);
    } catch {
      // an unreadable image answers nothing
    }
  }
  return (ref) => {
    try {
      return known.get(formatReference(parseReference(ref)));
    } catch {
      return undefined;
    }
  };
}
