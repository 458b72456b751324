import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ConvertError, isHoistError } from '../../errors';
import { copyTree } from '../../snapshot/copy-snapshotter';
import { mountAt, withMount } from '../../snapshot/mount';
import { OVERLAY_FLAGS } from '../../snapshot/overlay-snapshotter';
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
   * mount the overlay `volatile` (Linux 5.10+; without it, as before): no
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
  await fs.mkdir(rootfs, { mode: 0o755 });
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
  await fs.mkdir(path.join(bundleDir, 'upper'), { mode: 0o755 });
  await fs.mkdir(path.join(bundleDir, 'work'), { mode: 0o700 });
  const lowerdirs = lowerdirsOf(await snapshotter.mounts(top));
  try {
    await mountAt([bundleOverlayMount(lowerdirs, bundleDir, { volatile: options.volatile === true })], rootfs);
  } catch (err) {
    // a kernel before 5.10 does not know `volatile` (EINVAL): mount as before
    if (!options.volatile || !isHoistError(err, 'SNAPSHOT_MOUNT_FAILED') || (err.details as { errno?: string }).errno !== 'EINVAL') throw err;
    await mountAt([bundleOverlayMount(lowerdirs, bundleDir)], rootfs);
  }
}
