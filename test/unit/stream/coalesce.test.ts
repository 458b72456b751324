import * as assert from 'node:assert/strict';
import { Coalesce } from '../../../src/stream/coalesce';

async function collect(c: Coalesce, chunks: Buffer[]): Promise<Buffer[]> {
  const out: Buffer[] = [];
  c.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve, reject) => c.on('end', resolve).on('error', reject));
  for (const b of chunks) c.write(b);
  c.end();
  await done;
  return out;
}

// an unpack while pulling feeds gunzip through it: the socket's 16-64 KiB chunks each cost a
// threadpool round trip otherwise (docs/bench.md, "Cold build, 2026-12-05")
describe('stream/Coalesce', () => {
  it('gathers small chunks into buffers of the size, and flushes the rest at the end', async () => {
    const parts = Array.from({ length: 10 }, (_, i) => Buffer.alloc(300, i));
    const out = await collect(new Coalesce(1000), parts);
    assert.deepEqual(out.map((b) => b.length), [1200, 1200, 600]);
    assert.deepEqual(Buffer.concat(out), Buffer.concat(parts));
  });

  it('passes a chunk at least the size long through without a copy', async () => {
    const big = Buffer.alloc(2000, 7);
    const out = await collect(new Coalesce(1000), [big]);
    assert.equal(out.length, 1);
    assert.equal(out[0], big);
  });

  it('takes a highWaterMark, so a writer is held back only past it', () => {
    const c = new Coalesce(1 << 20, { highWaterMark: 1 << 20 });
    assert.equal(c.writableHighWaterMark, 1 << 20);
    assert.equal(c.write(Buffer.alloc(64 * 1024)), true);
    c.destroy();
  });
});
