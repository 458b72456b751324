/**
 * What `build-snapshot.ts` hands the snapshot entry (as a JSON file): which
 * modules to load into the heap, and how their `require` calls resolve. All
 * paths are absolute and real (the blob is built on the machine that runs it).
 */
import type { SnapshotKind } from './snapshot-files';

export interface SnapshotManifest {
  /** the package root (holds bin/hoist and dist/) */
  root: string;
  /** which heap (snapshot-files.ts): the warm-up runs what its commands run */
  kind: SnapshotKind;
  /** the file of cli/start.js, whose `start(argv, root, how)` runs a command */
  start: string;
  /** the file of cli/snapshot/warm-up.js, whose `warmUp(kind)` runs before the heap is serialized */
  warmUp: string;
  /**
   * every module file the heap holds, in the order they started to run when
   * recorded: loading each in turn (a loaded one is skipped) runs them in the same order
   */
  files: string[];
  /**
   * modules that stay on disk although a module of the heap requires them at
   * load (a dynamic `import()` in them cannot run in a snapshot): that module
   * gets a stand-in that loads them on first use after the start
   */
  deferred: string[];
  /**
   * per directory of a requiring module: request -> resolved file, or
   * `node:NAME` for a builtin (node resolves a request the same way for every
   * module of one directory)
   */
  resolve: Record<string, Record<string, string>>;
}
