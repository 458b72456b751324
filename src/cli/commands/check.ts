import * as path from 'node:path';
import type { CheckOptions } from '../../dockerfile';
import { UsageError } from '../../errors';
import type { Platform } from '../../oci';
import { lazy } from '../lazy';
import { action, collect, type CommandModule } from '../command';
import { fetchBaseImages, recordingLookup, storeBaseImages } from './check-base-images';
import { clientOptionsOf, mirrorsOf } from './registry-options';

interface CheckFlags {
  file?: string;
  format: string;
  buildArg: string[];
  target?: string;
  offline?: boolean;
  registriesConf?: string;
}

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
      .option('--offline', 'do not ask registries for the config of base images the store does not have')
      .option('--registries-conf <file>', 'registries.conf with [[registry]] mirrors for those requests')
      .action(
        action(setExit, async (context: string, opts: CheckFlags) => {
          const { runCheck } = lazy.dockerfile();
          const format = opts.format;
          if (format !== 'text' && format !== 'json') throw new UsageError('USAGE', `--format must be text or json, not ${JSON.stringify(format)}`);
          const contextDir = path.resolve(ctx.cwd, context);
          const buildArgs: Record<string, string> = {};
          for (const kv of opts.buildArg) {
            const i = kv.indexOf('=');
            if (i <= 0) throw new UsageError('USAGE', `--build-arg must be KEY=VALUE, not ${JSON.stringify(kv)}`);
            buildArgs[kv.slice(0, i)] = kv.slice(i + 1);
          }
          const check = (baseImage: CheckOptions['baseImage']) =>
            runCheck({
              contextDir,
              dockerfilePath: opts.file !== undefined ? path.resolve(ctx.cwd, opts.file) : path.join(contextDir, 'Dockerfile'),
              format,
              buildArgs,
              ...(opts.target !== undefined ? { target: opts.target } : {}),
              baseImage,
            });
          const known = await storeBaseImages(await ctx.openStore());
          const missing = new Map<string, Platform>();
          let outcome = check(recordingLookup(known, missing));
          // BuildKit resolves external base images' configs from their registries: a second pass with them
          if (!opts.offline && missing.size > 0 && outcome.error === undefined) {
            await fetchBaseImages(missing, known, {
              // a lint does not wait out a full retry budget for a registry that is not there
              clientOptions: { ...clientOptionsOf(ctx, {}), retry: { maxAttempts: 2 } },
              mirrors: mirrorsOf(ctx, opts),
              signal: ctx.signal,
              onFailure: (ref, err) => ctx.stderr.write(`hoist check: cannot resolve ${ref} (${err instanceof Error ? err.message : String(err)}): its stages are checked without its variables (--offline skips the lookup)\n`),
            });
            outcome = check(recordingLookup(known));
          }
          (outcome.error !== undefined && opts.format === 'text' ? ctx.stderr : ctx.stdout).write(outcome.output);
          return outcome.exitCode;
        }),
      );
  },
};
