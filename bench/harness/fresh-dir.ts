// Scratch directories for hooks: emptied before a run so that each run starts cold.
import { mkdirSync, rmSync } from 'node:fs';

/** Removes `path` (file or tree) if present, then creates it as an empty directory. */
export function freshDir(path: string): string {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

/** Removes a file or tree if present. */
export function removePath(path: string): void {
  rmSync(path, { recursive: true, force: true });
}
