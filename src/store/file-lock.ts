import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { isErrno, StoreError, throwIfAborted } from '../errors';

/**
 * Advisory locks shared by many hoist processes on one machine: a symlink
 * created exclusively whose target is the owner's pid, process start time and
 * host. A symlink that short lives in its inode: taking a lock needs no data
 * block, so prune can take its lock on a full disk to free space. A lock whose
 * owner is gone (pid dead, or pid reused by another process) is broken under
 * a short-lived `.break` guard so two breakers cannot both win. (Lock files of
 * older hoist versions, regular files holding the same line, are still read.)
 */
export interface LockOptions {
  /** give up with STORE_LOCK_TIMEOUT after this long (default 60 s) */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const BREAK_GUARD_STALE_MS = 5000;

function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // field 22, counted after the parenthesised command name
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

// Asked on first use, never while the module loads: hoist's start-up snapshot (cli/snapshot/)
// loads this module in the process that builds it, whose pid and start time are not ours.
let self: { start: string; host: string } | undefined;
const me = (): { start: string; host: string } => (self ??= { start: procStartTime(process.pid) ?? '0', host: os.hostname() });

export function lockOwnerLine(): string {
  return `${process.pid} ${me().start} ${me().host}\n`;
}

/** Is the owner recorded in a lock file's content still running? */
export function isOwnerAlive(content: string): boolean {
  const [pidStr, start, host] = content.trim().split(' ');
  const pid = Number(pidStr);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (host !== undefined && host !== me().host) return true; // another machine: cannot tell, assume alive
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (isErrno(err, 'ESRCH')) return false;
  }
  const now = procStartTime(pid);
  return now === undefined || start === undefined || now === start;
}

/**
 * Create `file` as this process's lock (a symlink naming the owner); false
 * when it exists. One synchronous symlink(2): microseconds, where a call in
 * the thread pool was a round trip behind whatever the pool was doing.
 */
export function tryCreateLock(file: string): boolean {
  try {
    symlinkSync(lockOwnerLine().trim(), file);
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
}

/** The owner line of a lock (or lease) file, undefined when it is gone. */
export async function readLockOwner(file: string): Promise<string | undefined> {
  try {
    return await fs.readlink(file);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    if (!isErrno(err, 'EINVAL')) throw err;
  }
  try {
    return await fs.readFile(file, 'utf8'); // a regular lock file of an older hoist
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}


/** Remove `file` if it still holds `staleContent`, guarded against racing breakers. */
async function breakStale(file: string, staleContent: string): Promise<void> {
  const guard = `${file}.break`;
  if (!tryCreateLock(guard)) {
    try {
      const st = await fs.lstat(guard);
      if (Date.now() - st.mtimeMs > BREAK_GUARD_STALE_MS) await fs.rm(guard, { force: true });
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    return;
  }
  try {
    if ((await readLockOwner(file)) === staleContent) await fs.rm(file, { force: true });
  } finally {
    await fs.rm(guard, { force: true });
  }
}

/** Take the lock at `file`; returns the release function. */
export async function acquireLock(file: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let delay = 2;
  for (;;) {
    throwIfAborted(options.signal);
    if (tryCreateLock(file)) {
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await fs.rm(file, { force: true });
      };
    }
    const content = await readLockOwner(file);
    if (content !== undefined && content !== '' && !isOwnerAlive(content)) {
      await breakStale(file, content);
      continue;
    }
    if (content === '') {
      // an older hoist's lock file, created but not yet written (or its writer died in between)
      const st = await fs.lstat(file).catch(() => undefined);
      if (st !== undefined && Date.now() - st.mtimeMs > BREAK_GUARD_STALE_MS) await breakStale(file, '');
    }
    if (Date.now() > deadline) {
      throw new StoreError('STORE_LOCK_TIMEOUT', `timed out waiting for lock ${file} (held by ${content?.trim() || 'unknown'})`, {
        lock: file,
        owner: content?.trim(),
      });
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
}

export async function withLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const release = await acquireLock(file, options);
  try {
    return await fn();
  } finally {
    await release();
  }
}

/**
 * `withLock` for a short `fn` (a few synchronous file-system calls): when the
 * lock is free it is taken, used and released in one turn of the event loop,
 * so nothing else of this process runs meanwhile and no thread-pool round trip
 * is made (a cached build step's renewal under the gc lock made ~6, and a
 * build's stages waited for each other's lock with sleeps); when it is held,
 * as `withLock` waits for it.
 */
export async function withShortLock<T>(file: string, fn: () => T, options: LockOptions = {}): Promise<T> {
  if (tryCreateLock(file)) {
    try {
      return fn();
    } finally {
      rmSync(file, { force: true });
    }
  }
  return withLock(file, async () => fn(), options);
}
