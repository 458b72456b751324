import { HoistError, throwIfAborted } from '../../errors';
import { encodeHeader } from './encode-header';
import { paddingOf, type TarHeader } from './tar-header';

/** One member to write: its header and, for a file, exactly `header.size` bytes of body. */
export interface TarEntry {
  header: TarHeader;
  /** a small body in memory, or a stream of chunks (a blob from the store) */
  body?: Buffer | AsyncIterable<Buffer>;
}

const END = Buffer.alloc(1024);

/**
 * Encodes members as a tar archive, chunk by chunk (pipe it into a file or
 * a response: nothing is buffered but one header and one chunk). Headers
 * are `encodeHeader`'s (ustar, PAX past its limits); the archive ends with
 * two zero blocks. A body that is not exactly `header.size` bytes fails the
 * stream (IO_ERROR) instead of writing an archive that reads wrong.
 */
export async function* writeTar(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>, options: { signal?: AbortSignal } = {}): AsyncGenerator<Buffer> {
  for await (const { header, body } of entries) {
    throwIfAborted(options.signal);
    const size = header.type === 'file' ? header.size : 0;
    const head = encodeHeader(header);
    if (body === undefined || Buffer.isBuffer(body)) {
      const data = body ?? Buffer.alloc(0);
      if (data.length !== size) throw sizeError(header.name, size, data.length);
      yield Buffer.concat([head, data, Buffer.alloc(paddingOf(size))]);
      continue;
    }
    yield head;
    let seen = 0;
    for await (const chunk of body) {
      throwIfAborted(options.signal);
      seen += chunk.length;
      if (seen > size) throw sizeError(header.name, size, seen);
      yield chunk;
    }
    if (seen !== size) throw sizeError(header.name, size, seen);
    if (paddingOf(size) > 0) yield Buffer.alloc(paddingOf(size));
  }
  yield END;
}

function sizeError(name: string, expected: number, found: number): HoistError {
  return new HoistError('IO_ERROR', `tar member ${name}: its body has ${found > expected ? 'more than ' : ''}${found} bytes where its header says ${expected}`, { name, expected, found });
}
