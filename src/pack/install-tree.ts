import * as fs from 'node:fs';
import * as path from 'node:path';
import Arborist from '@npmcli/arborist';
import { isHoistError, PackError, throwIfAborted } from '../errors';
import { tlsCaOption } from '../sys/extra-ca';
import type { NodeProject } from './read-project';
import { localSources, stageProject } from './stage-project';

export type OmitType = 'dev' | 'optional' | 'peer';

export interface InstallOptions {
  /** dependency types left out, as `npm ci --omit` (default: dev) */
  omit: OmitType[];
  signal?: AbortSignal;
}

/** A package whose install scripts did not run on the host: built inside the base image. */
export interface ScriptedPackage {
  name: string;
  /** its path under the app directory (`node_modules/x`, `node_modules/a/node_modules/x`) */
  location: string;
}

export interface InstalledTree {
  /** the staged app directory: package.json, lockfile, node_modules */
  appDir: string;
  /** lockfile-ordered, deduplicated `name@version` of every installed package */
  packages: string[];
  scripted: ScriptedPackage[];
  /** directories of `file:` links, relative to appDir (their files go with the dependencies) */
  linkDirs: string[];
}

function invalidLock(project: NodeProject, why: string, cause?: unknown): PackError {
  return new PackError('PACK_LOCKFILE_INVALID', `${path.basename(project.lockfile)} ${why}: run npm install to update it`, { lockfile: project.lockfile }, cause ? { cause } : undefined);
}

/** npm ci's refusal: every dependency package.json declares must be in the lockfile, at a version it allows. */
function checkInSync(project: NodeProject, tree: Arborist.Node): void {
  for (const edge of tree.edgesOut.values()) {
    const optional = edge.type === 'optional' || edge.type === 'peerOptional';
    if (edge.invalid || (edge.missing && !optional)) throw invalidLock(project, `is out of sync with package.json (${edge.name}@${edge.spec})`);
  }
}

function hasBindingGyp(node: Arborist.Node): boolean {
  return fs.existsSync(path.join(node.path, 'binding.gyp'));
}

/**
 * `npm ci --omit=dev` into a staging directory with arborist, npm's own
 * engine: the lockfile's virtual tree (refused when missing or out of sync
 * with package.json), reified with no scripts run on the host. Packages that
 * have install scripts or a binding.gyp are returned as `scripted`: their
 * scripts run later inside the base image, so native code matches its node.
 */
export async function installTree(project: NodeProject, stageDir: string, options: InstallOptions): Promise<InstalledTree> {
  let virtual: Arborist.Node;
  try {
    virtual = await new Arborist({ path: project.dir }).loadVirtual();
  } catch (err) {
    throw invalidLock(project, `cannot be read (${(err as Error).message})`, err);
  }
  checkInSync(project, virtual);
  const appDir = path.join(stageDir, 'app');
  stageProject(project, virtual, appDir);
  throwIfAborted(options.signal);
  const arb = new Arborist({ ...tlsCaOption(), path: appDir, omit: options.omit, ignoreScripts: true, audit: false, fund: false, binLinks: true, save: false, progress: false });
  let tree: Arborist.Node;
  try {
    tree = await arb.reify({ omit: options.omit, save: false });
  } catch (err) {
    if (isHoistError(err)) throw err;
    const e = err as Error & { code?: string; pkgid?: string };
    throw new PackError('PACK_INSTALL_FAILED', `installing the dependencies failed${e.pkgid ? ` at ${e.pkgid}` : ''}: ${e.message}`, { code: e.code, package: e.pkgid }, { cause: err });
  }
  throwIfAborted(options.signal);
  const scripted: ScriptedPackage[] = [];
  const packages = new Set<string>();
  for (const node of [...tree.inventory.values()].sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0))) {
    if (node.isRoot || node.isLink) continue;
    packages.add(`${node.name}@${node.version ?? ''}`);
    if (node.hasInstallScript === true || hasBindingGyp(node)) scripted.push({ name: node.name, location: node.location });
  }
  const linkDirs = localSources(virtual).filter((rel) => fs.statSync(path.join(appDir, rel)).isDirectory());
  return { appDir, packages: [...packages], scripted, linkDirs };
}
