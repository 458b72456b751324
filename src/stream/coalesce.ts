import { Transform, type TransformCallback, type TransformOptions } from 'node:stream';

/** The chunk size every layer stage uses (notes/measurements.md: >= 1 MiB everywhere). */
export const CHUNK_SIZE = 1024 * 1024;

/**
 * Gathers small chunks into buffers of `size` bytes (the last may be shorter).
 * Put it in front of zlib and hashes: each zlib call costs a threadpool round
 * trip (~120 us here), so 512-byte tar headers fed one by one halve throughput.
 * Chunks already at least `size` long pass through without a copy.
 */
export class Coalesce extends Transform {
  private parts: Buffer[] = [];
  private length = 0;

  constructor(
    private readonly size = CHUNK_SIZE,
    options: Pick<TransformOptions, 'highWaterMark'> = {},
  ) {
    super(options);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.length === 0 && chunk.length >= this.size) {
      cb(null, chunk);
      return;
    }
    this.parts.push(chunk);
    this.length += chunk.length;
    if (this.length >= this.size) this.emitParts();
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (this.length > 0) this.emitParts();
    cb();
  }

  private emitParts(): void {
    const buf = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.length);
    this.parts = [];
    this.length = 0;
    this.push(buf);
  }
}
