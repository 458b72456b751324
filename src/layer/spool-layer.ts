import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../oci/digest';
import type { ContentStore } from '../store/types';
import { CHUNK_SIZE } from '../stream/coalesce';
import { VerifyStream } from '../stream/verify-stream';
import type { PackEntry } from './diff/pack-entry';
import { packEntries } from './tar/pack-stream';
import { writeCompressed, type LayerWriteResult, type WriteLayerOptions } from './write-layer';

/** A layer packed into a file: its diffID is known, its blob not written yet. */
export interface SpooledLayer {
  /** sha256 of the uncompressed tar */
  diffId: Digest;
  /** bytes of the uncompressed tar */
  uncompressedSize: number;
  /** the file that holds the tar (the caller's, and the caller removes it) */
  file: string;
}

/**
 * The first half of `writeLayer`: packs a sorted changeset into `file` (the
 * diffID hashed as the tar leaves the packer) and returns as soon as it is
 * there, so that whoever needs only the diffID (a chainID, the next build
 * step) need not wait for the compression. The entries are read now; the
 * tree they come from may change once this returns.
 */
export async function spoolLayer(entries: readonly PackEntry[], file: string, options: Pick<WriteLayerOptions, 'sourceDateEpoch' | 'signal'> = {}): Promise<SpooledLayer> {
  const pack = packEntries(entries, options);
  await pipeline(pack, createWriteStream(file, { highWaterMark: CHUNK_SIZE }), options.signal ? { signal: options.signal } : {});
  return { diffId: pack.diffId(), uncompressedSize: pack.size, file };
}

/**
 * The second half: compresses the spooled tar into the content store and
 * commits the blob, the bytes checked against the diffID and size on the way
 * (a spool that changed fails with CONTENT_DIGEST_MISMATCH / _SIZE_MISMATCH
 * and writes no blob). The blob is byte for byte what `writeLayer` writes for
 * the same entries and options.
 */
export async function writeSpooledLayer(content: ContentStore, layer: SpooledLayer, options: WriteLayerOptions = {}): Promise<LayerWriteResult> {
  const source = createReadStream(layer.file, { highWaterMark: CHUNK_SIZE, ...(options.signal ? { signal: options.signal } : {}) });
  const descriptor = await writeCompressed(content, [source, new VerifyStream({ digest: layer.diffId, size: layer.uncompressedSize })], options);
  return { descriptor, diffId: layer.diffId, uncompressedSize: layer.uncompressedSize };
}
