import type { Duplex, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Descriptor } from '../oci/descriptor';
import type { Digest } from '../oci/digest';
import { layerMediaType, type Compression } from '../oci/media-types';
import type { ContentStore } from '../store/types';
import { createCompressStream, type CompressOptions } from '../stream/compression';
import { mapLimit } from '../stream/map-limit';
import type { PackEntry } from './diff/pack-entry';
import { packEntries } from './tar/pack-stream';

export interface WriteLayerOptions extends CompressOptions {
  /** default gzip */
  compression?: Compression;
  /** OCI (default) or Docker media types */
  mediaTypeFamily?: 'oci' | 'docker';
  /** clamp file times to this (seconds; SOURCE_DATE_EPOCH); the caller decides, the environment is not read */
  sourceDateEpoch?: number;
  signal?: AbortSignal;
}

export interface LayerWriteResult {
  /** the compressed blob, committed into the store */
  descriptor: Descriptor;
  /** sha256 of the uncompressed tar */
  diffId: Digest;
  /** bytes of the uncompressed tar */
  uncompressedSize: number;
}

/**
 * Packs a sorted changeset, compresses it and commits it into the content
 * store in one pass: the diffID is hashed as tar bytes leave the packer, the
 * digest as compressed bytes enter the store. Hold a store lease around this
 * and the manifest write that references the blob.
 */
export async function writeLayer(content: ContentStore, entries: readonly PackEntry[], options: WriteLayerOptions = {}): Promise<LayerWriteResult> {
  const pack = packEntries(entries, options); // reads sourceDateEpoch and signal
  const descriptor = await writeCompressed(content, [pack], options);
  return { descriptor, diffId: pack.diffId(), uncompressedSize: pack.size };
}

/**
 * Compresses a layer tar from `source` (a readable and any transforms) into the content store and commits
 * it: the one place a layer blob is compressed and named (`writeLayer` in one
 * pass with the packer, `writeSpooledLayer` from a spooled tar). The output
 * depends only on the tar bytes, the compression and its level.
 */
export async function writeCompressed(content: ContentStore, source: readonly [Readable, ...Duplex[]], options: WriteLayerOptions = {}): Promise<Descriptor> {
  const compression = options.compression ?? 'gzip';
  const writer = await content.writer(options.signal ? { signal: options.signal } : {});
  try {
    await pipeline([...source, createCompressStream(compression, options), writer], options.signal ? { signal: options.signal } : {});
    const committed = await writer.commit();
    return { mediaType: layerMediaType(compression, options.mediaTypeFamily), digest: committed.digest, size: committed.size };
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}

/**
 * Writes several changesets, `concurrency` at a time (default 2: layers packed
 * in parallel keep both cores busy: while one waits on the threadpool, the
 * other packs).
 */
export function writeLayers(
  content: ContentStore,
  changesets: ReadonlyArray<readonly PackEntry[]>,
  options: WriteLayerOptions & { concurrency?: number } = {},
): Promise<LayerWriteResult[]> {
  return mapLimit(changesets, options.concurrency ?? 2, (entries) => writeLayer(content, entries, options));
}
