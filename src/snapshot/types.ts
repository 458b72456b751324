/** A mount as data (containerd's mount.Mount): what to mount, never done here. */
export interface Mount {
  type: 'overlay' | 'bind';
  source: string;
  options: string[];
}

export type SnapshotKind = 'committed' | 'active' | 'view';

export interface SnapshotInfo {
  /** the key of an active snapshot or view; the chainID name of a committed one */
  key: string;
  kind: SnapshotKind;
  /** the committed parent's name (a chainID) */
  parent?: string;
  created: string;
  /** which snapshotter wrote it */
  snapshotter: 'overlay' | 'copy';
}

/**
 * Snapshots of a filesystem, stacked by parent (containerd's Snapshotter):
 *
 *  1. `prepare(key, parent?)` makes an active snapshot on top of a committed
 *     parent (or empty) and returns the mounts that show it writable;
 *  2. the caller mounts them (`withMount`), changes the tree (runc, COPY, or
 *     `applyLayer`), then diffs it against the parent (`compareMounts`);
 *  3. `commit(name, key)` turns the active snapshot into a committed one named
 *     by its chainID (the unpacked layer `layers/<hex>/`); the key is gone;
 *  4. or `remove(key)` drops it. `view(key, parent)` is a read-only active
 *     snapshot that cannot be committed. `stat`, `mounts`, `walk` inspect.
 *
 * Committed names must be chainIDs: a committed snapshot is the unpacked
 * layer record the store's prune keeps or removes by chainID.
 */
export interface Snapshotter {
  readonly name: 'overlay' | 'copy';
  /** how `applyLayer` must record whiteouts in an active snapshot's writable dir */
  readonly whiteouts: 'overlay' | 'delete';
  stat(key: string): Promise<SnapshotInfo>;
  prepare(key: string, parent?: string, options?: { signal?: AbortSignal }): Promise<Mount[]>;
  view(key: string, parent?: string): Promise<Mount[]>;
  mounts(key: string): Promise<Mount[]>;
  commit(name: string, key: string): Promise<void>;
  remove(key: string): Promise<void>;
  walk(fn: (info: SnapshotInfo) => void | Promise<void>): Promise<void>;
}

/**
 * The layer directories a committed snapshot's mounts stack, top first (an
 * overlay's lowerdirs, or a bind's one tree): what a caller building its own
 * overlay on top of an image (a bundle, an LXC rootfs) puts under its upper dir.
 */
export function lowerdirsOf(mounts: readonly Mount[]): string[] {
  if (mounts.length !== 1) throw new Error(`expected one mount for a committed snapshot, got ${mounts.length}`);
  const m = mounts[0]!;
  if (m.type === 'bind') return [m.source];
  const opt = m.options.find((o) => o.startsWith('lowerdir='));
  return opt === undefined ? [] : opt.slice('lowerdir='.length).split(':');
}
