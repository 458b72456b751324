import * as fs from 'node:fs';
import * as path from 'node:path';
import { isErrno, throwIfAborted } from '../../errors';
import type { DiffOptions } from './diff-upper';
import { joinRel, sortEntries, whiteoutEntry, type PackEntry } from './pack-entry';
import { readEntryXattrs } from './read-xattrs';

function lstatOrUndefined(p: string): fs.BigIntStats | undefined {
  try {
    return fs.lstatSync(p, { bigint: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw err;
  }
}

/**
 * Docker's rule (moby pkg/archive/changes.go): type, mode, owner and rdev
 * always; size and mtime (to the nanosecond) for everything but directories;
 * and, here, a symlink's target.
 */
function statDiffers(a: fs.BigIntStats, b: fs.BigIntStats, lowerPath: string, upperPath: string): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return true;
  if (b.isDirectory()) return false;
  if (a.size !== b.size || a.mtimeNs !== b.mtimeNs) return true;
  return b.isSymbolicLink() && fs.readlinkSync(lowerPath) !== fs.readlinkSync(upperPath);
}

function sameXattrs(a: Map<string, Buffer> | undefined, b: Map<string, Buffer> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) if (!b?.get(k)?.equals(v)) return false;
  return true;
}

/**
 * The changeset from `lower` to `upper` by walking both (the fallback where
 * overlay is unavailable): added and changed paths of `upper`, whiteouts for
 * paths gone from it (a removed directory is one whiteout), and, as docker
 * does, every parent directory of a change with its current metadata.
 * Layer xattrs count as changes. A missing `lower` means an empty tree.
 */
export async function diffTrees(lower: string | undefined, upper: string, options: DiffOptions = {}): Promise<PackEntry[]> {
  const changed = new Map<string, PackEntry>();
  const same: Array<{ lower: PackEntry; upper: PackEntry }> = [];
  const walk = (rel: string, lowerDir: string | undefined, upperDir: string): void => {
    throwIfAborted(options.signal);
    const upperNames = fs.readdirSync(upperDir);
    if (lowerDir !== undefined) {
      const present = new Set(upperNames);
      for (const name of fs.readdirSync(lowerDir)) if (!present.has(name)) changed.set(joinRel(rel, name), whiteoutEntry(joinRel(rel, name)));
    }
    for (const name of upperNames) {
      const relName = joinRel(rel, name);
      const source = path.join(upperDir, name);
      const st = fs.lstatSync(source, { bigint: true });
      const entry: PackEntry = { name: relName, source, stats: fs.lstatSync(source) };
      const lowerPath = lowerDir === undefined ? undefined : path.join(lowerDir, name);
      const lst = lowerPath === undefined ? undefined : lstatOrUndefined(lowerPath);
      if (lst === undefined || statDiffers(lst, st, lowerPath as string, source)) changed.set(relName, entry);
      else same.push({ lower: { name: relName, source: lowerPath as string }, upper: entry });
      if (st.isDirectory()) walk(relName, lst?.isDirectory() ? lowerPath : undefined, source);
    }
  };
  walk('', lower, upper);
  await readEntryXattrs(
    same.flatMap((p) => [p.lower, p.upper]),
    options.native,
    [],
    options.layerXattrs,
  );
  for (const p of same) if (!sameXattrs(p.lower.xattrs, p.upper.xattrs)) changed.set(p.upper.name, p.upper);
  const byName = new Map(same.map((p) => [p.upper.name, p.upper]));
  for (const name of [...changed.keys()]) {
    for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
      const dir = name.slice(0, i);
      if (changed.has(dir)) break;
      const entry = byName.get(dir);
      if (entry !== undefined) changed.set(dir, entry);
    }
  }
  const entries = [...changed.values()];
  await readEntryXattrs(
    entries.filter((e) => e.xattrs === undefined),
    options.native,
    [],
    options.layerXattrs,
  );
  return sortEntries(entries);
}
