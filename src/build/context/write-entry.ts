import * as fs from 'node:fs';
import { BuildError, isErrno } from '../../errors';
import { lstatOrUndefined } from '../../layer/apply/safe-path';
import type { Owner } from './types';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY } = fs.constants;
const SMALL = 4 * 1024 * 1024;

export function conflict(message: string, target: string): BuildError {
  return new BuildError('COPY_DEST_CONFLICT', message, { path: target });
}

/**
 * fsutil's ensureEmptyFileTarget: a directory in the way is an error, any
 * other entry (a symlink too: it is replaced, never written through) is removed.
 */
export function clearFileTarget(target: string, shown: string): void {
  const st = lstatOrUndefined(target);
  if (st === undefined) return;
  if (st.isDirectory()) throw conflict(`cannot replace to directory ${shown} with file`, shown);
  fs.unlinkSync(target);
}

/** Copy a regular file's bytes to a new `dst` (created exclusively, never through a symlink). */
export function copyFileBytes(src: string, dst: string, size: number): void {
  if (size > SMALL) {
    fs.copyFileSync(src, dst, fs.constants.COPYFILE_EXCL);
    return;
  }
  const sfd = fs.openSync(src, O_RDONLY | O_NOFOLLOW);
  let data: Buffer;
  try {
    data = fs.readFileSync(sfd);
  } finally {
    fs.closeSync(sfd);
  }
  const dfd = fs.openSync(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(dfd, data, off, data.length - off);
  } finally {
    fs.closeSync(dfd);
  }
}

/** fsutil's copyFileInfo: owner, mode (not for symlinks), then atime/mtime, all without following. */
export function setMeta(target: string, owner: Owner, mode: number | undefined, atimeNs: bigint, mtimeNs: bigint): void {
  try {
    fs.lchownSync(target, owner.uid, owner.gid);
  } catch (err) {
    if (process.getuid?.() === 0 || !isErrno(err, 'EPERM')) throw err;
  }
  if (mode !== undefined) fs.chmodSync(target, mode);
  setTimes(target, atimeNs, mtimeNs);
}

export function setTimes(target: string, atimeNs: bigint, mtimeNs: bigint): void {
  fs.lutimesSync(target, Number(atimeNs) / 1e9, Number(mtimeNs) / 1e9);
}
