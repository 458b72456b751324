import type { Readable } from 'node:stream';
import { applyLayer, type ApplyOptions, type ApplyResult } from '../layer/apply/apply-layer';
import { diffTrees } from '../layer/diff/diff-trees';
import { diffUpperDir, type DiffOptions } from '../layer/diff/diff-upper';
import type { PackEntry } from '../layer/diff/pack-entry';
import { writeLayer, type LayerWriteResult, type WriteLayerOptions } from '../layer/write-layer';
import type { ContentStore } from '../store/types';
import { withMount } from './mount';
import type { Mount } from './types';

function option(m: Mount, key: string): string | undefined {
  return m.options.find((o) => o.startsWith(`${key}=`))?.slice(key.length + 1);
}

/** The upper dir of an overlay mount whose lowerdirs are exactly `lower`'s view. */
function overlayUpper(lower: readonly Mount[], upper: readonly Mount[]): string | undefined {
  if (upper.length !== 1 || upper[0]?.type !== 'overlay') return undefined;
  const dir = option(upper[0], 'upperdir');
  if (dir === undefined) return undefined;
  const lowerdirs = option(upper[0], 'lowerdir') ?? '';
  const l = lower[0];
  const expected = lower.length === 0 ? '' : l?.type === 'bind' ? l.source : l?.type === 'overlay' ? (option(l, 'lowerdir') ?? '') : undefined;
  return expected === lowerdirs ? dir : undefined;
}

/**
 * Runs `fn` with the changeset from `lower` to `upper` and the directory its
 * entries are read from: an overlay upper dir directly (no mount), else both
 * trees mounted and compared.
 */
export async function withChanges<T>(
  lower: readonly Mount[],
  upper: readonly Mount[],
  options: DiffOptions,
  fn: (entries: PackEntry[]) => Promise<T>,
): Promise<T> {
  const upperDir = overlayUpper(lower, upper);
  if (upperDir !== undefined) return fn(await diffUpperDir(upperDir, options));
  return withMount(lower, (l) => withMount(upper, async (u) => fn(await diffTrees(lower.length === 0 ? undefined : l, u, options))));
}

/**
 * The Differ's compare: writes the layer from `lower` to `upper` into the
 * content store (digest and diffID in one pass). For a RUN step: prepare ->
 * mounts -> runc -> `compareMounts(parentMounts, mounts)` -> commit(chainID).
 */
export function compareMounts(
  content: ContentStore,
  lower: readonly Mount[],
  upper: readonly Mount[],
  options: WriteLayerOptions & DiffOptions = {},
): Promise<LayerWriteResult> {
  return withChanges(lower, upper, options, (entries) => writeLayer(content, entries, options));
}

/**
 * The Differ's apply: extracts a layer stream into the writable side of
 * `mounts` (an overlay upper dir in overlay form, a bind source with whiteouts
 * deleting, anything else through a real mount).
 */
export async function applyToMounts(source: Readable, mounts: readonly Mount[], options: ApplyOptions = {}): Promise<ApplyResult> {
  const m = mounts[0];
  if (mounts.length === 1 && m?.type === 'overlay') {
    const upperdir = option(m, 'upperdir');
    if (upperdir !== undefined) return applyLayer(source, upperdir, { ...options, whiteouts: 'overlay' });
  }
  return withMount(mounts, (root) => applyLayer(source, root, { ...options, whiteouts: options.whiteouts ?? 'delete' }));
}
