import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, rmSync, utimesSync, type Stats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno } from '../errors';
import type { Digest } from '../oci/digest';
import { isOwnerAlive, readLockOwner, tryCreateLock, withShortLock } from './file-lock';
import type { StorePaths } from './store-paths';

/** a prune waits this long for a writer's renewal (and a renewal for a prune) before giving up */
export const GC_LOCK_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * A lease protects what an operation writes from a concurrent prune, until
 * the tag (or cache record) that references it is visible: containerd's rule.
 * While a lease lives, prune removes no blob or layer newer than its start:
 * every blob the operation commits is (a commit sets the blob's mtime), and
 * so is every blob that already existed once `keep` has renewed it.
 * Release a lease only after `setTag` (or the cache record's rename) has
 * returned: `withLease` does that order for you. Leases of dead processes
 * are ignored and removed by prune.
 */
export interface Lease {
  readonly startedAt: number;
  /**
   * Renew blobs that are already in the store so this lease protects them too
   * (under the gc lock: a prune in progress finishes first). Returns the
   * digests that are not in the store: the caller must write those.
   */
  keep(digests: Digest[]): Promise<Digest[]>;
  release(): Promise<void>;
}

/**
 * Renew existing blobs (mtime := now) under the gc lock; returns those absent.
 * A prune holds the gc lock from before it reads leases until its last
 * delete, so a renewal lands wholly before it (and the renewing lease, older
 * than the new mtime, protects the blob) or wholly after it (and an absent
 * blob is reported absent).
 */
export async function renewBlobs(paths: StorePaths, digests: Digest[]): Promise<Digest[]> {
  if (digests.length === 0) return [];
  const renew = (): Digest[] => {
    const missing: Digest[] = [];
    const now = new Date();
    for (const d of digests) {
      try {
        utimesSync(paths.blob(d), now, now);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
        missing.push(d);
      }
    }
    return missing;
  };
  mkdirSync(paths.locks, { recursive: true });
  return withShortLock(paths.gcLock, renew, { timeoutMs: GC_LOCK_TIMEOUT_MS });
}

export async function createLease(paths: StorePaths): Promise<Lease> {
  mkdirSync(paths.leases, { recursive: true });
  mkdirSync(paths.locks, { recursive: true });
  // under the gc lock: a prune sees this lease when it reads the leases, or has finished
  const create = (): { file: string; st: Stats } => {
    let name: string;
    do name = path.join(paths.leases, `${process.pid}-${randomBytes(6).toString('hex')}`);
    while (!tryCreateLock(name));
    return { file: name, st: lstatSync(name) };
  };
  const { file, st } = await withShortLock(paths.gcLock, create, { timeoutMs: GC_LOCK_TIMEOUT_MS });
  let released = false;
  return {
    startedAt: st.mtimeMs,
    keep: (digests) => renewBlobs(paths, digests),
    release: async () => {
      if (released) return;
      released = true;
      rmSync(file, { force: true });
    },
  };
}

/**
 * Run `fn` under a lease released only after `fn` has settled: write blobs
 * (and `keep` the ones that exist) and tag (or write the cache record) inside
 * `fn`, and nothing it references can be pruned in between.
 */
export async function withLease<T>(paths: StorePaths, fn: (lease: Lease) => Promise<T>): Promise<T> {
  const lease = await createLease(paths);
  try {
    return await fn(lease);
  } finally {
    await lease.release();
  }
}

/** The start time of the oldest live lease (ms), or undefined; removes dead ones. */
export async function oldestLiveLease(paths: StorePaths): Promise<number | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(paths.leases);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  let oldest: number | undefined;
  for (const name of names) {
    const file = path.join(paths.leases, name);
    const st = await fs.lstat(file).catch(() => undefined);
    const owner = await readLockOwner(file);
    if (owner === undefined || st === undefined) continue;
    if (!isOwnerAlive(owner)) {
      await fs.rm(file, { force: true });
      continue;
    }
    oldest = oldest === undefined ? st.mtimeMs : Math.min(oldest, st.mtimeMs);
  }
  return oldest;
}
