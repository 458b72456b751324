import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonicalJson } from '../build/cache/build-cache';
import type { Digest } from '../oci/digest';
import type { NodeProject } from './read-project';
import type { EntryPolicy } from './tree-entries';

interface LockEntry {
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  version?: string;
}

interface Lockfile {
  lockfileVersion?: number;
  packages?: Record<string, LockEntry>;
}

/** The package.json fields that decide the tree (a change re-runs the install and its sync check). */
const TREE_FIELDS = ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies', 'overrides', 'workspaces'];

/** sha256 over every file under `p` (names, modes, link targets, contents; node_modules and .git left out). */
function hashSource(p: string): string {
  const h = createHash('sha256');
  const visit = (abs: string, rel: string): void => {
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (st === undefined) return void h.update(`missing ${rel}\n`);
    if (st.isSymbolicLink()) return void h.update(`link ${rel} ${fs.readlinkSync(abs)}\n`);
    if (st.isFile()) return void h.update(`file ${rel} ${st.mode & 0o111 ? 'x' : '-'} ${createHash('sha256').update(fs.readFileSync(abs)).digest('hex')}\n`);
    h.update(`dir ${rel}\n`);
    for (const name of fs.readdirSync(abs).sort()) if (name !== 'node_modules' && name !== '.git') visit(path.join(abs, name), `${rel}/${name}`);
  };
  visit(p, '.');
  return h.digest('hex');
}

/**
 * What the dependency layers are a function of, as one digest: the lockfile's
 * bytes, the tree fields of package.json, the content of every `file:`
 * tarball and linked directory the lockfile names (their changes do not show
 * in the lockfile), the install options and the entry policy. Undefined for a
 * lockfile older than v2 (no `packages` map): such projects always install.
 */
export function dependencyKey(project: NodeProject, omit: readonly string[], policy: EntryPolicy): Digest | undefined {
  const raw = fs.readFileSync(project.lockfile);
  let lock: Lockfile;
  try {
    lock = JSON.parse(raw.toString('utf8')) as Lockfile;
  } catch {
    return undefined; // the install reports it
  }
  if ((lock.lockfileVersion ?? 1) < 2 || lock.packages === undefined) return undefined;
  const sources: Record<string, string> = {};
  for (const entry of Object.values(lock.packages)) {
    const rel = entry.link ? entry.resolved : entry.resolved?.startsWith('file:') ? entry.resolved.slice(5) : undefined;
    if (rel !== undefined) sources[rel] = hashSource(path.resolve(project.dir, rel));
  }
  const manifest = Object.fromEntries(TREE_FIELDS.map((f) => [f, project.manifest[f]]));
  const key = {
    schema: 'hoist.pack.dependencies.v1',
    lockfile: createHash('sha256').update(raw).digest('hex'),
    manifest,
    sources,
    omit: [...omit].sort(),
    policy,
  };
  return `sha256:${createHash('sha256').update(canonicalJson(key)).digest('hex')}` as Digest;
}

/** name@version of each package the lockfile installs with `omit` (what a cached pack reports). */
export function lockfilePackages(project: NodeProject, omit: readonly string[]): string[] {
  const lock = JSON.parse(fs.readFileSync(project.lockfile, 'utf8')) as Lockfile;
  const out = new Set<string>();
  for (const [location, e] of Object.entries(lock.packages ?? {})) {
    if (!location.includes('node_modules/') || e.link) continue;
    if ((omit.includes('dev') && (e.dev || e.devOptional)) || (omit.includes('optional') && e.optional) || (omit.includes('peer') && e.peer)) continue;
    out.add(`${location.slice(location.lastIndexOf('node_modules/') + 13)}@${e.version ?? ''}`);
  }
  return [...out];
}
