import { createHash, type Hash } from 'node:crypto';
import { OciError } from '../errors';

declare const digestBrand: unique symbol;
/**
 * `sha256:<64 lower-case hex>` (sha512 is parsed too). Branded: made only by
 * `parseDigest`, `digestOf` or a `Digester`, never by a cast.
 */
export type Digest = string & { readonly [digestBrand]: true };

const ENCODED: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};
const GRAMMAR = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function isDigest(value: unknown): value is Digest {
  if (typeof value !== 'string' || !GRAMMAR.test(value)) return false;
  const i = value.indexOf(':');
  const re = ENCODED[value.slice(0, i)];
  return re !== undefined && re.test(value.slice(i + 1));
}

/** Parse a digest string; throws DIGEST_INVALID / DIGEST_UNSUPPORTED with the input in details. */
export function parseDigest(value: string): Digest {
  if (isDigest(value)) return value;
  if (typeof value === 'string' && GRAMMAR.test(value)) {
    const alg = value.slice(0, value.indexOf(':'));
    if (ENCODED[alg] === undefined) {
      throw new OciError('DIGEST_UNSUPPORTED', `unsupported digest algorithm "${alg}" in ${JSON.stringify(value)}`, { digest: value });
    }
  }
  throw new OciError('DIGEST_INVALID', `invalid digest ${JSON.stringify(value)}: expected sha256:<64 hex digits>`, { digest: value });
}

export function digestAlgorithm(d: Digest): string {
  return d.slice(0, d.indexOf(':'));
}

export function digestHex(d: Digest): string {
  return d.slice(d.indexOf(':') + 1);
}

/** sha256 of an in-memory buffer (small documents only: manifests, configs). */
export function digestOf(data: Buffer | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}` as Digest;
}

/** An incremental sha256 that counts bytes as well. */
export class Digester {
  private readonly hash: Hash = createHash('sha256');
  private finished: Digest | undefined;
  size = 0;

  update(chunk: Buffer): void {
    if (this.finished !== undefined) throw new Error('Digester: update after digest()');
    this.hash.update(chunk);
    this.size += chunk.length;
  }

  digest(): Digest {
    if (this.finished === undefined) this.finished = `sha256:${this.hash.digest('hex')}` as Digest;
    return this.finished;
  }
}

/** The short image ID docker prints (12 hex digits). */
export function shortId(d: Digest): string {
  return digestHex(d).slice(0, 12);
}
