import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { throwIfAborted } from '../errors';
import type { Descriptor } from '../oci/descriptor';
import { digestOf, type Digest } from '../oci/digest';
import { MANIFEST_MAX_BYTES, readCapped } from '../stream/read-capped';
import type { CommitResult, ContentStore } from './types';

/** A blob source opens a fresh stream per call (retries, second reads). */
export type BlobSource = () => Readable | Promise<Readable>;

export interface WriteBlobOptions {
  expected?: { digest?: Digest; size?: number };
  ref?: string;
  signal?: AbortSignal;
}

/**
 * Stream a blob into the store, verifying as it goes. Already-exists is
 * success. On any failure the ingest is removed and nothing is committed.
 */
export async function writeBlob(store: ContentStore, source: BlobSource, options: WriteBlobOptions = {}): Promise<CommitResult> {
  const { digest, size } = options.expected ?? {};
  // renewed, not just found: a prune must not take it before the caller's tag is visible
  if (digest !== undefined && (await store.renew([digest])).length === 0) {
    const info = await store.info(digest);
    if (size === undefined || info.size === size) return { digest, size: info.size, existed: true };
  }
  const w = await store.writer({
    ...(options.ref !== undefined ? { ref: options.ref } : {}),
    ...(options.expected !== undefined ? { expected: options.expected } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  try {
    await pipeline(await source(), w, options.signal ? { signal: options.signal } : {});
    return await w.commit();
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/** Write a small in-memory document (manifest, config, index). */
export async function writeBlobBytes(store: ContentStore, data: Buffer, signal?: AbortSignal): Promise<CommitResult> {
  const digest = digestOf(data);
  if ((await store.renew([digest])).length === 0) {
    const info = await store.info(digest);
    if (info.size === data.length) return { digest, size: data.length, existed: true };
  }
  const w = await store.writer({ expected: { digest, size: data.length }, ...(signal ? { signal } : {}) });
  try {
    w.end(data);
    return await w.commit();
  } catch (err) {
    await w.abort();
    throw err;
  }
}

/** Read a small blob (manifest, config) whole, verified, through a size cap. */
export async function readBlobCapped(
  store: ContentStore,
  desc: Pick<Descriptor, 'digest' | 'size'>,
  max = MANIFEST_MAX_BYTES,
  signal?: AbortSignal,
): Promise<Buffer> {
  if (store.readSmallSync !== undefined) {
    throwIfAborted(signal);
    return store.readSmallSync(desc, max);
  }
  const stream = await store.open(desc, signal ? { signal } : {});
  return readCapped(stream, max, `blob ${desc.digest}`);
}
