import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, openSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { isErrno, StoreError, throwIfAborted } from '../errors';
import type { Descriptor } from '../oci/descriptor';
import { digestOf, Digester, isDigest, type Digest } from '../oci/digest';
import { tooLarge } from '../stream/read-capped';
import { digestMismatch, sizeMismatch, VerifyStream } from '../stream/verify-stream';
import { acquireLock, isOwnerAlive, readLockOwner } from './file-lock';
import { renewBlobs } from './lease';
import { isNoSpace, noSpaceError } from './no-space';
import { LANDED_FILE, LocalContentWriter, resumableSize } from './local-content-writer';
import { StorePaths } from './store-paths';
import type { ContentInfo, ContentStore, ContentWriter, IngestInfo, OpenOptions, WriterOptions } from './types';

export const READ_CHUNK = 1024 * 1024;

function notFound(digest: Digest): StoreError {
  return new StoreError('CONTENT_NOT_FOUND', `blob ${digest} not found in the content store`, { digest });
}

/** The content store on disk: `blobs/sha256/<hex>`, partial writes under `ingest/`. */
export class LocalContentStore implements ContentStore {
  readonly paths: StorePaths;

  constructor(root: string) {
    this.paths = new StorePaths(root);
  }

  blobPath(digest: Digest): string {
    return this.paths.blob(digest);
  }

  async info(digest: Digest): Promise<ContentInfo> {
    try {
      const st = await fs.stat(this.paths.blob(digest));
      return { digest, size: st.size, updatedAt: st.mtime };
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notFound(digest);
      throw err;
    }
  }

  renew(digests: Digest[]): Promise<Digest[]> {
    return renewBlobs(this.paths, digests);
  }

  async has(digest: Digest): Promise<boolean> {
    try {
      await fs.access(this.paths.blob(digest));
      return true;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    }
  }

  async open(desc: Pick<Descriptor, 'digest' | 'size'>, options: OpenOptions = {}): Promise<Readable> {
    throwIfAborted(options.signal);
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(this.paths.blob(desc.digest), 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notFound(desc.digest);
      throw err;
    }
    const file = fh.createReadStream({ highWaterMark: READ_CHUNK, ...(options.signal ? { signal: options.signal } : {}) });
    if (options.verify === false) return file;
    const verify = new VerifyStream({ digest: desc.digest, size: desc.size });
    return pipeline(file, verify, () => undefined) as unknown as Readable;
  }

  readSmallSync(desc: Pick<Descriptor, 'digest' | 'size'>, max: number): Buffer {
    let fd: number;
    try {
      fd = openSync(this.paths.blob(desc.digest), 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notFound(desc.digest);
      throw err;
    }
    let data: Buffer;
    try {
      const size = fstatSync(fd).size;
      if (desc.size !== undefined && size !== desc.size) throw sizeMismatch(desc.size, size, desc.digest);
      if (size > max) throw tooLarge(max, `blob ${desc.digest}`);
      data = readFileSync(fd);
    } finally {
      closeSync(fd);
    }
    if (desc.size !== undefined && data.length !== desc.size) throw sizeMismatch(desc.size, data.length, desc.digest);
    const found = digestOf(data);
    if (found !== desc.digest) throw digestMismatch(desc.digest, found);
    return data;
  }

  async writer(options: WriterOptions = {}): Promise<ContentWriter> {
    throwIfAborted(options.signal);
    const ref = options.ref ?? `anon-${process.pid}-${randomBytes(8).toString('hex')}`;
    const dir = this.paths.ingestDir(ref);
    await fs.mkdir(this.paths.ingest, { recursive: true });
    const release = await acquireLock(`${dir}.lock`, { timeoutMs: 0 }).catch((err: unknown) => {
      throw new StoreError('INGEST_LOCKED', `ingest ${JSON.stringify(ref)} is being written by another process`, { ref }, { cause: err });
    });
    try {
      const digester = new Digester();
      let startedAt = new Date();
      if (options.resume === true) {
        startedAt = await this.rehashPartial(dir, digester, options.signal);
      } else {
        await fs.rm(dir, { recursive: true, force: true });
      }
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, 'ref'), ref);
      await fs.writeFile(path.join(dir, LANDED_FILE), String(digester.size));
      const fh = await fs.open(path.join(dir, 'data'), digester.size > 0 ? 'r+' : 'w');
      return new LocalContentWriter({
        ref,
        dir,
        blobPathOf: (d) => this.paths.blob(d),
        renew: async (d) => (await this.renew([d])).length === 0,
        root: this.paths.root,
        fh,
        digester,
        expected: options.expected ?? {},
        startedAt,
        release,
      });
    } catch (err) {
      await release();
      if (isNoSpace(err)) throw await noSpaceError(this.paths.root, options.expected?.size ?? 0, err);
      throw err;
    }
  }

  /**
   * Hash the bytes a previous writer left, so the new writer can append: those
   * below its landed mark (anything past it is cut off first).
   */
  private async rehashPartial(dir: string, digester: Digester, signal?: AbortSignal): Promise<Date> {
    try {
      const st = await fs.stat(path.join(dir, 'data'));
      const keep = await resumableSize(dir, st.size);
      if (keep < st.size) await fs.truncate(path.join(dir, 'data'), keep);
      if (keep === 0) return st.birthtime.getTime() > 0 ? st.birthtime : st.mtime;
      for await (const chunk of createReadStream(path.join(dir, 'data'), { highWaterMark: READ_CHUNK })) {
        throwIfAborted(signal);
        digester.update(chunk as Buffer);
      }
      return st.birthtime.getTime() > 0 ? st.birthtime : st.mtime;
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return new Date();
      throw err;
    }
  }

  async delete(digest: Digest): Promise<void> {
    try {
      await fs.unlink(this.paths.blob(digest));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw notFound(digest);
      throw err;
    }
  }

  async walk(fn: (info: ContentInfo) => void | Promise<void>): Promise<void> {
    let algs: string[];
    try {
      algs = await fs.readdir(this.paths.blobs);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw err;
    }
    for (const alg of algs) {
      const dir = path.join(this.paths.blobs, alg);
      for (const hex of await fs.readdir(dir)) {
        const digest = `${alg}:${hex}`;
        if (!isDigest(digest)) continue; // not ours (temp files of other tools)
        const st = await fs.stat(path.join(dir, hex)).catch(() => undefined);
        if (st === undefined) continue;
        await fn({ digest, size: st.size, updatedAt: st.mtime });
      }
    }
  }

  async listIngests(): Promise<IngestInfo[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.paths.ingest);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    }
    const out: IngestInfo[] = [];
    for (const id of names) {
      if (id.endsWith('.lock') || id.endsWith('.break')) continue;
      const dir = path.join(this.paths.ingest, id);
      const ref = await fs.readFile(path.join(dir, 'ref'), 'utf8').catch(() => '');
      const st = await fs.stat(path.join(dir, 'data')).catch(() => undefined);
      const owner = (await readLockOwner(`${dir}.lock`)) ?? '';
      out.push({
        ref,
        id,
        offset: st === undefined ? 0 : await resumableSize(dir, st.size),
        startedAt: st?.mtime ?? new Date(0),
        active: owner !== '' && isOwnerAlive(owner),
      });
    }
    return out;
  }

  async abortIngest(ref: string): Promise<void> {
    const dir = this.paths.ingestDir(ref);
    const release = await acquireLock(`${dir}.lock`, { timeoutMs: 0 }).catch((err: unknown) => {
      throw new StoreError('INGEST_LOCKED', `ingest ${JSON.stringify(ref)} is being written by another process`, { ref }, { cause: err });
    });
    try {
      await fs.rm(dir, { recursive: true, force: true });
    } finally {
      await release();
    }
  }

  /** remove ingests whose writers are gone (after a crash or kill) */
  async cleanStaleIngests(): Promise<number> {
    let n = 0;
    for (const ing of await this.listIngests()) {
      if (ing.active) continue;
      const dir = path.join(this.paths.ingest, ing.id);
      const release = await acquireLock(`${dir}.lock`, { timeoutMs: 0 }).catch(() => undefined);
      if (release === undefined) continue;
      try {
        await fs.rm(dir, { recursive: true, force: true });
        n++;
      } finally {
        await release();
      }
    }
    return n;
  }
}
