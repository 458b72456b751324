import { Readable } from 'node:stream';
import type { Descriptor } from '../../../oci/descriptor';
import type { Digest } from '../../../oci/digest';
import { parseReference } from '../../../oci/reference';
import type { Store } from '../../../store/store';
import { mapLimit } from '../../../stream/map-limit';
import type { CacheManifest } from './cache-manifest';
import { registryModule, type RegistryCacheOptions } from './registry-cache-source';

export interface ExportCounts {
  uploaded: number;
  /** already there (HEAD) or mounted from another repository */
  skipped: number;
}

export interface ExportTargetOptions {
  /** make sure a layer's blob is in the store (a layer taken from a cache and not fetched yet) */
  ensureLocal: (desc: Descriptor) => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Push a cache manifest to `ref` (tag default latest): every layer HEAD
 * first (a blob the repository has is never uploaded again), then a mount
 * from a repository of the same registry known to hold it, then an upload;
 * then the cacheconfig blob and the manifest.
 */
export async function pushCacheManifest(store: Store, ref: string, layers: readonly Descriptor[], cm: CacheManifest, options: ExportTargetOptions & RegistryCacheOptions): Promise<ExportCounts> {
  const reg = registryModule();
  const r = parseReference(ref);
  const client = await reg.RegistryClient.create(r.domain, { ...options.clientOptions, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const counts: ExportCounts = { uploaded: 0, skipped: 0 };
  try {
    client.declarePush(r.path);
    const mounts = await reg.mountSourcesFor(store, r.domain, r.path);
    const signal = options.signal;
    await mapLimit(
      layers,
      4,
      async (desc) => {
        if (!(await store.content.has(desc.digest))) {
          if (await client.hasBlob(r.path, desc, signal)) {
            counts.skipped++;
            return;
          }
          await options.ensureLocal(desc);
        }
        const res = await client.pushBlob(r.path, desc, () => store.content.open(desc, { verify: false, ...(signal ? { signal } : {}) }), {
          mountFrom: mounts.get(desc.digest as Digest) ?? [],
          ...(signal ? { signal } : {}),
        });
        counts[res.status === 'uploaded' ? 'uploaded' : 'skipped']++;
      },
      signal,
    );
    const cfg = cm.config;
    await client.pushBlob(r.path, cfg.descriptor, () => Readable.from([cfg.raw]), signal ? { signal } : {});
    await client.putManifest(r.path, r.tag ?? 'latest', cm.manifest.raw, cm.manifest.descriptor.mediaType, signal);
    return counts;
  } finally {
    await client.close();
  }
}
