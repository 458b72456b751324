import { ImageError, isHoistError } from '../../errors';
import { shortId } from '../../oci/digest';
import { familiarString, formatReference, parseReference } from '../../oci/reference';
import { readLayerUses, removeImageEntries, removeTag, type LayerUseRecord, type Store } from '../../store';
import type { ResolvedImage } from '../../image';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';

function familiar(name: string): string {
  return familiarString(parseReference(name, { defaultTag: false }));
}

/** The live overlay bundles and containers made from this image (their layer uses name its config). */
async function usersOf(store: Store, image: ResolvedImage): Promise<LayerUseRecord[]> {
  return (await readLayerUses(store.paths, { dryRun: true })).live.filter((u) => u.image === image.manifest.config.digest);
}

function describeUse(u: LayerUseRecord): string {
  return `${u.kind === 'lxc' ? 'LXC container' : 'bundle'} ${u.path}`;
}

export const rmiCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('rmi')
      .description('Remove one or more images (unreferenced blobs go with `hoist prune`)')
      .argument('<image...>', 'image names or IDs')
      .option('-f, --force', 'remove the image even if several repositories name it or a bundle or container uses it')
      .action(
        action(setExit, async (refs: string[], opts: { force?: boolean }) => {
          const { resolveImage } = lazy.image();
          const store = await ctx.openStore();
          let status = 0;
          for (const input of refs) {
            try {
              const image = await resolveImage(store, input);
              const byName = image.matchedName !== undefined && formatReference(parseReference(input)) === image.matchedName;
              // docker refuses to remove an image a container uses; hoist's containers are
              // overlay bundles and LXC containers (their layers stay either way: prune keeps them)
              const users = opts.force ? [] : await usersOf(store, image);
              if (byName) {
                if (users.length > 0 && image.names.length <= 1) {
                  throw new ImageError(
                    'IMAGE_IN_USE',
                    `conflict: unable to remove repository reference "${input}" (must force) - ${describeUse(users[0]!)} is using its referenced image ${shortId(image.id)}`,
                    { image: image.id, users: users.map((u) => u.path) },
                  );
                }
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
              if (users.length > 0) {
                throw new ImageError('IMAGE_IN_USE', `conflict: unable to delete ${shortId(image.id)} (must be forced) - image is being used by ${describeUse(users[0]!)}`, {
                  image: image.id,
                  users: users.map((u) => u.path),
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
