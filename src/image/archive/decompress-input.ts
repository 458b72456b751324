import { once } from 'node:events';
import { type Readable, PassThrough, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ImageError } from '../../errors';

const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const CHUNK = 1024 * 1024;

export type InputCompression = 'none' | 'gzip' | 'zstd';

function startsWith(buf: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => buf[i] === b);
}

export function sniffCompression(head: Buffer): InputCompression {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd';
  return 'none';
}

/** Read the first bytes of a stream without consuming them. */
export async function peek(input: Readable, n: number): Promise<Buffer> {
  let head: Buffer | null = null;
  for (;;) {
    head = input.read() as Buffer | null;
    if (head !== null) break;
    if (input.readableEnded || input.destroyed) return Buffer.alloc(0);
    await Promise.race([once(input, 'readable'), once(input, 'end')]);
    if (input.readableEnded) return Buffer.alloc(0);
  }
  input.unshift(head);
  return head.subarray(0, n);
}

/** An archive given to `hoist load` may be a plain tar, or gzip / zstd compressed (as `docker load` accepts). */
export async function decompressInput(input: Readable): Promise<Readable> {
  const kind = sniffCompression(await peek(input, 4));
  if (kind === 'none') return input;
  if (kind === 'gzip') {
    const out = new PassThrough({ highWaterMark: CHUNK });
    pipeline(input, createGunzip({ chunkSize: CHUNK }), out, (err) => {
      if (err) out.destroy(new ImageError('COMPRESSION_CORRUPT', `archive is not valid gzip: ${err.message}`, {}, { cause: err }));
    });
    return out;
  }
  const { DecompressStream } = await import('zstd-napi');
  const out = new PassThrough({ highWaterMark: CHUNK });
  pipeline(input, new DecompressStream(), out, (err) => {
    if (err) out.destroy(new ImageError('COMPRESSION_CORRUPT', `archive is not valid zstd: ${err.message}`, {}, { cause: err }));
  });
  return out;
}
