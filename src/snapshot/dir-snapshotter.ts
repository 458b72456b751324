import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno, SnapshotError } from '../errors';
import type { StorePaths } from '../store/store-paths';
import { chainIdOf, isChainIdName, SnapshotDirs } from './snapshot-dirs';
import type { Mount, SnapshotInfo, SnapshotKind, Snapshotter } from './types';

function notFound(key: string): SnapshotError {
  return new SnapshotError('SNAPSHOT_NOT_FOUND', `snapshot ${JSON.stringify(key)} does not exist`, { key });
}

/**
 * The lifecycle both snapshotters share; they differ in what an active
 * snapshot's `fs/` starts with and in the mounts that show it.
 */
export abstract class DirSnapshotter implements Snapshotter {
  abstract readonly name: 'overlay' | 'copy';
  abstract readonly whiteouts: 'overlay' | 'delete';
  protected readonly dirs: SnapshotDirs;

  constructor(paths: StorePaths) {
    this.dirs = new SnapshotDirs(paths);
  }

  /** Fills a new active snapshot's `fs/` from its parent chain (top first). */
  protected abstract populate(fsDir: string, chain: string[], kind: SnapshotKind, signal?: AbortSignal): Promise<void>;
  /** The mounts of a snapshot, given its directory and its parent chain (top first, `fs/` dirs). */
  protected abstract mountsOf(info: SnapshotInfo, dir: string, chain: string[]): Mount[];

  /** The directory of a snapshot (committed or active); SNAPSHOT_NOT_FOUND when absent. */
  async dirOf(key: string): Promise<{ info: SnapshotInfo; dir: string }> {
    const dir = isChainIdName(key) ? this.dirs.committed(key) : this.dirs.active(key);
    let info = await this.dirs.readMeta(dir);
    if (info === undefined && isChainIdName(key)) {
      info = await this.dirs.readMeta(this.dirs.active(key));
      if (info !== undefined) return { info, dir: this.dirs.active(key) };
    }
    if (info === undefined) throw notFound(key);
    if (info.snapshotter !== this.name) {
      throw new SnapshotError('SNAPSHOT_KIND_MISMATCH', `snapshot ${key} was written by the ${info.snapshotter} snapshotter`, { key, found: info.snapshotter });
    }
    return { info, dir };
  }

  async stat(key: string): Promise<SnapshotInfo> {
    return (await this.dirOf(key)).info;
  }

  /** The `fs/` directories of a committed snapshot and its ancestors, top first. */
  async chain(parent: string | undefined): Promise<string[]> {
    const out: string[] = [];
    for (let name = parent; name !== undefined; ) {
      const { info, dir } = await this.dirOf(name);
      if (info.kind !== 'committed') throw new SnapshotError('SNAPSHOT_INVALID_STATE', `parent ${name} is not committed`, { key: name });
      out.push(path.join(dir, 'fs'));
      name = info.parent;
    }
    return out;
  }

  prepare(key: string, parent?: string, options: { signal?: AbortSignal } = {}): Promise<Mount[]> {
    return this.create(key, 'active', parent, options.signal);
  }

  view(key: string, parent?: string): Promise<Mount[]> {
    return this.create(key, 'view', parent);
  }

  async mounts(key: string): Promise<Mount[]> {
    const { info, dir } = await this.dirOf(key);
    return this.mountsOf(info, dir, info.kind === 'committed' ? [path.join(dir, 'fs'), ...(await this.chain(info.parent))] : await this.chain(info.parent));
  }

  async commit(name: string, key: string): Promise<void> {
    const chainId = chainIdOf(name);
    const { info, dir } = await this.dirOf(key);
    if (info.kind !== 'active') throw new SnapshotError('SNAPSHOT_INVALID_STATE', `only an active snapshot can be committed; ${key} is ${info.kind}`, { key });
    const target = this.dirs.committed(chainId);
    if ((await this.dirs.readMeta(target)) !== undefined) throw new SnapshotError('SNAPSHOT_EXISTS', `snapshot ${name} already exists`, { key: name });
    // small (overlay's work dir); synchronous, as the renames here: each asynchronous call queued
    // behind the build's layer gzip in the thread pool (docs/bench.md)
    fsSync.rmSync(path.join(dir, 'work'), { recursive: true, force: true });
    const committed: SnapshotInfo = { key: chainId, kind: 'committed', created: new Date().toISOString(), snapshotter: this.name };
    if (info.parent !== undefined) committed.parent = info.parent;
    await this.dirs.writeMeta(dir, committed);
    try {
      fsSync.renameSync(dir, target);
    } catch (err) {
      await this.dirs.writeMeta(dir, info);
      if (isErrno(err, 'ENOTEMPTY', 'EEXIST')) throw new SnapshotError('SNAPSHOT_EXISTS', `snapshot ${name} already exists`, { key: name });
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    const { info, dir } = await this.dirOf(key);
    if (info.kind === 'committed') {
      const child = (await this.dirs.list()).find((s) => s.parent === info.key);
      if (child !== undefined) throw new SnapshotError('SNAPSHOT_IN_USE', `snapshot ${key} is the parent of ${child.key}`, { key, child: child.key });
    }
    await this.dirs.removeDir(dir);
  }

  async walk(fn: (info: SnapshotInfo) => void | Promise<void>): Promise<void> {
    for (const info of await this.dirs.list()) if (info.snapshotter === this.name) await fn(info);
  }

  private async create(key: string, kind: SnapshotKind, parent: string | undefined, signal?: AbortSignal): Promise<Mount[]> {
    if (isChainIdName(key) && (await this.dirs.readMeta(this.dirs.committed(key))) !== undefined) {
      throw new SnapshotError('SNAPSHOT_EXISTS', `snapshot ${key} already exists`, { key });
    }
    const dir = this.dirs.active(key);
    if ((await this.dirs.readMeta(dir)) !== undefined) throw new SnapshotError('SNAPSHOT_EXISTS', `snapshot ${key} already exists`, { key });
    const chain = await this.chain(parent);
    const tmp = await this.dirs.temp();
    const info: SnapshotInfo = { key, kind, created: new Date().toISOString(), snapshotter: this.name };
    if (parent !== undefined) info.parent = parent;
    try {
      fsSync.mkdirSync(path.join(tmp, 'fs'), { mode: 0o755 });
      await this.populate(path.join(tmp, 'fs'), chain, kind, signal);
      await this.dirs.writeMeta(tmp, info);
      fsSync.mkdirSync(this.dirs.snapshots, { recursive: true });
      fsSync.renameSync(tmp, dir);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      if (isErrno(err, 'ENOTEMPTY', 'EEXIST')) throw new SnapshotError('SNAPSHOT_EXISTS', `snapshot ${key} already exists`, { key });
      throw err;
    }
    return this.mountsOf(info, dir, chain);
  }
}
