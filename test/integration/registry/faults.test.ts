import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Digest } from '../../../src/oci/digest';
import { isHoistError } from '../../../src/errors';
import { pullImage, pushImage, type ProgressEvent, type RegistryClientOptions } from '../../../src/registry';
import { Store } from '../../../src/store/store';
import { buildTestImage, type TestImage } from '../../helpers/registry-image';
import { startFaultProxy, type FaultProxy } from '../../helpers/registry-proxy';
import { tempStores } from '../../helpers/temp-stores';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';

/** No ingest left, every blob hashes to its name, every tag's manifest is present. */
async function assertStoreConsistent(store: Store): Promise<void> {
  assert.deepEqual(await store.content.listIngests(), [], 'no ingest left behind');
  await store.content.walk(async (info) => {
    const hash = createHash('sha256').update(fs.readFileSync(store.content.blobPath(info.digest))).digest('hex');
    assert.equal(`sha256:${hash}`, info.digest, 'a blob under blobs/ is whole');
  });
  for (const m of (await store.index.read()).manifests) assert.ok(await store.content.has(m.digest), `tag target ${m.digest} present`);
}

/** An upload session's path, without the query (distribution's `_state` changes with every answer). */
function uploadPath(p: string): string {
  return p.split('?')[0]!;
}

const FAST: RegistryClientOptions = { retry: { baseMs: 20, maxMs: 200 } };

describe('registry: faults injected by a proxy in front of the real registry', function () {
  let reg: RegistryServer;
  let proxy: FaultProxy;
  let img: TestImage;
  let bigLayer: Digest;
  let srcStore: Store;
  const { newStore, removeAll } = tempStores('fault');

  before(async function () {
    requireRegistry(this);
    reg = await startRegistry();
    proxy = await startFaultProxy(reg.port);
    const src = await newStore();
    srcStore = src;
    img = await buildTestImage(src, { layers: [{ big: Buffer.alloc(3_000_000, 5) }, { small: 'x' }] }, `${proxy.host}/fault/app:1`);
    bigLayer = img.blobs[1]!.digest;
    await pushImage(src, `${proxy.host}/fault/app:1`);
  });
  afterEach(() => proxy?.setRule(undefined));
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    removeAll();
  });

  it('resumes a blob download with Range after the connection drops mid-blob', async () => {
    let dropped = false;
    proxy.setRule((r) => {
      if (!dropped && r.method === 'GET' && r.path.endsWith(`/blobs/${bigLayer}`)) {
        dropped = true;
        return { kind: 'drop-response', afterBytes: 1_000_000 };
      }
      return undefined;
    });
    proxy.log.length = 0;
    const store = await newStore();
    const events: ProgressEvent[] = [];
    const r = await pullImage(store, `${proxy.host}/fault/app:1`, { clientOptions: FAST, onProgress: (e) => events.push(e) });
    assert.equal(r.descriptor.digest, img.descriptor.digest);
    const ranged = proxy.log.find((e) => e.path.endsWith(bigLayer) && e.range !== undefined);
    assert.ok(ranged, 'a Range request followed the drop');
    assert.match(ranged.range!, /^bytes=[1-9]\d*-$/);
    assert.equal(ranged.status, 206);
    assert.ok(events.some((e) => e.type === 'retry'));
    await assertStoreConsistent(store);
  });

  it('resumes the partial download a killed pull left in the store (stable ingest ref, Range)', async () => {
    const store = await newStore();
    const partial = 1_500_000;
    const script = `
      const { Store } = require(${JSON.stringify(path.resolve(__dirname, '../../../src/store/store.js'))});
      const fs = require('fs');
      (async () => {
        const s = await Store.open(process.argv[1]);
        const w = await s.content.writer({ ref: 'pull-${bigLayer}', expected: { digest: '${bigLayer}', size: ${img.blobs[1]!.size} } });
        const fd = fs.openSync(process.argv[2], 'r');
        const buf = Buffer.alloc(${partial});
        fs.readSync(fd, buf, 0, buf.length, 0);
        w.write(buf);
        await new Promise((res) => w.end(res)); // the bytes on disk, not committed
        process.exit(0); // killed mid-pull: the ingest and its lock stay behind
      })();`;
    execFileSync(process.execPath, ['-e', script, store.root, srcStore.content.blobPath(bigLayer)]);
    const left = await store.content.listIngests();
    assert.equal(left.length, 1);
    assert.equal(left[0]!.active, false);
    assert.ok(left[0]!.offset >= 1_048_576, `partial data on disk (${left[0]!.offset})`);
    proxy.log.length = 0;
    const events: ProgressEvent[] = [];
    const r = await pullImage(store, `${proxy.host}/fault/app:1`, { onProgress: (e) => events.push(e) });
    assert.equal(r.descriptor.digest, img.descriptor.digest);
    const get = proxy.log.find((e) => e.path.endsWith(bigLayer));
    assert.equal(get?.range, `bytes=${left[0]!.offset}-`);
    assert.equal(get?.status, 206);
    assert.ok(events.some((e) => e.type === 'blob-start' && e.offset === left[0]!.offset));
    await assertStoreConsistent(store);
  });

  it('resumes a push on the same upload session after its connection drops (asks the session its Range)', async () => {
    const src = await newStore();
    const other = await buildTestImage(src, { layers: [{ f: Buffer.alloc(500_000, 8) }], label: 'drop-push' }, `${proxy.host}/fault/pushdrop:1`);
    let dropped = 0;
    proxy.setRule((r) => (r.method === 'PUT' && r.path.includes('/blobs/uploads/') && dropped++ === 0 ? { kind: 'drop-request', afterBytes: 100_000 } : undefined));
    proxy.log.length = 0;
    const res = await pushImage(src, `${proxy.host}/fault/pushdrop:1`, undefined, { clientOptions: FAST, maxConcurrent: 1 });
    assert.equal(res.descriptor.digest, other.descriptor.digest);
    assert.equal(dropped > 1, true);
    const i = proxy.log.findIndex((e) => e.action === 'drop-request');
    const dropPath = uploadPath(proxy.log[i]!.path);
    assert.equal(proxy.log[i + 1]?.method, 'GET', 'asked the session for its state after the drop');
    assert.equal(uploadPath(proxy.log[i + 1]!.path), dropPath);
    assert.equal(proxy.log[i + 1]?.status, 204);
    assert.equal(uploadPath(proxy.log[i + 2]!.path), dropPath, 'went on in the same session');
    const dst = await newStore();
    assert.equal((await pullImage(dst, `${reg.host}/fault/pushdrop:1`)).descriptor.digest, other.descriptor.digest);
  });

  for (const chunkSize of [undefined, 256 * 1024]) {
    it(`resumes on the same session when the first PATCH and the first PUT of every upload answer 503 (${chunkSize === undefined ? 'default flags' : 'chunked'})`, async () => {
      const src = await newStore();
      const name = `fault/resume503-${chunkSize ?? 'whole'}:1`;
      const other = await buildTestImage(src, { layers: [{ f: Buffer.alloc(700_000, 6) }, { g: 'small' }], label: `503-${chunkSize}` }, `${proxy.host}/${name}`);
      const seen = new Set<string>();
      proxy.setRule((r) => {
        if ((r.method !== 'PATCH' && r.method !== 'PUT') || !r.path.includes('/blobs/uploads/')) return undefined;
        // chunked: the first PATCH past the first chunk too, so the upload resumes from a non-zero offset
        const second = chunkSize !== undefined && r.headers['content-range'] === `${chunkSize}-${2 * chunkSize - 1}` ? ' second' : '';
        const key = `${r.method} ${uploadPath(r.path)}${second}`;
        if (seen.has(key)) return undefined;
        seen.add(key);
        return { kind: 'respond', status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}' };
      });
      proxy.log.length = 0;
      const res = await pushImage(src, `${proxy.host}/${name}`, undefined, chunkSize !== undefined ? { chunkSize } : {});
      assert.equal(res.descriptor.digest, other.descriptor.digest);
      assert.equal(res.blobsUploaded, 3);
      const posts = proxy.log.filter((e) => e.method === 'POST' && e.path.includes('/blobs/uploads/'));
      assert.equal(posts.length, 3, 'one session per blob: every upload resumed in its own session');
      assert.ok(proxy.log.some((e) => e.method === 'GET' && e.path.includes('/blobs/uploads/') && e.status === 204), 'asked the session its Range');
      assert.ok([...seen].some((k) => k.startsWith('PUT ')));
      if (chunkSize !== undefined) {
        assert.ok([...seen].some((k) => k.endsWith(' second')), 'a PATCH past the first chunk failed too');
        const i = proxy.log.findIndex((e) => e.method === 'PATCH' && e.status === 503 && e.action === 'respond' && proxy.log.some((f) => f.method === 'GET' && f.path.includes('/blobs/uploads/')));
        assert.ok(i >= 0);
        assert.ok(proxy.log.some((e) => e.method === 'PATCH' && e.status === 202 && e.path.includes('/blobs/uploads/')));
      }
      const dst = await newStore();
      const back = await pullImage(dst, `${reg.host}/${name}`);
      assert.equal(back.descriptor.digest, other.descriptor.digest);
      assert.deepEqual(back.manifest?.layers.map((l) => l.digest), other.manifest.layers.map((l) => l.digest));
      assert.equal(back.manifest?.config.digest, other.manifest.config.digest);
    });
  }

  it('opens a new session only when the registry says the old one is gone (404 BLOB_UPLOAD_UNKNOWN)', async () => {
    const src = await newStore();
    const other = await buildTestImage(src, { layers: [{ f: Buffer.alloc(300_000, 2) }], label: 'gone' }, `${proxy.host}/fault/gone:1`);
    const seen = new Set<string>();
    let gone = 0;
    proxy.setRule((r) => {
      if (!r.path.includes('/blobs/uploads/') || (r.method !== 'PUT' && r.method !== 'GET')) return undefined;
      const key = `${r.method} ${uploadPath(r.path)}`;
      if (seen.has(key)) return undefined;
      seen.add(key);
      if (r.method === 'PUT') return { kind: 'respond', status: 503 };
      // the first session asked about is gone (expired, purged); later ones are there
      return gone++ === 0 ? { kind: 'respond', status: 404, body: '{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"blob upload unknown to registry"}]}' } : undefined;
    });
    proxy.log.length = 0;
    const res = await pushImage(src, `${proxy.host}/fault/gone:1`, undefined, { clientOptions: FAST, maxConcurrent: 1 });
    assert.equal(res.descriptor.digest, other.descriptor.digest);
    const forLayer = proxy.log.filter((e) => e.path.includes('/blobs/'));
    // the first blob: HEAD, POST, PUT 503, GET 404, HEAD, POST (a new session), PUT 503, GET 204, PUT 201; the second in one session
    const posts = forLayer.filter((e) => e.method === 'POST').length;
    assert.equal(posts, 3, 'one new session, after the 404 only');
    const i404 = proxy.log.findIndex((e) => e.status === 404 && e.method === 'GET');
    assert.equal(proxy.log[i404 + 1]?.method, 'HEAD', 'checks the blob before opening a new session');
    const dst = await newStore();
    assert.equal((await pullImage(dst, `${reg.host}/fault/gone:1`)).descriptor.digest, other.descriptor.digest);
  });

  it('waits as Retry-After says on 429 and then succeeds', async () => {
    let n = 0;
    proxy.setRule((r) => (r.path.includes('/manifests/') && n++ < 1 ? { kind: 'respond', status: 429, headers: { 'retry-after': '1' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' } : undefined));
    const store = await newStore();
    const events: ProgressEvent[] = [];
    const t0 = Date.now();
    const r = await pullImage(store, `${proxy.host}/fault/app:1`, { clientOptions: FAST, onProgress: (e) => events.push(e) });
    assert.equal(r.descriptor.digest, img.descriptor.digest);
    assert.ok(Date.now() - t0 >= 950, 'honoured Retry-After: 1');
    const retry = events.find((e) => e.type === 'retry');
    assert.ok(retry && retry.type === 'retry' && retry.delayMs === 1000 && retry.reason === 'HTTP 429');
  });

  it('rides out 503 bursts on every blob, and fails clearly (bounded) when 503 persists', async () => {
    const seen = new Map<string, number>();
    proxy.setRule((r) => {
      if (!r.path.includes('/blobs/sha256:')) return undefined;
      const k = r.method + r.path;
      const c = (seen.get(k) ?? 0) + 1;
      seen.set(k, c);
      return c <= 2 ? { kind: 'respond', status: 503, body: '{"errors":[{"code":"UNAVAILABLE","message":"busy"}]}' } : undefined;
    });
    const store = await newStore();
    const r = await pullImage(store, `${proxy.host}/fault/app:1`, { clientOptions: FAST });
    assert.equal(r.descriptor.digest, img.descriptor.digest);

    proxy.setRule((req) => (req.path.includes('/blobs/sha256:') ? { kind: 'respond', status: 503 } : undefined));
    const broken = await newStore();
    proxy.log.length = 0;
    await assert.rejects(pullImage(broken, `${proxy.host}/fault/app:1`, { clientOptions: { retry: { baseMs: 5, maxMs: 20, maxAttempts: 3 } } }), (err: unknown) => {
      assert.ok(isHoistError(err, 'REGISTRY_UNAVAILABLE'), String(err));
      assert.equal((err as { kind: string }).kind, 'unavailable');
      return true;
    });
    const blobGets = proxy.log.filter((e) => e.path.includes('/blobs/sha256:')).length;
    assert.ok(blobGets <= 3 * 3, `bounded (${blobGets} blob requests)`);
    assert.equal((await broken.index.read()).manifests.length, 0, 'nothing tagged');
    await assertStoreConsistent(broken);
  });

  it('discards a blob whose bytes do not match its digest and names both digests', async () => {
    proxy.setRule((r) => (r.method === 'GET' && r.path.endsWith(`/blobs/${bigLayer}`) ? { kind: 'corrupt' } : undefined));
    const store = await newStore();
    const err = await pullImage(store, `${proxy.host}/fault/app:1`, { clientOptions: FAST }).then(
      () => assert.fail('pull succeeded'),
      (e: unknown) => e,
    );
    assert.ok(isHoistError(err, 'REGISTRY_DIGEST_MISMATCH'), String(err));
    assert.ok((err as Error).message.includes(bigLayer), 'expected digest in the message');
    assert.match((err as Error).message, /found sha256:[0-9a-f]{64}/);
    assert.equal(await store.content.has(img.blobs[1]!.digest), false);
    assert.equal((await store.index.read()).manifests.length, 0);
    await assertStoreConsistent(store);
  });

  it('recovers from 416 on a chunk by asking the upload its Range', async () => {
    const src = await newStore();
    const other = await buildTestImage(src, { layers: [{ f: Buffer.alloc(900_000, 4) }], label: '416' }, `${proxy.host}/fault/chunk416:1`);
    let patches = 0;
    proxy.setRule((r) => (r.method === 'PATCH' && ++patches === 2 ? { kind: 'respond', status: 416, body: '{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"range"}]}' } : undefined));
    proxy.log.length = 0;
    const res = await pushImage(src, `${proxy.host}/fault/chunk416:1`, undefined, { clientOptions: FAST, chunkSize: 256 * 1024, maxConcurrent: 1 });
    assert.equal(res.descriptor.digest, other.descriptor.digest);
    const i416 = proxy.log.findIndex((e) => e.status === 416);
    assert.ok(i416 >= 0);
    assert.equal(proxy.log[i416 + 1]?.method, 'GET', 'asked the upload status after the 416');
    assert.equal(proxy.log[i416 + 1]?.status, 204);
    const dst = await newStore();
    assert.equal((await pullImage(dst, `${reg.host}/fault/chunk416:1`)).descriptor.digest, other.descriptor.digest);
  });
});
