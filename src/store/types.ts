import type { Readable, Writable } from 'node:stream';
import type { Descriptor } from '../oci/descriptor';
import type { Digest } from '../oci/digest';

export interface ContentInfo {
  digest: Digest;
  size: number;
  /** when the blob was last committed (or re-committed) */
  updatedAt: Date;
}

export interface OpenOptions {
  signal?: AbortSignal;
  /** check digest and size while reading (default true) */
  verify?: boolean;
}

/** Reading (containerd's Provider + InfoProvider). */
export interface ContentReader {
  /** CONTENT_NOT_FOUND when absent */
  info(digest: Digest): Promise<ContentInfo>;
  has(digest: Digest): Promise<boolean>;
  /**
   * A new Readable per call that checks digest and size as it is read and
   * errors with CONTENT_DIGEST_MISMATCH / CONTENT_SIZE_MISMATCH at the end.
   * Rejects with CONTENT_NOT_FOUND when absent.
   */
  open(desc: Pick<Descriptor, 'digest' | 'size'>, options?: OpenOptions): Promise<Readable>;
  /**
   * A small blob whole in synchronous calls, checked as `open` checks it;
   * STREAM_TOO_LARGE above `max` bytes. For manifests and configs, where a
   * stream's round trips cost more than the read. Optional: `readBlobCapped`
   * streams through `open` without it.
   */
  readSmallSync?(desc: Pick<Descriptor, 'digest' | 'size'>, max: number): Buffer;
  /** the file that holds a blob, for tools that need a path (read-only!) */
  blobPath(digest: Digest): string;
}

export interface WriterOptions {
  /**
   * Names the ingest. Two writers with the same ref exclude each other
   * (INGEST_LOCKED); a dead writer's partial data can be resumed.
   * Default: a unique ref.
   */
  ref?: string;
  expected?: { digest?: Digest; size?: number };
  /** continue the partial data of an ingest whose writer is gone (default: start over) */
  resume?: boolean;
  signal?: AbortSignal;
}

export interface IngestStatus {
  ref: string;
  /** bytes written so far */
  offset: number;
  startedAt: Date;
}

export interface CommitResult {
  digest: Digest;
  size: number;
  /** the blob was already in the store (this write was redundant) */
  existed: boolean;
}

/**
 * Lifecycle of an ingest:
 *  1. `writer({ref, expected})` creates `ingest/<id>/` and takes its lock;
 *  2. bytes are written (as a Writable: `pipeline(src, writer)` or `write()`),
 *     hashed as they pass;
 *  3. `commit()` ends the stream if needed, fsyncs, checks size and digest
 *     against `expected` (and the commit's own), then renames the data into
 *     `blobs/sha256/<hex>` and removes the ingest; on a mismatch the ingest is
 *     removed and CONTENT_DIGEST_MISMATCH / CONTENT_SIZE_MISMATCH thrown;
 *  4. or `abort()` removes the ingest. A writer is used once.
 */
export interface ContentWriter extends Writable {
  readonly ref: string;
  status(): IngestStatus;
  commit(options?: { size?: number; expected?: Digest }): Promise<CommitResult>;
  abort(): Promise<void>;
}

export interface IngestInfo {
  ref: string;
  id: string;
  offset: number;
  startedAt: Date;
  /** the writer that holds it is still alive */
  active: boolean;
}

/** Ingesting and managing. */
export interface ContentIngester {
  writer(options?: WriterOptions): Promise<ContentWriter>;
}

export interface ContentManager {
  /**
   * Mark blobs that are already in the store as in use now, so that a live
   * lease older than now protects them from a concurrent prune (see lease.ts);
   * returns the digests that are not in the store. Use it instead of `has`
   * before referencing a blob you did not write.
   */
  renew(digests: Digest[]): Promise<Digest[]>;
  /** CONTENT_NOT_FOUND when absent */
  delete(digest: Digest): Promise<void>;
  walk(fn: (info: ContentInfo) => void | Promise<void>): Promise<void>;
  listIngests(): Promise<IngestInfo[]>;
  abortIngest(ref: string): Promise<void>;
}

export interface ContentStore extends ContentReader, ContentIngester, ContentManager {}
