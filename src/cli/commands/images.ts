import { shortId } from '../../oci/digest';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';
import { humanSince, humanSize, renderTable } from '../render/format';

export const imagesCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('images')
      .description('List images in the store')
      .option('-q, --quiet', 'only show image IDs')
      .option('--no-trunc', "don't truncate output")
      .option('--digests', 'show digests')
      .option('--format <format>', 'json: one JSON object per line')
      .action(
        action(setExit, async (opts: { quiet?: boolean; trunc: boolean; digests?: boolean; format?: string }) => {
          const { listImages } = lazy.describeImage();
          const rows = await listImages(await ctx.openStore());
          if (opts.format === 'json') {
            for (const r of rows) ctx.stdout.write(`${JSON.stringify(r)}\n`);
            return;
          }
          const id = (d: (typeof rows)[number]): string => (opts.trunc ? shortId(d.id) : d.id);
          if (opts.quiet) {
            const ids = [...new Set(rows.map(id))];
            ctx.stdout.write(ids.map((i) => `${i}\n`).join(''));
            return;
          }
          const header = ['REPOSITORY', 'TAG', ...(opts.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
          const table = rows.map((r) => [
            r.repository,
            r.tag,
            ...(opts.digests ? [r.digest] : []),
            id(r),
            humanSince(r.created),
            humanSize(r.size),
          ]);
          ctx.stdout.write(renderTable(header, table));
        }),
      );
  },
};
