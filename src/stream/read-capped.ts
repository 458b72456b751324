import type { Readable } from 'node:stream';
import { StreamError } from '../errors';

/** Caps for the small documents that may be buffered (STYLE.md B5). */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
export const CONFIG_MAX_BYTES = 8 * 1024 * 1024;
export const ERROR_BODY_MAX_BYTES = 64 * 1024;

/** STREAM_TOO_LARGE for `what` above `max` bytes. */
export function tooLarge(max: number, what: string): StreamError {
  return new StreamError('STREAM_TOO_LARGE', `${what} is larger than the ${max}-byte limit`, { limit: max, what });
}

/**
 * Read a whole stream into memory, failing with STREAM_TOO_LARGE once more
 * than `max` bytes arrive. Only for small documents.
 */
export async function readCapped(stream: Readable, max: number, what = 'document'): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buf.length;
      if (size > max) {
        throw tooLarge(max, what);
      }
      chunks.push(buf);
    }
  } catch (err) {
    stream.destroy();
    throw err;
  }
  return Buffer.concat(chunks, size);
}
