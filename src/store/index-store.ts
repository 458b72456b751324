import { closeSync, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { isErrno, StoreError } from '../errors';
import type { Descriptor } from '../oci/descriptor';
import type { ImageIndex } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import { parseIndex } from '../oci/parse-documents';
import { MANIFEST_MAX_BYTES } from '../stream/read-capped';
import { writeFileAtomic } from './atomic-write';
import { withLock } from './file-lock';
import type { StorePaths } from './store-paths';

export function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
}

/**
 * The one owner of `index.json`. Reads are lock-free (the file is only ever
 * replaced by an atomic rename); updates run under `locks/index.lock`.
 */
export class IndexStore {
  constructor(private readonly paths: StorePaths) {}

  /** Read in synchronous calls: a small file that every command reads (four thread-pool round trips cost more). */
  async read(): Promise<ImageIndex> {
    let raw: Buffer;
    try {
      const fd = openSync(this.paths.index, 'r');
      try {
        const st = fstatSync(fd);
        if (st.size > MANIFEST_MAX_BYTES * 16) {
          throw new StoreError('STORE_CORRUPT', `${this.paths.index} is implausibly large (${st.size} bytes)`, { path: this.paths.index });
        }
        raw = readFileSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return emptyIndex();
      throw err;
    }
    try {
      return parseIndex(raw);
    } catch (err) {
      throw new StoreError('STORE_CORRUPT', `${this.paths.index} is not a valid OCI index: ${(err as Error).message}`, { path: this.paths.index }, { cause: err });
    }
  }

  /**
   * Read-modify-write under the index lock. `fn` returns the new manifest
   * list (or undefined to leave the index as it is) and a result.
   */
  async update<T>(fn: (manifests: Descriptor[], index: ImageIndex) => { manifests?: Descriptor[]; result: T }): Promise<T> {
    mkdirSync(this.paths.locks, { recursive: true });
    return withLock(this.paths.indexLock, async () => {
      const index = await this.read();
      const { manifests, result } = fn([...index.manifests], index);
      if (manifests !== undefined) {
        const next: ImageIndex = { ...index, manifests };
        await writeFileAtomic(this.paths.index, `${JSON.stringify(next)}\n`);
      }
      return result;
    });
  }
}
