import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ConvertError } from '../../errors';
import { copyTree } from '../../snapshot/copy-snapshotter';
import { mountAt, withMount } from '../../snapshot/mount';
import { OVERLAY_FLAGS } from '../../snapshot/overlay-snapshotter';
import { lowerdirsOf, type Mount, type Snapshotter } from '../../snapshot/types';

export type RootfsKind = 'overlay' | 'copy';

/**
 * The overlay mount of a bundle: the image's unpacked layers (`layers/<chainID>/fs`,
 * top first) as lowerdirs, and an upper and work dir of the bundle's own. Data only.
 */
export function bundleOverlayMount(lowerdirs: readonly string[], bundleDir: string): Mount {
  return {
    type: 'overlay',
    source: 'overlay',
    options: [...OVERLAY_FLAGS, `lowerdir=${lowerdirs.join(':')}`, `upperdir=${path.join(bundleDir, 'upper')}`, `workdir=${path.join(bundleDir, 'work')}`],
  };
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
  signal?: AbortSignal,
): Promise<void> {
  const rootfs = path.join(bundleDir, 'rootfs');
  await fs.mkdir(rootfs, { mode: 0o755 });
  if (top === undefined) return;
  if (kind === 'copy') {
    await withMount(await snapshotter.mounts(top), (root) => copyTree(root, rootfs, signal));
    return;
  }
  if (snapshotter.name !== 'overlay') {
    throw new ConvertError('CONVERT_BUNDLE_OVERLAY_UNSUPPORTED', `an overlay rootfs needs the overlay snapshotter (this store uses ${snapshotter.name}); use --rootfs copy`, {
      snapshotter: snapshotter.name,
    });
  }
  await fs.mkdir(path.join(bundleDir, 'upper'), { mode: 0o755 });
  await fs.mkdir(path.join(bundleDir, 'work'), { mode: 0o700 });
  await mountAt([bundleOverlayMount(lowerdirsOf(await snapshotter.mounts(top)), bundleDir)], rootfs);
}
