import * as path from 'node:path';
import { SnapshotError } from '../errors';
import { describeExit, runProcess } from '../sys';
import type { StorePaths } from '../store/store-paths';
import { DirSnapshotter } from './dir-snapshotter';
import type { Mount, SnapshotInfo, SnapshotKind } from './types';

/** `cp -a --reflink=auto SRC/. DST`: keeps owners, modes, ns times, xattrs, devices and hard links. */
export async function copyTree(src: string, dst: string, signal?: AbortSignal): Promise<void> {
  const argv = ['cp', '-a', '--reflink=auto', `${src}/.`, dst];
  const r = await runProcess(argv, { stdout: 'ignore', ...(signal ? { signal } : {}) });
  if (r.code !== 0) throw new SnapshotError('SNAPSHOT_MOUNT_FAILED', describeExit(argv, r), { src, dst, code: r.code });
}

/**
 * The fallback where overlayfs is unavailable: every committed snapshot's
 * `fs/` is a full root filesystem (parent copied, layer applied with
 * whiteouts deleting); an active snapshot starts as a copy of its parent.
 * Mounts are plain bind mounts, which `withMount` reads in place.
 */
export class CopySnapshotter extends DirSnapshotter {
  readonly name = 'copy' as const;
  readonly whiteouts = 'delete' as const;

  constructor(paths: StorePaths) {
    super(paths);
  }

  protected async populate(fsDir: string, chain: string[], kind: SnapshotKind, signal?: AbortSignal): Promise<void> {
    if (kind === 'active' && chain.length > 0) await copyTree(chain[0] as string, fsDir, signal);
  }

  protected mountsOf(info: SnapshotInfo, dir: string, chain: string[]): Mount[] {
    if (info.kind === 'view') {
      return [{ type: 'bind', source: chain[0] ?? path.join(dir, 'fs'), options: ['rbind', 'ro'] }];
    }
    if (info.kind === 'committed') return [{ type: 'bind', source: path.join(dir, 'fs'), options: ['rbind', 'ro'] }];
    return [{ type: 'bind', source: path.join(dir, 'fs'), options: ['rbind', 'rw'] }];
  }
}
