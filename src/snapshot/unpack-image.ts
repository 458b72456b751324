import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isHoistError, LayerError, throwIfAborted } from '../errors';
import { computeChainIds } from '../oci/chain-id';
import type { Descriptor } from '../oci/descriptor';
import type { ImageConfig, ImageManifest } from '../oci/manifest';
import type { Store } from '../store/store';
import type { ApplyOptions } from '../layer/apply/apply-layer';
import type { ApplyWarning } from '../layer/apply/apply-types';
import type { Snapshotter } from './types';

export interface UnpackOptions extends Pick<ApplyOptions, 'maxSize' | 'native' | 'preserveOwnership'> {
  signal?: AbortSignal;
  onProgress?: (event: { layer: number; digest: string; chainId: string; state: 'present' | 'unpacked' }) => void;
  onWarning?: (warning: ApplyWarning) => void;
}

export interface UnpackResult {
  /** the chainID of every layer, bottom first; the last is the image's top snapshot */
  chainIds: string[];
  unpacked: number;
  skipped: number;
}

/**
 * Unpacks an image's layers into `layers/<chainID>/`, each once: a chainID
 * already committed is skipped; otherwise an active snapshot is prepared on
 * the previous chainID, the blob applied into it (diffID checked against the
 * config as it streams), and it is committed as the chainID. On failure the
 * temporary snapshot is removed, so no half layer is left under a chainID.
 * Runs under a store lease, so a concurrent prune leaves fresh layers alone.
 */
export async function unpackImage(
  store: Store,
  snapshotter: Snapshotter,
  image: { manifest: ImageManifest; config: ImageConfig },
  options: UnpackOptions = {},
): Promise<UnpackResult> {
  const { manifest, config } = image;
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new LayerError('LAYER_DIFFID_MISMATCH', `manifest has ${manifest.layers.length} layers, config ${diffIds.length} diff_ids`, {});
  }
  const chainIds = computeChainIds(diffIds);
  const lease = await store.lease();
  let unpacked = 0;
  try {
    for (const [i, desc] of manifest.layers.entries()) {
      throwIfAborted(options.signal);
      const chainId = chainIds[i] as string;
      if (await isCommitted(snapshotter, chainId)) {
        options.onProgress?.({ layer: i, digest: desc.digest, chainId, state: 'present' });
        continue;
      }
      await unpackOne(store, snapshotter, desc, i === 0 ? undefined : chainIds[i - 1], chainId, diffIds[i] as ImageConfig['rootfs']['diff_ids'][number], options);
      unpacked++;
      options.onProgress?.({ layer: i, digest: desc.digest, chainId, state: 'unpacked' });
    }
  } finally {
    await lease.release();
  }
  return { chainIds, unpacked, skipped: chainIds.length - unpacked };
}

async function isCommitted(snapshotter: Snapshotter, chainId: string): Promise<boolean> {
  try {
    return (await snapshotter.stat(chainId)).kind === 'committed';
  } catch (err) {
    if (isHoistError(err, 'SNAPSHOT_NOT_FOUND')) return false;
    throw err;
  }
}

async function unpackOne(
  store: Store,
  snapshotter: Snapshotter,
  desc: Descriptor,
  parent: string | undefined,
  chainId: string,
  diffId: ImageConfig['rootfs']['diff_ids'][number],
  options: UnpackOptions,
): Promise<void> {
  await unpackStream(snapshotter, () => store.content.open(desc, options.signal ? { signal: options.signal } : {}), parent, chainId, diffId, options);
}

/**
 * One layer from a stream into `layers/<chainID>/`: prepare an active
 * snapshot on `parent`, apply `source()` into it (diffID checked), wait for
 * `ready` (a pull's own verification of the blob's digest), commit as
 * `chainId`. On any failure the active snapshot is removed. Resolves false
 * when another unpack committed the chainID first.
 */
export async function unpackStream(
  snapshotter: Snapshotter,
  source: () => Promise<Readable>,
  parent: string | undefined,
  chainId: string,
  diffId: ImageConfig['rootfs']['diff_ids'][number],
  options: UnpackOptions & { ready?: Promise<unknown> } = {},
): Promise<boolean> {
  const key = `unpack-${process.pid}-${randomBytes(6).toString('hex')}-${chainId}`;
  try {
    const mounts = await snapshotter.prepare(key, parent, options.signal ? { signal: options.signal } : {});
    // loaded here, not at start: a store whose layers are all unpacked never needs the extractor
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { applyToMounts } = require('./differ') as typeof import('./differ');
    const { ready, ...applyOptions } = options;
    await applyToMounts(await source(), mounts, { ...applyOptions, expectedDiffId: diffId });
    await ready;
    await snapshotter.commit(chainId, key);
    return true;
  } catch (err) {
    await snapshotter.remove(key).catch(() => undefined);
    if (isHoistError(err, 'SNAPSHOT_EXISTS')) return false; // another unpack committed it first
    throw err;
  }
}
