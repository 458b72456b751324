import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, type BigIntStats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno } from '../errors';
import { computeChainIds } from '../oci/chain-id';
import type { ImageConfig, ImageManifest } from '../oci/manifest';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write';
import { isOwnerAlive, lockOwnerLine, withShortLock } from './file-lock';
import type { StorePaths } from './store-paths';

/**
 * A layer use says that something outside the store's own graph mounts the
 * store's unpacked layers as overlay lowerdirs: an overlay bundle, an overlay
 * LXC container, a `hoist run` container. No tag reaches those layers once the
 * image is removed, so prune keeps every layer that a live use names.
 *
 * Lifecycle of `uses/<hash of the consumer's directory>.json`:
 *  1. `recordLayerUse(paths, dir, kind, image)` before the layers are unpacked or
 *     mounted (under the gc lock, so a prune already past its mark cannot
 *     remove them). The record names its creator (pid, start time) and is live
 *     while that process runs;
 *  2. `use.commit()` once `dir` is in its final place. The record now names
 *     the directory's device and inode and is live while that directory exists
 *     (a consumer whose directory is in its final place from the start, as a
 *     bundle's, records that at step 1 with `dirReady`: one write, no commit);
 *  3. `use.release()` (or `releaseLayerUse(paths, dir)`) when the consumer is
 *     given up or removed; a release before the commit puts back the record
 *     the directory had before (a `--force` replacement that failed).
 * A record is dead when its creator died before the commit, or when its
 * directory is gone or is another directory now (another inode or birth time): prune drops
 * it. So `rm -rf` of a bundle or `lxc-destroy` frees the layers at the next
 * prune with no call into hoist.
 */
export interface LayerUse {
  commit(): Promise<void>;
  release(): Promise<void>;
}

export type LayerUseKind = 'bundle' | 'lxc';

export interface LayerUseRecord {
  kind: LayerUseKind;
  /** the consumer's directory (bundle dir, LXC container dir) */
  path: string;
  /** the chainIDs its overlay stacks, bottom first */
  chainIds: string[];
  /** the config digest of the image it was made from (rmi refuses that image while the use lives) */
  image?: string;
  /** until commit: the creator (file-lock owner line) */
  owner?: string;
  /** after commit: the directory's identity (inode numbers are reused at once: the birth time tells a new directory) */
  dev?: string;
  ino?: string;
  born?: string;
}

/** The record's file for a consumer's directory (for a synchronous release in an `exit` handler). */
export function layerUseFile(paths: StorePaths, dir: string): string {
  return path.join(paths.uses, `${createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 32)}.json`);
}

export interface RecordLayerUseOptions {
  /**
   * `dir` is in its final place already (a bundle directory just made): the
   * record names the directory at once, as a commit would, and `commit()` has
   * nothing left to do.
   */
  dirReady?: boolean;
  /**
   * With `dirReady`: sync the record (default). `false` for a consumer that
   * means nothing after a crash (a `hoist run --rm` container): lost, the
   * record only lets prune free the layers of a directory left behind.
   */
  durable?: boolean;
}

/** Records that `dir` (a `kind` consumer) mounts the unpacked layers of `image`: every chainID of its config. */
export async function recordLayerUse(
  paths: StorePaths,
  dir: string,
  kind: LayerUseKind,
  image: { manifest: ImageManifest; config: ImageConfig },
  options: RecordLayerUseOptions = {},
): Promise<LayerUse> {
  const file = layerUseFile(paths, dir);
  const record: LayerUseRecord = {
    kind,
    path: path.resolve(dir),
    chainIds: computeChainIds(image.config.rootfs.diff_ids),
    image: image.manifest.config.digest,
  };
  const ready = options.dirReady === true;
  const named: LayerUseRecord = ready ? { ...record, ...identity(statSync(record.path, { bigint: true })) } : { ...record, owner: lockOwnerLine().trim() };
  // a few small files: synchronous calls (each asynchronous one was a thread-pool round trip, ~15 here)
  mkdirSync(paths.uses, { recursive: true });
  mkdirSync(paths.locks, { recursive: true });
  // a prune holds the gc lock through its whole run: wait for it rather than fail
  const previous = await withShortLock(
    paths.gcLock,
    () => {
      let before: string | undefined;
      try {
        before = readFileSync(file, 'utf8');
      } catch {
        // no record for this directory yet
      }
      // the creator's record is not synced (~5 ms of `hoist run`): it lives only while this process
      // runs, so after a crash it is dead whether it reached the disk or not (an empty file is
      // dropped as unreadable)
      writeFileAtomicSync(file, `${JSON.stringify(named)}\n`, 0o644, { durable: ready && options.durable !== false });
      return before;
    },
    { timeoutMs: 10 * 60 * 1000 },
  );
  let committed = ready;
  return {
    commit: async () => {
      if (committed) return;
      const st = await fs.stat(record.path, { bigint: true });
      await writeFileAtomic(file, `${JSON.stringify({ ...record, ...identity(st) })}\n`);
      committed = true;
    },
    // Given up before the commit (a failed `--force` replacement): the directory's
    // previous consumer, if any, is still there and gets its record back.
    release: async () => {
      if (!committed && previous !== undefined) await writeFileAtomic(file, previous);
      else await releaseLayerUse(paths, record.path);
    },
  };
}

/** Drops the use record of a consumer's directory (missing is fine). */
export async function releaseLayerUse(paths: StorePaths, dir: string): Promise<void> {
  await fs.rm(layerUseFile(paths, dir), { force: true });
}

/** dev, inode and birth time (0 where the file system keeps none) of a directory */
function identity(st: BigIntStats): { dev: string; ino: string; born: string } {
  return { dev: String(st.dev), ino: String(st.ino), born: String(st.birthtimeNs) };
}

async function isLive(r: LayerUseRecord): Promise<boolean> {
  if (r.dev === undefined || r.ino === undefined) return r.owner !== undefined && isOwnerAlive(r.owner);
  try {
    const st = await fs.stat(r.path, { bigint: true });
    const now = identity(st);
    return st.isDirectory() && now.dev === r.dev && now.ino === r.ino && (r.born === undefined || now.born === r.born);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return false;
    throw err;
  }
}

function parseRecord(text: string): LayerUseRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<LayerUseRecord>;
    if (typeof r.path !== 'string' || !Array.isArray(r.chainIds) || !r.chainIds.every((c) => typeof c === 'string')) return undefined;
    return r as LayerUseRecord;
  } catch {
    return undefined;
  }
}

/**
 * The live layer uses, and the dead ones (removed unless `dryRun`). An
 * unreadable record protects nothing and is removed too. Call under the gc lock.
 */
export async function readLayerUses(paths: StorePaths, options: { dryRun?: boolean } = {}): Promise<{ live: LayerUseRecord[]; dead: number }> {
  let names: string[];
  try {
    names = await fs.readdir(paths.uses);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { live: [], dead: 0 };
    throw err;
  }
  const live: LayerUseRecord[] = [];
  let dead = 0;
  for (const name of names.filter((n) => n.endsWith('.json') && !n.startsWith('.'))) {
    const file = path.join(paths.uses, name);
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // released meanwhile
    const record = parseRecord(text);
    if (record !== undefined && (await isLive(record))) {
      live.push(record);
      continue;
    }
    dead++;
    if (!options.dryRun) await fs.rm(file, { force: true });
  }
  return { live, dead };
}
