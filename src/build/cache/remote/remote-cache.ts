import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BuildError, hasKind } from '../../../errors';
import type { Descriptor } from '../../../oci/descriptor';
import type { Digest } from '../../../oci/digest';
import type { Platform } from '../../../oci/platform';
import { layerCompression } from '../../../oci/media-types';
import type { ProgressListener } from '../../../progress/events';
import type { Store } from '../../../store/store';
import { createDecompressStream } from '../../../stream/compression';
import type { LayerRef } from '../../exec/stage-state';
import type { BuildCache, CacheRecord } from '../build-cache';
import { CacheConfigInvalid } from './cache-config';
import { readCacheIndex, type RemoteHit, type RemoteLayer } from './cache-index';
import type { CacheSource } from './cache-source';

interface Loaded {
  source: CacheSource;
  /** its position in --cache-from (a source found faulty is dropped by it) */
  position: number;
  hits: Map<Digest, RemoteHit>;
}

/** A layer a build took from a cache and has not verified yet; its local records are written once it is. */
interface Pending {
  from: Loaded;
  layer: RemoteLayer;
  records: CacheRecord[];
  verified?: Promise<void>;
}

export interface RemoteMatch {
  layer: RemoteLayer;
  created: string;
  source: string;
}

/** sha256 of a layer blob's uncompressed bytes (its diffID), read from the store. */
async function diffIdOf(store: Store, layer: RemoteLayer, signal?: AbortSignal): Promise<Digest> {
  const h = createHash('sha256');
  const sink = new Writable({ write(chunk: Buffer, _enc, cb) { h.update(chunk); cb(); }, highWaterMark: 1024 * 1024 });
  const compression = layerCompression(layer.descriptor.mediaType) ?? 'gzip';
  await pipeline(await store.content.open(layer.descriptor, signal ? { signal } : {}), createDecompressStream(compression), sink, signal ? { signal } : {});
  return `sha256:${h.digest('hex')}` as Digest;
}

/**
 * The caches named by --cache-from, as one lookup: a hoist cache key to a
 * layer made elsewhere. Nothing is downloaded at lookup; a layer's blob is
 * fetched (digest and size checked as it streams, then its diffID) only
 * when the build needs its bytes: to mount a rootfs for a later step, or to
 * write the image. A layer that fails either check fails the build with
 * BUILD_CACHE_IMPORT_INVALID naming its source, and `build` runs again
 * without that source: a cache can slow a build down, never change it.
 */
export class RemoteCache {
  private readonly pending = new Map<Digest, Pending>();
  /** the first layer that failed its checks: `build` runs again without its source */
  fault: BuildError | undefined;

  private constructor(private readonly loaded: Loaded[], private readonly sources: CacheSource[]) {}

  /** Read every source's manifest and config; a missing or malformed one is a warning, and left out. */
  static async open(sources: { source: CacheSource; position: number }[], emit: ProgressListener, platform: Platform, signal?: AbortSignal): Promise<RemoteCache> {
    const loaded = await Promise.all(
      sources.map(async ({ source, position }): Promise<Loaded | undefined> => {
        try {
          const raw = await source.readManifest(signal);
          if (raw === undefined) {
            emit({ type: 'warning', message: `cache import: ${source.name} not found, building without it` });
            return undefined;
          }
          const child = { platform, readManifest: (d: Descriptor) => source.readChildManifest(d, signal) };
          return { source, position, hits: await readCacheIndex(raw, (d) => source.readSmallBlob(d, signal), child) };
        } catch (err) {
          if (hasKind(err, 'canceled')) throw err;
          const why = err instanceof CacheConfigInvalid ? `invalid cache: ${err.message}` : (err as Error).message;
          emit({ type: 'warning', message: `cache import: ${source.name} ignored (${why})` });
          return undefined;
        }
      }),
    );
    return new RemoteCache(loaded.filter((l): l is Loaded => l !== undefined), sources.map((s) => s.source));
  }

  get size(): number {
    return this.loaded.reduce((n, l) => n + l.hits.size, 0);
  }

  /**
   * The first source's layer for `key` whose stack has the shape of the one
   * the step runs on (`parent`'s layers and one more; one layer for an
   * independent step). The key covers what made the parent; the top layer's
   * blob and diffID are checked when its bytes are needed.
   */
  lookup(key: Digest, parent: readonly LayerRef[] | undefined): RemoteMatch | undefined {
    for (const l of this.loaded) {
      const hit = l.hits.get(key);
      if (hit === undefined) continue;
      const below = parent ?? [];
      if (hit.chain.length !== below.length + 1) continue;
      return { layer: hit.chain.at(-1)!, created: hit.created, source: l.source.name };
    }
    return undefined;
  }

  /** The build uses `match` for `record`: remember it, to verify its blob when needed and then record it locally. */
  claim(match: RemoteMatch, record: CacheRecord): void {
    const digest = match.layer.descriptor.digest;
    const p = this.pending.get(digest);
    if (p !== undefined) {
      p.records.push(record);
      return;
    }
    const from = this.loaded.find((l) => l.source.name === match.source)!;
    this.pending.set(digest, { from, layer: match.layer, records: [record] });
  }

  /** Whether a layer came from a cache and is not yet verified (its blob may be absent). */
  isPending(digest: Digest): boolean {
    return this.pending.has(digest);
  }

  /** Fetch and verify the claimed layers among `layers` (once each), then record them in the local cache. */
  async ensureBlobs(store: Store, cache: BuildCache, layers: readonly Pick<LayerRef, 'descriptor'>[], signal?: AbortSignal): Promise<void> {
    await Promise.all(
      layers.map((l) => {
        const p = this.pending.get(l.descriptor.digest);
        if (p === undefined) return undefined;
        return (p.verified ??= this.verify(store, cache, p, signal));
      }),
    );
  }

  private async verify(store: Store, cache: BuildCache, p: Pending, signal?: AbortSignal): Promise<void> {
    const { descriptor, diffId } = p.layer;
    try {
      if ((await store.content.renew([descriptor.digest])).length > 0) await p.from.source.fetchBlob(store, descriptor, signal);
      const found = await diffIdOf(store, p.layer, signal);
      if (found !== diffId) throw new Error(`layer ${descriptor.digest} has diffID ${found}, the cache claims ${diffId}`);
    } catch (err) {
      if (hasKind(err, 'canceled') || signal?.aborted) throw err;
      const fault = new BuildError('BUILD_CACHE_IMPORT_INVALID', `cache import: ${p.from.source.name}: ${(err as Error).message}`, { source: p.from.source.name, position: p.from.position, digest: descriptor.digest }, { cause: err });
      this.fault ??= fault;
      throw fault;
    }
    for (const r of p.records) await cache.putIfAbsent(r);
  }

  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.close().catch(() => undefined)));
  }
}
