import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { loadArchive } from '../../../src/image/archive/load-archive';
import { digestOf } from '../../../src/oci/digest';
import { MediaType } from '../../../src/oci/media-types';
import { pullImage, pushImage } from '../../../src/registry';
import { prune, removeTag, setTag, Store, writeBlobBytes } from '../../../src/store';
import { buildTestImage, taggedDescriptor } from '../../helpers/registry-image';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { tmpDir } from '../../helpers/tmp';
import { assertTagComplete } from './store-checks';

/** `prune({all: true})` in a loop in another process, until killed. */
function startPruneLoop(root: string): { child: ChildProcess; rounds(): number } {
  const storeModule = path.resolve(__dirname, '../../../src/store');
  const script = `
    const { Store, prune } = require(${JSON.stringify(storeModule)});
    (async () => {
      const store = await Store.open(${JSON.stringify(root)});
      for (;;) { await prune(store, { all: true }); process.stdout.write('.'); await new Promise((r) => setTimeout(r, 10)); }
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let n = 0;
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (n += d.length));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.on('exit', (code, signal) => {
    if (signal !== 'SIGKILL') throw new Error(`the prune loop ended (${code}): ${err}`);
  });
  return { child, rounds: () => n };
}

/** The builder's pattern: write blobs (one already in the store) and tag, all under one lease. */
async function buildStandIn(store: Store, shared: Buffer, name: string): Promise<void> {
  const lease = await store.lease(); // store.withLease(fn) in one call; spelled out here as a builder would hold it
  try {
    const own = randomBytes(64 * 1024);
    const layers = [];
    for (const blob of [shared, own]) {
      const r = await writeBlobBytes(store.content, blob);
      layers.push({ mediaType: MediaType.OciLayer, digest: r.digest, size: r.size });
    }
    const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } }));
    const c = await writeBlobBytes(store.content, config);
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: c.digest, size: c.size }, layers }),
    );
    const m = await writeBlobBytes(store.content, manifest);
    await setTag(store.index, name, { mediaType: MediaType.OciManifest, digest: m.digest, size: m.size });
  } finally {
    await lease.release();
  }
}

describe('store: prune racing pull, load, tag and build', function () {
  this.timeout(600_000);
  let reg: RegistryServer;

  before(async function () {
    requireRegistry(this);
    reg = await startRegistry();
  });
  after(async () => {
    await reg?.stop();
  });

  it('50 rounds against a prune loop: nothing a tag references is ever deleted', async () => {
    const work = tmpDir();
    const src = await Store.open(path.join(work, 'src'));
    const pulled = `${reg.host}/race/pulled:1`;
    await buildTestImage(src, { layers: [{ 'etc/a': randomBytes(300_000) }, { 'etc/b': randomBytes(200_000) }], gzip: true }, pulled);
    await pushImage(src, pulled);
    const archive = path.join(work, 'loaded.tar');
    await makeDockerArchive(archive, { tags: ['race/loaded:1'], layers: [[{ path: 'etc/c', content: randomBytes(300_000) }]] });
    const shared = randomBytes(100_000);
    const root = path.join(work, 'store');
    const store = await Store.open(root);
    const loop = startPruneLoop(root);
    try {
      const names = [pulled, 'docker.io/race/loaded:1', 'docker.io/race/tagged:1', 'docker.io/race/built:1'];
      for (let round = 0; round < Number(process.env.ROUNDS ?? 50); round++) {
        await Promise.all([
          (async () => {
            await pullImage(store, pulled);
            assertTagComplete(store, pulled, `round ${round}: pull`);
            const entry = (await taggedDescriptor(store, pulled))!;
            // `hoist tag`: copies an entry that is tagged (so reachable) at that moment
            await setTag(store.index, names[2]!, { mediaType: entry.mediaType, digest: entry.digest, size: entry.size });
            assertTagComplete(store, names[2]!, `round ${round}: tag`);
          })(),
          (async () => {
            await loadArchive(store, fs.createReadStream(archive));
            assertTagComplete(store, names[1]!, `round ${round}: load`);
          })(),
          (async () => {
            await buildStandIn(store, shared, names[3]!);
            assertTagComplete(store, names[3]!, `round ${round}: build`);
          })(),
        ]);
        // a few prunes later, still whole
        const seen = loop.rounds();
        while (loop.rounds() < seen + 2) await new Promise((r) => setTimeout(r, 5));
        for (const n of names) assertTagComplete(store, n, `round ${round}: after prunes`);
        // make the next round's blobs unreferenced (dangling, or pruned by then)
        for (const n of names) await removeTag(store.index, n);
      }
      assert.ok(loop.rounds() > 50, `prune ran ${loop.rounds()} times`);
    } finally {
      loop.child.kill('SIGKILL');
    }
  });

  it('a writer renewing a dangling blob keeps it (writeBlobBytes of existing content under a lease)', async () => {
    const store = await Store.open(tmpDir());
    const blob = randomBytes(1000);
    await writeBlobBytes(store.content, blob);
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(store.content.blobPath(digestOf(blob)), old, old); // dangling for an hour
    await store.withLease(async () => {
      await writeBlobBytes(store.content, blob); // found, and renewed
      const res = await prune(store);
      assert.deepEqual(res.blobs, [], 'the renewed blob is spared while the lease lives');
    });
  });
});
