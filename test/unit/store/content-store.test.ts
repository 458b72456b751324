import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { digestOf, type Digest } from '../../../src/oci';
import { readCapped } from '../../../src/stream';
import { Store, writeBlob, writeBlobBytes } from '../../../src/store';
import { tmpDir } from '../../helpers/tmp';
import { bytes, chunked } from '../../helpers/data';


function ingestEntries(store: Store): string[] {
  return fs.readdirSync(store.paths.ingest);
}

describe('store/content store', () => {
  let store: Store;
  beforeEach(async () => {
    store = await Store.open(tmpDir());
  });

  it('creates an OCI image layout', () => {
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(store.root, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    assert.equal(JSON.parse(fs.readFileSync(path.join(store.root, 'index.json'), 'utf8')).schemaVersion, 2);
  });

  it('streams a blob in small chunks, verifies and commits it', async () => {
    const data = bytes(3 * 1024 * 1024 + 17);
    const res = await writeBlob(store.content, () => chunked(data, 7000), { expected: { digest: digestOf(data), size: data.length } });
    assert.equal(res.digest, digestOf(data));
    assert.equal(res.existed, false);
    assert.ok(fs.readFileSync(store.content.blobPath(res.digest)).equals(data));
    const back = await readCapped(await store.content.open({ digest: res.digest, size: data.length }), 1 << 30);
    assert.ok(back.equals(data));
    assert.deepEqual(ingestEntries(store), []);
    const again = await writeBlobBytes(store.content, data);
    assert.equal(again.existed, true);
  });

  it('refuses a wrong digest, naming both, and leaves nothing behind', async () => {
    const data = bytes(1000);
    const wrong = digestOf('something else');
    await assert.rejects(
      writeBlob(store.content, () => chunked(data, 100), { expected: { digest: wrong } }),
      (err: unknown) =>
        isHoistError(err, 'CONTENT_DIGEST_MISMATCH') && err.details.expected === wrong && err.details.found === digestOf(data) && err.message.includes(wrong),
    );
    assert.equal(await store.content.has(digestOf(data)), false);
    assert.equal(await store.content.has(wrong), false);
    assert.deepEqual(ingestEntries(store), []);
  });

  it('refuses a wrong size (too long fails early, too short at commit)', async () => {
    const data = bytes(5000);
    await assert.rejects(writeBlob(store.content, () => chunked(data, 100), { expected: { size: 4000 } }), (e: unknown) =>
      isHoistError(e, 'CONTENT_SIZE_MISMATCH'),
    );
    await assert.rejects(writeBlob(store.content, () => chunked(data, 100), { expected: { size: 6000 } }), (e: unknown) =>
      isHoistError(e, 'CONTENT_SIZE_MISMATCH'),
    );
    assert.deepEqual(ingestEntries(store), []);
    let n = 0;
    await store.content.walk(() => {
      n++;
    });
    assert.equal(n, 0);
  });

  it('detects a blob corrupted on disk while reading it', async () => {
    const data = bytes(100_000);
    const { digest } = await writeBlobBytes(store.content, data);
    const file = store.content.blobPath(digest);
    fs.chmodSync(file, 0o644);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([data[500]! ^ 0xff]), 0, 1, 500);
    fs.closeSync(fd);
    await assert.rejects(readCapped(await store.content.open({ digest, size: data.length }), 1 << 20), (e: unknown) =>
      isHoistError(e, 'CONTENT_DIGEST_MISMATCH'),
    );
    fs.truncateSync(file, 10);
    await assert.rejects(readCapped(await store.content.open({ digest, size: data.length }), 1 << 20), (e: unknown) =>
      isHoistError(e, 'CONTENT_SIZE_MISMATCH'),
    );
  });

  it('reports a missing blob as CONTENT_NOT_FOUND', async () => {
    const d = digestOf('absent') as Digest;
    await assert.rejects(store.content.open({ digest: d, size: 1 }), (e: unknown) => isHoistError(e, 'CONTENT_NOT_FOUND'));
    await assert.rejects(store.content.info(d), (e: unknown) => isHoistError(e, 'CONTENT_NOT_FOUND'));
  });

  it('excludes a second writer on the same ref and resumes a dead one', async () => {
    const data = bytes(200_000);
    const w1 = await store.content.writer({ ref: 'layer-x' });
    await assert.rejects(store.content.writer({ ref: 'layer-x' }), (e: unknown) => isHoistError(e, 'INGEST_LOCKED'));
    await new Promise<void>((resolve, reject) => w1.write(data.subarray(0, 50_000), (e) => (e ? reject(e) : resolve())));
    w1.end();
    await new Promise((r) => w1.once('finish', r));
    // simulate the writer dying: its lock names a dead pid
    const lock = `${store.paths.ingestDir('layer-x')}.lock`;
    fs.rmSync(lock);
    fs.symlinkSync(`999999999 1 ${require('node:os').hostname()}`, lock);
    const w2 = await store.content.writer({ ref: 'layer-x', resume: true, expected: { digest: digestOf(data), size: data.length } });
    assert.equal(w2.status().offset, 50_000);
    w2.end(data.subarray(50_000));
    const res = await w2.commit();
    assert.equal(res.digest, digestOf(data));
  });

  it('lists and cleans ingests left by dead writers', async () => {
    const w = await store.content.writer({ ref: 'abandoned' });
    w.end(bytes(10));
    await new Promise((r) => w.once('finish', r));
    fs.rmSync(`${store.paths.ingestDir('abandoned')}.lock`);
    fs.symlinkSync(`999999999 1 ${require('node:os').hostname()}`, `${store.paths.ingestDir('abandoned')}.lock`);
    const list = await store.content.listIngests();
    assert.equal(list.length, 1);
    assert.equal(list[0]!.ref, 'abandoned');
    assert.equal(list[0]!.active, false);
    assert.equal(await store.content.cleanStaleIngests(), 1);
    assert.deepEqual(await store.content.listIngests(), []);
  });
});
