import * as fs from 'node:fs';
import * as path from 'node:path';
import { isErrno, LayerError } from '../../errors';

/** A layer path after normalisation: `/`-joined components, '' for the root itself. */
export type LayerPath = string;

function unsafe(name: string, reason: string): LayerError {
  return new LayerError('LAYER_UNSAFE_PATH', `unsafe path ${JSON.stringify(name)} in layer: ${reason}`, { path: name, reason });
}

/**
 * Normalises a tar entry name: strips `./` and trailing slashes, drops `.`
 * components; refuses absolute names and any `..` component (even one that
 * would stay inside: a name that needs `..` is never produced by a diff).
 */
export function normalizeEntryName(name: string): LayerPath {
  if (name.startsWith('/')) throw unsafe(name, 'absolute path');
  if (name.includes('\0')) throw unsafe(name, 'NUL byte in name');
  const parts: string[] = [];
  for (const c of name.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') throw unsafe(name, '".." component');
    parts.push(c);
  }
  return parts.join('/');
}

/**
 * Resolves layer paths under `root` without following symlinks: every parent
 * component must be a real directory (a symlink there is refused, so nothing
 * can be written through one); missing parents are created 0755 on request.
 * Verified directories are cached and forgotten when replaced.
 */
export class PathResolver {
  private readonly dirs = new Set<string>(['']);

  /**
   * `mayExist(dir)`: false when `dir` is known not to be on disk (the
   * extractor's fresh root, where only what it wrote exists); then a missing
   * parent is made without an lstat first.
   */
  constructor(
    readonly root: string,
    private readonly mayExist: (dir: LayerPath) => boolean = () => true,
  ) {}

  full(p: LayerPath): string {
    return p === '' ? this.root : path.join(this.root, p);
  }

  /**
   * Checks (and with `create`, makes) the parent directories of `p`. Returns
   * false when a parent is missing and `create` is false.
   */
  parents(p: LayerPath, create: boolean, original = p): boolean {
    let dir = '';
    const parts = p.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      dir = dir === '' ? (parts[i] as string) : `${dir}/${parts[i]}`;
      if (this.dirs.has(dir)) continue;
      const full = this.full(dir);
      if (!this.mayExist(dir)) {
        if (!create) return false;
        if (tryMkdir(full)) {
          this.dirs.add(dir);
          continue;
        }
      }
      const st = lstatOrUndefined(full);
      if (st === undefined) {
        if (!create) return false;
        fs.mkdirSync(full, 0o755);
      } else if (st.isSymbolicLink()) {
        throw unsafe(original, `parent ${JSON.stringify(dir)} is a symlink`);
      } else if (!st.isDirectory()) {
        throw unsafe(original, `parent ${JSON.stringify(dir)} is not a directory`);
      }
      this.dirs.add(dir);
    }
    return true;
  }

  /** Whether `p` is a directory verified (or made) here. */
  isDir(p: LayerPath): boolean {
    return this.dirs.has(p);
  }

  /** Records that `p` is now a verified directory. */
  markDir(p: LayerPath): void {
    this.dirs.add(p);
  }

  /** Forgets `p` (and everything under it) after it was removed or replaced. */
  forget(p: LayerPath): void {
    if (!this.dirs.delete(p)) return;
    const prefix = `${p}/`;
    for (const d of this.dirs) if (d.startsWith(prefix)) this.dirs.delete(d);
  }
}

/** mkdir 0755; false when something is already there (the caller then looks at it). */
function tryMkdir(full: string): boolean {
  try {
    fs.mkdirSync(full, 0o755);
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
}

export function lstatOrUndefined(full: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(full);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}
