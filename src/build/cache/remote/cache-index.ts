import type { Descriptor } from '../../../oci/descriptor';
import { isDigest, type Digest } from '../../../oci/digest';
import { isLayerMediaType, isManifestMediaType } from '../../../oci/media-types';
import { platformMatches, type Platform } from '../../../oci/platform';
import { ANNOTATION_UNCOMPRESSED, CacheConfigInvalid, INLINE_CACHE_KEY, layerChain, parentOf, validateCacheConfig, type CacheConfig, type CacheLayer, CACHE_CONFIG_MEDIA_TYPE } from './cache-config';

/** A layer a cache offers: the blob (as its manifest lists it) and the diffID it claims (checked when used). */
export interface RemoteLayer {
  descriptor: Descriptor;
  diffId: Digest;
}

/** What a cache holds for one key: the layer stack of the result, bottom first, and when its top was made. */
export interface RemoteHit {
  /** made on first use (a config may hold many deep chains; a build looks up few) */
  readonly chain: RemoteLayer[];
  created: string;
}

/** A small blob of the cache (its config, an image config), read whole and verified by the source. */
export type ReadSmallBlob = (desc: Descriptor) => Promise<Buffer>;

/** For `--cache-from IMAGE` naming a multi-platform index: the build's platform and how to read a manifest of it. */
export interface IndexChild {
  platform: Platform;
  readManifest: ReadSmallBlob;
}

function isDescriptor(d: unknown): d is Descriptor {
  const x = d as Partial<Descriptor> | null;
  return x !== null && typeof x === 'object' && typeof x.mediaType === 'string' && isDigest(x.digest) && Number.isSafeInteger(x.size) && (x.size as number) >= 0;
}

function json(raw: Buffer, what: string): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new CacheConfigInvalid(`${what} is not JSON`);
  }
}

/** The hits of a validated config: one per record with a result whose every blob the manifest lists with a diffID. */
function hitsOf(cc: CacheConfig, blobs: ReadonlyMap<Digest, Descriptor>, diffIds: ReadonlyMap<Digest, Digest>): Map<Digest, RemoteHit> {
  const layers = cc.layers ?? [];
  const layerOf = (i: number): RemoteLayer | undefined => {
    const l = layers[i]!;
    const descriptor = blobs.get(l.blob);
    const diffId = diffIds.get(l.blob) ?? l.annotations?.diffID;
    return descriptor === undefined || diffId === undefined ? undefined : { descriptor, diffId };
  };
  // whether a layer and all of its parents are usable, once per layer (iteratively: a chain may be deep)
  const usable = new Map<number, boolean>();
  const chainUsable = (top: number): boolean => {
    const path: number[] = [];
    let j = top;
    while (j !== -1 && !usable.has(j)) {
      path.push(j);
      j = parentOf(layers[j]!);
    }
    let ok = j === -1 || usable.get(j)!;
    for (const k of path.reverse()) usable.set(k, (ok &&= layerOf(k) !== undefined));
    return usable.get(top) ?? ok;
  };
  const hits = new Map<Digest, RemoteHit>();
  for (const r of cc.records ?? []) {
    if (hits.has(r.digest)) continue;
    // as BuildKit: a result with a blob the manifest does not list is no result; the chain itself is made when looked up
    const result = (r.layers ?? []).find((x) => chainUsable(x.layer));
    const chained = result === undefined ? (r.chains ?? []).find((x) => x.layers.every((i) => layerOf(i) !== undefined)) : undefined;
    if (result === undefined && chained === undefined) continue;
    const indexes = (): number[] => (result !== undefined ? layerChain(layers, result.layer) : chained!.layers);
    let chain: RemoteLayer[] | undefined;
    hits.set(r.digest, {
      get chain() {
        return (chain ??= indexes().map((i) => layerOf(i)!));
      },
      created: (result ?? chained)!.createdAt ?? '0001-01-01T00:00:00Z',
    });
  }
  return hits;
}

/** A cache manifest's layer list: descriptors by digest, and the diffIDs their annotations claim. */
function listed(descs: unknown[]): { blobs: Map<Digest, Descriptor>; diffIds: Map<Digest, Digest> } {
  const blobs = new Map<Digest, Descriptor>();
  const diffIds = new Map<Digest, Digest>();
  for (const d of descs) {
    if (!isDescriptor(d)) throw new CacheConfigInvalid('the cache manifest lists an invalid descriptor');
    if (!isLayerMediaType(d.mediaType)) continue;
    blobs.set(d.digest, { mediaType: d.mediaType, digest: d.digest, size: d.size });
    const u = d.annotations?.[ANNOTATION_UNCOMPRESSED];
    if (u !== undefined) {
      if (!isDigest(u)) throw new CacheConfigInvalid(`layer ${d.digest}: invalid ${ANNOTATION_UNCOMPRESSED}`);
      diffIds.set(d.digest, u);
    }
  }
  return { blobs, diffIds };
}

/** BuildKit's inline cache: records in an image config, their layer indexes those of the image (each on the one before). */
async function inlineHits(manifest: { config: unknown; layers?: unknown }, read: ReadSmallBlob): Promise<Map<Digest, RemoteHit>> {
  if (!isDescriptor(manifest.config) || !Array.isArray(manifest.layers)) throw new CacheConfigInvalid('not an image manifest');
  const config = json(await read(manifest.config), 'the image config') as { rootfs?: { diff_ids?: unknown[] }; [INLINE_CACHE_KEY]?: unknown };
  const encoded = config[INLINE_CACHE_KEY];
  if (typeof encoded !== 'string') throw new CacheConfigInvalid(`the image has no ${INLINE_CACHE_KEY} (not built with an inline cache)`);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length || !diffIds.every(isDigest)) throw new CacheConfigInvalid('the image config and manifest disagree on the layers');
  const records = json(Buffer.from(encoded, 'base64'), `${INLINE_CACHE_KEY}`);
  if (!Array.isArray(records)) throw new CacheConfigInvalid(`${INLINE_CACHE_KEY} is not a list of records`);
  const { blobs } = listed(manifest.layers);
  const layers: CacheLayer[] = manifest.layers.map((l, i) => ({ blob: (l as Descriptor).digest, parent: i - 1, annotations: { diffID: diffIds[i] as Digest } }));
  return hitsOf(validateCacheConfig({ layers, records }), blobs, new Map(layers.map((l) => [l.blob, l.annotations!.diffID!])));
}

/**
 * The hits a cache manifest offers, by key: an index whose entries are the
 * layers and the cacheconfig blob, an image manifest whose config is the
 * cacheconfig, or an image with BuildKit's inline cache. Throws
 * CacheConfigInvalid for anything malformed or inconsistent: the caller
 * ignores the whole source.
 */
export async function readCacheIndex(rawManifest: Buffer, read: ReadSmallBlob, child?: IndexChild): Promise<Map<Digest, RemoteHit>> {
  const doc = json(rawManifest, 'the cache manifest') as { manifests?: unknown; config?: unknown; layers?: unknown };
  if (doc === null || typeof doc !== 'object') throw new CacheConfigInvalid('the cache manifest is not a JSON object');
  let configDesc: Descriptor | undefined;
  let entries: unknown[];
  if (Array.isArray(doc.manifests)) {
    entries = doc.manifests.filter((m) => (m as Descriptor | null)?.mediaType !== CACHE_CONFIG_MEDIA_TYPE);
    configDesc = doc.manifests.find((m) => (m as Descriptor | null)?.mediaType === CACHE_CONFIG_MEDIA_TYPE) as Descriptor | undefined;
    if (configDesc === undefined) {
      // an image index: BuildKit's inline cache of the build platform's image, as importInlineCache reads each one
      const image = entries.find((m): m is Descriptor => isDescriptor(m) && isManifestMediaType(m.mediaType) && m.platform !== undefined && child !== undefined && platformMatches(child.platform, m.platform));
      if (image === undefined || child === undefined) throw new CacheConfigInvalid(`the index holds no ${CACHE_CONFIG_MEDIA_TYPE} and no image for this platform`);
      return readCacheIndex(await child.readManifest(image), read);
    }
  } else if (doc.config !== undefined && Array.isArray(doc.layers)) {
    if ((doc.config as Descriptor | null)?.mediaType !== CACHE_CONFIG_MEDIA_TYPE) return inlineHits(doc as { config: unknown; layers: unknown[] }, read);
    configDesc = doc.config as Descriptor;
    entries = doc.layers;
  } else throw new CacheConfigInvalid('neither an index nor an image manifest');
  if (!isDescriptor(configDesc)) throw new CacheConfigInvalid('invalid cache config descriptor');
  const { blobs, diffIds } = listed(entries);
  const config = validateCacheConfig(json(await read(configDesc), 'the cache config'));
  return hitsOf(config, blobs, diffIds);
}
