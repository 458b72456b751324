import { Readable, Transform, type TransformCallback } from 'node:stream';

/** Opens a fresh stream of a blob per call (retries re-open; STYLE B5). */
export type BlobOpener = () => Readable | Promise<Readable>;
/** Opens a stream from a byte offset (chunk recovery after a 416). */
export type BlobOpenerAt = (offset: number) => Readable | Promise<Readable>;

/** Skips the first `n` bytes of a stream (when the source cannot seek). */
class SkipBytes extends Transform {
  constructor(private remaining: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.remaining >= chunk.length) {
      this.remaining -= chunk.length;
      cb();
      return;
    }
    const out = this.remaining > 0 ? chunk.subarray(this.remaining) : chunk;
    this.remaining = 0;
    cb(null, out);
  }
}

/** Open at an offset: with the seeking opener when there is one, else by skipping. */
export async function openAt(open: BlobOpener, openFrom: BlobOpenerAt | undefined, offset: number): Promise<Readable> {
  if (offset === 0) return open();
  if (openFrom !== undefined) return openFrom(offset);
  const src = await open();
  const skip = new SkipBytes(offset);
  src.on('error', (err) => skip.destroy(err));
  return src.pipe(skip);
}

/** Counts bytes as they pass (progress), without copying them. */
export class CountingStream extends Transform {
  count = 0;

  constructor(private readonly onCount: (count: number) => void) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    this.onCount(this.count);
    cb(null, chunk);
  }
}

/** Limits a stream to its first `n` bytes (one chunk of a chunked upload). */
export function takeBytes(src: Readable, n: number): Readable {
  let left = n;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (left <= 0) {
        cb();
        return;
      }
      const out = chunk.length <= left ? chunk : chunk.subarray(0, left);
      left -= out.length;
      cb(null, out);
      if (left <= 0) {
        this.push(null);
        src.unpipe(t);
        src.destroy();
      }
    },
  });
  src.on('error', (err) => t.destroy(err));
  return src.pipe(t);
}
