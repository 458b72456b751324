import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { resolveImage } from '../../../src/image/resolve-image';
import { computeChainIds } from '../../../src/oci/chain-id';
import type { Digest } from '../../../src/oci/digest';
import { pullImage, pushImage } from '../../../src/registry';
import { CopySnapshotter, unpackImage, type Snapshotter, type SnapshotInfo } from '../../../src/snapshot';
import type { Store } from '../../../src/store/store';
import { describeTree } from '../../helpers/layer-tree';
import { buildTestImage } from '../../helpers/registry-image';
import { startFaultProxy, type FaultProxy } from '../../helpers/registry-proxy';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { tempStores } from '../../helpers/temp-stores';

// pullImage({ unpack }): layers unpacked into layers/<chainID>/ from the bytes as they download
describe('registry: pull with unpack while downloading', function () {
  this.timeout(60000);
  let reg: RegistryServer;
  let proxy: FaultProxy;
  let chainIds: string[];
  let bottom: string;
  const { newStore, removeAll } = tempStores('pull-unpack');
  const REF = 'unpack/app:1';
  const FAST = { retry: { baseMs: 20, maxMs: 200 } };

  before(async function () {
    requireRegistry(this);
    reg = await startRegistry();
    proxy = await startFaultProxy(reg.port);
    const src = await newStore();
    const big = randomBytes(3_000_000); // incompressible: the gzip blob stays ~3 MB, so a cut lands inside it
    const img = await buildTestImage(src, { layers: [{ 'etc/os': 'base\n', 'usr/lib/big': big, 'usr/bin/tool': { data: 'x', mode: 0o755 } }, { 'etc/os': 'top\n', 'app/a': 'a' }], gzip: true }, `${reg.host}/${REF}`);
    await pushImage(src, `${reg.host}/${REF}`);
    bottom = img.blobs[1]!.digest; // config, then the layers
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    removeAll();
  });
  afterEach(() => proxy?.setRule(undefined));

  async function snapshots(s: Snapshotter): Promise<SnapshotInfo[]> {
    const all: SnapshotInfo[] = [];
    await s.walk((i) => {
      all.push(i);
    });
    return all;
  }

  async function imageOf(store: Store): Promise<Parameters<typeof unpackImage>[2]> {
    const rec = await resolveImage(store, `${proxy.host}/${REF}`);
    chainIds = computeChainIds(rec.config.rootfs.diff_ids);
    return { manifest: rec.manifest, config: rec.config };
  }

  it('unpacks the bottom layer as it downloads; the same tree as an unpack after the pull', async () => {
    const store = await newStore();
    const snap = new CopySnapshotter(store.paths);
    const pulled = await pullImage(store, `${proxy.host}/${REF}`, { unpack: snap });
    assert.equal(pulled.blobsFetched, 3);
    const image = await imageOf(store);
    // the bottom layer is committed by the pull; the top one's parent was not unpacked when it started
    assert.deepEqual((await snapshots(snap)).map((s) => `${s.key}:${s.kind}`), [`${chainIds[0]}:committed`]);
    const res = await unpackImage(store, snap, image);
    assert.deepEqual([res.unpacked, res.skipped], [1, 1]);

    const plain = await newStore();
    const plainSnap = new CopySnapshotter(plain.paths);
    await pullImage(plain, `${proxy.host}/${REF}`);
    await unpackImage(plain, plainSnap, await imageOf(plain));
    for (const id of chainIds) {
      const dir = (s: Store): string => path.join(s.paths.layer(id as Digest), 'fs');
      // mtimes left out: the test layers have no entries for their parent dirs, made with the time of the apply
      assert.deepEqual(await describeTree(dir(store), { mtimes: false }), await describeTree(dir(plain), { mtimes: false }), `layer ${id}`);
    }
  });

  it('a download cut midway resumes with Range and the unpack goes on with the same bytes; nothing left half done', async () => {
    let cut = 0;
    proxy.setRule((r) => (r.method === 'GET' && r.path.endsWith(`/blobs/${bottom}`) && cut++ === 0 ? { kind: 'drop-response', afterBytes: 200_000 } : undefined));
    const store = await newStore();
    const snap = new CopySnapshotter(store.paths);
    await pullImage(store, `${proxy.host}/${REF}`, { unpack: snap, clientOptions: FAST, maxConcurrent: 1 });
    assert.ok(proxy.log.some((e) => e.range !== undefined), 'the pull resumed with Range');
    // committed only because the blob's digest and the layer's diffID both checked out
    assert.deepEqual((await snapshots(snap)).map((x) => `${x.key}:${x.kind}`), [`${(await imageOf(store), chainIds[0])}:committed`], 'no active snapshot left');
    const res = await unpackImage(store, snap, await imageOf(store));
    assert.deepEqual([res.unpacked, res.skipped], [1, 1]);
  });

  it('a corrupt blob fails the pull as before and commits no snapshot', async () => {
    proxy.setRule((r) => (r.method === 'GET' && r.path.includes('/blobs/') ? { kind: 'corrupt' } : undefined));
    const store = await newStore();
    const snap = new CopySnapshotter(store.paths);
    await assert.rejects(pullImage(store, `${proxy.host}/${REF}`, { unpack: snap, clientOptions: FAST }), (e: unknown) => isHoistError(e, 'REGISTRY_DIGEST_MISMATCH'));
    assert.deepEqual(await snapshots(snap), []);
  });
});
