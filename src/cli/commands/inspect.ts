import { isHoistError } from '../../errors';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';

export const inspectCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('inspect')
      .description('Show images as JSON, shaped like `docker image inspect`')
      .argument('<image...>', 'image names or IDs')
      .action(
        action(setExit, async (refs: string[]) => {
          const { inspectImage } = lazy.describeImage();
          const { resolveImage } = lazy.resolveImage();
          const store = await ctx.openStore();
          const out: Record<string, unknown>[] = [];
          let failed = false;
          for (const ref of refs) {
            try {
              out.push(inspectImage(await resolveImage(store, ref)));
            } catch (err) {
              if (!isHoistError(err, 'IMAGE_NOT_FOUND')) throw err;
              ctx.stderr.write(`Error: No such image: ${ref}\n`);
              failed = true;
            }
          }
          ctx.stdout.write(`${JSON.stringify(out, null, 4)}\n`);
          return failed ? 1 : 0;
        }),
      );
  },
};
