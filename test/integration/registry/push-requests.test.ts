import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { isHoistError } from '../../../src/errors';
import { pullImage, pushImage, RegistryClient, type ProgressEvent } from '../../../src/registry';
import { buildTestImage, type TestImage } from '../../helpers/registry-image';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from '../../helpers/registry-proxy';
import { tempStores } from '../../helpers/temp-stores';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import type { Store } from '../../../src/store/store';

/** The requests of one push as `METHOD kind status`: kind is mount, upload-start, upload, blob, manifest or the path. */
function steps(log: ProxyLogEntry[]): string[] {
  return log.map((e) => {
    const kind = e.path.includes('mount=')
      ? 'mount'
      : e.path.endsWith('/blobs/uploads/')
        ? 'upload-start'
        : e.path.includes('/blobs/uploads/')
          ? 'upload'
          : e.path.includes('/blobs/')
            ? 'blob'
            : e.path.includes('/manifests/')
              ? 'manifest'
              : e.path;
    return `${e.method} ${kind} ${e.status}`;
  });
}

describe('registry: the requests of a push (through a recording proxy in front of the real registry)', function () {
  let reg: RegistryServer;
  let proxy: FaultProxy;
  let store: Store;
  let img: TestImage;
  const { newStore, removeAll } = tempStores('pushreq');

  before(async function () {
    requireRegistry(this);
    reg = await startRegistry();
    proxy = await startFaultProxy(reg.port, { keepAliveMs: 10_000 });
    store = await newStore();
    // the store's tag names team/base of this registry: a later push elsewhere mounts from it
    // six blobs: more than the default maxConcurrent (4), which bounds uploads, not mounts
    img = await buildTestImage(store, { layers: [{ a: Buffer.alloc(100_000, 1) }, { b: 'two' }, { c: '3' }, { d: '4' }, { e: '5' }], label: 'reqs' }, `${proxy.host}/team/base:1`);
    await pushImage(store, `${proxy.host}/team/base:1`);
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    removeAll();
  });

  it('finds a loopback registry that speaks plain HTTP by one GET /v2/, without trying TLS first', async () => {
    const tried = proxy.notHttp();
    proxy.log.length = 0;
    const client = await RegistryClient.create(proxy.host);
    try {
      assert.equal(client.baseUrl.protocol, 'http:');
      assert.equal(proxy.notHttp() - tried, 0, 'no TLS handshake was tried');
      assert.deepEqual(steps(proxy.log), ['GET /v2/ 200']);
    } finally {
      await client.close();
    }
  });

  it('mounts every blob at once, with no HEAD before, then puts the manifest', async () => {
    // each mount answered 100 ms late: mounts sent one after another would each see the previous one answered
    proxy.setRule((req) => (req.path.includes('mount=') ? { kind: 'delay', ms: 100 } : undefined));
    proxy.log.length = 0;
    const events: ProgressEvent[] = [];
    const r = await pushImage(store, `${proxy.host}/team/base:1`, `${proxy.host}/team/app:1`, { onProgress: (e) => events.push(e) }).finally(() => proxy.setRule(undefined));
    assert.equal(r.blobsMounted, 6);
    // one event per blob (one line of output: "Mounted from team/base")
    const blobEvents = events.filter((e) => e.type.startsWith('blob-'));
    assert.equal(blobEvents.length, 6, JSON.stringify(blobEvents.map((e) => e.type)));
    assert.ok(blobEvents.every((e) => e.type === 'blob-done' && e.mountedFrom === 'team/base'));
    // GET /v2/: the scheme probe of a loopback registry (its connection is the first mount's)
    assert.deepEqual(steps(proxy.log), ['GET /v2/ 200', ...Array<string>(6).fill('POST mount 201'), 'PUT manifest 201']);
    const mounts = proxy.log.slice(1, 7);
    const put = proxy.log[7]!;
    assert.ok(
      mounts.every((m) => m.doneBefore === mounts[0]!.doneBefore),
      `every mount was sent before the first was answered: ${mounts.map((m) => m.doneBefore).join(' ')}`,
    );
    assert.equal(put.inFlight, 0, 'the manifest goes after every mount was answered');
    assert.equal(put.doneBefore, mounts[0]!.doneBefore + 6);
  });

  it('uploads in the session a refused mount (202) opened, after a HEAD finds the blob absent', async () => {
    const src = await newStore();
    await buildTestImage(src, { layers: [{ c: 'not in team/base' }], label: 'refused' }, `${proxy.host}/team/other:1`);
    proxy.log.length = 0;
    const up = await pushImage(src, `${proxy.host}/team/other:1`, `${proxy.host}/team/refused:1`, { mountFrom: ['team/nothing'], maxConcurrent: 1 });
    assert.equal(up.blobsUploaded, 2);
    // both mounts at once, refused (team/other was never pushed): each opened a session; then per blob
    // HEAD: not there; the whole blob into that session (no second POST)
    assert.deepEqual(steps(proxy.log).slice(1), ['POST mount 202', 'POST mount 202', 'HEAD blob 404', 'PUT upload 201', 'HEAD blob 404', 'PUT upload 201', 'PUT manifest 201']);
    const back = await pullImage(await newStore(), `${reg.host}/team/refused:1`);
    assert.equal(back.descriptor.digest, up.descriptor.digest);
  });

  it('drops the session of a refused mount when the repository has the blob already: nothing uploaded', async () => {
    proxy.log.length = 0;
    // team/base holds every blob; it is no mount source for itself: only the refusing source is tried
    const r = await pushImage(store, `${proxy.host}/team/base:1`, undefined, { mountFrom: ['team/nothing'], maxConcurrent: 1 });
    assert.equal(r.blobsSkipped, 6);
    assert.equal(r.blobsUploaded, 0);
    const s = steps(proxy.log).slice(1);
    assert.deepEqual(s.slice(0, 8), [...Array<string>(6).fill('POST mount 202'), 'HEAD blob 200', 'DELETE upload 204']);
    assert.ok(!s.some((x) => x.startsWith('PUT upload') || x.startsWith('PATCH')), s.join(', '));
  });

  it('fails the upload of a blob damaged in the store with its digest error, and the registry never holds it', async () => {
    const src = await newStore();
    const bad = await buildTestImage(src, { layers: [{ big: Buffer.alloc(300_000, 5) }], label: 'damaged' }, `${proxy.host}/team/damaged:1`);
    const layer = bad.blobs[1]!;
    const file = src.content.blobPath(layer.digest);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10]! ^= 0xff;
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, bytes);
    await assert.rejects(pushImage(src, `${proxy.host}/team/damaged:1`, undefined, { clientOptions: { retry: { baseMs: 5, maxMs: 20 } } }), (err: unknown) => {
      assert.ok(isHoistError(err, 'CONTENT_DIGEST_MISMATCH'), String(err));
      return true;
    });
    const client = await RegistryClient.create(reg.host);
    try {
      assert.equal(await client.hasBlob('team/damaged', layer), false);
      assert.equal(await client.hasManifest('team/damaged', '1'), false);
    } finally {
      await client.close();
    }
  });

  // back-to-back requests may use two connections (a connection goes back to the pool after its
  // response); closed after every HEAD (undici's default), each of them needed its own
  it('keeps connections alive across HEAD requests (two connections for the probe and five requests in a row)', async () => {
    const before = proxy.connections();
    const client = await RegistryClient.create(proxy.host);
    try {
      for (const b of img.blobs) assert.equal(await client.hasBlob('team/base', b), true);
      assert.equal(await client.hasManifest('team/base', '1'), true);
      await client.getManifest('team/base', '1');
      assert.ok(proxy.connections() - before <= 2, `${proxy.connections() - before} connections`);
    } finally {
      await client.close();
    }
  });
});
