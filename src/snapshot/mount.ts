import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { SnapshotError } from '../errors';
import { libc, MNT_DETACH, MS_BIND, MS_RDONLY, MS_REMOUNT } from '../sys';
import type { Mount } from './types';

/**
 * The kernel's limit on mount data (one page, less its NUL). 4096 is the
 * smallest page Linux has, so a larger page only shortens earlier than needed
 * (no getconf process at start).
 */
export function mountDataLimit(): number {
  return 4095;
}

function mountFailed(call: string, what: string, errno: string, details: Record<string, unknown>): SnapshotError {
  return new SnapshotError('SNAPSHOT_MOUNT_FAILED', `${call} ${what}: ${errno}`, { ...details, errno });
}

/** mount(2); `cwd` is where relative lowerdirs resolve (the call is synchronous, so the chdir is too). */
function mountSys(source: string, target: string, fstype: string | null, flags: number, data: string | null, cwd?: string): void {
  const c = libc();
  const back = cwd !== undefined ? process.cwd() : undefined;
  if (cwd !== undefined) process.chdir(cwd);
  let errno: string | undefined;
  try {
    errno = c.mount(source, target, fstype, flags, data);
  } finally {
    if (back !== undefined) process.chdir(back);
  }
  if (errno !== undefined) throw mountFailed('mount', `${fstype ?? 'bind'} ${source} on ${target}${data ? ` (${data})` : ''}`, errno, { source, target, fstype });
}

/** umount2(2); lazily (MNT_DETACH) when the plain one fails (busy). */
function unmountOne(target: string): void {
  const c = libc();
  if (c.umount2(target, 0) === undefined) return;
  const errno = c.umount2(target, MNT_DETACH);
  if (errno !== undefined) throw mountFailed('umount2', target, errno, { target });
}

/**
 * Unmounts everything stacked on `target` (at most `max` mounts) in synchronous
 * calls, for an `exit` handler or a process with nothing else left to do. Each
 * is a plain umount2(2), lazy (MNT_DETACH) when busy; with `detach`, lazy from
 * the start (the process is leaving: never wait on a busy mount). Stops at the
 * first errno it cannot act on (EINVAL: nothing more is mounted there).
 */
export function unmountStackSync(target: string, options: { detach: boolean; max: number }): void {
  const c = libc();
  for (let i = 0; i < options.max; i++) {
    const errno = c.umount2(target, options.detach ? MNT_DETACH : 0);
    if (errno === 'EBUSY' && !options.detach ? c.umount2(target, MNT_DETACH) !== undefined : errno !== undefined) break;
  }
}

/**
 * Rewrites a too-long `lowerdir=` as short names: symlinks `a`, `b`, ... in a
 * temp directory that mount(2) resolves them in (the kernel resolves them at mount
 * time, so the directory can go right after). Docker's overlay2 keeps short
 * `l/` links for the same limit; these live only for the mount call.
 */
async function shortenLowerdirs(options: string[]): Promise<{ options: string[]; cwd?: string }> {
  if (options.join(',').length <= mountDataLimit()) return { options };
  const cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'hoist-lower-'));
  const out = [];
  for (const opt of options) {
    if (!opt.startsWith('lowerdir=')) {
      out.push(opt);
      continue;
    }
    const names = [];
    for (const [i, dir] of opt.slice('lowerdir='.length).split(':').entries()) {
      const name = i.toString(36);
      await fs.symlink(dir, path.join(cwd, name));
      names.push(name);
    }
    out.push(`lowerdir=${names.join(':')}`);
  }
  return { options: out, cwd };
}

/**
 * Mounts `mounts` on a temp directory, runs `fn` on it, and always unmounts
 * (the only module that mounts). A single bind mount is used in place (its
 * source is the tree; for a read-only bind the caller must not write); no
 * mount shows an empty directory.
 */
export async function withMount<T>(mounts: readonly Mount[], fn: (root: string) => Promise<T>): Promise<T> {
  if (mounts.length === 1 && mounts[0]?.type === 'bind') return fn(mounts[0].source);
  const target = await fs.mkdtemp(path.join(os.tmpdir(), 'hoist-mnt-'));
  let mounted = 0;
  try {
    for (const m of mounts) {
      await mountOne(m, target, () => mounted++);
    }
    return await fn(target);
  } finally {
    for (; mounted > 0; mounted--) unmountOne(target);
    await fs.rmdir(target).catch(() => undefined);
    await clearVolatileMarks(mounts);
  }
}

/**
 * After a clean unmount: removes the `work/incompat/volatile` directory a
 * `volatile` overlay leaves in its workdir, which makes the kernel refuse any
 * later mount of that upper dir (it stands for "may have lost writes in a
 * crash"; there was none: this process unmounted it).
 */
async function clearVolatileMarks(mounts: readonly Mount[]): Promise<void> {
  for (const m of mounts) {
    const workdir = m.type === 'overlay' && m.options.includes('volatile') ? m.options.find((o) => o.startsWith('workdir='))?.slice('workdir='.length) : undefined;
    if (workdir !== undefined) await fs.rm(path.join(workdir, 'work', 'incompat', 'volatile'), { recursive: true, force: true });
  }
}

/**
 * Perform one mount on `target`; `onMounted` is called as soon as something
 * is mounted (so the caller's cleanup unmounts it even if a later step fails).
 * A read-only bind is a bind plus a read-only remount (a plain `-o ro` on
 * `--bind` is ignored by older kernels/util-linux).
 */
async function mountOne(m: Mount, target: string, onMounted: () => void): Promise<void> {
  if (m.type === 'bind') {
    mountSys(m.source, target, null, MS_BIND, null);
    onMounted();
    if (m.options.includes('ro')) mountSys('none', target, null, MS_REMOUNT | MS_BIND | MS_RDONLY, null);
    return;
  }
  const short = await shortenLowerdirs(m.options.filter((o) => o !== 'rw'));
  const flags = short.options.includes('ro') ? MS_RDONLY : 0;
  try {
    mountSys(m.source, target, 'overlay', flags, short.options.filter((o) => o !== 'ro').join(','), short.cwd);
  } finally {
    if (short.cwd !== undefined) await fs.rm(short.cwd, { recursive: true, force: true });
  }
  onMounted();
}

/** Whether overlay mounts can work here: root and overlayfs in /proc/filesystems (read in one synchronous call). */
export async function isOverlaySupported(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  let filesystems = '';
  try {
    filesystems = readFileSync('/proc/filesystems', 'utf8');
  } catch {
    // no /proc: no overlay
  }
  return /\toverlay$/m.test(filesystems);
}

/**
 * Mounts `mounts` on the existing directory `target` and leaves them mounted
 * (a bundle's rootfs that must outlive this process; pair with `unmountAt`).
 * If a later mount of the list fails, the earlier ones are unmounted.
 */
export async function mountAt(mounts: readonly Mount[], target: string): Promise<void> {
  let mounted = 0;
  try {
    for (const m of mounts) {
      await mountOne(m, target, () => mounted++);
    }
  } catch (err) {
    for (; mounted > 0; mounted--) {
      try {
        unmountOne(target);
      } catch {
        // the mount error is the one to report
      }
    }
    throw err;
  }
}

/** Whether something is mounted exactly at `target` (per /proc/self/mountinfo). */
export async function isMountedAt(target: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const want = path.resolve(target);
  // field 5 is the mount point, with space, tab, newline and backslash octal-escaped
  return info.split('\n').some((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) === want);
}

/**
 * Unmounts everything stacked at `target` (lazily when busy); nothing
 * mounted there is not an error.
 */
export async function unmountAt(target: string): Promise<void> {
  for (let i = 0; i < 16 && (await isMountedAt(target)); i++) unmountOne(target);
}
