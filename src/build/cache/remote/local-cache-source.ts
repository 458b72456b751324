import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { isErrno } from '../../../errors';
import { Annotation, type Descriptor } from '../../../oci/descriptor';
import { digestHex, isDigest, type Digest } from '../../../oci/digest';
import { writeBlob } from '../../../store/helpers';
import type { Store } from '../../../store/store';
import { MANIFEST_MAX_BYTES, readCapped } from '../../../stream/read-capped';
import { VerifyStream } from '../../../stream/verify-stream';
import type { CacheSource } from './cache-source';

/** A blob of an OCI layout directory, verified as it is read. */
function openLayoutBlob(dir: string, desc: Pick<Descriptor, 'digest' | 'size'>): Readable {
  const src = createReadStream(path.join(dir, 'blobs', 'sha256', digestHex(desc.digest)), { highWaterMark: 1024 * 1024 });
  const verify = new VerifyStream({ digest: desc.digest, size: desc.size });
  src.on('error', (err) => verify.destroy(err));
  return src.pipe(verify);
}

/**
 * BuildKit's local cache (`type=local,src=DIR`): an OCI layout whose
 * index.json names the cache manifest by tag (`latest` unless `tag=`), or
 * the manifest given by `digest=`.
 */
export class LocalCacheSource implements CacheSource {
  readonly name: string;

  constructor(private readonly dir: string, private readonly tag: string, private readonly digest?: string) {
    this.name = `local ${dir}`;
  }

  async readManifest(): Promise<Buffer | undefined> {
    let raw: string;
    try {
      raw = await fs.readFile(path.join(this.dir, 'index.json'), 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
      throw err;
    }
    const index = JSON.parse(raw) as { manifests?: Descriptor[] };
    const entries = Array.isArray(index.manifests) ? index.manifests : [];
    const entry = this.digest !== undefined ? entries.find((m) => m.digest === this.digest) : entries.find((m) => m.annotations?.[Annotation.RefName] === this.tag);
    if (entry === undefined || !isDigest(entry.digest)) return undefined;
    return this.readSmallBlob(entry);
  }

  readChildManifest(desc: Descriptor): Promise<Buffer> {
    return this.readSmallBlob(desc);
  }

  async readSmallBlob(desc: Descriptor): Promise<Buffer> {
    return readCapped(openLayoutBlob(this.dir, desc), MANIFEST_MAX_BYTES, `blob ${desc.digest}`);
  }

  async fetchBlob(store: Store, desc: Descriptor, signal?: AbortSignal): Promise<void> {
    await writeBlob(store.content, () => createReadStream(path.join(this.dir, 'blobs', 'sha256', digestHex(desc.digest as Digest)), { highWaterMark: 1024 * 1024 }), {
      expected: { digest: desc.digest, size: desc.size },
      ...(signal ? { signal } : {}),
    });
  }

  async close(): Promise<void> {}
}
