import { strict as assert } from 'node:assert';
import { isHoistError } from '../../src/errors';
import { digestOf, type Digest } from '../../src/oci';
import { readCapped } from '../../src/stream';
import { MemoryContentStore, Store, writeBlob, writeBlobBytes, type ContentStore } from '../../src/store';
import { tmpDir } from '../helpers/tmp';
import { bytes, chunked } from '../helpers/data';


async function count(store: ContentStore): Promise<number> {
  let n = 0;
  await store.walk(() => {
    n++;
  });
  return n;
}

/** The ContentStore contract (containerd's testsuite idea): every implementation passes it. */
function contentStoreSuite(name: string, make: () => Promise<ContentStore>): void {
  describe(`ContentStore conformance: ${name}`, () => {
    let store: ContentStore;
    beforeEach(async () => {
      store = await make();
    });

    it('writes in chunks, commits, reads back verified, reports already-exists', async () => {
      const data = bytes(2 * 1024 * 1024 + 3);
      const res = await writeBlob(store, () => chunked(data, 5000), { expected: { digest: digestOf(data), size: data.length } });
      assert.deepEqual(res, { digest: digestOf(data), size: data.length, existed: false });
      assert.ok((await readCapped(await store.open(res), 1 << 30)).equals(data));
      assert.equal((await store.info(res.digest)).size, data.length);
      assert.equal((await writeBlobBytes(store, data)).existed, true);
      assert.equal(await count(store), 1);
    });

    it('a digest or size mismatch commits nothing and names both values', async () => {
      const data = bytes(1000);
      const wrong = digestOf('other');
      await assert.rejects(
        writeBlob(store, () => chunked(data, 64), { expected: { digest: wrong } }),
        (e: unknown) => isHoistError(e, 'CONTENT_DIGEST_MISMATCH') && e.details.expected === wrong && e.details.found === digestOf(data),
      );
      await assert.rejects(writeBlob(store, () => chunked(data, 64), { expected: { size: 999 } }), (e: unknown) => isHoistError(e, 'CONTENT_SIZE_MISMATCH'));
      await assert.rejects(writeBlob(store, () => chunked(data, 64), { expected: { size: 1001 } }), (e: unknown) => isHoistError(e, 'CONTENT_SIZE_MISMATCH'));
      assert.equal(await count(store), 0);
    });

    it('verifies reads against the descriptor', async () => {
      const { digest } = await writeBlobBytes(store, bytes(100));
      await assert.rejects(readCapped(await store.open({ digest, size: 99 }), 1 << 20), (e: unknown) => isHoistError(e, 'CONTENT_SIZE_MISMATCH'));
    });

    it('missing blobs are CONTENT_NOT_FOUND everywhere', async () => {
      const d = digestOf('absent') as Digest;
      assert.equal(await store.has(d), false);
      await assert.rejects(store.info(d), (e: unknown) => isHoistError(e, 'CONTENT_NOT_FOUND'));
      await assert.rejects(store.open({ digest: d, size: 1 }), (e: unknown) => isHoistError(e, 'CONTENT_NOT_FOUND'));
      await assert.rejects(store.delete(d), (e: unknown) => isHoistError(e, 'CONTENT_NOT_FOUND'));
    });

    it('one writer per ref; abort frees it; delete removes a blob', async () => {
      const w = await store.writer({ ref: 'r1' });
      await assert.rejects(store.writer({ ref: 'r1' }), (e: unknown) => isHoistError(e, 'INGEST_LOCKED'));
      await w.abort();
      const w2 = await store.writer({ ref: 'r1' });
      w2.end(Buffer.from('x'));
      const res = await w2.commit();
      await store.delete(res.digest);
      assert.equal(await store.has(res.digest), false);
    });

    it('an aborted signal stops before any work', async () => {
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(store.writer({ signal: ac.signal }), (e: unknown) => isHoistError(e, 'ABORTED'));
    });
  });
}

contentStoreSuite('LocalContentStore', async () => (await Store.open(tmpDir())).content);
contentStoreSuite('MemoryContentStore', async () => new MemoryContentStore());
