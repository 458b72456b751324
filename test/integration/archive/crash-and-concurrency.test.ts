import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive, type FileSpec } from '../../../fixtures/images/make-busybox-image';
import { parseIndex } from '../../../src/oci';
import { refNameOf, Store } from '../../../src/store';
import { collect, runHoist, spawnHoist } from '../../helpers/hoist-cli';
import { tmpDir } from '../../helpers/tmp';
import { validateStoredImage } from '../../helpers/validate-image';

function bigLayer(prefix: string, files: number, size: number): FileSpec[] {
  return Array.from({ length: files }, (_, i) => ({ path: `${prefix}-${i}.bin`, content: randomBytes(size) }));
}

/** Every blob under blobs/ hashes to its name: no partial blob is visible. */
function assertBlobsIntact(root: string): number {
  const dir = path.join(root, 'blobs', 'sha256');
  if (!fs.existsSync(dir)) return 0; // killed before the store was created
  let n = 0;
  for (const name of fs.readdirSync(dir)) {
    const h = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
    assert.equal(h, name, `blob ${name} is whole`);
    n++;
  }
  return n;
}

describe('store consistency under kill -9 and concurrent writers', function () {
  this.timeout(300_000);

  it('kill -9 at random points of a large load: the store stays readable, a rerun completes', async () => {
    const work = tmpDir();
    const archive = path.join(work, 'big.tar');
    await makeDockerArchive(archive, { tags: ['big:1'], layers: [bigLayer('a', 12, 4 << 20), bigLayer('b', 12, 4 << 20), bigLayer('c', 6, 4 << 20)] });
    const root = tmpDir();
    // time one full load to spread the kills over it
    const t0 = Date.now();
    assert.equal((await runHoist(['load', '-i', archive], { root: tmpDir() })).code, 0);
    const full = Date.now() - t0;
    let killedMidway = 0;
    for (let i = 0; i < 20; i++) {
      const child = spawnHoist(['load', '-q', '-i', archive], { root });
      const done = collect(child);
      const delay = Math.floor(Math.random() * full);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      const res = await done;
      if (res.signal === 'SIGKILL') killedMidway++;
      assertBlobsIntact(root);
      // killed before the store was first created, index.json may not exist yet (it reads as empty)
      if (fs.existsSync(path.join(root, 'index.json'))) parseIndex(fs.readFileSync(path.join(root, 'index.json')));
      const images = await runHoist(['images'], { root });
      assert.equal(images.code, 0, images.stderr);
    }
    assert.ok(killedMidway >= 10, `most loads were killed mid-way (${killedMidway}/20)`);
    const rerun = await runHoist(['load', '-i', archive], { root });
    assert.equal(rerun.code, 0, rerun.stderr);
    const store = await Store.open(root);
    const entry = (await store.index.read()).manifests.find((m) => refNameOf(m) === 'docker.io/library/big:1')!;
    validateStoredImage(store, entry);
    const pruned = await runHoist(['prune'], { root });
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.deepEqual(
      fs.readdirSync(path.join(root, 'ingest')).filter((n) => !n.endsWith('.lock')),
      [],
      'prune removes partial writes of killed loads',
    );
    validateStoredImage(store, entry);
  });

  it('8 processes loading and tagging into one store at once: no tag lost, index.json always valid', async () => {
    const work = tmpDir();
    const root = tmpDir();
    const archives: string[] = [];
    for (let i = 0; i < 4; i++) {
      const file = path.join(work, `img${i}.tar`);
      await makeDockerArchive(file, { tags: [`img${i}:1`], layers: [[{ path: `f${i}`, content: `image ${i}\n` }]] });
      archives.push(file);
    }
    assert.equal((await runHoist(['load', '-i', archives[0]!], { root })).code, 0);
    let reading = true;
    let reads = 0;
    const reader = (async () => {
      while (reading) {
        parseIndex(fs.readFileSync(path.join(root, 'index.json')));
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const jobs: Promise<void>[] = [];
    for (let p = 0; p < 8; p++) {
      jobs.push(
        (async () => {
          if (p < 4) {
            const r = await runHoist(['load', '-i', archives[p]!], { root });
            assert.equal(r.code, 0, r.stderr);
          }
          for (let t = 0; t < 5; t++) {
            const r = await runHoist(['tag', 'img0:1', `tagged/p${p}:t${t}`], { root });
            assert.equal(r.code, 0, r.stderr);
          }
        })(),
      );
    }
    await Promise.all(jobs);
    reading = false;
    await reader;
    assert.ok(reads > 10);
    const store = await Store.open(root);
    const names = new Set((await store.index.read()).manifests.map(refNameOf));
    for (let i = 0; i < 4; i++) assert.ok(names.has(`docker.io/library/img${i}:1`), `img${i}:1 kept`);
    for (let p = 0; p < 8; p++) for (let t = 0; t < 5; t++) assert.ok(names.has(`docker.io/tagged/p${p}:t${t}`), `p${p}:t${t} kept`);
    assert.equal(names.size, 4 + 40);
  });
});
