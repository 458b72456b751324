import * as fsSync from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { StorePaths } from '../store/store-paths';
import { DirSnapshotter } from './dir-snapshotter';
import type { Mount, SnapshotInfo, SnapshotKind } from './types';

/**
 * Overlayfs: a committed snapshot's `fs/` holds only its own layer, in
 * overlay's form (whiteouts as char devices 0/0, opaque directories marked
 * trusted.overlay.opaque=y); an active snapshot is an empty upper dir plus a
 * work dir over the parent chain as lowerdirs. Mounted with index, redirect_dir
 * and metacopy off, so the upper dir is a complete, self-contained diff.
 * Active snapshots are mounted `volatile` where the kernel has it: their
 * unmount then skips overlayfs's sync of the whole upper file system
 * (`withMount` clears the marker that would refuse a second mount).
 * The mount-option length limit of deep chains is handled by `withMount`.
 */
export class OverlaySnapshotter extends DirSnapshotter {
  readonly name = 'overlay' as const;
  readonly whiteouts = 'overlay' as const;

  constructor(paths: StorePaths) {
    super(paths);
  }

  protected async populate(fsDir: string, _chain: string[], kind: SnapshotKind): Promise<void> {
    if (kind === 'active') fsSync.mkdirSync(path.join(path.dirname(fsDir), 'work'), { mode: 0o700 });
  }

  protected mountsOf(info: SnapshotInfo, dir: string, chain: string[]): Mount[] {
    if (info.kind === 'committed' || info.kind === 'view') {
      if (chain.length === 0) return [{ type: 'bind', source: path.join(dir, 'fs'), options: ['rbind', 'ro'] }];
      if (chain.length === 1) return [{ type: 'bind', source: chain[0] as string, options: ['rbind', 'ro'] }];
      return [{ type: 'overlay', source: 'overlay', options: [...OVERLAY_FLAGS, `lowerdir=${chain.join(':')}`] }];
    }
    if (chain.length === 0) return [{ type: 'bind', source: path.join(dir, 'fs'), options: ['rbind', 'rw'] }];
    return [
      {
        type: 'overlay',
        source: 'overlay',
        options: [...OVERLAY_FLAGS, ...(hasVolatileOverlay() ? ['volatile'] : []), `workdir=${path.join(dir, 'work')}`, `upperdir=${path.join(dir, 'fs')}`, `lowerdir=${chain.join(':')}`],
      },
    ];
  }
}

export const OVERLAY_FLAGS = ['index=off', 'redirect_dir=off', 'metacopy=off'];

/**
 * Whether overlayfs knows `volatile` here (Linux 5.10+): no sync of the upper
 * file system at fsync, syncfs or unmount. Without it, every unmount of an
 * active snapshot's overlay synced all of the upper file system (`sync_fs`):
 * after a cold build's base unpack, ~0.4 s of writeback in the next step, and
 * any dirty data of other processes on that disk (docs/bench.md). What it
 * costs: a step's layer reaches the disk at writeback (an unpacked layer
 * always did; the store promises nothing on power loss for layers/,
 * docs/store.md), and a crash leaves the work dir unmountable (an active
 * snapshot is garbage then anyway).
 */
export function hasVolatileOverlay(release: string = os.release()): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (m === null) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 5 || (major === 5 && minor >= 10);
}
