import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildError, isErrno } from '../../errors';
import type { SourceTree } from './types';

const MAX_LINKS = 255;

/** A path resolved inside a source tree: `rel` is slash-separated, '' for the root. */
export interface TreePath {
  rel: string;
  abs: string;
  /** lstat of the entry (symlinks already followed); undefined when it does not exist */
  stat?: fs.BigIntStats;
}

/**
 * A source tree as COPY sees it: what .dockerignore excludes does not exist
 * (a directory it excludes stays visible when an exception may re-include
 * something below it), and paths resolve as if the root were `/` (BuildKit's
 * fs.RootPath): `..` stops at the root, symlinks are followed by hand and an
 * absolute target restarts at the root, so nothing outside is ever reached.
 */
export class TreeView {
  readonly root: string;

  constructor(readonly tree: SourceTree) {
    this.root = path.resolve(tree.root);
  }

  abs(rel: string): string {
    return rel === '' ? this.root : path.join(this.root, rel);
  }

  /** lstat, or undefined when the entry is missing or hidden by .dockerignore */
  lstat(rel: string): fs.BigIntStats | undefined {
    let st: fs.BigIntStats;
    try {
      st = fs.lstatSync(this.abs(rel), { bigint: true });
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
      throw err;
    }
    return this.visible(rel, st.isDirectory()) ? st : undefined;
  }

  /** A directory .dockerignore excludes but keeps for what an exception may re-include below it. */
  implicitDir(rel: string): boolean {
    return rel !== '' && this.tree.ignore !== undefined && this.tree.ignore.matches(rel);
  }

  visible(rel: string, isDir: boolean): boolean {
    const ignore = this.tree.ignore;
    if (rel === '' || ignore === undefined || !ignore.matches(rel)) return true;
    return isDir && ignore.mayReincludeBelow(rel);
  }

  /**
   * Resolve `p` (cleaned or not, relative or absolute, both meaning from the
   * root) following every symlink on the way, the last one too when
   * `followLast`. A missing component leaves `stat` undefined.
   */
  resolve(p: string, followLast = true): TreePath {
    const pending = p.split('/').filter((c) => c !== '' && c !== '.');
    const done: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const c = pending.shift()!;
      if (c === '..') {
        done.pop();
        continue;
      }
      const rel = [...done, c].join('/');
      const st = this.lstat(rel);
      if (st === undefined) return { rel: [...done, c, ...pending.filter((x) => x !== '..')].join('/'), abs: this.abs(rel) };
      if (st.isSymbolicLink() && (pending.length > 0 || followLast)) {
        if (++links > MAX_LINKS) throw new BuildError('COPY_SOURCE_NOT_FOUND', `too many levels of symbolic links resolving ${p}`, { source: p });
        const target = fs.readlinkSync(this.abs(rel));
        if (target.startsWith('/')) done.length = 0;
        pending.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
        continue;
      }
      if (pending.length > 0 && !st.isDirectory()) return { rel: [...done, c, ...pending].join('/'), abs: this.abs(rel) };
      done.push(c);
    }
    const rel = done.join('/');
    return { rel, abs: this.abs(rel), stat: this.lstat(rel) };
  }

  /** The visible names in a directory, sorted by name as Go's os.ReadDir sorts them. */
  readdir(rel: string): string[] {
    const names = fs.readdirSync(this.abs(rel));
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return names;
  }
}
