import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanPath } from '../../dockerfile/ignore';
import { isErrno } from '../../errors';
import { resolveInRoot } from '../../convert/read-in-root';
import type { Owner } from './types';

/**
 * COPY's destination as BuildKit's dispatcher and file backend make it: a
 * relative path joins WORKDIR, `.` and `` mean WORKDIR itself, and a trailing
 * `/` (or `/.`) survives cleaning; it says "a directory".
 */
export function destPathOf(dest: string, workdir: string): string {
  let p = dest;
  if (p === '' || p === '.') p = './';
  const joined = cleanPath(p.startsWith('/') ? p : path.posix.join(workdir || '/', p));
  const keepSlash = (p.endsWith('/') || p.endsWith('/.')) && joined !== '/';
  return keepSlash ? joined + '/' : joined;
}

/**
 * mkdir -p of an absolute path already resolved inside the rootfs: missing
 * directories are made 0755, owned by `owner` (root when none). Returns the
 * ones it made.
 */
export function mkdirAllResolved(dir: string, owner: Owner | undefined): string[] {
  const made: string[] = [];
  const missing: string[] = [];
  let d = dir;
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(d);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    if (st !== undefined) {
      if (!st.isDirectory()) throw Object.assign(new Error(`mkdir ${d}: not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    fs.mkdirSync(m, 0o755);
    fs.chmodSync(m, 0o755);
    if (owner !== undefined) fs.lchownSync(m, owner.uid, owner.gid);
    made.push(m);
  }
  return made;
}

/** Resolve `p` (absolute inside the rootfs) and make it a directory (MkdirAll through symlinks, chroot-style). */
export function ensureDirInRoot(rootfs: string, p: string, owner: Owner | undefined): string {
  const resolved = resolveInRoot(rootfs, p);
  mkdirAllResolved(resolved, owner);
  return resolved;
}
