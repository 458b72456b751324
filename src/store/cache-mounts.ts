import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isErrno, throwIfAborted } from '../errors';
import { acquireLock, isOwnerAlive, readLockOwner, tryCreateLock } from './file-lock';
import { sizeOf } from './leftovers';
import type { StorePaths } from './store-paths';

/**
 * `RUN --mount=type=cache` directories (BuildKit's persistent cache dirs),
 * kept in the store under `cache/mounts/<key>/`, never in a layer:
 *
 *   meta.json         { id, created } (for `hoist system df`)
 *   <n>/              an instance of the cache (0, and more made by `private`)
 *   <n>.lock          its exclusive user (a `locked` or `private` RUN)
 *   <n>.shared-*      its `shared` users, one marker each
 *
 * Lock and markers are symlinks naming their owner process (file-lock.ts), so
 * a killed build's hold is seen as dead and dropped. Every decision for a key
 * is taken under `locks/cache-mount-<key>.lock`, which prune also takes.
 *
 * Lifecycle: 1. acquire(key, sharing): shared joins an instance no exclusive
 * user holds (made and seeded if there is none); private takes an instance
 * nobody uses, or makes a new one; locked takes a free instance, waiting while
 * every one is in use. 2. the RUN binds the instance's directory. 3. release
 * drops the hold and touches the key directory (last used, for
 * `prune --filter until=`). 4. prune removes keys nobody holds.
 */
export type CacheSharing = 'shared' | 'private' | 'locked';

export interface CacheMountRequest {
  /** hex name of the cache (the id and what seeds it) */
  key: string;
  /** the mount's id, for humans */
  id: string;
  sharing: CacheSharing;
  /** fill a new instance's directory (copy a `from=` tree, set mode/uid/gid) */
  seed: (dir: string) => Promise<void>;
  signal?: AbortSignal;
}

export interface CacheMountHandle {
  dir: string;
  release(): Promise<void>;
}

export interface CacheMountInfo {
  key: string;
  id: string;
  instances: number;
  inUse: boolean;
  lastUsedMs: number;
  size: number;
}

/** the folder of cache/ that holds them (prune's record sweep leaves it alone) */
export const CACHE_MOUNTS_DIR = 'mounts';
const mountsDir = (paths: StorePaths): string => path.join(paths.cache, CACHE_MOUNTS_DIR);
const guardOf = (paths: StorePaths, key: string): string => path.join(paths.locks, `cache-mount-${key}.lock`);

interface InstanceState {
  n: number;
  exclusive: boolean;
  shared: number;
}

/** Each instance's users, dropping the holds of dead processes. Call under the key's guard. */
async function instancesOf(dir: string): Promise<InstanceState[]> {
  const names = await fs.readdir(dir).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) return [] as string[];
    throw err;
  });
  const states = new Map<number, InstanceState>();
  for (const name of names) if (/^\d+$/.test(name)) states.set(Number(name), { n: Number(name), exclusive: false, shared: 0 });
  for (const name of names) {
    const m = /^(\d+)\.(lock|shared-.*)$/.exec(name);
    if (m === null) continue;
    const owner = await readLockOwner(path.join(dir, name));
    if (owner === undefined) continue;
    if (!isOwnerAlive(owner)) {
      await fs.rm(path.join(dir, name), { force: true });
      continue;
    }
    const st = states.get(Number(m[1]));
    if (st === undefined) continue;
    if (m[2] === 'lock') st.exclusive = true;
    else st.shared++;
  }
  return [...states.values()].sort((a, b) => a.n - b.n);
}

/** meta.json, written whole (temp file, then a link that fails if one is there) so a reader never sees it half-made. */
async function writeMetaOnce(dir: string, id: string): Promise<void> {
  const file = path.join(dir, 'meta.json');
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await fs.writeFile(tmp, JSON.stringify({ id, created: new Date().toISOString() }));
  try {
    await fs.link(tmp, file);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function newInstance(dir: string, states: InstanceState[], req: CacheMountRequest): Promise<number> {
  const n = states.length === 0 ? 0 : states[states.length - 1]!.n + 1;
  const tmp = path.join(dir, `${n}.tmp-${process.pid}`);
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  try {
    await req.seed(tmp);
    await fs.rename(tmp, path.join(dir, String(n)));
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return n;
}

/** Take a cache mount directory as `sharing` says; `locked` waits (honouring the signal) while it is in use. */
export async function acquireCacheMount(paths: StorePaths, req: CacheMountRequest): Promise<CacheMountHandle> {
  const dir = path.join(mountsDir(paths), req.key);
  await fs.mkdir(paths.locks, { recursive: true });
  let delay = 5;
  for (;;) {
    throwIfAborted(req.signal);
    const release = await acquireLock(guardOf(paths, req.key), { timeoutMs: 10 * 60_000, ...(req.signal ? { signal: req.signal } : {}) });
    let hold: string | undefined;
    let n: number | undefined;
    try {
      await fs.mkdir(dir, { recursive: true });
      await writeMetaOnce(dir, req.id);
      const states = await instancesOf(dir);
      const free = states.find((s) => !s.exclusive && s.shared === 0);
      if (req.sharing === 'shared') {
        n = (states.find((s) => !s.exclusive && s.shared > 0) ?? free)?.n ?? (await newInstance(dir, states, req));
        hold = path.join(dir, `${n}.shared-${process.pid}-${randomBytes(4).toString('hex')}`);
      } else {
        n = free?.n ?? (req.sharing === 'private' || states.length === 0 ? await newInstance(dir, states, req) : undefined);
        if (n !== undefined) hold = path.join(dir, `${n}.lock`);
      }
      if (hold !== undefined && !tryCreateLock(hold)) hold = undefined;
    } finally {
      await release();
    }
    if (hold !== undefined && n !== undefined) {
      const holdFile = hold;
      return {
        dir: path.join(dir, String(n)),
        release: async () => {
          await fs.rm(holdFile, { force: true });
          const now = new Date();
          await fs.utimes(dir, now, now).catch(() => undefined);
        },
      };
    }
    // locked, and every instance is in use: wait for a release
    await sleep(delay + Math.random() * delay, undefined, req.signal ? { signal: req.signal } : {});
    delay = Math.min(delay * 2, 200);
  }
}

/** Every cache mount in the store, with its size and whether a live process holds it. */
export async function listCacheMounts(paths: StorePaths): Promise<CacheMountInfo[]> {
  const out: CacheMountInfo[] = [];
  for (const key of await fs.readdir(mountsDir(paths)).catch(() => [] as string[])) {
    const dir = path.join(mountsDir(paths), key);
    const st = await fs.stat(dir).catch(() => undefined);
    if (st === undefined || !st.isDirectory()) continue;
    const meta = (await fs.readFile(path.join(dir, 'meta.json'), 'utf8').then((t) => JSON.parse(t) as { id?: string }).catch(() => ({}))) as { id?: string };
    let instances = 0;
    let inUse = false;
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (/^\d+$/.test(name)) instances++;
      else if (/^\d+\.(lock|shared-.*)$/.test(name)) {
        const owner = await readLockOwner(path.join(dir, name));
        if (owner !== undefined && isOwnerAlive(owner)) inUse = true;
      }
    }
    out.push({ key, id: meta.id ?? '', instances, inUse, lastUsedMs: st.mtimeMs, size: await sizeOf(dir) });
  }
  return out;
}

/**
 * Remove the cache mounts no live process holds (and, with `unusedForMs`,
 * only those not used for that long); each under its key's guard, so no
 * build can take one while it goes. Returns the ids removed and the bytes.
 */
export async function removeCacheMounts(paths: StorePaths, options: { unusedForMs?: number; dryRun?: boolean } = {}): Promise<{ removed: string[]; bytes: number }> {
  const res = { removed: [] as string[], bytes: 0 };
  for (const info of await listCacheMounts(paths)) {
    if (options.unusedForMs !== undefined && Date.now() - info.lastUsedMs <= options.unusedForMs) continue;
    const guard = guardOf(paths, info.key);
    await fs.mkdir(paths.locks, { recursive: true });
    let release: () => Promise<void>;
    try {
      release = await acquireLock(guard, { timeoutMs: 2000 });
    } catch (err) {
      if ((err as { code?: string }).code === 'STORE_LOCK_TIMEOUT') continue; // a build is deciding on it: in use
      throw err;
    }
    try {
      const dir = path.join(mountsDir(paths), info.key);
      if ((await instancesOf(dir)).some((s) => s.exclusive || s.shared > 0)) continue;
      res.removed.push(info.id || info.key);
      res.bytes += info.size;
      if (!options.dryRun) await fs.rm(dir, { recursive: true, force: true });
    } finally {
      await release();
    }
  }
  return res;
}
