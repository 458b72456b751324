import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { UsageError } from '../../errors';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';

export const saveCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('save')
      .description('Save images to a tar archive (a docker-archive that is also an OCI layout; streamed to STDOUT by default)')
      .argument('<image...>', 'image names or IDs')
      .option('-o, --output <file>', 'write to a file instead of STDOUT')
      .action(
        action(setExit, async (refs: string[], opts: { output?: string }) => {
          const { resolveImage, saveArchive } = lazy.image();
          const store = await ctx.openStore();
          const images = [];
          for (const r of refs) images.push(await resolveImage(store, r));
          if (opts.output === undefined) {
            if (ctx.stdout.isTTY) throw new UsageError('USAGE', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
            await saveArchive(store, images, ctx.stdout, { signal: ctx.signal });
            return;
          }
          const target = path.resolve(ctx.cwd, opts.output);
          const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
          try {
            await saveArchive(store, images, createWriteStream(tmp, { highWaterMark: 1024 * 1024 }), { signal: ctx.signal });
            await fs.rename(tmp, target);
          } catch (err) {
            await fs.rm(tmp, { force: true });
            throw err;
          }
        }),
      );
  },
};
