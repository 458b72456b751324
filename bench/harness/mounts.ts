// Scratch trees that builders leave mounts in (buildah's overlay driver bind-mounts its home onto
// itself; a killed build may leave an overlay behind): unmount everything under a path, deepest
// first, before removing it.
import { readFileSync } from 'node:fs';
import { execCommand } from './exec-command';
import { findExecutable } from './find-executable';
import { freshDir } from './fresh-dir';

/** Mount points at or under `dir`, deepest first (mountinfo's field 5, octal escapes decoded). */
export function mountsUnder(dir: string): string[] {
  const points = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts whatever is mounted under `dir` (lazily, so a busy mount does not stop the bench). */
export async function unmountUnder(dir: string): Promise<void> {
  const umount = findExecutable('umount');
  if (!umount) return;
  for (const point of mountsUnder(dir)) await execCommand({ argv: [umount, '-l', point] });
}

/** `freshDir` for a tree that may hold mounts. */
export async function freshUnmountedDir(dir: string): Promise<string> {
  await unmountUnder(dir);
  return freshDir(dir);
}
