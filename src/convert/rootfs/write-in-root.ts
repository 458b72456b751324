import * as fs from 'node:fs';
import * as path from 'node:path';
import { isErrno } from '../../errors';
import { resolveInRoot } from '../read-in-root';

export interface WriteInRootOptions {
  mode?: number;
  uid: number;
  gid: number;
}

/**
 * Write a small file of a rootfs as if `root` were `/`: the parent path is
 * resolved inside the root (symlinks followed by hand, never out of it) and
 * created where missing; whatever is at the final name (a symlink such as
 * `/etc/resolv.conf -> ../run/…`, a file) is replaced, never written through.
 */
export function writeFileInRoot(root: string, p: string, content: string, o: WriteInRootOptions): void {
  const parent = resolveInRoot(root, path.posix.dirname(p));
  mkdirOwned(root, parent, o);
  const file = path.join(parent, path.posix.basename(p));
  try {
    const st = fs.lstatSync(file);
    if (st.isDirectory()) fs.rmSync(file, { recursive: true });
    else fs.unlinkSync(file);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fchownSync(fd, o.uid, o.gid);
    fs.fchmodSync(fd, o.mode ?? 0o644);
  } finally {
    fs.closeSync(fd);
  }
}

/** mkdir -p of a resolved path under root, new dirs owned by uid/gid. */
export function mkdirOwned(root: string, dir: string, o: WriteInRootOptions): void {
  const rel = path.relative(root, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`${dir} is not under ${root}`);
  let cur = root;
  for (const c of rel.split(path.sep).filter((x) => x !== '')) {
    cur = path.join(cur, c);
    try {
      fs.mkdirSync(cur, 0o755);
      fs.chownSync(cur, o.uid, o.gid);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }
}
