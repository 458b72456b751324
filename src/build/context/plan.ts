import { BuildError, throwIfAborted } from '../../errors';
import * as path from 'node:path';
import { cleanPath, IgnoreMatcher } from '../../dockerfile/ignore';
import { selectSources, type Match } from './select-sources';
import type { TreeView } from './tree-view';
import type { CopyRequest } from './types';
import { walkMatch, type WalkEntry } from './walk-match';

export function isUrlSource(src: string): boolean {
  return src.startsWith('http://') || src.startsWith('https://');
}

/** What hashing and copying do with each part of a request, in order. */
export interface PlanVisitor {
  source(index: number, source: string): void;
  /** an http(s) ADD source */
  url(source: string): Promise<void>;
  /** a match; return 'unpack' to extract it as an archive instead of walking it */
  match(m: Match): Promise<'walk' | 'unpack'>;
  entry(m: Match, e: WalkEntry): void;
  /** a heredoc file */
  inline(name: string, data: Buffer): void;
  /** after the last entry of a walked match */
  matchDone(m: Match): void | Promise<void>;
}

/**
 * Walk a request the way BuildKit's file op does, calling `v` for each
 * source, match and entry: one traversal that both `hashSources` and
 * `copyInto` follow, so the cache input always describes what is copied.
 */
export async function visitRequest(view: TreeView, req: CopyRequest, v: PlanVisitor, signal?: AbortSignal): Promise<void> {
  if (req.checksum !== undefined) {
    const invalid = (m: string): BuildError => new BuildError('COPY_SOURCE_INVALID', m, { checksum: req.checksum });
    if (req.instruction !== 'ADD') throw invalid("checksum can't be specified for COPY");
    if (req.sources.length !== 1) throw invalid("checksum can't be specified for multiple sources");
    if (!isUrlSource(req.sources[0]!)) throw invalid('checksum requires HTTP(S) or Git sources');
  }
  const exclude = req.excludes !== undefined && req.excludes.length > 0 ? new IgnoreMatcher(req.excludes) : undefined;
  let n = 0;
  for (const [i, source] of req.sources.entries()) {
    throwIfAborted(signal);
    v.source(i, source);
    if (isUrlSource(source)) {
      if (req.instruction !== 'ADD') throw new BuildError('COPY_SOURCE_INVALID', 'source can\'t be a URL for COPY', { source });
      await v.url(source);
      continue;
    }
    const { matches, required } = selectSources(view, source, req.parents ?? false);
    let found = required === undefined;
    for (const m of matches) {
      if ((await v.match(m)) === 'unpack') continue;
      for (const e of walkMatch(view, m, exclude ? { exclude } : {})) {
        if (!found && e.treeRel.startsWith(required!)) found = true;
        v.entry(m, e);
        if (++n % 512 === 0) {
          throwIfAborted(signal);
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      await v.matchDone(m);
    }
    if (!found) throw new BuildError('COPY_SOURCE_NOT_FOUND', `failed to compute cache key: ${JSON.stringify('/' + required!)} not found`, { source, path: '/' + required! });
  }
  for (const [i, doc] of (req.inline ?? []).entries()) {
    v.source(req.sources.length + i, `<<${doc.path}`);
    v.inline(path.posix.basename(cleanPath('/' + doc.path)) || doc.path, Buffer.from(doc.data));
  }
}
