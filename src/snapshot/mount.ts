import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { SnapshotError } from '../errors';
import type { Mount } from './types';

let pageSize: number | undefined;

/** The kernel's limit on mount data (one page), as containerd reads it. */
export function mountDataLimit(): number {
  if (pageSize === undefined) {
    const out = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
    pageSize = Number(out.stdout?.trim()) || 4096;
  }
  return pageSize - 1;
}

function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new SnapshotError('SNAPSHOT_MOUNT_FAILED', `${cmd}: ${err.message}`, { cmd, args }, { cause: err })));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new SnapshotError('SNAPSHOT_MOUNT_FAILED', `${cmd} ${args.join(' ')} failed: ${stderr.trim()}`, { cmd, args, code })),
    );
  });
}

/**
 * Rewrites a too-long `lowerdir=` as short names: symlinks `a`, `b`, ... in a
 * temp directory that mount(8) runs in (the kernel resolves them at mount
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
    for (; mounted > 0; mounted--) await run('umount', [target]).catch(() => run('umount', ['-l', target]));
    await fs.rmdir(target).catch(() => undefined);
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
    await run('mount', ['--bind', m.source, target]);
    onMounted();
    if (m.options.includes('ro')) await run('mount', ['-o', 'remount,bind,ro', target]);
    return;
  }
  const short = await shortenLowerdirs(m.options);
  try {
    await run('mount', ['-t', 'overlay', m.source, '-o', short.options.join(','), target], short.cwd);
  } finally {
    if (short.cwd !== undefined) await fs.rm(short.cwd, { recursive: true, force: true });
  }
  onMounted();
}

/** Whether overlay mounts can work here: root and overlayfs in /proc/filesystems. */
export async function isOverlaySupported(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const filesystems = await fs.readFile('/proc/filesystems', 'utf8').catch(() => '');
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
    for (; mounted > 0; mounted--) await run('umount', [target]).catch(() => run('umount', ['-l', target]).catch(() => undefined));
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
  for (let i = 0; i < 16 && (await isMountedAt(target)); i++) {
    await run('umount', [target]).catch(() => run('umount', ['-l', target]));
  }
}
