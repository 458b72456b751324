import * as assert from 'node:assert/strict';
import { digestOf } from '../../../src/oci/digest';
import { MediaType } from '../../../src/oci/media-types';
import { parseManifest } from '../../../src/oci/parse-documents';
import { pullImage, pushImage, RegistryClient, type ProgressEvent } from '../../../src/registry';
import { buildTestImage, buildTestIndex, taggedDescriptor } from '../../helpers/registry-image';
import { startFaultProxy, type FaultProxy } from '../../helpers/registry-proxy';
import { tempStores } from '../../helpers/temp-stores';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';

describe('registry: open docker-registry on loopback', function () {
  let reg: RegistryServer;
  let proxy: FaultProxy;
  const { newStore, removeAll } = tempStores('store');

  before(async function () {
    requireRegistry(this);
    reg = await startRegistry();
    proxy = await startFaultProxy(reg.port);
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    removeAll();
  });

  it('pushes an image and pulls it into another store by tag and by digest, digests identical', async () => {
    const src = await newStore();
    const img = await buildTestImage(src, { layers: [{ 'etc/hello': 'hello\n' }, { 'usr/bin/tool': Buffer.alloc(300_000, 7) }] }, `${reg.host}/app/one:v1`);
    const events: ProgressEvent[] = [];
    const pushed = await pushImage(src, `${reg.host}/app/one:v1`, undefined, { onProgress: (e) => events.push(e) });
    assert.equal(pushed.descriptor.digest, img.descriptor.digest);
    assert.equal(pushed.blobsUploaded, 3);
    assert.ok(events.some((e) => e.type === 'blob-done' && e.action === 'push'));

    const dst = await newStore();
    const pulled = await pullImage(dst, `${reg.host}/app/one:v1`);
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
    assert.equal(pulled.blobsFetched, 3);
    for (const b of img.blobs) assert.ok(await dst.content.has(b.digest), `missing ${b.digest}`);
    const tagged = await taggedDescriptor(dst, `${reg.host}/app/one:v1`);
    assert.equal(tagged?.digest, img.descriptor.digest);

    const byDigest = await pullImage(dst, `${reg.host}/app/one@${img.descriptor.digest}`);
    assert.equal(byDigest.descriptor.digest, img.descriptor.digest);
    assert.equal(byDigest.blobsFetched, 0, 'everything was in the store already');
    assert.equal(byDigest.blobsSkipped, 3);
  });

  it('skips blobs the registry has (HEAD) on a second push', async () => {
    const src = await newStore();
    await buildTestImage(src, { layers: [{ a: 'same' }], label: 'skip' }, `${reg.host}/app/skip:1`);
    await pushImage(src, `${reg.host}/app/skip:1`);
    const again = await pushImage(src, `${reg.host}/app/skip:1`);
    assert.equal(again.blobsUploaded, 0);
    assert.equal(again.blobsSkipped, 2);
  });

  it('pushes a multi-platform index and pulls the requested platform (arm64 and arm/v7)', async () => {
    const src = await newStore();
    const amd = await buildTestImage(src, { layers: [{ arch: 'amd64' }], platform: { os: 'linux', architecture: 'amd64' } });
    const arm64 = await buildTestImage(src, { layers: [{ arch: 'arm64' }], platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    const armv7 = await buildTestImage(src, { layers: [{ arch: 'armv7' }], platform: { os: 'linux', architecture: 'arm', variant: 'v7' } });
    const idx = await buildTestIndex(src, [amd, arm64, armv7], `${reg.host}/app/multi:latest`);
    const pushed = await pushImage(src, `${reg.host}/app/multi:latest`);
    assert.equal(pushed.descriptor.digest, idx.descriptor.digest);

    const dst = await newStore();
    const a = await pullImage(dst, `${reg.host}/app/multi`, { platform: 'linux/arm64' });
    assert.equal(a.descriptor.digest, arm64.descriptor.digest);
    assert.equal(a.index?.digest, idx.descriptor.digest);
    assert.ok(await dst.content.has(idx.descriptor.digest), 'the index is kept');
    assert.ok(!(await dst.content.has(amd.blobs[1]!.digest)), 'other platforms are not fetched');
    const v7 = await pullImage(dst, `${reg.host}/app/multi`, { platform: 'linux/arm/v7', tag: false });
    assert.equal(v7.descriptor.digest, armv7.descriptor.digest);
    await assert.rejects(pullImage(dst, `${reg.host}/app/multi`, { platform: 'linux/s390x' }), { code: 'PLATFORM_NOT_FOUND' });
  });

  it('mounts blobs across repositories of the same registry (seen in the request sequence and the registry log)', async () => {
    const src = await newStore();
    const img = await buildTestImage(src, { layers: [{ big: Buffer.alloc(200_000, 1) }], label: 'mount' }, `${proxy.host}/team/base:1`);
    await pushImage(src, `${proxy.host}/team/base:1`);
    proxy.log.length = 0;
    const events: ProgressEvent[] = [];
    const r = await pushImage(src, `${proxy.host}/team/base:1`, `${proxy.host}/team/derived:1`, { onProgress: (e) => events.push(e) });
    assert.equal(r.blobsMounted, 2);
    assert.equal(r.blobsUploaded, 0);
    const mounts = proxy.log.filter((e) => e.method === 'POST' && e.path.includes('mount=') && e.status === 201);
    assert.equal(mounts.length, 2);
    assert.ok(!proxy.log.some((e) => e.method === 'PUT' && e.path.includes('/blobs/uploads/')), 'no blob was uploaded');
    assert.ok(events.some((e) => e.type === 'blob-done' && e.mountedFrom === 'team/base'));
    assert.match(reg.log(), new RegExp(`mount=${img.blobs[1]!.digest.replace(':', '(:|%3A)')}.* 201 `));
  });

  it('falls back to an upload when a mount source does not have the blob', async () => {
    const src = await newStore();
    await buildTestImage(src, { layers: [{ f: 'fallback' }], label: 'fallback' }, `${reg.host}/app/fb:1`);
    const r = await pushImage(src, `${reg.host}/app/fb:1`, `${reg.host}/app/fb2:1`, { mountFrom: ['app/nothing-here'] });
    assert.equal(r.blobsUploaded, 2);
    assert.equal(r.blobsMounted, 0);
  });

  it('uploads in chunks with PATCH (Content-Range, Location of each response) when asked', async () => {
    const src = await newStore();
    const img = await buildTestImage(src, { layers: [{ blob: Buffer.alloc(1_000_000, 3) }], label: 'chunked' }, `${proxy.host}/app/chunked:1`);
    proxy.log.length = 0;
    await pushImage(src, `${proxy.host}/app/chunked:1`, undefined, { chunkSize: 256 * 1024 });
    const patches = proxy.log.filter((e) => e.method === 'PATCH');
    assert.ok(patches.length >= 4, `expected >= 4 PATCH requests, saw ${patches.length}`);
    const dst = await newStore();
    const pulled = await pullImage(dst, `${reg.host}/app/chunked:1`);
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
  });

  it('resolves with HEAD and gets manifests of the four media types it accepts', async () => {
    const client = await RegistryClient.create(reg.host);
    try {
      const src = await newStore();
      const img = await buildTestImage(src, { layers: [{ x: 'head' }], label: 'head' }, `${reg.host}/app/head:1`);
      await pushImage(src, `${reg.host}/app/head:1`, undefined, { client });
      const d = await client.resolve('app/head', '1');
      assert.equal(d.digest, img.descriptor.digest);
      assert.equal(d.mediaType, MediaType.OciManifest);
      const m = await client.getManifest('app/head', d.digest);
      assert.equal(digestOf(m.raw), d.digest);
      assert.equal(parseManifest(m.raw).layers.length, 1);
      await assert.rejects(client.resolve('app/head', 'nope'), { code: 'REGISTRY_MANIFEST_UNKNOWN' });
      assert.equal(await client.hasBlob('app/head', img.blobs[1]!), true);
      assert.equal(await client.hasBlob('app/head', { digest: digestOf('absent'), size: 6 }), false);
    } finally {
      await client.close();
    }
  });
});
