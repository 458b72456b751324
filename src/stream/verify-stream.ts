import { Transform, type TransformCallback } from 'node:stream';
import { StoreError } from '../errors';
import { Digester, type Digest } from '../oci/digest';

export interface Expected {
  digest?: Digest;
  size?: number;
}

/** A mismatch error naming what was expected and what was found. */
export function digestMismatch(expected: Digest, found: Digest, details: Record<string, unknown> = {}): StoreError {
  return new StoreError('CONTENT_DIGEST_MISMATCH', `digest mismatch: expected ${expected}, found ${found}`, { expected, found, ...details });
}

export function sizeMismatch(expected: number, found: number, digest?: Digest, details: Record<string, unknown> = {}): StoreError {
  const what = digest !== undefined ? ` for ${digest}` : '';
  return new StoreError('CONTENT_SIZE_MISMATCH', `size mismatch${what}: expected ${expected} bytes, found ${found}`, {
    expected,
    found,
    digest,
    ...details,
  });
}

/**
 * Passes bytes through while hashing and counting them. Fails as soon as more
 * bytes than `expected.size` arrive, and at the end if size or digest differ
 * (the umoci verified reader). `digest()` is available after the end.
 */
export class VerifyStream extends Transform {
  private readonly digester = new Digester();

  constructor(private readonly expected: Expected = {}) {
    super();
  }

  get size(): number {
    return this.digester.size;
  }

  digest(): Digest {
    return this.digester.digest();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.digester.update(chunk);
    const max = this.expected.size;
    if (max !== undefined && this.digester.size > max) {
      cb(sizeMismatch(max, this.digester.size, this.expected.digest, { note: 'at least' }));
      return;
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const { size, digest } = this.expected;
    if (size !== undefined && this.digester.size !== size) {
      cb(sizeMismatch(size, this.digester.size, digest));
      return;
    }
    if (digest !== undefined && this.digester.digest() !== digest) {
      cb(digestMismatch(digest, this.digester.digest()));
      return;
    }
    cb();
  }
}
