import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from '@npmcli/arborist';
import { PackError } from '../errors';
import type { NodeProject } from './read-project';

/** `file:` and link sources of the lockfile, as paths relative to the project (`vendor/x.tgz`, `packages/util`). */
export function localSources(tree: Node): string[] {
  const out = new Set<string>();
  for (const node of tree.inventory.values()) {
    if (node.isRoot) continue;
    if (node.isLink) out.add(path.relative(tree.path, node.realpath));
    else if (typeof node.resolved === 'string' && node.resolved.startsWith('file:')) out.add(path.relative(tree.path, path.resolve(tree.path, node.resolved.slice(5))));
  }
  return [...out].sort();
}

function copyWithoutModules(src: string, dest: string): void {
  fs.cpSync(src, dest, { recursive: true, verbatimSymlinks: true, filter: (p) => path.basename(p) !== 'node_modules' && path.basename(p) !== '.git' });
}

/**
 * The staging copy of a project that the install runs in (the user's tree is
 * never written): `stage/app/` gets package.json, the lockfile, and every
 * `file:` tarball and linked directory the lockfile names, at the same
 * relative paths. Sources outside the project are refused: the image holds
 * only the project.
 */
export function stageProject(project: NodeProject, virtualTree: Node, stageApp: string): void {
  fs.mkdirSync(stageApp, { recursive: true });
  fs.copyFileSync(path.join(project.dir, 'package.json'), path.join(stageApp, 'package.json'));
  fs.copyFileSync(project.lockfile, path.join(stageApp, path.basename(project.lockfile)));
  for (const rel of localSources(virtualTree)) {
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      throw new PackError('PACK_LOCKFILE_INVALID', `the dependency at ${rel || '.'} is outside the project ${project.dir}: hoist pack packs only files inside it`, { source: rel });
    }
    const src = path.join(project.dir, rel);
    if (!fs.existsSync(src)) throw new PackError('PACK_INSTALL_FAILED', `the lockfile names ${rel}, which does not exist in ${project.dir}`, { source: rel });
    fs.mkdirSync(path.dirname(path.join(stageApp, rel)), { recursive: true });
    copyWithoutModules(src, path.join(stageApp, rel));
  }
}
