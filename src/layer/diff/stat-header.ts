import type { Stats } from 'node:fs';
import type { EntryType, TarHeader } from '../tar/tar-header';

export function entryTypeOfStats(st: Stats): EntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are not archived (as docker and GNU tar)
}

/** Linux dev_t split (glibc gnu_dev_major / gnu_dev_minor). */
export function devMajor(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

export function devMinor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & 0xfff00);
}

/** Reads SOURCE_DATE_EPOCH (whole seconds) or undefined. */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.SOURCE_DATE_EPOCH;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * The header of an archived file, from lstat: whole-second mtime (as docker
 * truncates), clamped to `epoch` when set, no user or group names.
 */
export function headerFromStats(name: string, st: Stats, type: EntryType, epoch: number | undefined): TarHeader {
  const mtime = Math.floor(st.mtimeMs / 1000);
  const h: TarHeader = {
    name,
    type,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: type === 'file' ? st.size : 0,
    mtime: epoch !== undefined && mtime > epoch ? epoch : mtime,
  };
  if (type === 'char' || type === 'block') {
    h.devmajor = devMajor(st.rdev);
    h.devminor = devMinor(st.rdev);
  }
  return h;
}
