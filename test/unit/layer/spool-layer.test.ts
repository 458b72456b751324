import * as assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffTrees, spoolLayer, writeLayer, writeSpooledLayer } from '../../../src/layer';
import { Store } from '../../../src/store';
import { awkwardTreeAndStore } from '../../helpers/layer-awkward-tree';
import { makeTempDir } from '../../helpers/layer-tree';

/** Blob digests in the store's content (what a failed write must not add to). */
async function blobs(store: Store): Promise<string[]> {
  const out: string[] = [];
  await store.content.walk((i) => void out.push(i.digest));
  return out.sort();
}

describe('layer: spoolLayer + writeSpooledLayer (the builder packs now, compresses later)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  const src = (): string => path.join(tmp.dir, 'src');

  before(async () => {
    ({ tmp, store } = await awkwardTreeAndStore());
    // several 1 MiB gzip blocks, one of them incompressible
    const key = createHash('sha256').update('spool').digest();
    fs.writeFileSync(path.join(src(), 'big.bin'), Buffer.concat([createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(1 << 20)), Buffer.alloc(1536 * 1024, 'x')]));
  });
  after(() => tmp.cleanup());

  // memoryLimit: 0 (a file), 1.5 MiB (the first chunks in memory, then a file), all in memory
  for (const [memoryLimit, threads] of [[0, 1], [1536 * 1024, 2], [64 << 20, 1]] as const) {
    it(`writes the blob writeLayer writes, byte for byte (memoryLimit ${memoryLimit}, ${threads} thread(s) of blocks; sourceDateEpoch)`, async () => {
      const options = { sourceDateEpoch: 946684800 };
      const direct = await writeLayer(store.content, await diffTrees(undefined, src()), options);
      const file = path.join(tmp.dir, `spool-${memoryLimit}`);
      const spooled = await spoolLayer(await diffTrees(undefined, src()), { ...options, memoryLimit, spill: async () => file });
      assert.equal(spooled.diffId, direct.diffId);
      assert.equal(spooled.uncompressedSize, direct.uncompressedSize);
      if (memoryLimit < direct.uncompressedSize) assert.equal(fs.statSync(file).size, direct.uncompressedSize);
      else assert.equal(fs.existsSync(file), false, 'a tar that fits stays in memory');
      const later = await writeSpooledLayer(store.content, spooled, { ...options, threads });
      assert.deepEqual(later, direct);
    });
  }

  it('a spool that changed is refused: no blob, no partial write left', async () => {
    const file = path.join(tmp.dir, 'spool-changed');
    const spooled = await spoolLayer(await diffTrees(undefined, src()), { spill: async () => file });
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from('!'), 0, 1, 700);
    fs.closeSync(fd);
    const before = await blobs(store);
    await assert.rejects(writeSpooledLayer(store.content, spooled), (err: { code?: string }) => err.code === 'CONTENT_DIGEST_MISMATCH');
    fs.truncateSync(file, 1024);
    await assert.rejects(writeSpooledLayer(store.content, spooled), (err: { code?: string }) => err.code === 'CONTENT_SIZE_MISMATCH');
    assert.deepEqual(await blobs(store), before);
    assert.deepEqual(await store.content.listIngests(), []);
  });

  it('an aborted write leaves no blob and no partial write', async () => {
    const spooled = await spoolLayer(await diffTrees(undefined, src()), { spill: async () => path.join(tmp.dir, 'spool-abort') });
    const before = await blobs(store);
    const ac = new AbortController();
    const p = writeSpooledLayer(store.content, spooled, { signal: ac.signal, compression: 'none' });
    ac.abort();
    await assert.rejects(p);
    assert.deepEqual(await blobs(store), before);
    assert.deepEqual(await store.content.listIngests(), []);
  });
});
