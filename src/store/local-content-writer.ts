import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { isErrno } from '../errors';
import { Digester, type Digest } from '../oci/digest';
import { sizeMismatch } from '../stream/verify-stream';
import { fsyncDir } from './atomic-write';
import type { CommitResult, ContentWriter, IngestStatus } from './types';
import { checkCommitted, endAndFlush } from './writer-end';

const FLUSH_BYTES = 1024 * 1024;
/** at most this many chunks in one gathered write (64 KiB socket reads make 16 a flush) */
const MAX_GATHER = 64;

export interface LocalWriterInit {
  ref: string;
  dir: string;
  blobPathOf: (digest: Digest) => string;
  fh: fs.FileHandle;
  digester: Digester;
  expected: { digest?: Digest; size?: number };
  startedAt: Date;
  release: () => Promise<void>;
}

/**
 * Writes into `ingest/<id>/data`, coalescing small chunks into 1 MiB writes
 * (each fs call costs a threadpool round trip), gathered without a copy, and
 * hashing as bytes pass.
 */
export class LocalContentWriter extends Writable implements ContentWriter {
  readonly ref: string;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private position: number;
  private done = false;

  constructor(private readonly init: LocalWriterInit) {
    super({ highWaterMark: FLUSH_BYTES });
    this.ref = init.ref;
    this.position = init.digester.size;
  }

  status(): IngestStatus {
    return { ref: this.ref, offset: this.init.digester.size, startedAt: this.init.startedAt };
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.init.digester.update(chunk);
    const max = this.init.expected.size;
    if (max !== undefined && this.init.digester.size > max) {
      cb(sizeMismatch(max, this.init.digester.size, this.init.expected.digest, { note: 'at least', ref: this.ref }));
      return;
    }
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flushPending().then(() => cb(), cb);
    else cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.flushPending()
      .then(() => this.init.fh.sync())
      .then(() => this.closeFile())
      .then(() => cb(), cb);
  }

  private fileClosed = false;
  private async closeFile(): Promise<void> {
    if (this.fileClosed) return;
    this.fileClosed = true;
    await this.init.fh.close();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    cb(err);
  }

  /**
   * One gathered write of what is pending: no copy into a joined buffer (a
   * 1 MiB allocation per flush, each a fresh mmap and page faults) and one
   * threadpool round trip. A short write (rare on a regular file) finishes
   * with plain writes of what is left.
   */
  private async flushPending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    // many small chunks are cheaper joined than gathered
    const chunks = this.pending.length > MAX_GATHER ? [Buffer.concat(this.pending, this.pendingBytes)] : this.pending;
    const total = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const { bytesWritten } = chunks.length === 1 ? await this.init.fh.write(chunks[0]!, 0, total, this.position) : await this.init.fh.writev(chunks, this.position);
    this.position += bytesWritten;
    if (bytesWritten === total) return;
    let skip = bytesWritten;
    for (const chunk of chunks) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      for (let off = skip; off < chunk.length; ) {
        const r = await this.init.fh.write(chunk, off, chunk.length - off, this.position);
        off += r.bytesWritten;
        this.position += r.bytesWritten;
      }
      skip = 0;
    }
  }

  async commit(options: { size?: number; expected?: Digest } = {}): Promise<CommitResult> {
    if (this.done) throw new Error('ContentWriter: commit after commit/abort');
    await endAndFlush(this);
    this.done = true;
    const { digester, expected, dir } = this.init;
    try {
      const size = digester.size;
      const digest = digester.digest();
      checkCommitted({ size, digest }, { size: options.size ?? expected.size, digest: options.expected ?? expected.digest }, this.ref);
      const target = this.init.blobPathOf(digest);
      let existed = false;
      try {
        await fs.stat(target);
        existed = true;
        const now = new Date();
        await fs.utimes(target, now, now); // a re-commit renews the blob for gc leases
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
      }
      if (!existed) {
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.rename(path.join(dir, 'data'), target);
        // after the rename the blob is in place: only log failures from here on
        await fsyncDir(path.dirname(target)).catch(() => undefined);
      }
      return { digest, size, existed };
    } finally {
      await this.cleanup();
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (!this.destroyed) this.destroy();
    await this.closeFile().catch(() => undefined);
    await this.cleanup();
  }

  private async cleanup(): Promise<void> {
    await fs.rm(this.init.dir, { recursive: true, force: true }).catch(() => undefined);
    await this.init.release();
  }
}
