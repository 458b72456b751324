import { shortId } from '../../oci/digest';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';
import { humanSince, humanSize, renderTable, truncate } from '../render/format';

export const historyCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('history')
      .description('Show the history of an image')
      .argument('<image>', 'image name or ID')
      .option('--no-trunc', "don't truncate output")
      .option('-q, --quiet', 'only show image IDs')
      .option('--format <format>', 'json: one JSON object per line')
      .action(
        action(setExit, async (ref: string, opts: { trunc: boolean; quiet?: boolean; format?: string }) => {
          const { imageHistory } = lazy.describeImage();
          const { resolveImage } = lazy.resolveImage();
          const rows = imageHistory(await resolveImage(await ctx.openStore(), ref));
          if (opts.format === 'json') {
            for (const r of rows) ctx.stdout.write(`${JSON.stringify(r)}\n`);
            return;
          }
          const id = (s: string): string => (opts.trunc && s.startsWith('sha256:') ? shortId(s as never) : s);
          if (opts.quiet) {
            ctx.stdout.write(rows.map((r) => `${id(r.id)}\n`).join(''));
            return;
          }
          const table = rows.map((r) => [
            id(r.id),
            humanSince(r.created),
            opts.trunc ? truncate(r.createdBy.replace(/\s+/g, ' '), 45) : r.createdBy,
            humanSize(r.size),
            r.comment,
          ]);
          ctx.stdout.write(renderTable(['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], table));
        }),
      );
  },
};
