import { createReadStream } from 'node:fs';
import { ImageError, StoreError } from '../../errors';
import { Annotation, type Descriptor } from '../../oci/descriptor';
import type { Digest } from '../../oci/digest';
import { isIndexMediaType, isManifestMediaType } from '../../oci/media-types';
import { parseIndex, parseManifest, sniffManifestKind } from '../../oci/parse-documents';
import { formatReference, parseReference, type Reference } from '../../oci/reference';
import { readBlobCapped } from '../../store/helpers';
import type { Store } from '../../store/store';
import { refNameOf } from '../../store/tags';
import { applyCompressor, type LayerCompressor } from './layer-compressor';
import { mapLimit } from '../../stream/map-limit';
import { mountSourcesFor } from './mount-sources';
import { emitter, type ProgressListener } from '../../progress';
import { mountSourcesOf, pushBlob, tryMounts, type MountOutcome, type PushBlobResult } from './push-blob';
import { DEFAULT_MAX_CONCURRENT, RegistryClient, type RegistryClientOptions } from '../registry-client';

export interface PushOptions {
  /** blobs uploaded at once (default 4) */
  maxConcurrent?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  client?: RegistryClient;
  clientOptions?: RegistryClientOptions;
  /** chunked PATCH uploads of this many bytes (default: monolithic POST+PUT) */
  chunkSize?: number;
  /** more repositories of the destination registry to try mounting from */
  mountFrom?: string[];
  /** compress uncompressed layers on the way (the layer engine's compressor); default: push as stored */
  compress?: LayerCompressor;
}

export interface PushResult {
  reference: string;
  descriptor: Descriptor;
  blobsUploaded: number;
  blobsSkipped: number;
  blobsMounted: number;
}

/** The store's entry for a reference (by tag name, or by digest). */
export async function findStoreImage(store: Store, ref: Reference): Promise<Descriptor> {
  const name = formatReference(ref);
  const index = await store.index.read();
  const entry =
    index.manifests.find((m) => refNameOf(m) === name) ??
    (ref.digest !== undefined ? index.manifests.find((m) => m.digest === ref.digest || m.annotations?.[Annotation.RegistryManifest] === ref.digest) : undefined);
  if (entry !== undefined) return registryManifestOf(store, entry);
  if (ref.digest !== undefined && (await store.content.has(ref.digest))) {
    const info = await store.content.info(ref.digest);
    const raw = await readBlobCapped(store.content, { digest: ref.digest, size: info.size });
    const kind = sniffManifestKind(raw);
    const mediaType = (JSON.parse(raw.toString('utf8')) as { mediaType?: string }).mediaType ?? (kind === 'index' ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json');
    return { mediaType, digest: ref.digest, size: info.size };
  }
  throw new ImageError('IMAGE_NOT_FOUND', `no image ${name} in the store`, { reference: name });
}

/**
 * What to push for an index.json entry: the registry's own manifest when
 * hoist recorded an OCI form of it (oci/to-oci-manifest.ts) and still has it,
 * so an unchanged image keeps its digest; else the entry itself.
 */
async function registryManifestOf(store: Store, entry: Descriptor): Promise<Descriptor> {
  const digest = entry.annotations?.[Annotation.RegistryManifest] as Digest | undefined;
  if (digest === undefined || !(await store.content.has(digest))) return entry;
  const info = await store.content.info(digest);
  const raw = await readBlobCapped(store.content, { digest, size: info.size });
  const mediaType = (JSON.parse(raw.toString('utf8')) as { mediaType?: string }).mediaType ?? entry.mediaType;
  return { mediaType, digest, size: info.size, ...(entry.platform ? { platform: entry.platform } : {}) };
}

interface PushContext {
  store: Store;
  client: RegistryClient;
  repo: string;
  mounts: Map<Digest, string[]>;
  options: PushOptions;
  counts: { uploaded: number; skipped: number; mounted: number };
}

function sourcesOf(ctx: PushContext, desc: Descriptor): string[] {
  return mountSourcesOf([...(ctx.mounts.get(desc.digest) ?? []), ...(ctx.options.mountFrom ?? [])], ctx.repo);
}

async function pushOneBlob(ctx: PushContext, desc: Descriptor, signal: AbortSignal, afterMounts: MountOutcome | undefined): Promise<PushBlobResult> {
  const content = ctx.store.content;
  const file = content.blobPath(desc.digest);
  return pushBlob(ctx.client, ctx.repo, desc, () => content.open(desc, { verify: false, signal }), {
    ...(afterMounts !== undefined ? { afterMounts } : {}),
    ...(ctx.options.chunkSize !== undefined ? { chunkSize: ctx.options.chunkSize } : {}),
    openFrom: (offset) => createReadStream(file, { start: offset, highWaterMark: 1024 * 1024 }),
    signal,
  });
}

/** Push a manifest's blobs, then the manifest (by digest, or by `tag`). Returns its descriptor as pushed. */
async function pushManifest(ctx: PushContext, desc: Descriptor, tag: string | undefined, read?: Buffer): Promise<Descriptor> {
  let raw = read ?? (await readBlobCapped(ctx.store.content, desc));
  let pushed = desc;
  const manifest = parseManifest(raw);
  let blobs = [manifest.config, ...manifest.layers];
  if (ctx.options.compress !== undefined) {
    const r = await applyCompressor(ctx.store, manifest, ctx.options.compress, ctx.options.signal);
    raw = r.raw;
    pushed = { ...desc, digest: r.digest, size: raw.length };
    blobs = [r.manifest.config, ...r.manifest.layers];
  }
  const seen = new Set<string>();
  const unique = blobs.filter((b) => !seen.has(b.digest) && seen.add(b.digest));
  // every mount at once (an answer is all they wait for; the connections bound them), then HEAD
  // and upload for the rest, maxConcurrent at a time; the manifest after all of them
  const mountable = unique.map((b) => ({ blob: b, sources: sourcesOf(ctx, b) })).filter((m) => m.sources.length > 0);
  const mounts = await mapLimit(mountable, mountable.length, (m, s) => tryMounts(ctx.client, ctx.repo, m.blob, m.sources, s), ctx.options.signal);
  const outcome = new Map(mountable.map((m, i) => [m.blob.digest, mounts[i]!]));
  const rest = unique.filter((b) => outcome.get(b.digest)?.status !== 'mounted');
  const others = await mapLimit(rest, ctx.options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, (b, s) => pushOneBlob(ctx, b, s, outcome.get(b.digest)), ctx.options.signal);
  const results: PushBlobResult[] = [...mounts.filter((m) => m.status === 'mounted'), ...others];
  for (const r of results) ctx.counts[r.status === 'uploaded' ? 'uploaded' : r.status === 'mounted' ? 'mounted' : 'skipped']++;
  const mediaType = manifest.mediaType ?? desc.mediaType;
  await ctx.client.putManifest(ctx.repo, tag ?? pushed.digest, raw, mediaType, ctx.options.signal);
  ctx.client.emit({ type: 'manifest', action: 'push', digest: pushed.digest, mediaType, ...(tag !== undefined ? { ref: tag } : {}) });
  return { ...pushed, mediaType };
}

/**
 * Push an image of the store (`srcRef`) to a registry (`destRef`, default
 * the same name). Blobs first (mounts, then HEAD and upload), then child manifests by
 * digest, then the top manifest or index by tag. Layers go as they are
 * stored (uncompressed layers are valid OCI) unless `compress` is given.
 */
export async function pushImage(store: Store, srcRef: string | Reference, destRef?: string | Reference, options: PushOptions = {}): Promise<PushResult> {
  const t0 = Date.now();
  const src = typeof srcRef === 'string' ? parseReference(srcRef) : srcRef;
  const dest = destRef === undefined ? src : typeof destRef === 'string' ? parseReference(destRef) : destRef;
  const top = await findStoreImage(store, src);
  const emit = emitter(options.onProgress ?? options.clientOptions?.onProgress);
  // the client (a loopback registry's scheme probe) while the store is read
  const creating = options.client === undefined ? RegistryClient.create(dest.domain, { ...options.clientOptions, onProgress: emit }) : undefined;
  creating?.catch(() => undefined);
  let mounts: Map<Digest, string[]>;
  let raw: Buffer;
  try {
    [mounts, raw] = await Promise.all([mountSourcesFor(store, dest.domain, dest.path), readBlobCapped(store.content, top)]);
  } catch (err) {
    await creating?.then((c) => c.close(), () => undefined);
    throw err;
  }
  const client = options.client ?? (await creating!);
  try {
    client.declarePush(dest.path);
    const ctx: PushContext = { store, client, repo: dest.path, mounts, options, counts: { uploaded: 0, skipped: 0, mounted: 0 } };
    const tag = dest.tag;
    let descriptor: Descriptor;
    if (isIndexMediaType(top.mediaType)) {
      for (const child of parseIndex(raw).manifests) {
        if (!isManifestMediaType(child.mediaType)) continue;
        if (await store.content.has(child.digest)) await pushManifest(ctx, child, undefined);
        else if (!(await client.hasManifest(dest.path, child.digest, options.signal))) {
          throw new StoreError('CONTENT_NOT_FOUND', `cannot push ${formatReference(src)}: its index names ${child.digest}, which is neither in the store nor in ${dest.domain}/${dest.path}`, {
            digest: child.digest,
          });
        }
      }
      const mediaType = (JSON.parse(raw.toString('utf8')) as { mediaType?: string }).mediaType ?? top.mediaType;
      await client.putManifest(dest.path, tag ?? top.digest, raw, mediaType, options.signal);
      descriptor = { mediaType, digest: top.digest, size: top.size };
    } else if (isManifestMediaType(top.mediaType)) {
      descriptor = await pushManifest(ctx, top, tag, raw);
    } else {
      throw new ImageError('ARCHIVE_UNSUPPORTED', `cannot push ${formatReference(src)}: ${top.mediaType} is not an image manifest or index`, { mediaType: top.mediaType });
    }
    const name = formatReference({ domain: dest.domain, path: dest.path, ...(tag !== undefined ? { tag } : { digest: descriptor.digest }) });
    emit({ type: 'done', action: 'push', ref: name, digest: descriptor.digest, bytes: 0, ms: Date.now() - t0 });
    return { reference: name, descriptor, blobsUploaded: ctx.counts.uploaded, blobsSkipped: ctx.counts.skipped, blobsMounted: ctx.counts.mounted };
  } finally {
    if (options.client === undefined) await client.close();
  }
}
