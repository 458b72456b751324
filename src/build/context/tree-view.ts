import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildError, isErrno } from '../../errors';
import { resolveScoped } from '../../layer/scoped-path';
import type { SourceTree } from './types';

const MAX_LINKS = 255;
/** a component that path.join would change: empty, `.` or `..` */
const UNCLEAN = /(?:^|\/)\.{0,2}(?:\/|$)/;

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
  /** the root with one trailing slash, for `abs` */
  private readonly prefix: string;

  constructor(readonly tree: SourceTree) {
    this.root = path.resolve(tree.root);
    this.prefix = this.root.endsWith('/') ? this.root : `${this.root}/`;
  }

  /** The absolute path of `rel`: concatenated when it is clean, as the walk's names are (path.join is ~8 µs a call here: most of a no-op build's context walk) */
  abs(rel: string): string {
    if (rel === '') return this.root;
    return UNCLEAN.test(rel) ? path.join(this.root, rel) : this.prefix + rel;
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
    const r = resolveScoped(
      p,
      {
        kind: (rel) => {
          const st = this.lstat(rel);
          return st === undefined ? undefined : st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : 'other';
        },
        readlink: (rel) => fs.readlinkSync(this.abs(rel)),
      },
      { followLast, maxLinks: MAX_LINKS, stopEarly: true, tooManyLinks: () => new BuildError('COPY_SOURCE_NOT_FOUND', `too many levels of symbolic links resolving ${p}`, { source: p }) },
    );
    const rel = r.parts.join('/');
    if (r.stopped === undefined) return { rel, abs: this.abs(rel), stat: this.lstat(rel) };
    // what could not be resolved is named as written (a missing path without its `..`)
    const rest = r.stopped.why === 'missing' ? r.stopped.rest.filter((x) => x !== '..') : r.stopped.rest;
    return { rel: [...r.parts, ...rest].join('/'), abs: this.abs(rel) };
  }

  /** The visible names in a directory, sorted by name as Go's os.ReadDir sorts them. */
  readdir(rel: string): string[] {
    const names = fs.readdirSync(this.abs(rel));
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return names;
  }
}
