import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConvertError, isErrno } from '../errors';
import { resolveScoped } from '../layer/scoped-path';

const MAX_LINKS = 40;

/**
 * Resolve `p` inside `root` as if `root` were `/` (chroot semantics, like
 * securejoin): symlinks are followed by hand, absolute targets restart at
 * `root`, and `..` never climbs above it. The result is always under `root`.
 * Missing components are fine (the path is returned as it would be).
 */
export function resolveInRoot(root: string, p: string): string {
  const base = path.resolve(root);
  const { parts } = resolveScoped(
    p,
    {
      kind: (rel) => {
        let st: fs.Stats;
        try {
          st = fs.lstatSync(path.join(base, rel));
        } catch (err) {
          if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
          throw err;
        }
        return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'other';
      },
      readlink: (rel) => fs.readlinkSync(path.join(base, rel)),
    },
    { followLast: true, maxLinks: MAX_LINKS, stopEarly: false, tooManyLinks: () => new ConvertError('CONVERT_PATH_LOOP', `too many symbolic links resolving ${p} in the image`, { path: p }) },
  );
  return path.join(base, ...parts);
}

/** Read a small file of the image's rootfs (never outside it); undefined when absent. */
export function readFileInRoot(root: string, p: string, maxBytes = 4 * 1024 * 1024): string | undefined {
  return readSmallFile(resolveInRoot(root, p), p, maxBytes);
}

/**
 * Read `file` (resolved already; `p` is its path in the image, for errors)
 * without following a symlink there; undefined when absent or not a regular file.
 */
export function readSmallFile(file: string, p: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR', 'ELOOP', 'EISDIR')) return undefined;
    throw err;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return undefined;
    if (st.size > maxBytes) {
      throw new ConvertError('CONVERT_FILE_TOO_LARGE', `${p} in the image is larger than ${maxBytes} bytes`, { path: p, size: st.size });
    }
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = fs.readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
