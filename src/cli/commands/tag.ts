import { UsageError } from '../../errors';
import { Annotation } from '../../oci/descriptor';
import type { Digest } from '../../oci/digest';
import { formatReference, parseReference } from '../../oci/reference';
import { setTag } from '../../store';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';

export const tagCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('tag')
      .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
      .argument('<source>', 'SOURCE_IMAGE[:TAG] or ID')
      .argument('<target>', 'TARGET_IMAGE[:TAG]')
      .action(
        action(setExit, async (source: string, target: string) => {
          const { resolveImage } = lazy.image();
          const ref = parseReference(target);
          if (ref.digest !== undefined) throw new UsageError('USAGE', `refusing to create a tag with a digest reference: ${target}`);
          const store = await ctx.openStore();
          const image = await resolveImage(store, source);
          const { mediaType, digest, size, platform } = image.entry;
          const original = image.entry.annotations?.[Annotation.RegistryManifest];
          const annotations = original !== undefined ? { annotations: { [Annotation.RegistryManifest]: original } } : {};
          // under a lease, the image's blobs renewed: a concurrent prune cannot take them before the tag is visible
          await store.withLease(async (lease) => {
            const { entry, manifestDesc, manifest } = image;
            const blobs = [entry.digest, manifestDesc.digest, manifest.config.digest, ...manifest.layers.map((l) => l.digest)];
            await lease.keep([...new Set([...blobs, ...(original !== undefined ? [original as Digest] : [])])]);
            await setTag(store.index, formatReference(ref), { mediaType, digest, size, ...(platform ? { platform } : {}), ...annotations });
          });
        }),
      );
  },
};
