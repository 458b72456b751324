import * as fs from 'node:fs/promises';
import { isErrno, StoreError } from '../errors';

function mb(bytes: number): string {
  return `${(Math.ceil(bytes / 100_000) / 10).toFixed(1)} MB`;
}

/** Bytes free for this process on the filesystem that holds `dir` (undefined when it cannot tell). */
export async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const st = await fs.statfs(dir);
    return st.bavail * st.bsize;
  } catch {
    return undefined;
  }
}

/** Is this the disk (or a quota) being full? */
export function isNoSpace(err: unknown): boolean {
  return isErrno(err, 'ENOSPC', 'EDQUOT');
}

/**
 * STORE_NO_SPACE: `no space left on device writing DIR: need N MB, M MB free`,
 * one line naming the disk and the space an operation needs.
 */
export async function noSpaceError(dir: string, needed: number, cause?: unknown): Promise<StoreError> {
  const free = (await freeBytes(dir)) ?? 0;
  return new StoreError('STORE_NO_SPACE', `no space left on device writing ${dir}: need ${mb(needed)}, ${mb(free)} free`, { path: dir, needed, free }, cause !== undefined ? { cause } : {});
}
