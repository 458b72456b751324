import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { ImageError, throwIfAborted } from '../../errors';
import { Digester, parseDigest, type Digest } from '../../oci/digest';
import { CONFIG_MAX_BYTES, readCapped } from '../../stream/read-capped';
import type { ContentStore } from '../../store';

/** A file of the archive that went into the store as a blob. */
export interface IngestedBlob {
  digest: Digest;
  size: number;
  /** sha256 of the decompressed bytes, when the blob is gzip (a compressed layer) */
  diffId?: Digest;
  compression: 'none' | 'gzip';
  /** the blob was new to the store (rollback removes only these) */
  created: boolean;
  mtimeMs: number;
}

export interface IngestedArchive {
  blobs: Map<string, IngestedBlob>;
  /** small JSON / text members (manifest.json, index.json, <id>.json, repositories, ...) */
  small: Map<string, Buffer>;
  /** symlinks and hard links: archive path -> target archive path */
  links: Map<string, string>;
}

const BLOB_PATH = /^blobs\/sha256\/([0-9a-f]{64})$/;
const SMALL_FILE = /(?:^|\/)(?:[^/]*\.json|json|VERSION|repositories|oci-layout)$/;

export function cleanMemberPath(name: string): string {
  return path.posix.normalize(name.replace(/^\/+/, '')).replace(/^(\.\/)+/, '').replace(/\/$/, '');
}

/** Hashes the decompressed form of a gzip stream on the side (the layer's diffID). */
class GzipDiffIdTap extends Transform {
  private gunzip: ReturnType<typeof createGunzip> | undefined;
  private readonly digester = new Digester();
  private decided = false;
  private failed = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.decided) {
      this.decided = true;
      if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
        this.gunzip = createGunzip({ chunkSize: 1024 * 1024 });
        this.gunzip.on('data', (d: Buffer) => this.digester.update(d));
        this.gunzip.on('error', () => {
          this.failed = true;
        });
      }
    }
    if (this.gunzip === undefined) {
      cb(null, chunk);
      return;
    }
    if (this.gunzip.write(chunk)) cb(null, chunk);
    else this.gunzip.once('drain', () => cb(null, chunk));
  }

  override _flush(cb: TransformCallback): void {
    if (this.gunzip === undefined) {
      cb();
      return;
    }
    this.gunzip.once('end', () => cb());
    this.gunzip.once('error', () => cb());
    this.gunzip.end();
  }

  result(): { diffId?: Digest; compression: 'none' | 'gzip' } {
    if (this.gunzip === undefined) return { compression: 'none' };
    return this.failed ? { compression: 'gzip' } : { compression: 'gzip', diffId: this.digester.digest() };
  }
}

async function ingestBlob(store: ContentStore, entry: Readable, size: number, expected: Digest | undefined, signal?: AbortSignal): Promise<IngestedBlob> {
  const w = await store.writer({ expected: { size, ...(expected ? { digest: expected } : {}) }, ...(signal ? { signal } : {}) });
  const tap = new GzipDiffIdTap({ highWaterMark: 1024 * 1024 });
  try {
    await pipeline(entry, tap, w, signal ? { signal } : {});
    const res = await w.commit();
    const st = await fs.stat(store.blobPath(res.digest));
    return { digest: res.digest, size: res.size, ...tap.result(), created: !res.existed, mtimeMs: st.mtimeMs };
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/**
 * Stream every member of an image archive: blobs and layer tars into the
 * store (verified, committed), small documents into memory (capped), links
 * recorded. `onBlob` sees each committed blob (for rollback bookkeeping).
 */
export async function ingestArchive(
  store: ContentStore,
  input: Readable,
  options: { signal?: AbortSignal; onBlob?: (b: IngestedBlob) => void } = {},
): Promise<IngestedArchive> {
  const out: IngestedArchive = { blobs: new Map(), small: new Map(), links: new Map() };
  const extract = tar.extract();
  let feedError: unknown;
  // A failing feed (truncated or corrupt input) must stop the member being
  // read too: tar-stream does not always end it, and its reader would wait forever.
  const feedAbort = new AbortController();
  // AbortSignal.any arrived in Node 20.3; before it, the caller's signal is checked between members only
  const signal =
    options.signal && typeof AbortSignal.any === 'function' ? AbortSignal.any([options.signal, feedAbort.signal]) : feedAbort.signal;
  // never left rejected without a handler: the error is kept and rethrown below
  const feeding = pipeline(input, extract).catch((err: unknown) => {
    feedError = err;
    feedAbort.abort(err);
    extract.destroy(err as Error);
  });
  const feedFailed = new Promise<never>((_, reject) => feedAbort.signal.addEventListener('abort', () => reject(feedAbort.signal.reason)));
  feedFailed.catch(() => undefined);
  let sawEntry = false;
  try {
    for await (const entry of extract) {
      throwIfAborted(options.signal);
      sawEntry = true;
      const h = entry.header;
      const name = cleanMemberPath(h.name);
      if (h.type === 'symlink' || h.type === 'link') {
        const target = h.type === 'symlink' ? path.posix.join(path.posix.dirname(name), h.linkname ?? '') : (h.linkname ?? '');
        out.links.set(name, cleanMemberPath(target));
        entry.resume();
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        const m = BLOB_PATH.exec(name);
        if (m === null && SMALL_FILE.test(name) && (h.size ?? 0) <= CONFIG_MAX_BYTES) {
          const small = readCapped(entry as unknown as Readable, CONFIG_MAX_BYTES, `archive member ${name}`);
          out.small.set(name, await Promise.race([small, feedFailed]));
        } else {
          const blob = await ingestBlob(store, entry as unknown as Readable, h.size ?? 0, m ? parseDigest(`sha256:${m[1]}`) : undefined, signal);
          out.blobs.set(name, blob);
          options.onBlob?.(blob);
        }
      } else {
        entry.resume();
      }
    }
    await feeding;
    if (feedError !== undefined) throw feedError;
  } catch (caught) {
    // the feed's own failure, if it came first (destroying extract below fails it too)
    const feedFirst = feedError;
    extract.destroy();
    await feeding;
    throwIfAborted(options.signal);
    const err = feedFirst ?? caught;
    if ((err as { code?: string }).code !== undefined && (err as { isHoistError?: boolean }).isHoistError) throw err;
    throw new ImageError('ARCHIVE_INVALID', `cannot read the image archive: ${(err as Error).message}`, {}, { cause: err });
  }
  if (!sawEntry) throw new ImageError('ARCHIVE_INVALID', 'the image archive is empty (no tar members)', {});
  return out;
}
