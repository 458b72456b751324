import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { digestOf, Digester, type Digest } from '../../../src/oci';
import { LocalContentWriter } from '../../../src/store/local-content-writer';
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
async function setup(faults: number | Faults, stats?: { inFlight: number; maxInFlight: number }): Promise<{ root: string; calls: string[]; w: LocalContentWriter }> {
  const root = tmpDir();
  const dir = path.join(root, 'ingest');
  fs.mkdirSync(dir);
  const calls: string[] = [];
  const fh = faulty(await fsp.open(path.join(dir, 'data'), 'w'), typeof faults === 'number' ? { cap: faults } : faults, calls, stats);
  const w = new LocalContentWriter({
    ref: 'test',
    dir,
    blobPathOf: (d: Digest) => path.join(root, d.replace(':', '-')),
    fh,
    digester: new Digester(),
    expected: {},
    startedAt: new Date(),
    release: async () => undefined,
  });
  return { root, calls, w };
}

async function writeAll(w: LocalContentWriter, chunks: Buffer[]): Promise<void> {
  for (const c of chunks) if (!w.write(c)) await new Promise((r) => w.once('drain', r));
}

describe('store/local content writer', () => {
  it('gathers socket-sized chunks into one write and commits the exact bytes', async () => {
    const { root, calls, w } = await setup(Number.MAX_SAFE_INTEGER);
    const data = bytes(3 * 1024 * 1024 + 4321);
    const chunks: Buffer[] = [];
    for (let off = 0; off < data.length; off += 65536) chunks.push(data.subarray(off, off + 65536));
    await writeAll(w, chunks);
    const r = await w.commit();
    assert.equal(r.digest, digestOf(data));
    assert.ok(fs.readFileSync(path.join(root, r.digest.replace(':', '-'))).equals(data));
    // 4 chunks of 64 KiB make a 256 KiB flush: gathered, never copied into one buffer
    assert.ok(calls.includes('writev 4'), calls.join(', '));
    assert.ok(calls.length <= 14, `${calls.length} writes: ${calls.join(', ')}`);
  });

  it('finishes a short gathered write with plain writes of the rest, in order', async () => {
    const { root, calls, w } = await setup(100_000);
    const data = bytes(2 * 1024 * 1024 + 999);
    const chunks: Buffer[] = [];
    for (let off = 0, n = 1; off < data.length; off += n, n = (n * 7 + 13) % 90_000) chunks.push(data.subarray(off, off + n));
    await writeAll(w, chunks);
    const r = await w.commit();
    assert.equal(r.size, data.length);
    assert.equal(r.digest, digestOf(data));
    assert.ok(fs.readFileSync(path.join(root, r.digest.replace(':', '-'))).equals(data));
    assert.ok(calls.some((c) => c.startsWith('write ')), 'the short write was finished with plain writes');
  });

  it('joins many small chunks before writing (no gathered write of thousands of pieces)', async () => {
    const { root, calls, w } = await setup(Number.MAX_SAFE_INTEGER);
    const data = bytes(1024 * 1024 + 10);
    const chunks: Buffer[] = [];
    for (let off = 0; off < data.length; off += 512) chunks.push(data.subarray(off, off + 512));
    await writeAll(w, chunks);
    const r = await w.commit();
    assert.equal(r.digest, digestOf(data));
    assert.ok(fs.readFileSync(path.join(root, r.digest.replace(':', '-'))).equals(data));
    assert.ok(calls.every((c) => !c.startsWith('writev')), calls.join(', '));
  });

  it('writes one batch at a time while the next fills, so the file is always a prefix of what was written', async () => {
    const stats = { inFlight: 0, maxInFlight: 0 };
    const { root, w } = await setup({ cap: Number.MAX_SAFE_INTEGER, delayMs: (i) => (i % 3 === 0 ? 15 : 2) }, stats);
    const data = bytes(4 * 1024 * 1024 + 333);
    const dataFile = path.join(root, 'ingest', 'data');
    let accepted = 0;
    for (let off = 0; off < data.length; off += 65536) {
      const c = data.subarray(off, off + 65536);
      if (!w.write(c)) await new Promise((r) => w.once('drain', r));
      accepted += c.length;
      // what is on disk is a prefix of the blob, never ahead of what was accepted
      const onDisk = fs.readFileSync(dataFile);
      assert.ok(onDisk.length <= accepted);
      assert.ok(onDisk.equals(data.subarray(0, onDisk.length)), `the file is not a prefix at ${onDisk.length}`);
    }
    const r = await w.commit();
    assert.equal(r.digest, digestOf(data));
    assert.ok(fs.readFileSync(path.join(root, r.digest.replace(':', '-'))).equals(data));
    assert.equal(stats.maxInFlight, 1);
  });

  it('fails the writer with the first write error; commit rejects and no blob appears', async () => {
    const { root, w } = await setup({ cap: Number.MAX_SAFE_INTEGER, failAt: 2, delayMs: () => 2 });
    const data = bytes(3 * 1024 * 1024);
    const chunks: Buffer[] = [];
    for (let off = 0; off < data.length; off += 65536) chunks.push(data.subarray(off, off + 65536));
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
