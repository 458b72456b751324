import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno, SnapshotError } from '../errors';
import { isDigest, digestHex, type Digest } from '../oci/digest';
import { writeFileAtomic } from '../store/atomic-write';
import type { StorePaths } from '../store/store-paths';
import { markTopDir } from '../sys';
import type { SnapshotInfo } from './types';

/** `layers/` directories marked top-level in this process (one ioctl each, then none). */
const spread = new Set<string>();

/**
 * Where snapshots live in the store (src/snapshot/README.md):
 * `layers/<hex>/{meta.json,fs/}` committed (the unpacked layer of chainID
 * sha256:<hex>), `layers/.snapshots/<id>/{meta.json,fs/,work/}` active ones and
 * views, `layers/.tmp-*` directories being built or removed.
 */
export class SnapshotDirs {
  constructor(readonly paths: StorePaths) {}

  get snapshots(): string {
    return path.join(this.paths.layers, '.snapshots');
  }

  committed(name: string): string {
    return this.paths.layer(chainIdOf(name));
  }

  active(key: string): string {
    return path.join(this.snapshots, createHash('sha256').update(key).digest('hex').slice(0, 32));
  }

  /**
   * A fresh `layers/.tmp-*` directory. `layers/` is marked the top of
   * directory hierarchies first (sys/top-dir.ts), so each snapshot's files go
   * to a block group of their own, not among the inodes of a tree removed a
   * moment before (an unpack there cost 3-7 s more: docs/unpack.md).
   */
  async temp(): Promise<string> {
    if (!spread.has(this.paths.layers)) {
      mkdirSync(this.paths.layers, { recursive: true });
      markTopDir(this.paths.layers); // best effort: other file systems say no
      spread.add(this.paths.layers);
    }
    const dir = path.join(this.paths.layers, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    mkdirSync(dir, { recursive: true }); // recursive: a test may have removed the store since
    return dir;
  }

  /**
   * A snapshot's meta.json (~160 bytes) in one synchronous call: stat, mounts
   * and chain read one per layer, and each asynchronous read was four
   * thread-pool round trips (open, stat, read, close).
   */
  async readMeta(dir: string): Promise<SnapshotInfo | undefined> {
    try {
      return JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as SnapshotInfo;
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
      throw err;
    }
  }

  writeMeta(dir: string, info: SnapshotInfo): Promise<void> {
    return writeFileAtomic(path.join(dir, 'meta.json'), `${JSON.stringify(info)}\n`);
  }

  /** Removes a directory atomically: rename to `.tmp-*`, then delete. */
  async removeDir(dir: string): Promise<void> {
    const tmp = path.join(this.paths.layers, `.tmp-rm-${randomBytes(6).toString('hex')}`);
    try {
      await fs.rename(dir, tmp);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw err;
    }
    await fs.rm(tmp, { recursive: true, force: true });
  }

  /** Every committed snapshot, then every active one. */
  async list(): Promise<SnapshotInfo[]> {
    const out: SnapshotInfo[] = [];
    for (const name of await fs.readdir(this.paths.layers).catch(() => [] as string[])) {
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      const info = await this.readMeta(path.join(this.paths.layers, name));
      if (info !== undefined) out.push(info);
    }
    for (const name of await fs.readdir(this.snapshots).catch(() => [] as string[])) {
      const info = await this.readMeta(path.join(this.snapshots, name));
      if (info !== undefined) out.push(info);
    }
    return out;
  }
}

export function chainIdOf(name: string): Digest {
  if (!isDigest(name) || !name.startsWith('sha256:')) {
    throw new SnapshotError('SNAPSHOT_NAME_INVALID', `committed snapshot name ${JSON.stringify(name)} is not a chainID`, { name });
  }
  return name;
}

export function isChainIdName(name: string): boolean {
  return isDigest(name) && name.startsWith('sha256:');
}

export { digestHex };
