/* eslint-disable @typescript-eslint/no-require-imports */
import * as path from 'node:path';
import type { GitFetcher } from './add-git';
import { Downloader } from './add-url';
import type { AddHooks } from './copy-writer';
import { HashVisitor } from './hash-visitor';
import { visitRequest } from './plan';
import { SelectionHasher } from './selection-hasher';
import { StatCache } from './stat-cache';
import { TreeView } from './tree-view';
import type { ContextOps, CopyRequest, SelectedSources, SourceTree } from './types';

export interface ContextOpsOptions {
  /** the store's `cache/` directory: the build context's stat cache persists below it (`context-stat/`) */
  cacheDir?: string;
  /** where ADD downloads go while a build runs (default: the OS temp dir) */
  tmpDir?: string;
}

// Loaded on first use: the writer (a step that misses the cache), ADD's archives and git. A cached
// COPY only hashes, and these 19 modules (the layer area's tar header and native ops, the stream
// codecs) stayed out of hoist build's start-up heap (docs/bench.md, "The no-op rebuild").
const archives = (): typeof import('./add-archive') => require('./add-archive') as typeof import('./add-archive');
const writers = (): typeof import('./copy-writer') => require('./copy-writer') as typeof import('./copy-writer');

/** The build context and COPY/ADD semantics behind the ContextOps seam. */
export function createContextOps(options: ContextOpsOptions = {}): ContextOps {
  const caches = new Map<string, StatCache>();
  // made on first use: add-url.ts is loaded from disk (its dynamic import of undici keeps it
  // out of the start-up snapshot), ~1-10 ms that a build without ADD of a URL does not need
  let downloader: Downloader | undefined;
  let git: GitFetcher | undefined;
  const gitFetcher = (): GitFetcher => (git ??= new (require('./add-git') as typeof import('./add-git')).GitFetcher(options.tmpDir));
  const cacheFor = (tree: SourceTree): StatCache => {
    const root = path.resolve(tree.root);
    const key = `${tree.kind}\0${root}`;
    let c = caches.get(key);
    if (c === undefined) {
      const file = tree.kind === 'context' && options.cacheDir !== undefined ? StatCache.fileFor(path.join(options.cacheDir, 'context-stat'), root) : undefined;
      c = new StatCache(root, file);
      caches.set(key, c);
    }
    return c;
  };
  const hooks = (req: CopyRequest, signal?: AbortSignal): AddHooks => ({
    isArchive: (file) => archives().isUnpackable(file),
    unpack: (file, dir) => archives().unpackArchive(file, dir, signal),
    download: (url) => (downloader ??= new Downloader(options.tmpDir)).get(url, req.checksum, signal),
  });
  const run = async (tree: SourceTree, req: CopyRequest, rootfs: string | undefined, signal?: AbortSignal): Promise<SelectedSources> => {
    const view = new TreeView(tree);
    const cache = cacheFor(tree);
    const hasher = new SelectionHasher(cache, tree.kind === 'context', req.owner, req.chmod);
    const req2: CopyRequest = { ...req, unpackArchives: req.unpackArchives ?? req.instruction === 'ADD' };
    if (rootfs === undefined) await visitRequest(view, req2, new HashVisitor(req2, hasher, hooks(req2, signal)), signal);
    else {
      const writer = new (writers().CopyWriter)(rootfs, req2, hasher, hooks(req2, signal), tree.kind === 'context');
      writer.start();
      await visitRequest(view, req2, writer, signal);
    }
    await cache.save();
    return hasher.result();
  };
  return {
    hashSources: (tree, req, signal) => run(tree, req, undefined, signal),
    copyInto: (tree, req, rootfs, signal) => run(tree, req, rootfs, signal),
    resolveGit: (ref, opts) => gitFetcher().resolve(ref, opts),
    checkoutGit: (resolved, opts) => gitFetcher().checkout(resolved, opts),
    close: async () => {
      await Promise.all([downloader?.close(), git?.close()]);
    },
  };
}
