import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { encodeHeader } from '../../src/layer';
import { useSandbox } from '../helpers/layer-sandbox';

const BOMB_BYTES = 256 * 1024 * 1024;

/** gzip of a tar holding one 256 MiB file of zeros (~250 KiB compressed), made by streaming. */
async function makeBomb(): Promise<Buffer> {
  async function* tar(): AsyncGenerator<Buffer> {
    yield encodeHeader({ name: 'zeros', type: 'file', mode: 0o644, uid: 0, gid: 0, size: BOMB_BYTES, mtime: 0 });
    const mib = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < BOMB_BYTES / mib.length; i++) yield mib;
    yield Buffer.alloc(1024);
  }
  const out: Buffer[] = [];
  await pipeline(Readable.from(tar()), zlib.createGzip({ level: 9, chunkSize: 1024 * 1024 }), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) out.push(c);
  });
  return Buffer.concat(out);
}

describe('security: gzip bomb', () => {
  const sandbox = useSandbox();
  let bomb: Buffer;
  before(async () => {
    bomb = await makeBomb();
  });
  it('stops at the size limit with LAYER_TOO_LARGE (ratio > 500:1)', async () => {
    assert.ok(bomb.length * 500 < BOMB_BYTES, `bomb is ${bomb.length} bytes`);
    const sb = sandbox();
    const started = Date.now();
    await sb.expectRefused(bomb, 'LAYER_TOO_LARGE', { maxSize: 8 * 1024 * 1024 });
    assert.ok(Date.now() - started < 10_000);
    const written = fs.statSync(`${sb.root}/zeros`).size;
    assert.ok(written <= 8 * 1024 * 1024, `wrote ${written} bytes past the limit`);
  });
});
