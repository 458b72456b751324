import type { Digest } from '../../oci/digest';
import type { ChmodSpec } from '../../dockerfile/instructions/types';
import type { IgnoreMatcher } from '../../dockerfile/ignore/matcher';
import type { GitOptions, ResolvedGit } from './add-git';
import type { GitRef } from '../../dockerfile/instructions/git-ref';

/**
 * A tree that COPY/ADD read from: the build context (with its .dockerignore)
 * or the rootfs of another stage or image (`COPY --from`). Every read stays
 * inside `root`: `..`, absolute paths and symlinks are resolved as if `root`
 * were `/` (a context symlink that points outside is an error, never followed
 * out). Excluded paths (`ignore`) do not exist for COPY.
 */
export interface SourceTree {
  /** absolute directory on disk */
  readonly root: string;
  /** `context` for the build context, `stage`/`image` for `--from` rootfs trees */
  readonly kind: 'context' | 'stage' | 'image';
  /** what .dockerignore excludes (context only) */
  readonly ignore?: IgnoreMatcher;
}

/** Owner for what COPY writes: already resolved to ids in the target rootfs. */
export interface Owner {
  uid: number;
  gid: number;
}

/** One COPY/ADD, after variable expansion, as the executor hands it over. */
export interface CopyRequest {
  /** sources as written (after expansion), relative to the tree; wildcards allowed */
  sources: string[];
  /** destination as written after expansion (may be relative to `workdir`, may end in `/`) */
  dest: string;
  /** the stage's WORKDIR (absolute), for a relative `dest` */
  workdir: string;
  /** `--chown`, resolved; default: keep the source's uid/gid for `--from`, 0:0 for the context */
  owner?: Owner;
  chmod?: ChmodSpec;
  /** `COPY --parents` */
  parents?: boolean;
  /** `--exclude` patterns */
  excludes?: string[];
  /** ADD: extract local tar archives (gzip, bzip2, xz) at dest (default false for COPY, true for ADD) */
  unpackArchives?: boolean;
  /** ADD `--unpack=true` (dockerfile 1.17): a downloaded file that is a tar archive is extracted at dest (default false) */
  unpackUrls?: boolean;
  /** heredoc files (`COPY <<EOF /dest`), copied after `sources` as files named `path`, 0644 before --chmod */
  inline?: { path: string; data: string }[];
  /** ADD `--checksum=sha256:…` for an http(s) source */
  checksum?: string;
  /** the instruction's name for messages (`COPY`, `ADD`) */
  instruction: 'COPY' | 'ADD';
}

/** An ADD URL fetched to a local file. */
export interface Downloaded {
  /** local file holding the body */
  file: string;
  /** the name it gets in a destination directory (the URL path's base name, or `__unnamed__`) */
  name: string;
  /** hex sha256 of the body */
  sha256: string;
  size: number;
  /** from Last-Modified, else the download time */
  mtimeMs: number;
  /** the Last-Modified header as served (part of the cache input, as BuildKit keys it) */
  lastModified?: string;
}

/** What `hashSources` and `copyInto` resolved a request to. */
export interface SelectedSources {
  /** the cache input: content, names, modes, owners of everything selected; not mtimes */
  digest: Digest;
  /** number of files, dirs and links selected */
  entries: number;
  /** bytes of regular file content selected */
  bytes: number;
  /** files whose content had to be read for hashing (the rest came from the stat cache) */
  contentReads: number;
}

/**
 * The build context and COPY/ADD semantics (BuildKit's): source selection
 * (wildcards, directory contents, trailing slashes, `--parents`, `--exclude`,
 * .dockerignore), content hashing for cache keys (with a stat cache so an
 * unchanged context is not re-read), and copying into a mounted rootfs.
 */
export interface ContextOps {
  /** Resolve and hash what `req` selects from `tree` (the step's cache input). COPY_SOURCE_NOT_FOUND when a source matches nothing. */
  hashSources(tree: SourceTree, req: CopyRequest, signal?: AbortSignal): Promise<SelectedSources>;
  /**
   * Copy what `req` selects into `rootfs` (a mounted, writable rootfs; paths
   * inside it resolved with chroot semantics, so `/bin` -> `usr/bin` is
   * followed and nothing is written outside it). Parent directories that do
   * not exist are created (0755, owned as `owner` or root). Returns the same
   * summary as `hashSources`.
   */
  copyInto(tree: SourceTree, req: CopyRequest, rootfs: string, signal?: AbortSignal): Promise<SelectedSources>;
  /** ADD from git: what the source's ref names now (`git ls-remote`, no clone), once per build. */
  resolveGit(ref: GitRef, options?: GitOptions): Promise<ResolvedGit>;
  /** A checkout of a resolved git source: the directory whose contents ADD copies (removed by `close`). */
  checkoutGit(resolved: ResolvedGit, options?: GitOptions): Promise<string>;
  /** Drop what ADD downloaded and checked out (call when the build ends). */
  close(): Promise<void>;
}
