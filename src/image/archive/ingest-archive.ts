import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { once } from 'node:events';
import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ImageError, isHoistError } from '../../errors';
import { readTar, type EntrySink, type TarHeader } from '../../layer';
import { Digester, parseDigest, type Digest } from '../../oci/digest';
import { CONFIG_MAX_BYTES } from '../../stream/read-capped';
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

/** A member's body into the store: a sink for the tar reader, the blob once it ends. */
class BlobSink implements EntrySink {
  private readonly pass = new PassThrough({ highWaterMark: 1024 * 1024 });
  readonly ingesting: Promise<IngestedBlob>;

  constructor(store: ContentStore, header: TarHeader, expected: Digest | undefined, signal: AbortSignal | undefined) {
    // fail() may destroy the body before ingestBlob's pipeline listens to it
    this.pass.on('error', () => undefined);
    this.ingesting = ingestBlob(store, this.pass, header.size, expected, signal);
    this.ingesting.catch(() => undefined); // awaited by end() or fail()
  }

  async data(chunk: Buffer): Promise<void> {
    // a store that fails (size, digest, disk) ends the read at once, not after the member
    if (!this.pass.write(chunk)) await Promise.race([once(this.pass, 'drain'), this.ingesting]);
  }

  async end(): Promise<void> {
    this.pass.end();
    await this.ingesting;
  }

  /** The archive failed mid-member: the writer aborts, the store keeps nothing of it. */
  async fail(err: Error): Promise<void> {
    this.pass.destroy(err);
    await this.ingesting.catch(() => undefined);
  }
}

/** A small document's body, in memory (its size was checked against the cap from its header). */
function smallSink(onEnd: (data: Buffer) => void): EntrySink {
  const parts: Buffer[] = [];
  return { data: (chunk) => void parts.push(Buffer.from(chunk)), end: () => onEnd(Buffer.concat(parts)) };
}

/**
 * Stream every member of an image archive through layer/tar's strict reader:
 * blobs and layer tars into the store (verified, committed), small documents
 * into memory (capped), links recorded. `onBlob` sees each committed blob
 * (for rollback bookkeeping). A truncated archive, or bytes after its
 * end-of-archive marker, is ARCHIVE_INVALID (the reader's code in `cause`).
 */
export async function ingestArchive(
  store: ContentStore,
  input: Readable,
  options: { signal?: AbortSignal; onBlob?: (b: IngestedBlob) => void } = {},
): Promise<IngestedArchive> {
  const out: IngestedArchive = { blobs: new Map(), small: new Map(), links: new Map() };
  let current: BlobSink | undefined;
  let entries: number;
  try {
    ({ entries } = await readTar(
      input,
      (h) => {
        const name = cleanMemberPath(h.name);
        if (h.type === 'symlink' || h.type === 'link') {
          const target = h.type === 'symlink' ? path.posix.join(path.posix.dirname(name), h.linkname ?? '') : (h.linkname ?? '');
          out.links.set(name, cleanMemberPath(target));
          return undefined;
        }
        if (h.type !== 'file') return undefined;
        const m = BLOB_PATH.exec(name);
        if (m === null && SMALL_FILE.test(name) && h.size <= CONFIG_MAX_BYTES) return smallSink((data) => out.small.set(name, data));
        const sink = new BlobSink(store, h, m ? parseDigest(`sha256:${m[1]}`) : undefined, options.signal);
        current = sink;
        return {
          data: (chunk) => sink.data(chunk),
          end: async () => {
            await sink.end();
            current = undefined;
            const blob = await sink.ingesting;
            out.blobs.set(name, blob);
            options.onBlob?.(blob);
          },
        };
      },
      options.signal ? { signal: options.signal } : {},
    ));
  } catch (err) {
    await current?.fail(err as Error);
    if (isHoistError(err) && !err.code.startsWith('LAYER_')) throw err;
    const why = isHoistError(err, 'LAYER_TAR_TRUNCATED') ? `it is truncated at byte ${String(err.details.offset)} (no end-of-archive marker)` : (err as Error).message;
    throw new ImageError('ARCHIVE_INVALID', `cannot read the image archive: ${why}`, {}, { cause: err });
  }
  if (entries === 0) throw new ImageError('ARCHIVE_INVALID', 'the image archive is empty (no tar members)', {});
  return out;
}
