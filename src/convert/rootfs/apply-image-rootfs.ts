import * as fs from 'node:fs/promises';
import { throwIfAborted } from '../../errors';
import { applyLayer } from '../../layer/apply/apply-layer';
import type { ApplyWarning } from '../../layer/apply/apply-types';
import type { ImageConfig, ImageManifest } from '../../oci/manifest';
import type { Store } from '../../store/store';
import { shiftCapability, shiftId, type IdMap } from './id-map';

export interface ApplyRootfsOptions {
  /** shift every owner (and file capability) through this map: an unprivileged container's rootfs */
  idMap?: IdMap;
  signal?: AbortSignal;
  onWarning?: (warning: ApplyWarning) => void;
}

export interface ApplyRootfsResult {
  warnings: ApplyWarning[];
  /** container uids and gids met (before shifting) */
  uids: Set<number>;
  gids: Set<number>;
}

/**
 * Materialise an image's rootfs as an independent tree in `dir` (empty or
 * absent): every layer blob applied in order straight from the store
 * (whiteouts delete, ownership, xattrs, diffIDs checked). With an id map,
 * owners and `security.capability` rootids are shifted as each entry is
 * written (setuid/setgid bits survive: modes are set after chown), and
 * device nodes are skipped with a warning, as an unprivileged container
 * cannot use them. An id the map does not cover is an error, never a silent
 * `nobody`.
 */
export async function applyImageRootfs(
  store: Store,
  image: { manifest: ImageManifest; config: ImageConfig },
  dir: string,
  options: ApplyRootfsOptions = {},
): Promise<ApplyRootfsResult> {
  const { idMap } = options;
  const uids = new Set<number>();
  const gids = new Set<number>();
  const warnings: ApplyWarning[] = [];
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  // 0755 whatever the umask (a non-root user must reach /), and the container's root's,
  // unless a layer's `./` entry says otherwise.
  await fs.chmod(dir, 0o755);
  if (idMap !== undefined) await fs.chown(dir, shiftId(idMap, 0, 'uid', '/'), shiftId(idMap, 0, 'gid', '/'));
  const lease = await store.lease();
  try {
    for (const [i, desc] of image.manifest.layers.entries()) {
      throwIfAborted(options.signal);
      const source = await store.content.open(desc, options.signal ? { signal: options.signal } : {});
      const res = await applyLayer(source, dir, {
        whiteouts: 'delete',
        expectedDiffId: image.config.rootfs.diff_ids[i]!,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
        ...(idMap === undefined
          ? {}
          : {
              devices: 'skip' as const,
              mapOwner: (uid: number, gid: number, p: string) => {
                uids.add(uid);
                gids.add(gid);
                return { uid: shiftId(idMap, uid, 'uid', p), gid: shiftId(idMap, gid, 'gid', p) };
              },
              mapXattr: (name: string, value: Buffer, p: string) => (name === 'security.capability' ? shiftCapability(value, idMap, p) : value),
            }),
      });
      warnings.push(...res.warnings);
    }
  } finally {
    await lease.release();
  }
  return { warnings, uids, gids };
}
