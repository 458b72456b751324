import { prune } from '../../store';
import { action, type CommandModule } from '../command';
import { humanSize } from '../render/format';
import { UsageError } from '../../errors';
import { parseDuration } from '../../dockerfile/instructions/values';

/** `--filter until=24h` -> ms (Go duration syntax, as docker). */
function untilOf(filter: string | undefined): number | undefined {
  if (filter === undefined) return undefined;
  const m = /^until=(.+)$/.exec(filter);
  let ns: number | undefined;
  try {
    ns = m ? parseDuration(m[1]!) : undefined;
  } catch {
    ns = undefined;
  }
  if (ns === undefined || ns < 0) throw new UsageError('USAGE', `invalid --filter ${JSON.stringify(filter)}: want until=DURATION (e.g. 24h, 90m)`);
  return ns / 1e6;
}

export const pruneCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('prune')
      .description('Remove untagged images and every blob, unpacked layer and partial write that no tag, cache record or overlay bundle/container reaches')
      .option('-a, --all', 'also remove build cache records')
      .option('--filter <filter>', 'until=DURATION: also remove build cache records not used for that long (e.g. 24h), as docker builder prune')
      .option('--dry-run', 'only report what would be removed')
      .option('-f, --force', 'do not prompt for confirmation (hoist never prompts)')
      .action(
        action(setExit, async (opts: { all?: boolean; dryRun?: boolean; filter?: string }) => {
          const until = untilOf(opts.filter);
          const res = await prune(await ctx.openStore(), { all: opts.all ?? false, dryRun: opts.dryRun ?? false, ...(until !== undefined ? { until } : {}), signal: ctx.signal });
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
