import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sortEntries, type PackEntry } from '../layer/diff/pack-entry';
import { parentEntries, walkEntries, type EntryPolicy } from './tree-entries';

/** Packages per dependency layer before the tree is split (at most MAX_BUCKETS layers). */
export const PACKAGES_PER_BUCKET = 50;
export const MAX_BUCKETS = 4;

export interface DependencyLayerPlan {
  /** one changeset per dependency bucket, then the tree layer (.bin links, hidden lockfile, linked dirs); empty ones dropped */
  layers: Array<{ name: string; packages: number; entries: PackEntry[] }>;
}

/** The top-level package directories of node_modules: `x`, `@scope/y`. */
function topPackages(modules: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(modules).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@') && fs.lstatSync(path.join(modules, name)).isDirectory()) {
      for (const sub of fs.readdirSync(path.join(modules, name)).sort()) out.push(`${name}/${sub}`);
    } else out.push(name);
  }
  return out;
}

export function bucketCount(packages: number): number {
  return Math.max(1, Math.min(MAX_BUCKETS, Math.ceil(packages / PACKAGES_PER_BUCKET)));
}

/** A package's bucket: by a hash of its name only, so an upgrade or addition changes one bucket and no other. */
export function bucketOf(name: string, buckets: number): number {
  return createHash('sha256').update(name).digest().readUInt32BE(0) % buckets;
}

/**
 * The installed tree as layer changesets under `/app`: top-level packages
 * (with what is nested in them) in `bucketCount` buckets by name hash, and a
 * last small "tree" layer with what changes with any dependency
 * (`node_modules/.bin`, `node_modules/.package-lock.json`) and directories of
 * `file:` links. The app's own files are not here (app-layer.ts).
 */
export function planDependencyLayers(appDir: string, linkDirs: string[], policy: EntryPolicy, signal?: AbortSignal): DependencyLayerPlan {
  const modules = path.join(appDir, 'node_modules');
  if (!fs.existsSync(modules)) return { layers: [] };
  const tops = topPackages(modules);
  const n = bucketCount(tops.length);
  const buckets: PackEntry[][] = Array.from({ length: n }, () => []);
  const counts = new Array<number>(n).fill(0);
  for (const top of tops) {
    const b = bucketOf(top, n);
    const rel = `node_modules/${top}`;
    buckets[b]!.push(...parentEntries(appDir, 'app', rel, policy), ...walkEntries(path.join(appDir, rel), `app/${rel}`, policy, signal));
    counts[b]!++;
  }
  const tree: PackEntry[] = [];
  for (const name of fs.readdirSync(modules).sort()) {
    if (!name.startsWith('.')) continue;
    tree.push(...parentEntries(appDir, 'app', `node_modules/${name}`, policy), ...walkEntries(path.join(modules, name), `app/node_modules/${name}`, policy, signal));
  }
  for (const rel of linkDirs) tree.push(...parentEntries(appDir, 'app', rel, policy), ...walkEntries(path.join(appDir, rel), `app/${rel}`, policy, signal));
  const layers = buckets.map((entries, i) => ({ name: n === 1 ? 'dependencies' : `dependencies ${i + 1}/${n}`, packages: counts[i]!, entries: dedupe(entries) }));
  layers.push({ name: 'dependency tree', packages: 0, entries: dedupe(tree) });
  return { layers: layers.filter((l) => l.entries.length > 0) };
}

/** Sorted, each name once (parents repeat across packages). */
function dedupe(entries: PackEntry[]): PackEntry[] {
  const seen = new Map<string, PackEntry>();
  for (const e of entries) seen.set(e.name, e);
  return sortEntries([...seen.values()]);
}
