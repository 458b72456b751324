import { readFileSync, utimesSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { isErrno } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import { digestHex, isDigest, type Digest } from '../../oci/digest';
import { writeFileAtomic } from '../../store/atomic-write';
import type { StorePaths } from '../../store/store-paths';

export const CACHE_SCHEMA = 'hoist.build.cache.v1';

/**
 * One build cache record, `cache/<hex of key>.json` (schema in docs/build.md).
 * The key is sha256 over the parent rootfs (its chainID) and the step as
 * resolved (see `cacheKey`); the result is the layer the step produced, or
 * none when the step changed nothing. Every digest in a record is a root for
 * `hoist prune`, so a record keeps its blob and unpacked layer alive.
 */
export interface CacheRecord {
  schema: typeof CACHE_SCHEMA;
  key: Digest;
  /** when the step first ran (history `created` of the layer, so cached rebuilds reproduce the image) */
  created: string;
  /** the step, for humans (`RUN /bin/sh -c make`) */
  description: string;
  layer?: { descriptor: Descriptor; diffId: Digest; chainId: Digest };
}

/** The cache key of a step: sha256 of the parent rootfs identity and the step's canonical JSON. */
export function cacheKey(parent: Digest | undefined, step: unknown): Digest {
  const h = createHash('sha256');
  h.update(`${parent ?? 'scratch'}\n`);
  h.update(canonicalJson(step));
  return `sha256:${h.digest('hex')}` as Digest;
}

/** JSON with object keys sorted, so equal steps give equal bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function isRecord(v: unknown, key: Digest): v is CacheRecord {
  const r = v as Partial<CacheRecord> | null;
  if (r === null || typeof r !== 'object' || r.schema !== CACHE_SCHEMA || r.key !== key || typeof r.created !== 'string') return false;
  if (r.layer === undefined) return true;
  return isDigest(r.layer.diffId) && isDigest(r.layer.chainId) && isDigest(r.layer.descriptor?.digest);
}

/** The builder's records in the store's `cache/` (their one owner; prune reads them as roots). */
export class BuildCache {
  constructor(private readonly paths: StorePaths) {}

  private file(key: Digest): string {
    return path.join(this.paths.cache, `${digestHex(key)}.json`);
  }

  /**
   * The record for `key`, or undefined (absent, or unreadable: treated as a miss and rewritten).
   * Read and touched in synchronous calls: a record is ~600 bytes, and a no-op build looks up
   * every step's (the thread pool's round trips cost more than the reads).
   */
  async get(key: Digest): Promise<CacheRecord | undefined> {
    let raw: string;
    try {
      raw = readFileSync(this.file(key), 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return undefined;
    }
    if (!isRecord(parsed, key)) return undefined;
    const now = new Date();
    try {
      utimesSync(this.file(key), now, now); // last used, for `prune --filter until=`
    } catch {
      /* removed meanwhile (a prune): the caller's renewal of its blob decides */
    }
    return parsed;
  }

  /** Write (or replace) a record atomically. Call it while the lease that protects its blob is held. */
  async put(record: CacheRecord): Promise<void> {
    await fs.mkdir(this.paths.cache, { recursive: true });
    await writeFileAtomic(this.file(record.key), JSON.stringify(record));
  }

  /**
   * Record `record` unless a valid record for its key appeared meanwhile (a
   * concurrent build of the same step): then that one is returned, so every
   * build that ran the step uses one result and writes the same image.
   */
  async putIfAbsent(record: CacheRecord): Promise<CacheRecord> {
    await fs.mkdir(this.paths.cache, { recursive: true });
    const file = this.file(record.key);
    const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
    await fs.writeFile(tmp, JSON.stringify(record));
    try {
      const fh = await fs.open(tmp, 'r');
      await fh.sync().finally(() => fh.close());
      await fs.link(tmp, file);
      return record;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
      const existing = await this.get(record.key);
      if (existing !== undefined) return existing;
      await fs.rename(tmp, file); // the one there was unreadable: replace it
      return record;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }
}
