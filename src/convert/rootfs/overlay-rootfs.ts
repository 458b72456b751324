import { ConvertError } from '../../errors';
import type { ImageConfig, ImageManifest } from '../../oci/manifest';
import { OVERLAY_FLAGS } from '../../snapshot/overlay-snapshotter';
import { mountDataLimit } from '../../snapshot/mount';
import { lowerdirsOf, type Mount, type Snapshotter } from '../../snapshot/types';
import { unpackImage } from '../../snapshot/unpack-image';
import type { Store } from '../../store/store';

export interface OverlayRootfs {
  /** the store's unpacked layers, top first (`layers/<hex>/fs`) */
  lowerdirs: string[];
  upperdir: string;
  workdir: string;
  /** options beside upperdir/lowerdir/workdir */
  options: string[];
}

/**
 * An image's rootfs as an overlay with no copy: the store's unpacked layers
 * (unpacked now if they are not yet) as lowerdirs, and an upper and work dir
 * of the container's own. Returns data; nothing is mounted here. A lowerdir
 * list past the kernel's one-page option limit is CONVERT_LXC_OVERLAY_TOO_DEEP
 * (LXC passes it to mount(2) as it is, with no short-name trick).
 */
export async function overlayRootfs(
  store: Store,
  snapshotter: Snapshotter,
  image: { manifest: ImageManifest; config: ImageConfig },
  dirs: { upperdir: string; workdir: string },
  signal?: AbortSignal,
): Promise<OverlayRootfs> {
  const { chainIds } = await unpackImage(store, snapshotter, image, signal ? { signal } : {});
  const top = chainIds[chainIds.length - 1];
  // a copy-snapshotter store's committed snapshot is one full tree: one lowerdir
  const lowers = top === undefined ? [] : lowerdirsOf(await snapshotter.mounts(top));
  const rootfs: OverlayRootfs = { lowerdirs: lowers, ...dirs, options: [...OVERLAY_FLAGS] };
  const data = overlayMountData(rootfs);
  for (const p of [...lowers, dirs.upperdir, dirs.workdir]) {
    if (/[:,]/.test(p)) {
      throw new ConvertError('CONVERT_LXC_OVERLAY_TOO_DEEP', `overlay paths cannot contain ":" or ",": ${p}`, { path: p });
    }
  }
  if (lowers.length === 0 || Buffer.byteLength(data) > mountDataLimit()) {
    throw new ConvertError(
      'CONVERT_LXC_OVERLAY_TOO_DEEP',
      `the image's ${lowers.length} layers make overlay options of ${Buffer.byteLength(data)} bytes (the kernel takes ${mountDataLimit()}); use --rootfs copy`,
      { layers: lowers.length, bytes: Buffer.byteLength(data) },
    );
  }
  return rootfs;
}

/** The mount options LXC will pass (upperdir, lowerdir, workdir, then ours). */
export function overlayMountData(o: OverlayRootfs): string {
  return [`upperdir=${o.upperdir}`, `lowerdir=${o.lowerdirs.join(':')}`, `workdir=${o.workdir}`, ...o.options].join(',');
}

/** `lxc.rootfs.path` for LXC's overlay storage: `overlay:LOWER(top first):…:UPPER` (workdir = dirname(UPPER)/olwork). */
export function lxcOverlayPath(o: OverlayRootfs): string {
  return `overlay:${[...o.lowerdirs, o.upperdir].join(':')}`;
}

/** The same overlay as a Mount (for `withMount`, to prepare files in it). */
export function overlayMount(o: OverlayRootfs): Mount {
  return { type: 'overlay', source: 'overlay', options: [...o.options, `workdir=${o.workdir}`, `upperdir=${o.upperdir}`, `lowerdir=${o.lowerdirs.join(':')}`] };
}
