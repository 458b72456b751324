import * as path from 'node:path';
import type { Node } from '@npmcli/arborist';
import { sortEntries, type PackEntry } from '../layer/diff/pack-entry';
import type { StorePaths } from '../store/store-paths';
import { appFilesKey, cachedAppFiles } from './app-files-cache';
import type { NodeProject, PackageManifest } from './read-project';
import { parentEntries, policyEntry, type EntryPolicy } from './tree-entries';

const clean = (p: string): string => path.posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\//, '');

/**
 * The project root as npm-packlist reads it (its package, path, workspaces),
 * with `bin` and `main` normalised as npm's package.json reader does; no
 * arborist tree is loaded (bundled dependencies are the install's business).
 */
function packlistRoot(project: NodeProject): Node {
  const m: PackageManifest = { ...project.manifest };
  delete m.bundleDependencies;
  delete m.bundledDependencies;
  if (typeof m.bin === 'string') m.bin = { [(m.name ?? '').replace(/^@[^/]+\//, '')]: clean(m.bin) };
  else if (m.bin && typeof m.bin === 'object') m.bin = Object.fromEntries(Object.entries(m.bin).map(([k, v]) => [k, clean(v)]));
  if (typeof m.main === 'string') m.main = clean(m.main);
  return { path: project.dir, realpath: project.dir, package: m, isProjectRoot: true, workspaces: null, edgesOut: new Map() } as unknown as Node;
}

/**
 * The files `npm pack` would publish (npm-packlist: `files`, `.npmignore`,
 * `.gitignore`, always package.json, README, LICENSE, `main` and every `bin`),
 * without node_modules (the install has them), plus the lockfile.
 */
export async function appFiles(project: NodeProject, paths?: StorePaths): Promise<string[]> {
  const compute = async (): Promise<string[]> => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const packlist = require('npm-packlist') as typeof import('npm-packlist');
    const files = new Set((await packlist(packlistRoot(project))).filter((f) => f !== 'node_modules' && !f.startsWith('node_modules/')));
    files.add(path.basename(project.lockfile));
    files.add('package.json');
    return [...files].sort();
  };
  if (paths === undefined) return compute();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const version = (require('npm-packlist/package.json') as { version: string }).version;
  return cachedAppFiles(paths, appFilesKey(project, version), compute);
}

/** The app layer: those files under `/app`, each with its parent directories, sorted. */
export function appLayerEntries(project: NodeProject, files: readonly string[], policy: EntryPolicy): PackEntry[] {
  const byName = new Map<string, PackEntry>();
  for (const rel of files) {
    for (const p of parentEntries(project.dir, 'app', rel, policy)) byName.set(p.name, p);
    byName.set(`app/${rel}`, policyEntry(`app/${rel}`, path.join(project.dir, rel), policy));
  }
  return sortEntries([...byName.values()]);
}
