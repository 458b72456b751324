import * as path from 'node:path';
import Arborist from '@npmcli/arborist';
import packlist from 'npm-packlist';
import { sortEntries, type PackEntry } from '../layer/diff/pack-entry';
import type { NodeProject } from './read-project';
import { parentEntries, policyEntry, type EntryPolicy } from './tree-entries';

/**
 * The files `npm pack` would publish (npm-packlist: `files`, `.npmignore`,
 * `.gitignore`, always package.json, README, LICENSE, `main` and every `bin`),
 * without bundled node_modules (the install has them), plus the lockfile.
 */
export async function appFiles(project: NodeProject): Promise<string[]> {
  const tree = await new Arborist({ path: project.dir }).loadActual();
  const files = new Set((await packlist(tree)).filter((f) => f !== 'node_modules' && !f.startsWith('node_modules/')));
  files.add(path.basename(project.lockfile));
  files.add('package.json');
  return [...files].sort();
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
