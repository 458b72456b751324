import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';
import { CHUNK_SIZE } from './coalesce';

const WINDOW = 32 * 1024;
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

function deflateBlock(block: Buffer, options: zlib.ZlibOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.deflateRaw(block, options, (err, out) => (err ? reject(err) : resolve(out))));
}

export interface ParallelGzipOptions {
  level?: number;
  /** input bytes per block (default 1 MiB) */
  blockSize?: number;
  /** blocks compressed at once in the libuv threadpool (default 4) */
  inFlight?: number;
}

/**
 * pigz-style gzip on the libuv threadpool: the input is cut into blocks, each
 * deflated on its own (raw deflate, primed with the previous 32 KiB as the
 * dictionary, ended with a sync flush so blocks concatenate), several at once,
 * and written in order inside one gzip member with a running crc32. The output
 * depends only on the input, level and block size, never on timing, so it is
 * deterministic. See docs/compression.md for the measurements.
 */
export class ParallelGzip extends Transform {
  private readonly level: number;
  private readonly blockSize: number;
  private readonly inFlight: number;
  private parts: Buffer[] = [];
  private partsLength = 0;
  private held: Buffer | undefined;
  private dictionary: Buffer | undefined;
  private readonly queue: Promise<Buffer>[] = [];
  private crc = 0;
  private isize = 0;
  private started = false;

  constructor(options: ParallelGzipOptions = {}) {
    super();
    this.level = options.level ?? 6;
    this.blockSize = options.blockSize ?? CHUNK_SIZE;
    this.inFlight = options.inFlight ?? 4;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.parts.push(chunk);
    this.partsLength += chunk.length;
    while (this.partsLength >= this.blockSize) this.takeBlock(this.blockSize);
    this.drainQueue(this.inFlight).then(() => cb(), cb);
  }

  override _flush(cb: TransformCallback): void {
    if (this.partsLength > 0) this.takeBlock(this.partsLength);
    this.dispatch(this.held ?? Buffer.alloc(0), true);
    this.held = undefined;
    this.drainQueue(0).then(() => {
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(this.crc >>> 0, 0);
      trailer.writeUInt32LE(this.isize >>> 0, 4);
      cb(null, trailer);
    }, cb);
  }

  private takeBlock(size: number): void {
    const all = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.partsLength);
    const block = all.subarray(0, size);
    const rest = all.subarray(size);
    this.parts = rest.length > 0 ? [rest] : [];
    this.partsLength = rest.length;
    // hold one block back: only the last block is deflated with Z_FINISH
    if (this.held !== undefined) this.dispatch(this.held, false);
    this.held = block;
  }

  private dispatch(block: Buffer, last: boolean): void {
    if (!this.started) {
      this.started = true;
      this.push(GZIP_HEADER);
    }
    const options: zlib.ZlibOptions = { level: this.level, finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH };
    if (this.dictionary !== undefined) options.dictionary = this.dictionary;
    const pending = deflateBlock(block, options);
    pending.catch(() => undefined); // surfaced when awaited in order
    this.queue.push(pending);
    this.crc = zlib.crc32(block, this.crc);
    this.isize = (this.isize + block.length) % 0x100000000;
    const joined = this.dictionary !== undefined && block.length < WINDOW ? Buffer.concat([this.dictionary, block]) : block;
    this.dictionary = Buffer.from(joined.subarray(Math.max(0, joined.length - WINDOW)));
  }

  private async drainQueue(keep: number): Promise<void> {
    while (this.queue.length > keep) this.push(await (this.queue.shift() as Promise<Buffer>));
  }
}
