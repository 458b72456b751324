import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IgnoreMatcher } from './matcher';

export interface ContextEntry {
  /** slash-separated path relative to the context root */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** a directory yielded only because something below it is included */
  implicit?: boolean;
}

function typeOf(d: fs.Dirent): ContextEntry['type'] {
  if (d.isDirectory()) return 'dir';
  if (d.isFile()) return 'file';
  if (d.isSymbolicLink()) return 'symlink';
  return 'other';
}

/**
 * Walk a build context in sorted order, yielding what .dockerignore keeps.
 * Excluded directories are pruned unless an exception (`!`) pattern could
 * re-include something below them; the parents of a re-included entry are
 * yielded first (marked implicit). Symlinks are reported, never followed.
 */
export function* walkContext(root: string, matcher?: IgnoreMatcher): Generator<ContextEntry> {
  const pending: ContextEntry[] = [];
  function* visit(dirAbs: string, rel: string, excludedParent: boolean): Generator<ContextEntry> {
    const entries = fs.readdirSync(dirAbs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of entries) {
      const p = rel === '' ? d.name : `${rel}/${d.name}`;
      const type = typeOf(d);
      const excluded = matcher ? matcher.matches(p) : false;
      if (!excluded) {
        yield* pending.splice(0);
        yield { path: p, type };
      }
      if (type !== 'dir') continue;
      if (excluded && !matcher!.mayReincludeBelow(p)) continue;
      if (excluded) pending.push({ path: p, type: 'dir', implicit: true });
      yield* visit(path.join(dirAbs, d.name), p, excluded || excludedParent);
      if (excluded && pending.length > 0 && pending[pending.length - 1]!.path === p) pending.pop();
    }
  }
  yield* visit(root, '', false);
}
