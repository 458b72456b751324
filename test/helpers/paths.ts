import * as fs from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The repository root (tests run from dist/test/..., sources live beside). */
export const REPO_ROOT = findRepoRoot(__dirname);
export const HOIST_BIN = path.join(REPO_ROOT, 'bin', 'hoist');
/** Where `npm run fetch-conformance` puts BuildKit's test files by default (git-ignored). */
export const FETCHED_CONFORMANCE_DIR = path.join(REPO_ROOT, '.conformance');
