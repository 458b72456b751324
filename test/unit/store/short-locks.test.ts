import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { isHoistError } from '../../../src/errors';
import { digestOf, MediaType, type Descriptor, type Digest } from '../../../src/oci';
import { readBlobCapped, refNameOf, renewBlobs, setTag, Store, writeBlobBytes } from '../../../src/store';
import { lockOwnerLine } from '../../../src/store/file-lock';
import { tmpDir } from '../../helpers/tmp';

/** Holds `file` as a live process's lock (this one's: alive, never broken) until the returned release. */
function holdLock(file: string): () => void {
  fs.symlinkSync(lockOwnerLine().trim(), file);
  return () => fs.rmSync(file, { force: true });
}

/** Whether `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([p.then(() => true), sleep(ms).then(() => false)]);
}

// The no-op paths of a rebuild (docs/bench.md, "The no-op rebuild"): the store's short locks are
// taken in one synchronous turn when free, and a tag that does not move takes no lock at all.
describe('store/short locks and small reads', () => {
  let store: Store;
  let image: Descriptor;
  beforeEach(async () => {
    store = await Store.open(tmpDir());
    const m = await writeBlobBytes(store.content, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest })));
    image = { mediaType: MediaType.OciManifest, digest: m.digest, size: m.size };
    await setTag(store.index, 'docker.io/library/x:1', image);
  });

  it('keeps a tag that already names the image without the index lock; moving one waits for the lock', async () => {
    const release = holdLock(store.paths.indexLock);
    try {
      assert.equal(await settlesWithin(setTag(store.index, 'docker.io/library/x:1', image), 500), true);
      const other = await writeBlobBytes(store.content, Buffer.from('{"schemaVersion":2}'));
      const moving = setTag(store.index, 'docker.io/library/x:1', { ...image, digest: other.digest, size: other.size });
      assert.equal(await settlesWithin(moving, 150), false);
      release();
      await moving;
      const idx = await store.index.read();
      assert.equal(idx.manifests.find((d) => refNameOf(d) === 'docker.io/library/x:1')?.digest, other.digest);
    } finally {
      release();
    }
  });

  it('renews blobs at once when the gc lock is free, and after a prune that holds it is done', async () => {
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(store.content.blobPath(image.digest), old, old);
    const absent = digestOf('absent') as Digest;
    assert.deepEqual(await renewBlobs(store.paths, [image.digest, absent]), [absent]);
    assert.ok(fs.statSync(store.content.blobPath(image.digest)).mtimeMs > old.getTime() + 1000);
    assert.equal(fs.existsSync(store.paths.gcLock), false);

    fs.utimesSync(store.content.blobPath(image.digest), old, old);
    const release = holdLock(store.paths.gcLock);
    try {
      const renewing = renewBlobs(store.paths, [image.digest]);
      assert.equal(await settlesWithin(renewing, 150), false);
      assert.ok(fs.statSync(store.content.blobPath(image.digest)).mtimeMs < old.getTime() + 1000);
      release();
      assert.deepEqual(await renewing, []);
      assert.ok(fs.statSync(store.content.blobPath(image.digest)).mtimeMs > old.getTime() + 1000);
    } finally {
      release();
    }
  });

  it('reads a small blob whole and checks it as the stream does', async () => {
    const data = Buffer.from(JSON.stringify({ architecture: 'amd64', pad: 'x'.repeat(3000) }));
    const { digest } = await writeBlobBytes(store.content, data);
    assert.deepEqual(await readBlobCapped(store.content, { digest, size: data.length }), data);
    await assert.rejects(readBlobCapped(store.content, { digest, size: data.length }, 1000), (e: unknown) => isHoistError(e, 'STREAM_TOO_LARGE'));
    await assert.rejects(readBlobCapped(store.content, { digest, size: data.length + 1 }), (e: unknown) => isHoistError(e, 'CONTENT_SIZE_MISMATCH'));
    const file = store.content.blobPath(digest);
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, Buffer.concat([data.subarray(0, 10), Buffer.from('X'), data.subarray(11)]));
    await assert.rejects(readBlobCapped(store.content, { digest, size: data.length }), (e: unknown) => isHoistError(e, 'CONTENT_DIGEST_MISMATCH'));
    const absent = digestOf('absent') as Digest;
    await assert.rejects(readBlobCapped(store.content, { digest: absent, size: 6 }), (e: unknown) => isHoistError(e, 'CONTENT_NOT_FOUND'));
  });
});
