import type { Descriptor } from '../../oci/descriptor';
import type { ImageIndex, ImageManifest } from '../../oci/manifest';
import { isIndexMediaType, isManifestMediaType } from '../../oci/media-types';
import { parseIndex, parseManifest } from '../../oci/parse-documents';
import { hostPlatform, parsePlatform, type Platform } from '../../oci/platform';
import { formatReference, parseReference, type Reference } from '../../oci/reference';
import { isHoistError } from '../../errors';
import { readBlobCapped, writeBlobBytes } from '../../store/helpers';
import type { Lease } from '../../store/lease';
import { freeBytes, noSpaceError } from '../../store/no-space';
import type { Store } from '../../store/store';
import { recordImage } from '../../image/record-image';
import { downloadBlob } from './download-blob';
import { mapLimit } from '../../stream/map-limit';
import { emitter, type ProgressListener } from '../../progress';
import type { MirrorSettings } from '../mirrors/pull-sources';
import { DEFAULT_MAX_CONCURRENT, type RegistryClient, type RegistryClientOptions } from '../registry-client';
import { openSource } from './open-source';
import { selectPlatform } from './select-platform';
import type { Snapshotter } from '../../snapshot/types';
import type { DownloadResult } from './download-blob';

export interface PullOptions {
  /** `os/arch[/variant]` or a Platform; default the host's */
  platform?: string | Platform;
  /** blobs fetched at once (default 4) */
  maxConcurrent?: number;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  /** a client to reuse (its host must be the reference's registry; no mirrors then) */
  client?: RegistryClient;
  /** registries.conf and daemon.json mirrors (default: the system's files, as skopeo and docker read them); false: none */
  mirrors?: MirrorSettings | false;
  /** options for the client pullImage creates when none is given */
  clientOptions?: RegistryClientOptions;
  /** tag the result in the store under the reference (default true) */
  tag?: boolean;
  /**
   * also unpack layers into this snapshotter (`layers/<chainID>/`) as they
   * download, where their parent is unpacked already (the builder's FROM);
   * the others stay blobs until something unpacks them
   */
  unpack?: Snapshotter;
}

export interface PullResult {
  /** the full normalised reference, as tagged */
  reference: string;
  /**
   * what the tag points at: the image manifest pulled (with the platform when
   * it came from an index), or its OCI form when the registry served a Docker
   * v2 manifest (then annotated with the registry's digest: `registryDigestOf`)
   */
  descriptor: Descriptor;
  /** the index or manifest list the reference named, when it named one */
  index?: Descriptor;
  manifest?: ImageManifest;
  blobsFetched: number;
  blobsSkipped: number;
  bytesFetched: number;
}

/**
 * Pull an image into the store (blobs only; the layer engine unpacks on
 * demand). Order keeps the store consistent at every step: blobs, then the
 * index, then `recordImage` (the manifest, its OCI form, the tag). A lease protects fresh blobs from a
 * concurrent prune. This is the path the builder's FROM uses too.
 */
export async function pullImage(store: Store, reference: string | Reference, options: PullOptions = {}): Promise<PullResult> {
  const t0 = Date.now();
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const emit = emitter(options.onProgress ?? options.clientOptions?.onProgress);
  const { signal } = options;
  const { client, source, top } = await openSource(ref, {
    clientOptions: { ...options.clientOptions, onProgress: emit },
    ...(options.client !== undefined ? { client: options.client } : {}),
    ...(options.mirrors !== undefined ? { mirrors: options.mirrors } : {}),
    ...(signal ? { signal } : {}),
  });
  let lease: Lease | undefined;
  try {
    lease = await store.lease();
    const repo = source.reference.path;
    emit({ type: 'resolve', ref: formatReference(ref), digest: top.digest, mediaType: top.mediaType });
    let target = top;
    let index: Descriptor | undefined;
    let rawIndex: Buffer | undefined;
    if (isIndexMediaType(top.mediaType)) {
      index = top;
      rawIndex = await fetchOrRead(client, store, repo, top, signal);
      const wanted = options.platform === undefined ? hostPlatform() : typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
      target = selectPlatform(parseIndex(rawIndex) as ImageIndex, wanted);
    }
    const rawTarget = await fetchOrRead(client, store, repo, target, signal);
    let manifest: ImageManifest | undefined;
    let fetched = 0;
    let skipped = 0;
    let bytes = 0;
    if (isManifestMediaType(target.mediaType)) {
      manifest = parseManifest(rawTarget);
      const blobs = dedupe([manifest.config, ...manifest.layers]);
      const needed = await bytesToFetch(store, blobs);
      const free = await freeBytes(store.root);
      if (free !== undefined && needed > free) throw await noSpaceError(store.root, needed);
      const fetchAll = async (): Promise<DownloadResult[]> => {
        const limit = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
        const m = manifest as ImageManifest;
        if (options.unpack === undefined) return mapLimit(blobs, limit, (d, s) => downloadBlob(client, store.content, repo, d, s), signal);
        // the config first: its diffIDs name the layers' snapshots
        const snapshotter = options.unpack;
        const config = await downloadBlob(client, store.content, repo, m.config, signal);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { unpackTargets, downloadUnpacking } = require('./unpack-while-pulling') as typeof import('./unpack-while-pulling');
        const targets = await unpackTargets(store.content, snapshotter, m.config, m.layers, signal);
        const layers = blobs.filter((b) => b.digest !== m.config.digest);
        const rest = await mapLimit(
          layers,
          limit,
          (d, s) => {
            const target = targets[m.layers.findIndex((l) => l.digest === d.digest)];
            return target === undefined ? downloadBlob(client, store.content, repo, d, s) : downloadUnpacking(client, store.content, repo, d, snapshotter, target, s);
          },
          signal,
        );
        return [config, ...rest];
      };
      const results = await fetchAll().catch(
        async (err: unknown) => {
          // name what the whole pull needs, not the one blob that hit the full disk
          throw isHoistError(err, 'STORE_NO_SPACE') ? await noSpaceError(store.root, needed, err) : err;
        },
      );
      for (const r of results) {
        if (r.status === 'fetched') fetched++;
        else skipped++;
        bytes += r.bytes;
      }
    }
    if (rawIndex !== undefined) await writeBlobBytes(store.content, rawIndex, signal);
    const name = formatReference(ref);
    // unknown media types and artifacts: kept as they are, not refused; a Docker v2 manifest is tagged as its OCI form
    const { descriptor } = await recordImage(store, {
      rawManifest: rawTarget,
      mediaType: target.mediaType,
      ...(target.platform ? { platform: target.platform } : {}),
      ...(options.tag !== false ? { tags: [name] } : {}),
      ...(signal ? { signal } : {}),
    });
    emit({ type: 'manifest', action: 'pull', digest: target.digest, mediaType: target.mediaType });
    emit({ type: 'done', action: 'pull', ref: name, digest: descriptor.digest, bytes, ms: Date.now() - t0 });
    return {
      reference: name,
      descriptor,
      ...(index !== undefined ? { index } : {}),
      ...(manifest !== undefined ? { manifest } : {}),
      blobsFetched: fetched,
      blobsSkipped: skipped,
      bytesFetched: bytes,
    };
  } finally {
    await lease?.release();
    if (options.client === undefined) await client.close();
  }
}

/** the bytes of the blobs the store lacks */
async function bytesToFetch(store: Store, blobs: Descriptor[]): Promise<number> {
  let n = 0;
  for (const b of blobs) if (!(await store.content.has(b.digest))) n += b.size;
  return n;
}

function dedupe(descs: Descriptor[]): Descriptor[] {
  const seen = new Set<string>();
  return descs.filter((d) => (seen.has(d.digest) ? false : (seen.add(d.digest), true)));
}

/** A manifest's bytes: from the store when it has them, else from the registry. */
async function fetchOrRead(client: RegistryClient, store: Store, repo: string, desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  if (await store.content.has(desc.digest)) {
    try {
      return await readBlobCapped(store.content, desc, undefined, signal);
    } catch {
      /* a damaged copy: fetch it again */
    }
  }
  return (await client.getManifest(repo, desc.digest, signal)).raw;
}
