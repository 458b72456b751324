import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno, throwIfAborted } from '../errors';
import { computeChainIds } from '../oci/chain-id';
import { Annotation, type Descriptor } from '../oci/descriptor';
import { isDigest, type Digest } from '../oci/digest';
import { isConfigMediaType, isIndexMediaType, isManifestMediaType, MediaType } from '../oci/media-types';
import { parseImageConfig, parseIndex, parseManifest, sniffManifestKind } from '../oci/parse-documents';
import { CONFIG_MAX_BYTES } from '../stream/read-capped';
import { withLock } from './file-lock';
import { CACHE_MOUNTS_DIR, removeCacheMounts } from './cache-mounts';
import { findLeftovers, removeLeftovers } from './leftovers';
import { readBlobCapped } from './helpers';
import { GC_LOCK_TIMEOUT_MS, oldestLiveLease } from './lease';
import { readLayerUses } from './layer-use';
import { refNameOf } from './tags';
import type { Store } from './store';

/** the layer engine builds unpacked layers under layers/.tmp-* and renames them into place */
const TEMP_LAYER_PREFIX = '.tmp-';
const TEMP_LAYER_MIN_AGE_MS = 15 * 60 * 1000;

export interface PruneOptions {
  /** also remove build cache records (docker's `builder prune --all`) */
  all?: boolean;
  /** remove build cache records not used for this many ms (docker's `builder prune --filter until=`) */
  until?: number;
  dryRun?: boolean;
  /** only the build cache mounts (docker's `builder prune --filter type=exec.cachemount`) */
  cacheMountsOnly?: boolean;
  signal?: AbortSignal;
}

export interface PruneResult {
  untaggedImages: Digest[];
  blobs: Digest[];
  layers: Digest[];
  cacheRecords: string[];
  /** RUN --mount=type=cache directories removed (their ids) */
  cacheMounts: string[];
  /** bundles and containers whose overlay lowerdirs kept their layers */
  inUse: string[];
  /** partial writes, lock files and temp files of dead processes removed */
  ingests: number;
  /** untagged entries stayed: index.json could not be rewritten (no space left; the next prune does it) */
  untagSkipped?: boolean;
  reclaimedBytes: number;
}

/** Every digest-looking string inside a JSON value (cache records point at blobs and chainIDs). */
function collectDigests(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') {
    if (isDigest(value)) out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectDigests(v, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) collectDigests(v, out);
  }
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else total += (await fs.lstat(p).catch(() => ({ size: 0 }))).size;
    }
  }
  return total;
}

/**
 * Mark from the roots (tagged index entries and cache records) through
 * indexes, manifests and configs; collect chainIDs of every reachable config.
 */
async function mark(store: Store, roots: Descriptor[], extra: Set<string>, signal?: AbortSignal): Promise<{ blobs: Set<string>; chains: Set<string> }> {
  const blobs = new Set<string>();
  const chains = new Set<string>(extra);
  const queue: Descriptor[] = [...roots];
  // the registry's own manifest of an entry hoist converted (oci/to-oci-manifest.ts)
  for (const r of roots) {
    const original = r.annotations?.[Annotation.RegistryManifest];
    if (original !== undefined && isDigest(original)) queue.push({ mediaType: MediaType.DockerManifest, digest: original, size: 0 });
  }
  for (const d of extra) queue.push(await sniffDescriptor(store, d as Digest));
  while (queue.length > 0) {
    throwIfAborted(signal);
    const d = queue.pop()!;
    if (blobs.has(d.digest)) continue;
    blobs.add(d.digest);
    if (!(await store.content.has(d.digest))) continue;
    try {
      if (isIndexMediaType(d.mediaType)) {
        queue.push(...parseIndex(await readBlobCapped(store.content, d)).manifests);
      } else if (isManifestMediaType(d.mediaType)) {
        const m = parseManifest(await readBlobCapped(store.content, d));
        queue.push(m.config, ...m.layers);
        if (m.subject) queue.push(m.subject);
      } else if (isConfigMediaType(d.mediaType)) {
        const c = parseImageConfig(await readBlobCapped(store.content, d, CONFIG_MAX_BYTES));
        for (const id of computeChainIds(c.rootfs.diff_ids)) chains.add(id);
      }
    } catch {
      // an unreadable document keeps itself alive but reaches nothing further
    }
  }
  return { blobs, chains };
}

/** A cache record names bare digests: find out what kind of document each is. */
async function sniffDescriptor(store: Store, digest: Digest): Promise<Descriptor> {
  const desc: Descriptor = { mediaType: 'application/octet-stream', digest, size: 0 };
  try {
    const info = await store.content.info(digest);
    desc.size = info.size;
    if (info.size > CONFIG_MAX_BYTES) return desc;
    const raw = await readBlobCapped(store.content, desc, CONFIG_MAX_BYTES);
    const kind = sniffManifestKind(raw);
    if (kind === 'index') desc.mediaType = MediaType.OciIndex;
    else if (kind === 'manifest') desc.mediaType = MediaType.OciManifest;
    else if (raw[0] === 0x7b && (JSON.parse(raw.toString('utf8')) as { rootfs?: unknown }).rootfs !== undefined) desc.mediaType = MediaType.OciConfig;
  } catch {
    // not in the store, or not JSON: a plain blob
  }
  return desc;
}

/**
 * Remove what killed commands left (partial writes, dead locks, temp files),
 * untagged images, then every blob, unpacked layer and stale ingest that no
 * tag and no cache record reaches. Runs wholly under the gc lock, which
 * needs no free space, and frees the leftovers first, so it works on a full
 * disk. What a writer may still reference is kept, by containerd's rule:
 * writers hold a lease until their tag is visible, and prune reads the leases
 * before the roots, so a writer it does not see in the roots is one it sees
 * in the leases (leases are created under the gc lock, so none is created
 * mid-prune); it spares every blob or layer newer than the oldest live lease
 * (blobs a writer found already there it renews under the gc lock). So is
 * every unpacked layer that a live layer use mounts; dead use records are
 * dropped.
 */
export async function prune(store: Store, options: PruneOptions = {}): Promise<PruneResult> {
  const result: PruneResult = { untaggedImages: [], blobs: [], layers: [], cacheRecords: [], cacheMounts: [], inUse: [], ingests: 0, reclaimedBytes: 0 };
  await fs.mkdir(store.paths.locks, { recursive: true });
  return withLock(
    store.paths.gcLock,
    async () => {
      // cache mounts no build holds go as docker's builder prune removes them (exec.cachemount records are never kept)
      const mounts = await removeCacheMounts(store.paths, { dryRun: options.dryRun ?? false, ...(options.until !== undefined ? { unusedForMs: options.until } : {}) });
      result.cacheMounts = mounts.removed;
      result.reclaimedBytes += mounts.bytes;
      if (options.cacheMountsOnly) return result;
      const leftovers = await findLeftovers(store.paths);
      if (!options.dryRun) {
        const freed = await removeLeftovers(store.paths, leftovers);
        result.ingests = freed.removed;
        result.reclaimedBytes += freed.bytes;
        result.untaggedImages = await removeUntagged(store).catch((err: unknown) => {
          if (!isErrno(err, 'ENOSPC', 'EDQUOT')) throw err;
          result.untagSkipped = true;
          return [];
        });
      } else {
        result.ingests = leftovers.length;
        result.reclaimedBytes += leftovers.reduce((n, l) => n + l.bytes, 0);
      }
      const leaseStart = await oldestLiveLease(store.paths);
      // 1 s of slack: file times may be coarser than the clock
      const protectedByLease = (mtimeMs: number): boolean => leaseStart !== undefined && mtimeMs >= leaseStart - 1000;
      // the roots, read after the leases
      const index = await store.index.read();
      const roots = index.manifests.filter((m) => !options.dryRun || refNameOf(m) !== undefined);
      const extra = await cacheRoots(store, options, result);
      const { blobs, chains } = await mark(store, roots, extra, options.signal);
      const uses = await readLayerUses(store.paths, { dryRun: options.dryRun ?? false });
      for (const use of uses.live) {
        result.inUse.push(use.path);
        for (const id of use.chainIds) chains.add(id);
      }
      const victims: { digest: Digest; size: number }[] = [];
      await store.content.walk((info) => {
        if (!blobs.has(info.digest) && !protectedByLease(info.updatedAt.getTime())) victims.push(info);
      });
      for (const v of victims) {
        throwIfAborted(options.signal);
        if (!options.dryRun) await store.content.delete(v.digest).catch(() => undefined);
        result.blobs.push(v.digest);
        result.reclaimedBytes += v.size;
      }
      for (const name of await fs.readdir(store.paths.layers).catch(() => [] as string[])) {
        const dir = path.join(store.paths.layers, name);
        const st = await fs.stat(dir).catch(() => undefined);
        if (st === undefined) continue;
        const chainId = `sha256:${name}`;
        if (isDigest(chainId)) {
          if (chains.has(chainId) || protectedByLease(st.mtimeMs)) continue;
          result.layers.push(chainId);
        } else if (name.startsWith(TEMP_LAYER_PREFIX)) {
          // a crashed unpack's leftovers: only when nothing is in flight and it is old
          if (leaseStart !== undefined || Date.now() - st.mtimeMs < TEMP_LAYER_MIN_AGE_MS) continue;
        } else {
          continue; // .snapshots/ (active snapshots belong to whoever prepared them) and anything not ours
        }
        result.reclaimedBytes += await dirSize(dir);
        if (!options.dryRun) await fs.rm(dir, { recursive: true, force: true });
      }
      return result;
    },
    { timeoutMs: GC_LOCK_TIMEOUT_MS },
  );
}

function removeUntagged(store: Store): Promise<Digest[]> {
  return store.index.update((manifests) => {
    const keep = manifests.filter((m) => refNameOf(m) !== undefined);
    const gone = manifests.filter((m) => refNameOf(m) === undefined).map((m) => m.digest);
    return gone.length > 0 ? { manifests: keep, result: gone } : { result: [] };
  });
}

/** How long ago a cache record was last used (the builder touches it on every hit), in ms. */
async function unusedFor(file: string): Promise<number> {
  const st = await fs.stat(file).catch(() => undefined);
  return st === undefined ? 0 : Date.now() - st.mtimeMs;
}

/** Every digest the cache records name (or, with `all` or `until`, remove the records). */
async function cacheRoots(store: Store, options: PruneOptions, result: PruneResult): Promise<Set<string>> {
  const extra = new Set<string>();
  for (const name of await fs.readdir(store.paths.cache).catch(() => [] as string[])) {
    if (name === CACHE_MOUNTS_DIR) continue; // removeCacheMounts' own
    const file = path.join(store.paths.cache, name);
    if (options.all || (options.until !== undefined && name.endsWith('.json') && (await unusedFor(file)) > options.until)) {
      result.cacheRecords.push(name);
      if (!options.dryRun) await fs.rm(file, { recursive: true, force: true });
      continue;
    }
    try {
      collectDigests(JSON.parse(await fs.readFile(file, 'utf8')), extra);
    } catch {
      // unreadable record: it protects nothing
    }
  }
  return extra;
}
