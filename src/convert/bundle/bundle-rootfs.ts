import * as fsSync from 'node:fs';
import * as path from 'node:path';
import { ConvertError } from '../../errors';
import { copyTree } from '../../snapshot/copy-snapshotter';
import { mountAt, withMount } from '../../snapshot/mount';
import { hasVolatileOverlay, OVERLAY_FLAGS } from '../../snapshot/overlay-snapshotter';
import { lowerdirsOf, type Mount, type Snapshotter } from '../../snapshot/types';

export type RootfsKind = 'overlay' | 'copy';

/**
 * The overlay mount of a bundle: the image's unpacked layers (`layers/<chainID>/fs`,
 * top first) as lowerdirs, and an upper and work dir of the bundle's own. Data only.
 */
export function bundleOverlayMount(lowerdirs: readonly string[], bundleDir: string, options: { volatile?: boolean } = {}): Mount {
  return {
    type: 'overlay',
    source: 'overlay',
    options: [
      ...OVERLAY_FLAGS,
      ...(options.volatile ? ['volatile'] : []),
      `lowerdir=${lowerdirs.join(':')}`,
      `upperdir=${path.join(bundleDir, 'upper')}`,
      `workdir=${path.join(bundleDir, 'work')}`,
    ],
  };
}

export interface PopulateOptions {
  /**
   * mount the overlay `volatile` where the kernel has it (`hasVolatileOverlay`): no
   * syncs of the upper dir, and its unmount writes nothing back. Only for a
   * rootfs removed after one run: a volatile upper dir cannot be mounted again.
   */
  volatile?: boolean;
  signal?: AbortSignal;
}

/**
 * Fills `<bundleDir>/rootfs` with the image whose top layer is `top`:
 * `overlay` mounts the store's unpacked layers under a per-bundle upper dir
 * (no copy; it stays mounted until `removeBundle`/`unmountAt`); `copy` writes
 * an independent tree (`cp -a` of the merged layers). No layers: an empty rootfs.
 */
export async function populateRootfs(
  snapshotter: Snapshotter,
  top: string | undefined,
  bundleDir: string,
  kind: RootfsKind,
  options: PopulateOptions = {},
): Promise<void> {
  const rootfs = path.join(bundleDir, 'rootfs');
  // three directories: synchronous calls (no thread-pool round trips; write-bundle.ts says why)
  fsSync.mkdirSync(rootfs, { mode: 0o755 });
  if (top === undefined) return;
  if (kind === 'copy') {
    await withMount(await snapshotter.mounts(top), (root) => copyTree(root, rootfs, options.signal));
    return;
  }
  if (snapshotter.name !== 'overlay') {
    throw new ConvertError('CONVERT_BUNDLE_OVERLAY_UNSUPPORTED', `an overlay rootfs needs the overlay snapshotter (this store uses ${snapshotter.name}); use --rootfs copy`, {
      snapshotter: snapshotter.name,
    });
  }
  fsSync.mkdirSync(path.join(bundleDir, 'upper'), { mode: 0o755 });
  fsSync.mkdirSync(path.join(bundleDir, 'work'), { mode: 0o700 });
  const volatile = options.volatile === true && hasVolatileOverlay();
  await mountAt([bundleOverlayMount(lowerdirsOf(await snapshotter.mounts(top)), bundleDir, { volatile })], rootfs);
}
