import { BuildCache, cacheKey } from '../build/cache/build-cache';
import { computeChainId } from '../oci/chain-id';
import type { Digest } from '../oci/digest';
import type { Lease, Store } from '../store';
import type { PackedLayer } from './types';

/** Layer descriptor annotation: which pack layer it is (`dependencies 1/3`), and its package count. */
export const LAYER_ANNOTATION = 'io.hoist.pack.layer';
export const PACKAGES_ANNOTATION = 'io.hoist.pack.packages';

/** Record i of the chain for `key`; the record after the last layer has no layer (the end). */
function recordKey(key: Digest, i: number): Digest {
  return cacheKey(key, { pack: 'dependency layer', index: i });
}

/**
 * The dependency layers made earlier for the same dependency key, from the
 * builder's cache records (one per layer, then an end record; `hoist prune`
 * keeps their blobs as it keeps any build step's), or undefined on any miss
 * or missing blob. Found blobs are renewed under `lease`.
 */
export async function cachedDependencyLayers(store: Store, key: Digest, lease: Lease): Promise<PackedLayer[] | undefined> {
  const cache = new BuildCache(store.paths);
  const out: PackedLayer[] = [];
  for (let i = 0; ; i++) {
    const record = await cache.get(recordKey(key, i));
    if (record === undefined) return undefined;
    if (record.layer === undefined) return out;
    // renewed under the caller's lease: a concurrent prune cannot take it before the image is tagged
    if ((await lease.keep([record.layer.descriptor.digest])).length > 0) return undefined;
    const d = record.layer.descriptor;
    const packages = Number(d.annotations?.[PACKAGES_ANNOTATION] ?? 0);
    out.push({ name: d.annotations?.[LAYER_ANNOTATION] ?? record.description, descriptor: d, diffId: record.layer.diffId, ...(packages > 0 ? { packages } : {}) });
  }
}

/** Record `layers` for `key` (under the caller's lease, after the blobs are written). */
export async function recordDependencyLayers(store: Store, key: Digest, layers: readonly PackedLayer[]): Promise<void> {
  const cache = new BuildCache(store.paths);
  const created = new Date().toISOString();
  for (const [i, l] of layers.entries()) {
    const chainId = computeChainId([l.diffId]) as Digest;
    await cache.put({ schema: 'hoist.build.cache.v1', key: recordKey(key, i), created, description: `hoist pack: ${l.name}`, layer: { descriptor: l.descriptor, diffId: l.diffId, chainId } });
  }
  await cache.put({ schema: 'hoist.build.cache.v1', key: recordKey(key, layers.length), created, description: 'hoist pack: end of the dependency layers' });
}

/** A pack layer's descriptor, annotated with its name (and package count), as the manifest lists it. */
export function annotated(name: string, packages: number | undefined, d: PackedLayer['descriptor']): PackedLayer['descriptor'] {
  return { ...d, annotations: { ...(d.annotations ?? {}), [LAYER_ANNOTATION]: name, ...(packages ? { [PACKAGES_ANNOTATION]: String(packages) } : {}) } };
}
