import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { loadArchive } from '../../../src/image/archive/load-archive';
import { parseIndex } from '../../../src/oci/parse-documents';
import { pushImage } from '../../../src/registry';
import { findLeftovers, prune, refNameOf, removeTag, Store, StorePaths } from '../../../src/store';
import { requireCommands } from '../../helpers/capabilities';
import { collect, runHoist, spawnHoist } from '../../helpers/hoist-cli';
import { buildTestImage } from '../../helpers/registry-image';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { tmpDir } from '../../helpers/tmp';
import { assertBlobsIntact, assertTagComplete } from './store-checks';

type Op = 'pull' | 'load' | 'push';

/** After a kill: every blob whole, index.json beside oci-layout, every tag complete and read by skopeo. */
function assertReadable(root: string, what: string): number {
  assertBlobsIntact(root);
  if (!fs.existsSync(path.join(root, 'oci-layout'))) return 0;
  const index = parseIndex(fs.readFileSync(path.join(root, 'index.json')));
  const store = { root, content: { blobPath: (d: string) => path.join(root, 'blobs', 'sha256', d.slice(7)) } } as unknown as Store;
  let tags = 0;
  for (const m of index.manifests) {
    const name = refNameOf(m);
    if (name === undefined) continue;
    assertTagComplete(store, name, what);
    execFileSync('skopeo', ['inspect', `oci:${root}:${name}`], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    tags++;
  }
  return tags;
}

describe('store: kill -9 at random moments during pull, load and push', function () {
  this.timeout(900_000);
  let reg: RegistryServer;

  before(async function () {
    requireRegistry(this);
    requireCommands(this, 'skopeo');
    reg = await startRegistry();
  });
  after(async () => {
    await reg?.stop();
  });

  it('20 kills: skopeo reads the store after each, a rerun succeeds, prune reclaims the leftovers system df shows', async () => {
    const work = tmpDir();
    const pulled = `${reg.host}/kill/pulled:1`;
    const src = await Store.open(path.join(work, 'src'));
    await buildTestImage(src, { layers: [{ a: randomBytes(4 << 20) }, { b: randomBytes(4 << 20) }], gzip: true }, pulled);
    await pushImage(src, pulled);
    const archive = path.join(work, 'load.tar');
    await makeDockerArchive(archive, { tags: ['kill/loaded:1'], layers: [[{ path: 'c', content: randomBytes(4 << 20) }], [{ path: 'd', content: randomBytes(4 << 20) }]] });
    const loaded = 'docker.io/kill/loaded:1';
    const args: Record<Op, string[]> = { pull: ['pull', '-q', pulled], load: ['load', '-q', '-i', archive], push: ['push', '-q', loaded, `${reg.host}/kill/pushed:1`] };
    // how long each takes in full, to spread the kills over it
    const full: Record<Op, number> = { pull: 0, load: 0, push: 0 };
    const scratch = path.join(work, 'scratch');
    for (const op of ['pull', 'load', 'push'] as Op[]) {
      const t0 = Date.now();
      const r = await runHoist(args[op], { root: scratch });
      assert.equal(r.code, 0, r.stderr);
      full[op] = Date.now() - t0;
    }
    // a command's first moments are node starting: spread the kills over the rest
    const t0 = Date.now();
    await runHoist(['images'], { root: scratch });
    const startup = Date.now() - t0;
    const root = path.join(work, 'store'); // created by the first killed command
    let killedMidway = 0;
    let leftoversSeen = 0;
    for (let i = 0; i < 20; i++) {
      const op: Op = (['pull', 'load', 'push'] as Op[])[i % 3]!;
      if (fs.existsSync(path.join(root, 'index.json'))) {
        // give the command something to write: drop its image (for push: have the image to push)
        const store = await Store.open(root);
        if (op === 'push') {
          const has = (await store.index.read()).manifests.some((m) => refNameOf(m) === loaded);
          if (!has) await loadArchive(store, fs.createReadStream(archive));
        } else {
          await removeTag(store.index, op === 'pull' ? pulled : loaded);
          await prune(store);
        }
      }
      const child = spawnHoist(args[op], { root });
      const done = collect(child);
      const from = i === 0 ? 0 : startup * 0.8;
      await new Promise((r) => setTimeout(r, from + Math.floor(Math.random() * Math.max(0.85 * full[op] - from, 1))));
      child.kill('SIGKILL');
      const res = await done;
      if (res.signal === 'SIGKILL') killedMidway++;
      else assert.equal(res.code, 0, res.stderr);
      assertReadable(root, `kill ${i} (${op})`);
      leftoversSeen += fs.existsSync(root) ? (await findLeftovers(new StorePaths(root))).length : 0;
      const rerun = await runHoist(args[op], { root });
      assert.equal(rerun.code, 0, `rerun after kill ${i} (${op}): ${rerun.stderr}`);
      assert.ok(assertReadable(root, `rerun ${i} (${op})`) >= 1);
    }
    assert.ok(killedMidway >= 8, `most commands were killed midway (${killedMidway}/20)`);
    // one more load, killed once it is writing for sure: its partial write is a leftover
    {
      const store = await Store.open(root);
      await removeTag(store.index, loaded);
      await prune(store);
      const child = spawnHoist(args.load, { root });
      const done = collect(child);
      const ingest = path.join(root, 'ingest');
      const writing = (): boolean => fs.readdirSync(ingest).some((n) => !n.endsWith('.lock') && (fs.statSync(path.join(ingest, n, 'data'), { throwIfNoEntry: false })?.size ?? 0) > 0);
      while (!writing() && child.exitCode === null) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGKILL');
      await done;
    }
    const df = await runHoist(['system', 'df', '--format', 'json'], { root });
    assert.equal(df.code, 0, df.stderr);
    const rows = df.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; total: number; size: number });
    const before = rows.find((r) => r.type === 'Leftovers')!;
    assert.ok(before.total > 0 && before.size > 0, 'the killed load left a partial write');
    const left = await findLeftovers(new StorePaths(root));
    assert.equal(before.total, left.length, 'system df counts the leftovers');
    assert.equal(before.size, left.reduce((n, l) => n + l.bytes, 0));
    const pruned = await runHoist(['prune'], { root });
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.deepEqual(await findLeftovers(new StorePaths(root)), []);
    assert.deepEqual(fs.readdirSync(path.join(root, 'ingest')), [], 'no partial write and no lock left');
    console.log(`      ${killedMidway}/20 killed midway; leftovers seen after kills: ${leftoversSeen}, at the end: ${before.total} (${before.size} bytes)`);
    assertReadable(root, 'after prune');
  });
});
