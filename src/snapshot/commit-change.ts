import { randomBytes } from 'node:crypto';
import { isHoistError } from '../errors';
import type { DiffOptions } from '../layer/diff/diff-upper';
import type { PackEntry } from '../layer/diff/pack-entry';
import { chainIdOf } from '../oci/chain-id';
import type { Digest } from '../oci/digest';
import { withChanges } from './differ';
import { withMount } from './mount';
import type { Mount, Snapshotter } from './types';

export interface ChangeResult<L extends { diffId: Digest }> {
  /** what `write` made of the changeset (an empty tar when the change left the tree as it was) */
  layer: L;
  /** the committed snapshot of the layer on its parent */
  chainId: Digest;
}

export interface CommitChangeOptions extends DiffOptions {
  signal?: AbortSignal;
}

/**
 * One step of a build as a snapshot lifecycle (containerd's): prepare an
 * active snapshot on `parent`, mount it, let `change` alter the tree, unmount,
 * hand the diff against the parent to `write` (which packs it: `writeLayer`
 * into a blob, digest and diffID in one pass, or `spoolLayer` into a file
 * whose blob is written later), and commit the snapshot under its chainID.
 * On any failure the active snapshot is removed, so nothing half-made is left.
 * RUN (runc in the rootfs), COPY and WORKDIR are all this with another `change`.
 */
export async function commitChange<L extends { diffId: Digest }>(
  snapshotter: Snapshotter,
  parent: Digest | undefined,
  change: (rootfs: string, mounts: Mount[]) => Promise<void>,
  write: (entries: PackEntry[]) => Promise<L>,
  options: CommitChangeOptions = {},
): Promise<ChangeResult<L>> {
  const key = `change-${process.pid}-${randomBytes(8).toString('hex')}`;
  const mounts = await snapshotter.prepare(key, parent, options.signal ? { signal: options.signal } : {});
  let kept = false;
  try {
    await withMount(mounts, (rootfs) => change(rootfs, mounts));
    const lower = parent === undefined ? [] : await snapshotter.mounts(parent);
    // a change that changed nothing is still a layer (an empty tar), as BuildKit keeps it
    const layer = await withChanges(lower, mounts, options, write);
    const chainId = chainIdOf(parent, layer.diffId);
    try {
      await snapshotter.commit(chainId, key);
      kept = true;
    } catch (err) {
      if (!isHoistError(err, 'SNAPSHOT_EXISTS')) throw err; // the same layer was committed by another build first
    }
    return { layer, chainId };
  } finally {
    if (!kept) await snapshotter.remove(key).catch(() => undefined);
  }
}
