import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno } from '../errors';
import { isOwnerAlive, lockOwnerLine } from './file-lock';
import type { StorePaths } from './store-paths';

/**
 * A lease protects what an operation is writing from a concurrent prune: while
 * a lease is alive, prune removes no blob or layer newer than the lease's start.
 * Leases of dead processes are ignored (and removed by prune).
 */
export interface Lease {
  readonly startedAt: number;
  release(): Promise<void>;
}

export async function createLease(paths: StorePaths): Promise<Lease> {
  await fs.mkdir(paths.leases, { recursive: true });
  const file = path.join(paths.leases, `${process.pid}-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(file, lockOwnerLine(), { flag: 'wx' });
  const st = await fs.stat(file);
  let released = false;
  return {
    startedAt: st.mtimeMs,
    release: async () => {
      if (released) return;
      released = true;
      await fs.rm(file, { force: true });
    },
  };
}

/** The start time of the oldest live lease (ms), or undefined; removes dead ones. */
export async function oldestLiveLease(paths: StorePaths): Promise<number | undefined> {
  let names: string[];
  try {
    names = await fs.readdir(paths.leases);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  let oldest: number | undefined;
  for (const name of names) {
    const file = path.join(paths.leases, name);
    const content = await fs.readFile(file, 'utf8').catch(() => undefined);
    const st = await fs.stat(file).catch(() => undefined);
    if (content === undefined || st === undefined) continue;
    if (!isOwnerAlive(content)) {
      await fs.rm(file, { force: true });
      continue;
    }
    oldest = oldest === undefined ? st.mtimeMs : Math.min(oldest, st.mtimeMs);
  }
  return oldest;
}
