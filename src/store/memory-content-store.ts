import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { StoreError, throwIfAborted } from '../errors';
import type { Descriptor } from '../oci/descriptor';
import { Digester, type Digest } from '../oci/digest';
import { sizeMismatch, VerifyStream } from '../stream/verify-stream';
import { checkCommitted, endAndFlush } from './writer-end';
import type { CommitResult, ContentInfo, ContentStore, ContentWriter, IngestInfo, IngestStatus, OpenOptions, WriterOptions } from './types';

interface MemoryBlob {
  data: Buffer;
  updatedAt: Date;
}

function notFound(digest: Digest): StoreError {
  return new StoreError('CONTENT_NOT_FOUND', `blob ${digest} not found in the content store`, { digest });
}

class MemoryWriter extends Writable implements ContentWriter {
  private readonly chunks: Buffer[] = [];
  private readonly digester: Digester;
  private done = false;
  readonly startedAt = new Date();

  constructor(
    readonly ref: string,
    private readonly store: MemoryContentStore,
    private readonly expected: { digest?: Digest; size?: number },
    initial: Buffer,
  ) {
    super();
    this.digester = new Digester();
    if (initial.length > 0) {
      this.chunks.push(initial);
      this.digester.update(initial);
    }
  }

  status(): IngestStatus {
    return { ref: this.ref, offset: this.digester.size, startedAt: this.startedAt };
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.digester.update(chunk);
    if (this.expected.size !== undefined && this.digester.size > this.expected.size) {
      cb(sizeMismatch(this.expected.size, this.digester.size, this.expected.digest, { note: 'at least', ref: this.ref }));
      return;
    }
    this.chunks.push(Buffer.from(chunk));
    this.store.partials.set(this.ref, Buffer.concat(this.chunks));
    cb();
  }

  async commit(options: { size?: number; expected?: Digest } = {}): Promise<CommitResult> {
    if (this.done) throw new Error('ContentWriter: commit after commit/abort');
    await endAndFlush(this);
    this.done = true;
    this.store.release(this.ref);
    const size = this.digester.size;
    const digest = this.digester.digest();
    checkCommitted({ size, digest }, { size: options.size ?? this.expected.size, digest: options.expected ?? this.expected.digest }, this.ref);
    const existed = this.store.blobs.has(digest);
    this.store.blobs.set(digest, { data: existed ? this.store.blobs.get(digest)!.data : Buffer.concat(this.chunks), updatedAt: new Date() });
    return { digest, size, existed };
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.destroy();
    this.store.release(this.ref);
  }
}

/**
 * A ContentStore in memory: the fake for tests of code above the store
 * (it buffers blobs, which the real store never does). Passes the same
 * conformance suite as LocalContentStore.
 */
export class MemoryContentStore implements ContentStore {
  readonly blobs = new Map<string, MemoryBlob>();
  /** what writers have written so far, by ref (survives a writer, like ingest/) */
  readonly partials = new Map<string, Buffer>();
  private readonly active = new Set<string>();

  release(ref: string): void {
    this.active.delete(ref);
    this.partials.delete(ref);
  }

  blobPath(digest: Digest): string {
    return `memory:${digest}`;
  }

  async info(digest: Digest): Promise<ContentInfo> {
    const b = this.blobs.get(digest);
    if (b === undefined) throw notFound(digest);
    return { digest, size: b.data.length, updatedAt: b.updatedAt };
  }

  /** nothing prunes a memory store: renewing only reports what is absent */
  async renew(digests: Digest[]): Promise<Digest[]> {
    return digests.filter((d) => !this.blobs.has(d));
  }

  async has(digest: Digest): Promise<boolean> {
    return this.blobs.has(digest);
  }

  async open(desc: Pick<Descriptor, 'digest' | 'size'>, options: OpenOptions = {}): Promise<Readable> {
    throwIfAborted(options.signal);
    const b = this.blobs.get(desc.digest);
    if (b === undefined) throw notFound(desc.digest);
    const src = Readable.from([b.data]);
    return options.verify === false ? src : src.pipe(new VerifyStream({ digest: desc.digest, size: desc.size }));
  }

  async writer(options: WriterOptions = {}): Promise<ContentWriter> {
    throwIfAborted(options.signal);
    const ref = options.ref ?? `anon-${randomBytes(8).toString('hex')}`;
    if (this.active.has(ref)) throw new StoreError('INGEST_LOCKED', `ingest ${JSON.stringify(ref)} is being written by another writer`, { ref });
    this.active.add(ref);
    const initial = options.resume === true ? (this.partials.get(ref) ?? Buffer.alloc(0)) : Buffer.alloc(0);
    return new MemoryWriter(ref, this, options.expected ?? {}, initial);
  }

  async delete(digest: Digest): Promise<void> {
    if (!this.blobs.delete(digest)) throw notFound(digest);
  }

  async walk(fn: (info: ContentInfo) => void | Promise<void>): Promise<void> {
    for (const [digest, b] of [...this.blobs]) await fn({ digest: digest as Digest, size: b.data.length, updatedAt: b.updatedAt });
  }

  async listIngests(): Promise<IngestInfo[]> {
    return [...this.partials].map(([ref, data]) => ({ ref, id: ref, offset: data.length, startedAt: new Date(), active: this.active.has(ref) }));
  }

  async abortIngest(ref: string): Promise<void> {
    if (this.active.has(ref)) throw new StoreError('INGEST_LOCKED', `ingest ${JSON.stringify(ref)} is being written by another writer`, { ref });
    this.partials.delete(ref);
  }
}
