import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { Annotation, digestOf, MediaType, type Descriptor } from '../../../src/oci';
import { acquireLock, addUntagged, prune, refNameOf, removeTag, setTag, Store, writeBlobBytes } from '../../../src/store';
import { tmpDir } from '../../helpers/tmp';

async function putImage(store: Store, seed: string): Promise<Descriptor> {
  const layer = await writeBlobBytes(store.content, Buffer.from(`layer ${seed}`));
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
  );
  const c = await writeBlobBytes(store.content, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: c.digest, size: c.size },
      layers: [{ mediaType: MediaType.OciLayer, digest: layer.digest, size: layer.size }],
    }),
  );
  const m = await writeBlobBytes(store.content, manifest);
  return { mediaType: MediaType.OciManifest, digest: m.digest, size: m.size };
}

describe('store/tags and prune', () => {
  let store: Store;
  beforeEach(async () => {
    store = await Store.open(tmpDir());
  });

  it('tags with the full reference name; a moved tag leaves the old image dangling', async () => {
    const a = await putImage(store, 'a');
    const b = await putImage(store, 'b');
    await setTag(store.index, 'docker.io/library/x:1', a);
    await setTag(store.index, 'docker.io/library/x:2', a);
    let idx = await store.index.read();
    assert.deepEqual(idx.manifests.map(refNameOf).sort(), ['docker.io/library/x:1', 'docker.io/library/x:2']);
    await setTag(store.index, 'docker.io/library/x:1', b);
    await setTag(store.index, 'docker.io/library/x:2', b);
    idx = await store.index.read();
    const dangling = idx.manifests.filter((m) => refNameOf(m) === undefined);
    assert.equal(dangling.length, 1);
    assert.equal(dangling[0]!.digest, a.digest);
    assert.equal(idx.manifests.filter((m) => m.digest === b.digest).length, 2);
    // re-tagging the dangling image replaces its untagged entry
    await setTag(store.index, 'docker.io/library/y:1', a);
    idx = await store.index.read();
    assert.equal(idx.manifests.filter((m) => refNameOf(m) === undefined).length, 0);
    assert.equal(idx.manifests.find((m) => refNameOf(m) === 'docker.io/library/y:1')!.annotations![Annotation.RefName], 'docker.io/library/y:1');
  });

  it('untags and reports when the image is gone', async () => {
    const a = await putImage(store, 'a');
    await setTag(store.index, 'docker.io/library/x:1', a);
    await setTag(store.index, 'docker.io/library/x:2', a);
    assert.deepEqual(await removeTag(store.index, 'docker.io/library/x:1'), { removed: true, deleted: false, digest: a.digest });
    assert.deepEqual(await removeTag(store.index, 'docker.io/library/x:2'), { removed: true, deleted: true, digest: a.digest });
    assert.deepEqual(await removeTag(store.index, 'docker.io/library/x:2'), { removed: false, deleted: false });
  });

  it('prune removes untagged images and unreachable blobs, keeps what tags and cache records reach', async () => {
    const kept = await putImage(store, 'kept');
    const dropped = await putImage(store, 'dropped');
    const cached = await putImage(store, 'cached');
    const stray = await writeBlobBytes(store.content, Buffer.from('stray'));
    await setTag(store.index, 'docker.io/library/kept:1', kept);
    await addUntagged(store.index, dropped);
    fs.writeFileSync(path.join(store.paths.cache, 'rec1.json'), JSON.stringify({ key: 'k', result: cached }));
    // unpacked layer dirs: one reached (the kept image's only layer: chainID = diffID), one not
    const keptLayerDigest = digestOf('layer kept');
    fs.mkdirSync(store.paths.layer(keptLayerDigest), { recursive: true });
    const orphanChain = digestOf('orphan chain');
    fs.mkdirSync(store.paths.layer(orphanChain), { recursive: true });
    fs.utimesSync(store.paths.layer(orphanChain), new Date(0), new Date(0));
    // the layer engine's own dirs: active snapshots are never pruned, old temp dirs are
    fs.mkdirSync(path.join(store.paths.layers, '.snapshots', 'abc', 'fs'), { recursive: true });
    fs.utimesSync(path.join(store.paths.layers, '.snapshots'), new Date(0), new Date(0));
    fs.mkdirSync(path.join(store.paths.layers, '.tmp-old'));
    fs.utimesSync(path.join(store.paths.layers, '.tmp-old'), new Date(0), new Date(0));
    fs.mkdirSync(path.join(store.paths.layers, '.tmp-fresh'));
    const res = await prune(store);
    assert.ok(fs.existsSync(path.join(store.paths.layers, '.snapshots', 'abc', 'fs')));
    assert.ok(!fs.existsSync(path.join(store.paths.layers, '.tmp-old')));
    assert.ok(fs.existsSync(path.join(store.paths.layers, '.tmp-fresh')));
    assert.deepEqual(res.untaggedImages, [dropped.digest]);
    assert.ok(res.blobs.includes(stray.digest));
    assert.ok(res.blobs.includes(dropped.digest));
    assert.ok(!res.blobs.includes(kept.digest));
    assert.ok(await store.content.has(cached.digest), 'cache record keeps its image');
    assert.ok(await store.content.has(digestOf('layer cached')));
    assert.ok(!(await store.content.has(digestOf('layer dropped'))));
    assert.ok(fs.existsSync(store.paths.layer(keptLayerDigest)));
    assert.ok(!fs.existsSync(store.paths.layer(orphanChain)));
    const all = await prune(store, { all: true });
    assert.deepEqual(all.cacheRecords, ['rec1.json']);
    assert.ok(!(await store.content.has(cached.digest)));
    assert.ok(await store.content.has(kept.digest));
  });

  it('prune spares blobs written under a live lease', async () => {
    const lease = await store.lease();
    const fresh = await writeBlobBytes(store.content, Buffer.from('in flight'));
    const res = await prune(store);
    assert.ok(!res.blobs.includes(fresh.digest));
    await lease.release();
    const res2 = await prune(store);
    assert.ok(res2.blobs.includes(fresh.digest));
  });

  it('breaks a lock whose owner died, and times out on a live one', async () => {
    const file = path.join(store.paths.locks, 'test.lock');
    fs.writeFileSync(file, `999999999 1 ${require('node:os').hostname()}\n`);
    const release = await acquireLock(file, { timeoutMs: 1000 });
    await assert.rejects(acquireLock(file, { timeoutMs: 100 }), (e: unknown) => isHoistError(e, 'STORE_LOCK_TIMEOUT'));
    await release();
    (await acquireLock(file, { timeoutMs: 100 }))();
  });

  it('reports a corrupt index.json as STORE_CORRUPT', async () => {
    fs.writeFileSync(store.paths.index, '{"schemaVersion": 2, "manifests": [');
    await assert.rejects(store.index.read(), (e: unknown) => isHoistError(e, 'STORE_CORRUPT'));
  });
});
