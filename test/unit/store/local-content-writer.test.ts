import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { digestOf, Digester, type Digest } from '../../../src/oci';
import { LocalContentWriter } from '../../../src/store/local-content-writer';
import { Store } from '../../../src/store/store';
import type { CommitResult, ContentWriter } from '../../../src/store/types';
import { tmpDir } from '../../helpers/tmp';
import { bytes } from '../../helpers/data';

interface Faults {
  /** each write writes at most this many bytes */
  cap: number;
  /** a gathered write waits this long first (by its number), so writes can land out of order */
  delayMs?: (n: number) => number;
  /** the gathered write of this number fails with EIO */
  failAt?: number;
}

/** A real file handle with faults: short writes, delays, a failing write; counts writes in flight. */
function faulty(fh: fsp.FileHandle, f: Faults, calls: string[], stats = { inFlight: 0, maxInFlight: 0 }): fsp.FileHandle {
  const { cap } = f;
  let n = 0;
  return new Proxy(fh, {
    get(target, prop) {
      if (prop === 'writev') {
        return async (buffers: Buffer[], position: number) => {
          const i = n++;
          calls.push(`writev ${buffers.length}`);
          stats.inFlight++;
          stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
          try {
            await new Promise((r) => setTimeout(r, f.delayMs?.(i) ?? 0));
            if (i === f.failAt) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
            const joined = Buffer.concat(buffers);
            const { bytesWritten } = await target.write(joined, 0, Math.min(cap, joined.length), position);
            return { bytesWritten, buffers };
          } finally {
            stats.inFlight--;
          }
        };
      }
      if (prop === 'write') {
        return async (buf: Buffer, off: number, len: number, position: number) => {
          calls.push(`write ${len}`);
          return target.write(buf, off, Math.min(cap, len), position);
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A writer into a fresh ingest dir whose file handle has faults; blobs land in `root`. */
async function setup(
  faults: number | Faults,
  stats?: { inFlight: number; maxInFlight: number },
): Promise<{ root: string; calls: string[]; w: LocalContentWriter; blobFile: (d: Digest) => string }> {
  const root = tmpDir();
  const blobFile = (d: Digest): string => path.join(root, d.replace(':', '-'));
  const dir = path.join(root, 'ingest');
  fs.mkdirSync(dir);
  const calls: string[] = [];
  const fh = faulty(await fsp.open(path.join(dir, 'data'), 'w'), typeof faults === 'number' ? { cap: faults } : faults, calls, stats);
  const w = new LocalContentWriter({
    ref: 'test',
    dir,
    blobPathOf: blobFile,
    renew: async (d) => fs.existsSync(blobFile(d)),
    fh,
    digester: new Digester(),
    expected: {},
    startedAt: new Date(),
    release: async () => undefined,
  });
  return { root, calls, w, blobFile };
}

/** data cut into pieces of n bytes (the last one shorter) */
function slices(data: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += n) out.push(data.subarray(off, off + n));
  return out;
}

async function writeAll(w: Writable, chunks: Buffer[]): Promise<void> {
  for (const c of chunks) if (!w.write(c)) await new Promise((r) => w.once('drain', r));
}

/** Writes the chunks, commits, and checks that the blob (at `blobFile(digest)`) holds exactly `data`. */
async function writeAndCheck(w: ContentWriter, chunks: Buffer[], data: Buffer, blobFile: (digest: Digest) => string): Promise<CommitResult> {
  await writeAll(w, chunks);
  const r = await w.commit();
  assert.equal(r.digest, digestOf(data));
  assert.ok(fs.readFileSync(blobFile(r.digest)).equals(data));
  return r;
}

describe('store/local content writer', () => {
  it('gathers socket-sized chunks into one write and commits the exact bytes', async () => {
    const { calls, w, blobFile } = await setup(Number.MAX_SAFE_INTEGER);
    const data = bytes(3 * 1024 * 1024 + 4321);
    const chunks = slices(data, 65536);
    await writeAndCheck(w, chunks, data, blobFile);
    // 4 chunks of 64 KiB make a 256 KiB flush: gathered, never copied into one buffer
    assert.ok(calls.includes('writev 4'), calls.join(', '));
    assert.ok(calls.length <= 14, `${calls.length} writes: ${calls.join(', ')}`);
  });

  it('finishes a short gathered write with plain writes of the rest, in order', async () => {
    const { calls, w, blobFile } = await setup(100_000);
    const data = bytes(2 * 1024 * 1024 + 999);
    const chunks: Buffer[] = [];
    for (let off = 0, n = 1; off < data.length; off += n, n = (n * 7 + 13) % 90_000) chunks.push(data.subarray(off, off + n));
    const r = await writeAndCheck(w, chunks, data, blobFile);
    assert.equal(r.size, data.length);
    assert.ok(calls.some((c) => c.startsWith('write ')), 'the short write was finished with plain writes');
  });

  it('joins many small chunks before writing (no gathered write of thousands of pieces)', async () => {
    const { calls, w, blobFile } = await setup(Number.MAX_SAFE_INTEGER);
    const data = bytes(1024 * 1024 + 10);
    const chunks = slices(data, 512);
    await writeAndCheck(w, chunks, data, blobFile);
    assert.ok(calls.every((c) => !c.startsWith('writev')), calls.join(', '));
  });

  it('keeps several writes in flight, each landing at its own position whatever the order they finish in', async () => {
    const stats = { inFlight: 0, maxInFlight: 0 };
    // earlier writes take longer than later ones: they land out of order
    const { w, blobFile } = await setup({ cap: Number.MAX_SAFE_INTEGER, delayMs: (i) => (i % 4 === 0 ? 20 : 5 - (i % 4)) }, stats);
    const data = bytes(4 * 1024 * 1024 + 333);
    const chunks = slices(data, 65536);
    await writeAndCheck(w, chunks, data, blobFile);
    assert.ok(stats.maxInFlight > 1, `at most ${stats.maxInFlight} write in flight`);
    assert.ok(stats.maxInFlight <= 4, `${stats.maxInFlight} writes in flight (the bound is 4)`);
  });

  it('fails the writer with the first write error; commit rejects and no blob appears', async () => {
    const { root, w } = await setup({ cap: Number.MAX_SAFE_INTEGER, failAt: 2, delayMs: () => 2 });
    const data = bytes(3 * 1024 * 1024);
    const chunks = slices(data, 65536);
    const errors: Error[] = [];
    w.on('error', (e: Error) => errors.push(e));
    await assert.rejects(
      (async () => {
        for (const c of chunks) {
          if (w.destroyed) throw errors[0] ?? new Error('destroyed');
          if (!w.write(c)) await new Promise((resolve, reject) => { w.once('drain', resolve); w.once('error', reject); });
        }
        await w.commit();
      })(),
      (e: unknown) => (e as NodeJS.ErrnoException).code === 'EIO',
    );
    await w.abort();
    assert.deepEqual(fs.readdirSync(root).filter((n) => n.startsWith('sha256')), []);
  });
});

describe('store/resuming an ingest whose writes landed out of order', () => {
  const ref = 'pull-test';
  async function leftBehind(data: Buffer, mark: string | undefined): Promise<Store> {
    const store = await Store.open(tmpDir());
    // a writer that was killed: its data (maybe with a hole inside) and its landed mark
    const w = await store.content.writer({ ref, expected: { digest: digestOf(data), size: data.length } });
    await w.abort();
    const dir = store.paths.ingestDir(ref);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'ref'), ref);
    const hole = Buffer.from(data);
    hole.fill(0, 1_000_000, 1_300_000); // a write that never landed, below later ones that did
    fs.writeFileSync(path.join(dir, 'data'), hole);
    if (mark !== undefined) fs.writeFileSync(path.join(dir, 'landed'), mark);
    return store;
  }

  it('keeps only the bytes below the landed mark, and the resumed blob verifies', async () => {
    const data = bytes(3 * 1024 * 1024);
    const store = await leftBehind(data, '1000000');
    const [ingest] = await store.content.listIngests();
    assert.equal(ingest?.offset, 1_000_000);
    const w = await store.content.writer({ ref, resume: true, expected: { digest: digestOf(data), size: data.length } });
    assert.equal(w.status().offset, 1_000_000);
    await writeAndCheck(w, [data.subarray(1_000_000)], data, (d) => store.content.blobPath(d));
  });

  it('an unreadable mark keeps nothing; a missing one (an older writer, one write at a time) keeps the file', async () => {
    const data = bytes(2 * 1024 * 1024);
    const bad = await leftBehind(data, 'garbage');
    assert.equal((await bad.content.listIngests())[0]?.offset, 0);
    const w = await bad.content.writer({ ref, resume: true, expected: { digest: digestOf(data), size: data.length } });
    assert.equal(w.status().offset, 0);
    await w.abort();
    const legacy = await leftBehind(data, undefined);
    assert.equal((await legacy.content.listIngests())[0]?.offset, data.length);
  });

  it('a writer marks what has landed as it goes, and all of it when ended', async () => {
    const store = await Store.open(tmpDir());
    const data = bytes(20 * 1024 * 1024);
    const w = await store.content.writer({ ref, expected: { digest: digestOf(data), size: data.length } });
    const landed = path.join(store.paths.ingestDir(ref), 'landed');
    assert.equal(fs.readFileSync(landed, 'utf8'), '0');
    const chunks = slices(data, 65536);
    await writeAll(w, chunks.slice(0, 200)); // 12.5 MiB accepted
    await new Promise((r) => setTimeout(r, 100));
    const mid = Number(fs.readFileSync(landed, 'utf8'));
    assert.ok(mid >= 8 * 1024 * 1024 && mid <= 200 * 65536, `mark ${mid}`);
    await writeAll(w, chunks.slice(200));
    await new Promise<void>((r) => w.end(r));
    assert.equal(Number(fs.readFileSync(landed, 'utf8')), data.length);
    await w.commit();
    assert.equal(fs.existsSync(store.paths.ingestDir(ref)), false);
  });
});
