import * as fs from 'node:fs/promises';
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
 * The mount-option length limit of deep chains is handled by `withMount`.
 */
export class OverlaySnapshotter extends DirSnapshotter {
  readonly name = 'overlay' as const;
  readonly whiteouts = 'overlay' as const;

  constructor(paths: StorePaths) {
    super(paths);
  }

  protected async populate(fsDir: string, _chain: string[], kind: SnapshotKind): Promise<void> {
    if (kind === 'active') await fs.mkdir(path.join(path.dirname(fsDir), 'work'), { mode: 0o700 });
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
        options: [...OVERLAY_FLAGS, `workdir=${path.join(dir, 'work')}`, `upperdir=${path.join(dir, 'fs')}`, `lowerdir=${chain.join(':')}`],
      },
    ];
  }
}

export const OVERLAY_FLAGS = ['index=off', 'redirect_dir=off', 'metacopy=off'];
