import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isErrno } from '../../errors';
import { kindInLayers } from '../read-in-layers';

/** The directories and files of the init layer: the mountpoints runc makes for a bundle's spec. */
const INIT_DIRS = ['dev', 'proc', 'sys', 'etc'];
const INIT_FILES = ['etc/hosts', 'etc/hostname', 'etc/resolv.conf'];

/**
 * An init layer, as docker's (`<id>-init`, moby's initlayer.Setup): a lowerdir
 * over the image's layers holding the mountpoints of the spec's mounts that
 * runc would otherwise create in the container's upper dir (/dev, /proc, /sys,
 * and the /etc files bind-mounted over). Each of those was a directory or a
 * copied-up /etc made at start and removed again with the container: on an
 * ext4 mounted with `discard` every removed directory waits for its block's
 * discard, so the upper dir of `hoist run --rm IMAGE true` stays empty now.
 * Its content is the same for every container (docker makes one per
 * container), so a store keeps one, made once in a temp directory renamed
 * into place (`dir`, e.g. `containers/.init`), never written again.
 */
export function ensureInitLayer(dir: string): string {
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const d of INIT_DIRS) mkdirSync(path.join(tmp, d), { recursive: true, mode: 0o755 });
    for (const f of INIT_FILES) writeFileSync(path.join(tmp, f), '', { mode: 0o644 });
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // another process put its (identical) one in place first
    if (!isErrno(err, 'EEXIST', 'ENOTEMPTY')) throw err;
  }
  return dir;
}

/**
 * Whether the init layer may lie over these layers (top first) without hiding
 * anything of the image: each of its directories is a directory or absent in
 * the image, each of its files a file (not a directory or symlink) or absent
 * (an image whose /etc is a symlink, or whose /etc/resolv.conf is one, runs
 * without it, as before).
 */
export function fitsInitLayer(layers: readonly string[]): boolean {
  return INIT_DIRS.every((d) => [undefined, 'dir'].includes(kindInLayers(layers, d))) && INIT_FILES.every((f) => [undefined, 'other'].includes(kindInLayers(layers, f)));
}
