import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isDigest } from '../oci/digest';
import { CACHE_MOUNTS_DIR, listCacheMounts } from './cache-mounts';
import { prune } from './gc';
import { findLeftovers, sizeOf } from './leftovers';
import { refNameOf } from './tags';
import type { Store } from './store';

/** One row of `hoist system df` (docker's columns): how much a kind of record holds and how much prune would free. */
export interface DiskUsageRow {
  type: 'Images' | 'Unpacked layers' | 'Build cache' | 'Build cache mounts' | 'Leftovers';
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

/**
 * The space the store's records hold: images (their blobs), unpacked layers,
 * build cache records, and the leftovers of killed commands (partial writes,
 * dead locks, temp files). Reclaimable is what `hoist prune` would remove now
 * (a dry run: nothing changes).
 */
export async function diskUsage(store: Store): Promise<DiskUsageRow[]> {
  const dry = await prune(store, { dryRun: true });
  const { manifests } = await store.index.read();
  const blobSizes = new Map<string, number>();
  await store.content.walk((info) => {
    blobSizes.set(info.digest, info.size);
  });
  const sum = (digests: Iterable<string>, sizes: Map<string, number>): number => [...digests].reduce((n, d) => n + (sizes.get(d) ?? 0), 0);
  const layerSizes = new Map<string, number>();
  for (const name of await fs.readdir(store.paths.layers).catch(() => [] as string[])) {
    if (isDigest(`sha256:${name}`)) layerSizes.set(`sha256:${name}`, await sizeOf(path.join(store.paths.layers, name)));
  }
  const cacheRecords = (await fs.readdir(store.paths.cache).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
  const mounts = await listCacheMounts(store.paths);
  const mountBytes = mounts.reduce((n, m) => n + m.size, 0);
  const unusedMountBytes = mounts.filter((m) => !m.inUse).reduce((n, m) => n + m.size, 0);
  const leftovers = await findLeftovers(store.paths);
  const leftoverBytes = leftovers.reduce((n, l) => n + l.bytes, 0);
  const images = new Set(manifests.map((m) => m.digest));
  const tagged = new Set(manifests.filter((m) => refNameOf(m) !== undefined).map((m) => m.digest));
  return [
    { type: 'Images', total: images.size, active: tagged.size, size: sum(blobSizes.keys(), blobSizes), reclaimable: sum(dry.blobs, blobSizes) },
    { type: 'Unpacked layers', total: layerSizes.size, active: layerSizes.size - dry.layers.length, size: sum(layerSizes.keys(), layerSizes), reclaimable: sum(dry.layers, layerSizes) },
    { type: 'Build cache', total: cacheRecords.length, active: 0, size: (await sizeOf(store.paths.cache)) - (await sizeOf(path.join(store.paths.cache, CACHE_MOUNTS_DIR))), reclaimable: 0 },
    { type: 'Build cache mounts', total: mounts.length, active: mounts.filter((m) => m.inUse).length, size: mountBytes, reclaimable: unusedMountBytes },
    { type: 'Leftovers', total: leftovers.length, active: 0, size: leftoverBytes, reclaimable: leftoverBytes },
  ];
}
