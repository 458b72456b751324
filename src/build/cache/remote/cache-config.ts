import { isDigest, type Digest } from '../../../oci/digest';

/** BuildKit's cache config blob (cache/remotecache/v1/types/spec.go), the config of a cache manifest. */
export const CACHE_CONFIG_MEDIA_TYPE = 'application/vnd.buildkit.cacheconfig.v0';
/** The image config key BuildKit's inline cache uses: base64 of the JSON records array. */
export const INLINE_CACHE_KEY = 'moby.buildkit.cache.v0';
/** Layer descriptor annotations BuildKit writes and reads on cache layers. */
export const ANNOTATION_UNCOMPRESSED = 'containerd.io/uncompressed';
export const ANNOTATION_CREATED_AT = 'buildkit/createdat';

export interface CacheLayerAnnotations {
  mediaType?: string;
  diffID?: Digest;
  size?: number;
  createdAt?: string;
}

/** A blob and the index of the layer below it (-1: none). Go omits `parent` when it is 0. */
export interface CacheLayer {
  blob: Digest;
  parent?: number;
  annotations?: CacheLayerAnnotations;
}

export interface CacheResult {
  /** the top layer: it is loaded with all of its parents */
  layer: number;
  createdAt?: string;
}

export interface ChainedResult {
  layers: number[];
  createdAt?: string;
}

export interface CacheInput {
  selector?: string;
  link: number;
}

export interface CacheRecord {
  digest: Digest;
  layers?: CacheResult[];
  chains?: ChainedResult[];
  inputs?: CacheInput[][];
}

export interface CacheConfig {
  layers?: CacheLayer[];
  records?: CacheRecord[];
}

/** Why a cache config is refused: the importer ignores the whole source with this as the warning. */
export class CacheConfigInvalid extends Error {}

function fail(msg: string): never {
  throw new CacheConfigInvalid(msg);
}

function isIndex(n: unknown, length: number): n is number {
  return Number.isSafeInteger(n) && (n as number) >= 0 && (n as number) < length;
}

function isTime(v: unknown): boolean {
  return v === undefined || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
}

/** `parent` as BuildKit reads it: absent is 0 (Go's omitempty). */
export function parentOf(l: CacheLayer): number {
  return l.parent ?? 0;
}

/**
 * Check a parsed cache config the way BuildKit's parser fails on it, and
 * more: every layer index in range, no layer or record loops, digests well
 * formed, times parseable. Throws CacheConfigInvalid.
 */
export function validateCacheConfig(value: unknown): CacheConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('the cache config is not a JSON object');
  const cc = value as CacheConfig;
  const layers = cc.layers ?? [];
  const records = cc.records ?? [];
  if (!Array.isArray(layers) || !Array.isArray(records)) fail('layers and records must be arrays');
  layers.forEach((l, i) => {
    if (l === null || typeof l !== 'object' || !isDigest(l.blob)) fail(`layer ${i}: no valid blob digest`);
    const p = parentOf(l);
    if (p !== -1 && !isIndex(p, layers.length)) fail(`layer ${i}: parent ${String(p)} is outside the list`);
    if (l.annotations !== undefined && l.annotations.diffID !== undefined && !isDigest(l.annotations.diffID)) fail(`layer ${i}: invalid diffID`);
  });
  // parents must not loop; linear (each layer is walked once), so a hostile deep chain costs no more than its size
  const walked = new Uint8Array(layers.length); // 0 new, 1 on the current walk, 2 ends at -1
  layers.forEach((_, i) => {
    const path: number[] = [];
    let j = i;
    for (; j !== -1 && walked[j] === 0; j = parentOf(layers[j]!)) {
      walked[j] = 1;
      path.push(j);
    }
    if (j !== -1 && walked[j] === 1) fail(`layer ${j}: its parents loop`);
    for (const k of path) walked[k] = 2;
  });
  records.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || !isDigest(r.digest)) fail(`record ${i}: no valid digest`);
    for (const res of r.layers ?? []) {
      if (!isIndex(res?.layer, layers.length)) fail(`record ${i}: layer ${String(res?.layer)} is outside the list`);
      if (!isTime(res.createdAt)) fail(`record ${i}: invalid createdAt`);
    }
    for (const ch of r.chains ?? []) {
      if (!Array.isArray(ch?.layers) || ch.layers.length === 0 || !ch.layers.every((x) => isIndex(x, layers.length))) fail(`record ${i}: a chain points outside the layer list`);
      if (!isTime(ch.createdAt)) fail(`record ${i}: invalid createdAt`);
    }
    for (const group of r.inputs ?? []) {
      if (!Array.isArray(group) || group.length === 0) fail(`record ${i}: an empty input`);
      for (const inp of group) if (!isIndex(inp?.link, records.length)) fail(`record ${i}: input link ${String(inp?.link)} is outside the record list`);
    }
  });
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number): void => {
    if (state.get(i) === 'done') return;
    if (state.get(i) === 'visiting') fail(`record ${i}: its inputs loop`);
    state.set(i, 'visiting');
    for (const group of records[i]!.inputs ?? []) for (const inp of group) visit(inp.link);
    state.set(i, 'done');
  };
  records.forEach((_, i) => visit(i));
  return { layers, records };
}

/** The blobs of a result, bottom first (a layer and all of its parents). */
export function layerChain(layers: readonly CacheLayer[], top: number): number[] {
  const out: number[] = [];
  for (let j = top; j !== -1; j = parentOf(layers[j]!)) out.unshift(j);
  return out;
}
