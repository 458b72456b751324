import { prune } from '../../store';
import { action, type CommandModule } from '../command';
import { humanSize } from '../render/format';

export const pruneCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('prune')
      .description('Remove untagged images and every blob, unpacked layer and partial write that no tag, cache record or overlay bundle/container reaches')
      .option('-a, --all', 'also remove build cache records')
      .option('--dry-run', 'only report what would be removed')
      .option('-f, --force', 'do not prompt for confirmation (hoist never prompts)')
      .action(
        action(setExit, async (opts: { all?: boolean; dryRun?: boolean }) => {
          const res = await prune(await ctx.openStore(), { all: opts.all ?? false, dryRun: opts.dryRun ?? false, signal: ctx.signal });
          const verb = opts.dryRun ? 'Would delete' : 'Deleted';
          if (res.untaggedImages.length > 0) ctx.stdout.write(`${verb} Images:\n${res.untaggedImages.map((d) => `deleted: ${d}\n`).join('')}\n`);
          if (res.blobs.length > 0) ctx.stdout.write(`${verb} ${res.blobs.length} blobs\n`);
          if (res.layers.length > 0) ctx.stdout.write(`${verb} ${res.layers.length} unpacked layers\n`);
          if (res.cacheRecords.length > 0) ctx.stdout.write(`${verb} ${res.cacheRecords.length} build cache records\n`);
          if (res.inUse.length > 0) ctx.stdout.write(`Kept the unpacked layers of ${res.inUse.length} overlay bundle(s) and container(s) that mount them\n`);
          if (res.ingests > 0) ctx.stdout.write(`Removed ${res.ingests} abandoned partial writes\n`);
          ctx.stdout.write(`Total reclaimed space: ${humanSize(res.reclaimedBytes)}\n`);
        }),
      );
  },
};
