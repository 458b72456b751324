import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest ancestor of this file holding package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

/** `../shared/conformance` beside the checkout. */
export const CONFORMANCE = path.resolve(repoRoot(), '..', 'shared', 'conformance');
export const BUILDKIT_DF = path.join(CONFORMANCE, 'buildkit', 'frontend', 'dockerfile');

export function readJSON<T>(rel: string): T {
  return JSON.parse(fs.readFileSync(path.join(CONFORMANCE, rel), 'utf8')) as T;
}
