import * as fs from 'node:fs';
import * as path from 'node:path';
import { fnv1a, hoistCacheDir, writePrivate } from '../compile-cache';

/**
 * The V8 flags every hoist process starts with (bin/hoist's shell part passes
 * the same list, and a test holds the two equal). A start-up snapshot loads
 * only into a node started with the flags it was built with: V8 checks a hash
 * of them and node exits otherwise.
 */
export const HOIST_V8_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--initial-old-space-size=64', '--liftoff-only'];

/**
 * Which heap: `base` holds every command and the areas of the short ones;
 * `build` holds the build command and area alone (not the other commands and
 * areas: 170 modules, against 135 in base and 165 in push), `push` the base's and
 * the push path of the registry area (~35), `query` the commands that only read
 * the store's images (`images`, `inspect`, `history`: 62 modules), each for
 * its commands only, so that the other commands do not deserialize them (a
 * start costs more the larger the heap: docs/bench.md).
 */
export type SnapshotKind = 'base' | 'build' | 'push' | 'query';
export const SNAPSHOT_KINDS: readonly SnapshotKind[] = ['base', 'build', 'push', 'query'];

/** The heap of each subcommand that has its own (the others: `base`). */
const KIND_OF_COMMAND: Readonly<Record<string, SnapshotKind>> = { build: 'build', push: 'push', images: 'query', inspect: 'query', history: 'query' };

/**
 * The kind for a command line, as bin/hoist's shell part picks it: the
 * subcommand's (the first argument that is not an option, `--root`'s value
 * skipped), else `base`.
 */
export function snapshotKindFor(argv: readonly string[]): SnapshotKind {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--root') i++;
    else if (a === '--') break;
    else if (!a.startsWith('-')) return KIND_OF_COMMAND[a] ?? 'base';
  }
  return 'base';
}

/** The files of one start-up snapshot: for one package root, node binary and kind. */
export interface SnapshotFiles {
  /** the V8 start-up snapshot (`node --snapshot-blob`) */
  blob: string;
  /** what bin/hoist's shell part reads: the script, the node binary and its identity (see `writeStamp`) */
  stamp: string;
  /** held while a builder runs (created exclusively) */
  lock: string;
  /** left by a build that failed: no new attempt for a while */
  failed: string;
}

/**
 * Where the snapshot of the package at `root` for this node lives, or
 * undefined when turned off: `HOIST_SNAPSHOT=0`, the compile cache off
 * (`HOIST_COMPILE_CACHE=0`), or no cache directory. Named by node's version
 * and architecture and a hash of root and binary, in the compile cache's
 * directory, so that copies of hoist and nodes do not share one.
 */
export function snapshotFiles(root: string, kind: SnapshotKind, env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): SnapshotFiles | undefined {
  if (env.HOIST_SNAPSHOT === '0' || env.HOIST_SNAPSHOT === 'off') return undefined;
  const dir = hoistCacheDir(env);
  if (dir === undefined) return undefined;
  const base = path.join(dir, `snapshot-${kind === 'base' ? '' : `${kind}-`}${process.version}-${process.arch}-${fnv1a(`${root}\0${realpath(execPath)}`)}`);
  return { blob: `${base}.blob`, stamp: `${base}.stamp`, lock: `${base}.lock`, failed: `${base}.failed` };
}

function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * A file's mode and identity as `stat -L -c '%a %d.%i.%s.%Y.%Z'` prints them
 * (mode in octal; device, inode, size, mtime and ctime in seconds): a file
 * replaced, rewritten, truncated or chmod-ed gets another one.
 */
export function fileIdentity(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return `${(st.mode & 0o7777).toString(8)} ${st.dev}.${st.ino}.${st.size}.${Math.floor(st.mtimeMs / 1000)}.${Math.floor(st.ctimeMs / 1000)}`;
  } catch {
    return undefined;
  }
}

/**
 * What a stamp says: four lines, read by bin/hoist's shell part with `read -r`,
 * which runs the blob only if `stat` prints the last two lines for it and node.
 */
export interface Stamp {
  /** the real path of the package's bin/hoist (the shell compares `$0` to it with `-ef`) */
  script: string;
  /** the real path of the node binary that built the blob */
  node: string;
  /** the blob's `fileIdentity` as written: any change to it after (or a corrupt copy) is another */
  blobIdentity: string;
  /** the node binary's `fileIdentity` when it built the blob */
  nodeIdentity: string;
}

export function readStamp(file: string): Stamp | undefined {
  try {
    const [script, node, blobIdentity, nodeIdentity] = fs.readFileSync(file, 'utf8').split('\n');
    return script && node && blobIdentity && nodeIdentity ? { script, node, blobIdentity, nodeIdentity } : undefined;
  } catch {
    return undefined;
  }
}

/** The stamp of `blob` as it is now, for the package at `root` and this node. */
export function stampFor(root: string, blob: string, execPath = process.execPath): Stamp | undefined {
  const node = realpath(execPath);
  const nodeIdentity = fileIdentity(node);
  const blobIdentity = fileIdentity(blob);
  if (nodeIdentity === undefined || blobIdentity === undefined) return undefined;
  return { script: realpath(path.join(root, 'bin', 'hoist')), node, blobIdentity, nodeIdentity };
}

export function writeStamp(file: string, stamp: Stamp): void {
  writePrivate(file, `${stamp.script}\n${stamp.node}\n${stamp.blobIdentity}\n${stamp.nodeIdentity}\n`);
}
