import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultNativeOps, entryTypeOfStats, LAYER_XATTR_PREFIXES } from '../../src/layer';
import { isOverlaySupported } from '../../src/snapshot';
import { skipWith } from './capabilities';

/** A temp directory removed by the returned cleanup. */
export function makeTempDir(prefix = 'hoist-layer-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const isRoot = process.getuid?.() === 0;

export interface TreeRecord {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  content?: string;
  target?: string;
  rdev?: number;
  xattrs?: Record<string, string>;
}

function typeOf(st: fs.Stats): string {
  return entryTypeOfStats(st) ?? 'other';
}

/**
 * Everything a round trip must keep, per path: type, mode, owner, size,
 * content hash, link target, device numbers, layer xattrs, whole-second
 * mtime (the root's own mtime and mode are left out). Hard links show as
 * equal `content` plus a shared `inode group` tag in `target`.
 */
export async function describeTree(root: string, options: { mtimes?: boolean } = {}): Promise<TreeRecord[]> {
  const out: TreeRecord[] = [];
  const inodes = new Map<number, string>();
  const walk = (dir: string, rel: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const p = rel === '' ? name : `${rel}/${name}`;
      const st = fs.lstatSync(full);
      const r: TreeRecord = { path: p, type: typeOf(st), mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.isFile() ? st.size : 0, mtime: options.mtimes === false ? 0 : Math.floor(st.mtimeMs / 1000) };
      if (st.isFile()) r.content = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
      if (st.isSymbolicLink()) {
        r.target = fs.readlinkSync(full);
        r.mode = 0;
      }
      if (st.isCharacterDevice() || st.isBlockDevice()) r.rdev = st.rdev;
      if (!st.isDirectory() && st.nlink > 1) {
        const first = inodes.get(st.ino);
        if (first === undefined) inodes.set(st.ino, p);
        else r.target = `hardlink:${first}`;
      }
      out.push(r);
      if (st.isDirectory()) walk(full, p);
    }
  };
  walk(root, '');
  const native = defaultNativeOps();
  const xattrs = await native.listXattrs(
    out.map((r) => path.join(root, r.path)),
    LAYER_XATTR_PREFIXES,
  );
  out.forEach((r, i) => {
    const x = xattrs[i];
    if (x !== undefined) r.xattrs = Object.fromEntries([...x].map(([k, v]) => [k, v.toString('hex')]));
  });
  return out;
}

/** Sets a path's times (not following symlinks). */
export function touch(p: string, seconds: number): void {
  fs.lutimesSync(p, seconds, seconds);
}

/** Skips the running test (or hook) with a printed reason unless overlay mounts work here. */
export async function requireOverlay(ctx: Mocha.Context): Promise<void> {
  if (!(await isOverlaySupported())) {
    skipWith(ctx, 'needs root and overlayfs');
  }
}

/** Skips the running test with a printed reason unless running as root. */
export function requireRoot(ctx: Mocha.Context, what: string): void {
  if (!isRoot) {
    skipWith(ctx, `needs root (${what})`);
  }
}
