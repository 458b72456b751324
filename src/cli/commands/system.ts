import { diskUsage } from '../../store';
import { action, type CommandModule } from '../command';
import { humanSize, renderTable } from '../render/format';

export const systemCommand: CommandModule = {
  register(program, ctx, setExit) {
    const system = program.command('system').description('Manage the store');
    system
      .command('df')
      .description('Show the space images, unpacked layers, build cache and leftovers of killed commands hold, and what prune would reclaim')
      .option('--format <format>', 'json: one JSON object per line')
      .action(
        action(setExit, async (opts: { format?: string }) => {
          const rows = await diskUsage(await ctx.openStore());
          if (opts.format === 'json') {
            for (const r of rows) ctx.stdout.write(`${JSON.stringify(r)}\n`);
            return;
          }
          const pct = (r: (typeof rows)[number]): string => (r.size > 0 ? ` (${Math.round((100 * r.reclaimable) / r.size)}%)` : '');
          const table = rows.map((r) => [r.type, String(r.total), String(r.active), humanSize(r.size), `${humanSize(r.reclaimable)}${pct(r)}`]);
          ctx.stdout.write(renderTable(['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'], table));
        }),
      );
  },
};
