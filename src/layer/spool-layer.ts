import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Digest } from '../oci/digest';
import type { ContentStore } from '../store/types';
import { CHUNK_SIZE } from '../stream/coalesce';
import { VerifyStream } from '../stream/verify-stream';
import type { PackEntry } from './diff/pack-entry';
import { packEntries } from './tar/pack-stream';
import { writeCompressed, type LayerWriteResult, type WriteLayerOptions } from './write-layer';

/** A layer packed but not compressed: its diffID is known, its blob not written yet. */
export interface SpooledLayer {
  /** sha256 of the uncompressed tar */
  diffId: Digest;
  /** bytes of the uncompressed tar */
  uncompressedSize: number;
  /** the tar in memory (it fitted in `memoryLimit`) */
  chunks?: Buffer[];
  /** else the file that holds it (the caller's, and the caller removes it) */
  file?: string;
}

export interface SpoolOptions extends Pick<WriteLayerOptions, 'sourceDateEpoch' | 'signal'> {
  /** bytes of tar kept in memory; a longer tar goes to `spill()`'s file (default 0: always a file) */
  memoryLimit?: number;
  /** the file a tar longer than `memoryLimit` is written to (asked for at most once) */
  spill: () => Promise<string>;
}

/** Keeps chunks up to a limit, then writes everything to a file. */
class SpoolSink extends Writable {
  readonly chunks: Buffer[] = [];
  held = 0;
  file: string | undefined;
  private out: WriteStream | undefined;

  constructor(private readonly options: SpoolOptions) {
    super({ highWaterMark: CHUNK_SIZE });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.out === undefined && this.held + chunk.length <= (this.options.memoryLimit ?? 0)) {
      // the packer's last chunk is a short view of a 1 MiB buffer: keep only its bytes
      this.chunks.push(chunk.buffer.byteLength > 2 * chunk.length ? Buffer.from(chunk) : chunk);
      this.held += chunk.length;
      cb();
      return;
    }
    this.spill().then((out) => (out.write(chunk) ? cb() : out.once('drain', () => cb())), cb);
  }

  private async spill(): Promise<WriteStream> {
    if (this.out !== undefined) return this.out;
    this.file = await this.options.spill();
    const out = createWriteStream(this.file, { highWaterMark: CHUNK_SIZE });
    out.on('error', (err) => this.destroy(err));
    for (const c of this.chunks.splice(0)) out.write(c);
    this.held = 0;
    return (this.out = out);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.out === undefined) cb();
    else this.out.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.out?.destroy();
    cb(err);
  }
}

/**
 * The first half of `writeLayer`: packs a sorted changeset (the diffID hashed
 * as the tar leaves the packer) into memory, or into a file once it is longer
 * than `memoryLimit`, and returns as soon as it is there, so that whoever needs
 * only the diffID (a chainID, the next build step) need not wait for the
 * compression. The entries are read now; their tree may change after this.
 */
export async function spoolLayer(entries: readonly PackEntry[], options: SpoolOptions): Promise<SpooledLayer> {
  const pack = packEntries(entries, options); // reads sourceDateEpoch and signal
  const sink = new SpoolSink(options);
  await pipeline(pack, sink, options.signal ? { signal: options.signal } : {});
  const where = sink.file !== undefined ? { file: sink.file } : { chunks: sink.chunks };
  return { diffId: pack.diffId(), uncompressedSize: pack.size, ...where };
}

/**
 * The second half: compresses the spooled tar into the content store and
 * commits the blob; a tar read back from its file is checked against the
 * diffID and size on the way (a file that changed fails with
 * CONTENT_DIGEST_MISMATCH / _SIZE_MISMATCH and writes no blob). The blob is
 * byte for byte what `writeLayer` writes for the same entries and options.
 */
export async function writeSpooledLayer(content: ContentStore, layer: SpooledLayer, options: WriteLayerOptions = {}): Promise<LayerWriteResult> {
  const source: [Readable, ...VerifyStream[]] =
    layer.file !== undefined
      ? [createReadStream(layer.file, { highWaterMark: CHUNK_SIZE, ...(options.signal ? { signal: options.signal } : {}) }), new VerifyStream({ digest: layer.diffId, size: layer.uncompressedSize })]
      : [Readable.from(layer.chunks ?? [], { objectMode: false })];
  const descriptor = await writeCompressed(content, source, options);
  return { descriptor, diffId: layer.diffId, uncompressedSize: layer.uncompressedSize };
}
