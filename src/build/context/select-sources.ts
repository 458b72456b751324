import type * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildError } from '../../errors';
import { cleanPath } from '../../dockerfile/ignore';
import { containsWildcards, goMatch, splitWildcards } from './glob';
import type { TreeView } from './tree-view';

/** One entry a COPY/ADD source selected (a wildcard may select several). */
export interface Match {
  /** the source as written, for messages */
  source: string;
  /** tree-relative path after following symlinks ('' for the root) */
  rel: string;
  abs: string;
  stat: fs.BigIntStats;
  /** the name it gets inside a destination directory (the unresolved match's base name) */
  name: string;
  /** `--parents`: the pattern (relative to `rel`) that selects what is copied */
  include?: string;
}

export function notFound(p: string, source: string): BuildError {
  return new BuildError('COPY_SOURCE_NOT_FOUND', `failed to compute cache key: ${JSON.stringify(p)} not found`, { source, path: p });
}

/**
 * What one source selects, as BuildKit's fsutil copy resolves it: the part
 * before the first wildcard is resolved following symlinks, the rest is
 * matched (Go's filepath.Match) against the paths below it, a matched
 * directory is not descended; each match is then followed if it is a
 * symlink. A path without wildcards must exist; a wildcard may match
 * nothing (BuildKit: AllowEmptyWildcard). `--parents` splits at `/./`.
 */
export function selectSources(view: TreeView, source: string, parents = false): { matches: Match[]; required?: string } {
  let src = source;
  let include: string | undefined;
  let required: string | undefined;
  if (parents) {
    const i = src.indexOf('/./');
    let pattern: string;
    if (i < 0) {
      pattern = src;
      src = '/';
    } else {
      pattern = src.slice(i + 3);
      src = src.slice(0, i);
    }
    include = cleanPath('/' + pattern).slice(1);
    if (!containsWildcards(src) && !containsWildcards(pattern)) required = cleanPath(path.posix.join('/', src, pattern)).slice(1);
  }
  src = cleanPath('/' + src);
  const [base, rest] = splitWildcards(src);
  const candidates = rest === '' ? [base.slice(1)] : wildcardMatches(view, base, rest, source);
  const matches: Match[] = [];
  for (const c of candidates) {
    const r = view.resolve(c);
    if (r.stat === undefined) throw notFound('/' + r.rel, source);
    matches.push({ source, rel: r.rel, abs: r.abs, stat: r.stat, name: c === '' ? '/' : path.posix.basename(c), ...(include !== undefined ? { include } : {}) });
  }
  return required !== undefined ? { matches, required } : { matches };
}

/** filepath.Walk below the resolved `base`, matching `pattern` against paths relative to it. */
function wildcardMatches(view: TreeView, base: string, pattern: string, source: string): string[] {
  const b = view.resolve(base);
  if (b.stat === undefined) throw notFound('/' + b.rel, source);
  const depth = pattern.split('/').length;
  const out: string[] = [];
  const visit = (relToBase: string, level: number): void => {
    const dirRel = relToBase === '' ? b.rel : b.rel === '' ? relToBase : `${b.rel}/${relToBase}`;
    for (const name of view.readdir(dirRel)) {
      const r = relToBase === '' ? name : `${relToBase}/${name}`;
      const treeRel = dirRel === '' ? name : `${dirRel}/${name}`;
      const st = view.lstat(treeRel);
      if (st === undefined) continue;
      if (goMatch(pattern, r)) out.push(treeRel);
      else if (st.isDirectory() && level + 1 < depth) visit(r, level + 1);
    }
  };
  if (b.stat.isDirectory()) visit('', 0);
  return out;
}
