export type { Mount, Snapshotter, SnapshotInfo, SnapshotKind } from './types';
export { DirSnapshotter } from './dir-snapshotter';
export { OverlaySnapshotter, OVERLAY_FLAGS } from './overlay-snapshotter';
export { CopySnapshotter, copyTree } from './copy-snapshotter';
export { withMount, isOverlaySupported, mountDataLimit } from './mount';
export { compareMounts, applyToMounts, withChanges } from './differ';
export { unpackImage, type UnpackOptions, type UnpackResult } from './unpack-image';
export { SnapshotDirs } from './snapshot-dirs';
export { selectSnapshotter } from './select-snapshotter';
