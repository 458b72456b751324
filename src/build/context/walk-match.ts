import type * as fs from 'node:fs';
import { IgnoreMatcher } from '../../dockerfile/ignore';
import type { Match } from './select-sources';
import type { TreeView } from './tree-view';

/** One entry a match copies: `rel` is relative to the match ('' for a non-directory match itself). */
export interface WalkEntry {
  rel: string;
  /** relative to the tree root (the stat cache's key) */
  treeRel: string;
  abs: string;
  stat: fs.BigIntStats;
}

export interface WalkFilters {
  /** `--exclude` patterns (patternmatcher, relative to the match) */
  exclude?: IgnoreMatcher;
}

/**
 * The entries a match copies, in fsutil copy's order (pre-order, names
 * sorted): a directory match yields its contents (never itself), filtered
 * by `--exclude` and by `--parents`' include pattern; a directory that is
 * not selected itself is yielded just before the first selected entry
 * below it (fsutil creates such parents late). Symlinks are entries, never
 * followed.
 */
export function* walkMatch(view: TreeView, match: Match, filters: WalkFilters = {}): Generator<WalkEntry> {
  if (!match.stat.isDirectory()) {
    yield { rel: '', treeRel: match.rel, abs: match.abs, stat: match.stat };
    return;
  }
  const include = match.include !== undefined && match.include !== '' ? new IgnoreMatcher([match.include]) : undefined;
  const includeBelow = match.include !== undefined && match.include !== '' ? new IgnoreMatcher(['!' + match.include]) : undefined;
  const exclude = filters.exclude;
  const pending: WalkEntry[] = [];
  // depth first with a stack of directories, not nested generators: each `yield*` level resumes
  // every generator above it, which was a third of a no-op build's walk of 400 files
  const stack: Frame[] = [{ rel: '', names: view.readdir(match.rel), next: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next === frame.names.length) {
      stack.pop();
      if (frame.unpend !== undefined && pending[pending.length - 1] === frame.unpend) pending.pop();
      continue;
    }
    const name = frame.names[frame.next++]!;
    const r = frame.rel === '' ? name : `${frame.rel}/${name}`;
    const treeRel = match.rel === '' ? r : `${match.rel}/${r}`;
    const included = include === undefined || include.matches(r);
    const excluded = exclude !== undefined && exclude.matches(r);
    const selected = included && !excluded;
    if (!selected && include === undefined && !(exclude?.hasExclusions ?? false)) continue;
    const stat = view.lstat(treeRel);
    if (stat === undefined) continue;
    const entry = { rel: r, treeRel, abs: view.abs(treeRel), stat };
    // an excluded directory kept only for re-included files exists only if one of them does
    if (selected && stat.isDirectory() && view.implicitDir(treeRel)) {
      pending.push(entry);
      stack.push({ rel: r, names: view.readdir(treeRel), next: 0, unpend: entry });
      continue;
    }
    if (selected) {
      yield* pending.splice(0);
      yield entry;
    }
    if (!stat.isDirectory()) continue;
    if (excluded && !exclude!.mayReincludeBelow(r)) continue;
    if (!included && !includeBelow!.mayReincludeBelow(r)) continue;
    if (!selected) pending.push(entry);
    stack.push({ rel: r, names: view.readdir(treeRel), next: 0, ...(selected ? {} : { unpend: entry }) });
  }
}

/** A directory being walked: its names (sorted), the next to visit, and the pending entry to drop when it is done. */
interface Frame {
  rel: string;
  names: string[];
  next: number;
  unpend?: WalkEntry;
}
