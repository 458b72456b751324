import * as fs from 'node:fs';
import { hasLibc, libc } from './libc';

/** FS_TOPDIR_FL (linux/fs.h; `chattr +T`): "the top of a directory hierarchy". */
export const FS_TOPDIR_FL = 0x00020000;

/**
 * Marks `dir` as the top of directory hierarchies (`chattr +T`), so that ext4
 * places each directory made directly in it as it places top-level ones: in a
 * block group of its own with more free inodes and blocks than average (the
 * Orlov allocator), not beside its parent. Its files follow it there.
 *
 * Why a store wants it (docs/unpack.md, "Where unpacked files land"): ext4
 * without a journal skips, for every new inode, each free inode of the group
 * deleted in the last minute or more, and when a group holds nothing else it
 * scans all of them for every file. A layer unpacked beside a tree removed
 * moments before (a pruned store, the last run's) then costs seconds of
 * system time. Best effort: other file systems (tmpfs, xfs, btrfs) answer
 * with an errno, returned and otherwise ignored; so is a missing binding.
 * Resolves to undefined when the flag is set (now or already).
 */
export function markTopDir(dir: string): string | undefined {
  if (!hasLibc()) return 'ENOSYS (no libc binding)';
  let fd: number;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
  try {
    const c = libc();
    const flags = c.getInodeFlags(fd);
    if (typeof flags === 'string') return flags;
    if ((flags & FS_TOPDIR_FL) !== 0) return undefined;
    return c.setInodeFlags(fd, flags | FS_TOPDIR_FL);
  } finally {
    fs.closeSync(fd);
  }
}
