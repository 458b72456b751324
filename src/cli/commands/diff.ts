import type { FileChange, LayerChanges } from '../../layer';
import { shortId } from '../../oci/digest';
import { UsageError } from '../../errors';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';
import { humanSize } from '../render/format';

function renderLayer(l: LayerChanges): string {
  const head = `LAYER ${l.index}  ${shortId(l.digest)}  ${humanSize(l.size)} compressed`;
  const totals = `  +${l.added.length} (${humanSize(l.addedBytes)})  ~${l.changed.length} (${humanSize(l.changedBytes)})  -${l.removed.length} (${humanSize(l.removedBytes)})`;
  const line = (mark: string) => (c: FileChange) => `  ${mark} ${c.type === 'dir' ? `${c.path}/` : c.path}${c.size > 0 ? `  ${humanSize(c.size)}` : ''}`;
  return [head, totals, ...l.added.map(line('A')), ...l.changed.map(line('C')), ...l.removed.map(line('D')), ''].join('\n');
}

export const diffCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('diff')
      .description('Show what each layer of an image adds (A), changes (C) and removes (D), with sizes')
      .argument('<image>', 'image name or ID')
      .option('--layer <n>', 'only this layer (0 = the bottom one)')
      .option('--format <format>', 'json: one JSON object per layer')
      .action(
        action(setExit, async (ref: string, opts: { layer?: string; format?: string }) => {
          const { resolveImage } = lazy.image();
          const { describeLayerChanges } = lazy.layer();
          let layer: number | undefined;
          if (opts.layer !== undefined) {
            layer = Number(opts.layer);
            if (!/^\d+$/.test(opts.layer)) throw new UsageError('USAGE', `--layer takes a layer number, not ${JSON.stringify(opts.layer)}`);
          }
          const store = await ctx.openStore();
          const image = await resolveImage(store, ref);
          const layers = await describeLayerChanges(store.content, image, { ...(layer !== undefined ? { layer } : {}), signal: ctx.signal });
          for (const l of layers) ctx.stdout.write(opts.format === 'json' ? `${JSON.stringify(l)}\n` : renderLayer(l));
        }),
      );
  },
};
