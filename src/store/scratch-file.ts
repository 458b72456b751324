import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { throwIfAborted } from '../errors';
import { acquireLock } from './file-lock';
import type { StorePaths } from './store-paths';

/** A private file under `ingest/`, never content: removed by its owner, or by prune once the owner is gone. */
export interface ScratchFile {
  readonly path: string;
  /** remove the file and drop its lock (idempotent) */
  remove(): Promise<void>;
}

/**
 * A scratch file in the store's ingest area: `ingest/scratch-<pid>-<hex>/data`,
 * locked as an ingest is (`<dir>.lock`), so a process killed while it holds one
 * leaves a leftover that `prune` removes, and nothing under `blobs/`. For data
 * on its way to becoming a blob (the builder's uncompressed layer tar while
 * its gzip blob is written). No fsync: it is never read after a crash.
 */
export async function createScratchFile(paths: StorePaths, signal?: AbortSignal): Promise<ScratchFile> {
  throwIfAborted(signal);
  const name = `scratch-${process.pid}-${randomBytes(8).toString('hex')}`;
  const dir = path.join(paths.ingest, name);
  await fs.mkdir(paths.ingest, { recursive: true });
  const release = await acquireLock(`${dir}.lock`, { timeoutMs: 0 });
  try {
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'ref'), name);
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    await release();
    throw err;
  }
  let removed: Promise<void> | undefined;
  return {
    path: path.join(dir, 'data'),
    remove: () =>
      (removed ??= (async () => {
        await fs.rm(dir, { recursive: true, force: true });
        await release();
      })()),
  };
}
