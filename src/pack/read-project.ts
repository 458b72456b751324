import * as fs from 'node:fs';
import * as path from 'node:path';
import { isErrno, PackError } from '../errors';

/** What pack/ reads of a package.json (npm's fields; everything else is ignored). */
export interface PackageManifest {
  name?: string;
  version?: string;
  description?: string;
  license?: string;
  main?: string;
  bin?: string | Record<string, string>;
  scripts?: Record<string, string>;
  repository?: string | { type?: string; url?: string; directory?: string };
  engines?: Record<string, string>;
  [key: string]: unknown;
}

export interface NodeProject {
  /** the project directory, absolute */
  dir: string;
  manifest: PackageManifest;
  /** package-lock.json or npm-shrinkwrap.json (npm prefers the shrinkwrap) */
  lockfile: string;
}

const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json'];

function readManifest(dir: string): PackageManifest {
  const file = path.join(dir, 'package.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) throw new PackError('PACK_PROJECT_INVALID', `no package.json in ${dir}: hoist pack needs a Node.js project`, { path: file });
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PackError('PACK_PROJECT_INVALID', `${file} is not valid JSON: ${(err as Error).message}`, { path: file }, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new PackError('PACK_PROJECT_INVALID', `${file} is not a JSON object`, { path: file });
  }
  const m = parsed as PackageManifest;
  for (const key of ['name', 'version', 'main', 'license'] as const) {
    if (m[key] !== undefined && typeof m[key] !== 'string') throw new PackError('PACK_PROJECT_INVALID', `${file}: "${key}" must be a string`, { path: file, field: key });
  }
  return m;
}

/**
 * The project at `dir`: its package.json and its lockfile. A project without a
 * lockfile is refused (the image would depend on the registry's state on the
 * day of the build): the message says to run `npm install`.
 */
export function readProject(dir: string): NodeProject {
  const abs = path.resolve(dir);
  const manifest = readManifest(abs);
  const lockfile = LOCKFILES.map((f) => path.join(abs, f)).find((f) => fs.existsSync(f));
  if (lockfile === undefined) {
    throw new PackError('PACK_LOCKFILE_MISSING', `${abs} has no package-lock.json or npm-shrinkwrap.json: run npm install first (hoist pack installs exactly what the lockfile says)`, { dir: abs });
  }
  return { dir: abs, manifest, lockfile };
}
