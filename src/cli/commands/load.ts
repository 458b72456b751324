import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../errors';
import { familiarString, parseReference } from '../../oci/reference';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';

export const loadCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('load')
      .description('Load images from a docker-archive or OCI archive (plain, gzip or zstd; STDIN by default)')
      .option('-i, --input <file>', 'read from a tar archive file instead of STDIN')
      .option('-q, --quiet', 'suppress the load output')
      .action(
        action(setExit, async (opts: { input?: string; quiet?: boolean }) => {
          const { loadArchive } = lazy.image();
          if (opts.input === undefined && (ctx.stdin as { isTTY?: boolean }).isTTY) {
            throw new UsageError('USAGE', 'requested load from stdin, but stdin is empty');
          }
          const input =
            opts.input !== undefined ? createReadStream(path.resolve(ctx.cwd, opts.input), { highWaterMark: 1024 * 1024 }) : ctx.stdin;
          const res = await loadArchive(await ctx.openStore(), input, { signal: ctx.signal });
          if (opts.quiet) return;
          for (const img of res.images) {
            if (img.names.length === 0) ctx.stdout.write(`Loaded image ID: ${img.digest}\n`);
            for (const n of img.names) ctx.stdout.write(`Loaded image: ${familiarString(parseReference(n))}\n`);
          }
        }),
      );
  },
};
