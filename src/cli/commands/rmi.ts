import { ImageError, isHoistError } from '../../errors';
import { familiarString, formatReference, parseReference } from '../../oci/reference';
import { removeImageEntries, removeTag } from '../../store';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';

function familiar(name: string): string {
  return familiarString(parseReference(name, { defaultTag: false }));
}

export const rmiCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('rmi')
      .description('Remove one or more images (unreferenced blobs go with `hoist prune`)')
      .argument('<image...>', 'image names or IDs')
      .option('-f, --force', 'remove the image even if several names refer to it')
      .action(
        action(setExit, async (refs: string[], opts: { force?: boolean }) => {
          const { resolveImage } = lazy.image();
          const store = await ctx.openStore();
          let status = 0;
          for (const input of refs) {
            try {
              const image = await resolveImage(store, input);
              const byName = image.matchedName !== undefined && formatReference(parseReference(input)) === image.matchedName;
              if (byName) {
                const res = await removeTag(store.index, image.matchedName!);
                if (res.removed) ctx.stdout.write(`Untagged: ${familiar(image.matchedName!)}\n`);
                if (res.deleted) ctx.stdout.write(`Deleted: ${image.id}\n`);
                continue;
              }
              const repos = new Set(image.names.map((n) => n.slice(0, n.lastIndexOf(':'))));
              if (repos.size > 1 && !opts.force) {
                throw new ImageError('IMAGE_IN_USE', `conflict: unable to delete ${input} (must be forced) - image is referenced in multiple repositories`, {
                  image: image.id,
                  names: image.names,
                });
              }
              const removed = await removeImageEntries(store.index, image.entry.digest);
              for (const n of removed) ctx.stdout.write(`Untagged: ${familiar(n)}\n`);
              ctx.stdout.write(`Deleted: ${image.id}\n`);
            } catch (err) {
              if (!isHoistError(err) || refs.length === 1) throw err;
              ctx.stderr.write(`Error: ${err.message}\n`);
              status = 1;
            }
          }
          return status;
        }),
      );
  },
};
