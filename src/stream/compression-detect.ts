import { Transform, type TransformCallback } from 'node:stream';
import { StreamError } from '../errors';
import type { Compression } from '../oci/media-types';
import { createDecompressStream, detectCompression, MAGIC_LENGTH } from './compression';

/**
 * Decompresses whatever arrives, choosing the codec by magic number (not by
 * the media type, which registries and archives get wrong). `compression` is
 * known once the first bytes have passed. Codec errors surface as
 * COMPRESSION_CORRUPT.
 */
export class DecompressAuto extends Transform {
  compression: Compression | undefined;
  private head: Buffer[] = [];
  private headLength = 0;
  private inner: Transform | undefined;
  private ended: Promise<void> | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.inner !== undefined) return this.feed(chunk, cb);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < MAGIC_LENGTH) return cb();
    this.feed(this.start(), cb);
  }

  override _flush(cb: TransformCallback): void {
    const finish = (err?: Error | null): void => {
      if (err) return cb(err);
      (this.inner as Transform).end();
      (this.ended as Promise<void>).then(() => cb(), cb);
    };
    if (this.inner === undefined) this.feed(this.start(), finish);
    else finish();
  }

  override _read(size: number): void {
    this.inner?.resume();
    super._read(size);
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.inner?.destroy();
    cb(err);
  }

  private start(): Buffer {
    const head = Buffer.concat(this.head);
    this.head = [];
    const compression = detectCompression(head);
    this.compression = compression;
    const inner = createDecompressStream(compression);
    this.inner = inner;
    inner.on('data', (data: Buffer) => {
      if (!this.push(data)) inner.pause();
    });
    this.ended = new Promise((resolve, reject) => {
      inner.once('end', resolve);
      inner.once('error', (err) => {
        const wrapped = new StreamError('COMPRESSION_CORRUPT', `corrupt ${compression} stream: ${err.message}`, { compression }, { cause: err });
        reject(wrapped);
        this.destroy(wrapped);
      });
    });
    this.ended.catch(() => undefined);
    return head;
  }

  private feed(chunk: Buffer, cb: TransformCallback): void {
    if (chunk.length === 0) return cb();
    const inner = this.inner as Transform;
    if (inner.write(chunk)) cb();
    else inner.once('drain', () => cb());
  }
}
