import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { acquireLock, isOwnerAlive, readLockOwner } from './file-lock';
import type { StorePaths } from './store-paths';

/**
 * What killed commands leave behind: partial writes under `ingest/`, lock
 * files and `.break` guards of dead owners, and temp files of interrupted
 * atomic writes. None of it is ever read as content; all of it holds space
 * until prune removes it.
 */
export interface Leftover {
  kind: 'ingest' | 'lock' | 'temp';
  path: string;
  bytes: number;
}

/** writeFileAtomic's temp names: `.<name>.<pid>.<random>.tmp` */
const TEMP_FILE = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/;
const BREAK_GUARD_STALE_MS = 5000;

/** Bytes under a path (a file, or a directory's files), 0 when it is gone. */
export async function sizeOf(p: string): Promise<number> {
  const st = await fs.lstat(p).catch(() => undefined);
  if (st === undefined) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of await fs.readdir(p).catch(() => [] as string[])) total += await sizeOf(path.join(p, name));
  return total;
}

async function list(dir: string): Promise<string[]> {
  return fs.readdir(dir).catch(() => [] as string[]);
}

function deadPid(pid: number): boolean {
  return !isOwnerAlive(`${pid}`);
}

/** Leftovers no live process owns (what `prune` removes and `system df` counts). */
export async function findLeftovers(paths: StorePaths): Promise<Leftover[]> {
  const out: Leftover[] = [];
  const ingestNames = new Set(await list(paths.ingest));
  for (const name of ingestNames) {
    const p = path.join(paths.ingest, name);
    if (name.endsWith('.break')) {
      const st = await fs.lstat(p).catch(() => undefined);
      if (st !== undefined && Date.now() - st.mtimeMs > BREAK_GUARD_STALE_MS) out.push({ kind: 'lock', path: p, bytes: 0 });
      continue;
    }
    const lock = name.endsWith('.lock') ? p : `${p}.lock`;
    const owner = await readLockOwner(lock);
    if (owner !== undefined && owner !== '' && isOwnerAlive(owner)) continue;
    if (name.endsWith('.lock')) {
      if (!ingestNames.has(name.slice(0, -'.lock'.length))) out.push({ kind: 'lock', path: p, bytes: 0 });
    } else {
      out.push({ kind: 'ingest', path: p, bytes: await sizeOf(p) });
    }
  }
  for (const name of await list(paths.locks)) {
    const p = path.join(paths.locks, name);
    if (!name.endsWith('.lock') && !name.endsWith('.break')) continue;
    const owner = await readLockOwner(p);
    if (owner !== undefined && owner !== '' && !isOwnerAlive(owner)) out.push({ kind: 'lock', path: p, bytes: 0 });
  }
  for (const dir of [paths.root, paths.uses, paths.cache]) {
    for (const name of await list(dir)) {
      const m = TEMP_FILE.exec(name);
      if (m !== null && deadPid(Number(m[1]))) out.push({ kind: 'temp', path: path.join(dir, name), bytes: await sizeOf(path.join(dir, name)) });
    }
  }
  return out;
}

/**
 * Remove leftovers. Each ingest and lock is taken through its own lock first
 * (breaking the dead owner's), so a writer starting on the same ref at that
 * moment is never robbed. Needs no free space: locks are symlinks.
 */
export async function removeLeftovers(paths: StorePaths, leftovers: Leftover[]): Promise<{ removed: number; bytes: number }> {
  let removed = 0;
  let bytes = 0;
  for (const l of leftovers) {
    if (l.kind === 'temp' || l.path.endsWith('.break')) {
      await fs.rm(l.path, { force: true });
    } else {
      const lock = l.kind === 'ingest' ? `${l.path}.lock` : l.path;
      const release = await acquireLock(lock, { timeoutMs: 0 }).catch(() => undefined);
      if (release === undefined) continue; // a live writer took it meanwhile
      try {
        if (l.kind === 'ingest') await fs.rm(l.path, { recursive: true, force: true });
      } finally {
        await release();
      }
    }
    removed++;
    bytes += l.bytes;
  }
  return { removed, bytes };
}
