import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { isHoistError } from '../../../src/errors';
import { Coalesce, createCompressStream, DecompressAuto, detectCompression, ParallelGzip } from '../../../src/stream';

async function collect(src: Readable, ...stages: NodeJS.ReadWriteStream[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = async (s: AsyncIterable<Buffer | string>): Promise<void> => {
    for await (const c of s) out.push(Buffer.from(c));
  };
  await (pipeline as (...args: unknown[]) => Promise<void>)(src, ...stages, sink);
  return Buffer.concat(out);
}

function sample(): Buffer {
  const text = Buffer.from('hoist layer engine '.repeat(200_000));
  return Buffer.concat([text, randomBytes(3 * 1024 * 1024 + 17), text]);
}

describe('stream compression', () => {
  const input = sample();

  it('ParallelGzip writes one gzip member that gunzip reads back', async () => {
    const gz = await collect(Readable.from([input.subarray(0, 1000), input.subarray(1000)]), new ParallelGzip({ level: 6 }));
    assert.ok(zlib.gunzipSync(gz).equals(input));
  });

  it('ParallelGzip output depends only on the input (not on chunking or timing)', async () => {
    const a = await collect(Readable.from([input]), new ParallelGzip());
    const pieces = [];
    for (let i = 0; i < input.length; i += 70_001) pieces.push(input.subarray(i, i + 70_001));
    const b = await collect(Readable.from(pieces), new ParallelGzip());
    assert.ok(a.equals(b));
  });

  it('ParallelGzip handles empty input', async () => {
    const gz = await collect(Readable.from([]), new ParallelGzip());
    assert.equal(zlib.gunzipSync(gz).length, 0);
  });

  for (const c of ['gzip', 'zstd', 'none'] as const) {
    it(`DecompressAuto detects ${c} by magic number and restores the bytes`, async () => {
      const compressed = await collect(Readable.from([input]), createCompressStream(c));
      assert.equal(detectCompression(compressed.subarray(0, 4)), c);
      const auto = new DecompressAuto();
      const back = await collect(Readable.from([compressed.subarray(0, 2), compressed.subarray(2)]), auto);
      assert.equal(auto.compression, c);
      assert.ok(back.equals(input));
    });
  }

  it('reports a corrupt gzip stream as COMPRESSION_CORRUPT', async () => {
    const gz = zlib.gzipSync(input);
    gz[Math.floor(gz.length / 2)] ^= 0xff;
    await assert.rejects(collect(Readable.from([gz]), new DecompressAuto()), (e: unknown) => isHoistError(e, 'COMPRESSION_CORRUPT'));
  });

  it('Coalesce emits chunks of the requested size', async () => {
    const chunks: number[] = [];
    const c = new Coalesce(1000);
    c.on('data', (d: Buffer) => chunks.push(d.length));
    await pipeline(Readable.from(Array.from({ length: 25 }, () => Buffer.alloc(100))), c);
    assert.deepEqual(chunks, [1000, 1000, 500]);
  });
});
