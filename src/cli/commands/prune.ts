import { prune } from '../../store';
import { action, collect, type CommandModule } from '../command';
import { humanSize } from '../render/format';
import { UsageError } from '../../errors';
import { parseDuration } from '../../dockerfile/instructions/values';

/** docker builder prune's filters: `until=24h` (-> ms, Go duration syntax) and `type=exec.cachemount` (or `cache`). */
function filtersOf(filters: string[]): { until?: number; cacheMountsOnly: boolean } {
  const out: { until?: number; cacheMountsOnly: boolean } = { cacheMountsOnly: false };
  for (const filter of filters) {
    const m = /^(until|type)=(.+)$/.exec(filter);
    if (m?.[1] === 'type' && (m[2] === 'exec.cachemount' || m[2] === 'cache')) {
      out.cacheMountsOnly = true;
      continue;
    }
    let ns: number | undefined;
    try {
      ns = m?.[1] === 'until' ? parseDuration(m[2]!) : undefined;
    } catch {
      ns = undefined;
    }
    if (ns === undefined || ns < 0) throw new UsageError('USAGE', `invalid --filter ${JSON.stringify(filter)}: want until=DURATION (e.g. 24h, 90m) or type=exec.cachemount`);
    out.until = ns / 1e6;
  }
  return out;
}

export const pruneCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('prune')
      .description('Remove untagged images, build cache mounts no build holds, and every blob, unpacked layer and partial write that no tag, cache record or overlay bundle/container reaches')
      .option('-a, --all', 'also remove build cache records')
      .option('--filter <filter>', 'until=DURATION: also remove build cache records (and cache mounts) not used for that long (e.g. 24h); type=exec.cachemount: only the RUN --mount=type=cache directories; as docker builder prune (repeatable)', collect, [])
      .option('--dry-run', 'only report what would be removed')
      .option('-f, --force', 'do not prompt for confirmation (hoist never prompts)')
      .action(
        action(setExit, async (opts: { all?: boolean; dryRun?: boolean; filter: string[] }) => {
          const { until, cacheMountsOnly } = filtersOf(opts.filter);
          const res = await prune(await ctx.openStore(), { all: opts.all ?? false, dryRun: opts.dryRun ?? false, cacheMountsOnly, ...(until !== undefined ? { until } : {}), signal: ctx.signal });
          const verb = opts.dryRun ? 'Would delete' : 'Deleted';
          if (res.untaggedImages.length > 0) ctx.stdout.write(`${verb} Images:\n${res.untaggedImages.map((d) => `deleted: ${d}\n`).join('')}\n`);
          if (res.blobs.length > 0) ctx.stdout.write(`${verb} ${res.blobs.length} blobs\n`);
          if (res.layers.length > 0) ctx.stdout.write(`${verb} ${res.layers.length} unpacked layers\n`);
          if (res.cacheRecords.length > 0) ctx.stdout.write(`${verb} ${res.cacheRecords.length} build cache records\n`);
          if (res.cacheMounts.length > 0) ctx.stdout.write(`${verb} ${res.cacheMounts.length} build cache mounts\n`);
          if (res.inUse.length > 0) ctx.stdout.write(`Kept the unpacked layers of ${res.inUse.length} overlay bundle(s) and container(s) that mount them\n`);
          if (res.ingests > 0) ctx.stdout.write(`Removed ${res.ingests} abandoned partial writes\n`);
          ctx.stdout.write(`Total reclaimed space: ${humanSize(res.reclaimedBytes)}\n`);
        }),
      );
  },
};
