import * as fsSync from 'node:fs';
import * as path from 'node:path';
import { ConvertError } from '../../errors';
import { copyTree } from '../../snapshot/copy-snapshotter';
import { fitsInitLayer } from './init-layer';
import { mountAt, mountDataLimit, withMount } from '../../snapshot/mount';
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
  /**
   * leave an overlay rootfs unmounted and return its mount, for the runtime to
   * mount at `/` in the container's own mount namespace (`withRootfsMount`)
   */
  leaveToRuntime?: boolean;
  /** an init layer (`ensureInitLayer`) to lay over the image's layers where it fits (`fitsInitLayer`) */
  initLayer?: string;
  signal?: AbortSignal;
}

/** An overlay rootfs left to the runtime: its mount, and its lowerdirs (top first) to read the image from. */
export interface RuntimeRootfs {
  mount: Mount;
  lowerdirs: string[];
}

/**
 * Fills `<bundleDir>/rootfs` with the image whose top layer is `top`:
 * `overlay` mounts the store's unpacked layers under a per-bundle upper dir
 * (no copy; it stays mounted until `removeBundle`/`unmountAt`); `copy` writes
 * an independent tree (`cp -a` of the merged layers). No layers: an empty rootfs.
 * With `leaveToRuntime`, an overlay is not mounted here: its mount is returned.
 */
export async function populateRootfs(
  snapshotter: Snapshotter,
  top: string | undefined,
  bundleDir: string,
  kind: RootfsKind,
  options: PopulateOptions = {},
): Promise<RuntimeRootfs | undefined> {
  const rootfs = path.join(bundleDir, 'rootfs');
  // three directories: synchronous calls (no thread-pool round trips; write-bundle.ts says why)
  fsSync.mkdirSync(rootfs, { mode: 0o755 });
  if (top === undefined) return undefined;
  if (kind === 'copy') {
    await withMount(await snapshotter.mounts(top), (root) => copyTree(root, rootfs, options.signal));
    return undefined;
  }
  if (snapshotter.name !== 'overlay') {
    throw new ConvertError('CONVERT_BUNDLE_OVERLAY_UNSUPPORTED', `an overlay rootfs needs the overlay snapshotter (this store uses ${snapshotter.name}); use --rootfs copy`, {
      snapshotter: snapshotter.name,
    });
  }
  fsSync.mkdirSync(path.join(bundleDir, 'upper'), { mode: 0o755 });
  fsSync.mkdirSync(path.join(bundleDir, 'work'), { mode: 0o700 });
  const volatile = options.volatile === true && hasVolatileOverlay();
  const lowerdirs = lowerdirsOf(await snapshotter.mounts(top));
  const init = options.initLayer !== undefined && fitsInitLayer(lowerdirs) ? [options.initLayer] : [];
  const mount = bundleOverlayMount([...init, ...lowerdirs], bundleDir, { volatile });
  // runc passes the options to mount(2) as they are: past one page (a deep image) they are
  // mounted here, where mountAt shortens the lowerdirs (snapshot/mount.ts)
  if (options.leaveToRuntime === true && mount.options.join(',').length <= mountDataLimit()) return { mount, lowerdirs };
  await mountAt([mount], rootfs);
  return undefined;
}
