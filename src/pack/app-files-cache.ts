import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno } from '../errors';
import { writeFileAtomic } from '../store/atomic-write';
import type { StorePaths } from '../store/store-paths';
import type { NodeProject } from './read-project';

/** What npm-packlist's answer is a function of (its rules read names and types, the ignore files and these fields), as a hex digest. */
export function appFilesKey(project: NodeProject, packlistVersion: string): string {
  const h = createHash('sha256');
  const m = project.manifest;
  h.update(JSON.stringify({ schema: 'hoist.pack.files.v1', packlistVersion, lockfile: path.basename(project.lockfile), name: m.name, files: m.files, main: m.main, bin: m.bin, browser: m.browser }));
  const walk = (abs: string, rel: string): void => {
    for (const d of fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (d.name === '.git' || (rel === '' && d.name === 'node_modules')) continue;
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      h.update(`\n${d.isDirectory() ? 'd' : d.isSymbolicLink() ? 'l' : 'f'} ${r}`);
      if (d.isDirectory()) walk(path.join(abs, d.name), r);
      else if (d.name === '.npmignore' || d.name === '.gitignore' || (rel === '' && d.name === 'package.json')) h.update(fs.readFileSync(path.join(abs, d.name)));
    }
  };
  walk(project.dir, '');
  return h.digest('hex');
}

function fileOf(paths: StorePaths, key: string): string {
  return path.join(paths.cache, 'pack-files', `${key}.json`);
}

/**
 * npm-packlist's list for this project, remembered in the store's
 * `cache/pack-files/` by `appFilesKey` (the names and types of the project's
 * files, its ignore files and package.json): an app-only content edit reads
 * it back instead of walking with npm-packlist again (~0.3-0.5 s cold, its
 * minimatch rules compiled per directory). `hoist prune --all` drops it.
 */
export async function cachedAppFiles(paths: StorePaths, key: string, compute: () => Promise<string[]>): Promise<string[]> {
  const file = fileOf(paths, key);
  try {
    const parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as { files?: unknown };
    if (Array.isArray(parsed.files) && parsed.files.every((f) => typeof f === 'string')) return parsed.files as string[];
  } catch (err) {
    if (!isErrno(err, 'ENOENT') && !(err instanceof SyntaxError)) throw err;
  }
  const files = await compute();
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify({ files }));
  return files;
}
