import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { unmountAt } from '../../snapshot/mount';

/**
 * Removes a bundle: unmounts its rootfs (an overlay bundle's mount) and
 * deletes the directory with its upper dir and volumes. Missing is fine.
 */
export async function removeBundle(dir: string): Promise<void> {
  await unmountBundle(dir);
  await fs.rm(dir, { recursive: true, force: true });
}

/** Unmounts a bundle's rootfs (an overlay bundle's mount) and keeps the directory (upper dir, volumes). */
export async function unmountBundle(dir: string): Promise<void> {
  await unmountAt(path.join(dir, 'rootfs'));
}

/** Whether `dir` exists and holds anything (one synchronous call, write-bundle.ts says why). */
export function isNonEmptyDir(dir: string): boolean {
  try {
    return fsSync.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}
