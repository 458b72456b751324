import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { digestOf, Digester, type Digest } from '../../../src/oci';
import { LocalContentWriter } from '../../../src/store/local-content-writer';
import { tmpDir } from '../../helpers/tmp';
import { bytes } from '../../helpers/data';

/** A real file handle whose gathered and plain writes write at most `cap` bytes a call. */
function shortWriting(fh: fsp.FileHandle, cap: number, calls: string[]): fsp.FileHandle {
  return new Proxy(fh, {
    get(target, prop) {
      if (prop === 'writev') {
        return async (buffers: Buffer[], position: number) => {
          calls.push(`writev ${buffers.length}`);
          const joined = Buffer.concat(buffers);
          const { bytesWritten } = await target.write(joined, 0, Math.min(cap, joined.length), position);
          return { bytesWritten, buffers };
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

/** A writer into a fresh ingest dir whose writes are capped at `cap` bytes; blobs land in `root`. */
async function setup(cap: number): Promise<{ root: string; calls: string[]; w: LocalContentWriter }> {
  const root = tmpDir();
  const dir = path.join(root, 'ingest');
  fs.mkdirSync(dir);
  const calls: string[] = [];
  const fh = shortWriting(await fsp.open(path.join(dir, 'data'), 'w'), cap, calls);
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
    // 16 chunks of 64 KiB make a flush: gathered, never copied into one buffer
    assert.ok(calls.includes('writev 16'), calls.join(', '));
    assert.ok(calls.length <= 5, `${calls.length} writes: ${calls.join(', ')}`);
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
});
