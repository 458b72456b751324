import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { computeChainIds, digestOf, type Digest, type ImageConfig, type ImageManifest } from '../../../src/oci';
import { prune, readLayerUses, recordLayerUse, releaseLayerUse, Store } from '../../../src/store';
import { lockOwnerLine } from '../../../src/store/file-lock';
import { requireCommands } from '../../helpers/capabilities';
import { REPO_ROOT } from '../../helpers/paths';
import { tmpDir } from '../../helpers/tmp';

type FakeImage = { manifest: ImageManifest; config: ImageConfig };

/**
 * An image of one layer per seed, as recordLayerUse reads it (its config's
 * diff_ids), with its layers unpacked as prune sees them (layers/<chainID>/fs)
 * and reached by nothing in the index. Returns the image and its chainIDs.
 */
function fakeImage(store: Store, ...seeds: string[]): { image: FakeImage; chainIds: Digest[] } {
  const diffIds = seeds.map((s) => digestOf(Buffer.from(s)));
  const chainIds = computeChainIds(diffIds);
  for (const c of chainIds) fs.mkdirSync(path.join(store.paths.layer(c), 'fs'), { recursive: true });
  const image = { manifest: { config: { digest: digestOf(Buffer.from(`config ${seeds.join()}`)) } }, config: { rootfs: { type: 'layers', diff_ids: diffIds } } };
  return { image: image as unknown as FakeImage, chainIds };
}

/** A one-layer fake image: its image and its single chainID. */
function fakeLayer(store: Store, seed: string): { image: FakeImage; chainId: Digest } {
  const { image, chainIds } = fakeImage(store, seed);
  return { image, chainId: chainIds[0]! };
}

const hasLayer = (store: Store, chainId: Digest): boolean => fs.existsSync(store.paths.layer(chainId));

describe('store/layer-use: prune keeps the layers that bundles and containers mount', () => {
  let store: Store;
  let work: string;
  beforeEach(async () => {
    store = await Store.open(tmpDir());
    work = tmpDir();
  });

  it('a committed use keeps its layers while its directory exists; removing the directory frees them at the next prune', async () => {
    const two = fakeImage(store, 'a', 'b');
    const [a, b] = two.chainIds as [Digest, Digest];
    const loose = fakeLayer(store, 'loose').chainId;
    const dir = path.join(work, 'bundle');
    fs.mkdirSync(dir);
    const use = await recordLayerUse(store.paths, dir, 'bundle', two.image);
    await use.commit();
    const first = await prune(store);
    assert.deepEqual(first.inUse, [dir]);
    assert.deepEqual(first.layers, [loose]);
    assert.ok(hasLayer(store, a) && hasLayer(store, b) && !hasLayer(store, loose));
    fs.rmSync(dir, { recursive: true });
    const second = await prune(store);
    assert.deepEqual(second.inUse, []);
    assert.deepEqual(second.layers.sort(), [a, b].sort());
    assert.deepEqual(fs.readdirSync(store.paths.uses), [], 'the dead record went with them');
  });

  it('a directory replaced by another at the same path (same inode number, reused; another birth time) no longer holds the layers', async () => {
    const { image, chainId: a } = fakeLayer(store, 'a');
    const dir = path.join(work, 'c1');
    fs.mkdirSync(dir);
    await (await recordLayerUse(store.paths, dir, 'lxc', image)).commit();
    fs.rmSync(dir, { recursive: true });
    fs.mkdirSync(dir);
    assert.deepEqual((await prune(store)).layers, [a]);
  });

  it('before its commit a use lives as long as its creator: this process keeps it, a dead one does not', async () => {
    const [a, b] = [fakeLayer(store, 'a'), fakeLayer(store, 'b').chainId];
    // still being built: the directory does not exist yet
    await recordLayerUse(store.paths, path.join(work, 'pending'), 'lxc', a.image);
    const deadPid = spawnSync('true').pid;
    const deadOwner = lockOwnerLine().trim().replace(/^\d+/, String(deadPid));
    fs.writeFileSync(path.join(store.paths.uses, 'crashed.json'), JSON.stringify({ kind: 'bundle', path: path.join(work, 'crashed'), chainIds: [b], owner: deadOwner }));
    const res = await prune(store);
    assert.deepEqual(res.layers, [b]);
    assert.deepEqual(res.inUse, [path.join(work, 'pending')]);
    assert.ok(!fs.existsSync(path.join(store.paths.uses, 'crashed.json')));
  });

  it('release before commit puts back the record the directory had (a failed --force replacement)', async () => {
    const [a, b] = [fakeLayer(store, 'a'), fakeLayer(store, 'b')];
    const dir = path.join(work, 'ct');
    fs.mkdirSync(dir);
    await (await recordLayerUse(store.paths, dir, 'lxc', a.image)).commit();
    const replacement = await recordLayerUse(store.paths, dir, 'lxc', b.image);
    await replacement.release();
    assert.deepEqual((await prune(store)).layers, [b.chainId], 'the old container still holds its layer; the replacement never happened');
    await releaseLayerUse(store.paths, dir);
    assert.deepEqual((await prune(store)).layers, [a.chainId]);
  });

  it('a use recorded with dirReady names its directory at once: it outlives its creator, commit has nothing left to write', async () => {
    const [a, b] = [fakeLayer(store, 'a'), fakeLayer(store, 'b').chainId];
    const dir = path.join(work, 'bundle');
    fs.mkdirSync(dir);
    const use = await recordLayerUse(store.paths, dir, 'bundle', a.image, { dirReady: true, durable: false });
    const file = path.join(store.paths.uses, fs.readdirSync(store.paths.uses)[0]!);
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(record.owner, undefined, 'no creator: the directory is what keeps it');
    assert.equal(record.ino, String(fs.statSync(dir, { bigint: true }).ino));
    const before = fs.statSync(file, { bigint: true }).mtimeNs;
    await use.commit();
    assert.equal(fs.statSync(file, { bigint: true }).mtimeNs, before, 'commit wrote the record again');
    assert.deepEqual((await prune(store)).layers, [b]);
    fs.rmSync(dir, { recursive: true });
    assert.deepEqual((await prune(store)).layers, [a.chainId]);
  });

  it('an unreadable record protects nothing and is dropped; --dry-run drops nothing', async () => {
    const a = fakeLayer(store, 'a').chainId;
    fs.mkdirSync(store.paths.uses, { recursive: true });
    fs.writeFileSync(path.join(store.paths.uses, 'junk.json'), '{"path": 7');
    fs.writeFileSync(path.join(store.paths.uses, 'gone.json'), JSON.stringify({ kind: 'bundle', path: path.join(work, 'nope'), chainIds: [a], dev: '1', ino: '2' }));
    const dry = await prune(store, { dryRun: true });
    assert.deepEqual(dry.layers, [a]);
    assert.equal(fs.readdirSync(store.paths.uses).length, 2);
    assert.ok(hasLayer(store, a));
    assert.deepEqual(await readLayerUses(store.paths, { dryRun: true }), { live: [], dead: 2 });
    await prune(store);
    assert.deepEqual(fs.readdirSync(store.paths.uses), []);
    assert.ok(!hasLayer(store, a));
  });

  /**
   * fsync/fdatasync calls of a node process that records a use of `dir` (with
   * `options`, a JS object literal) and commits it, making the directory
   * `marker` at `markAt`: before they return the number of syncs before and
   * after the marker.
   */
  function syncsAround(dir: string, options: string, markAt: 'before-record' | 'before-commit'): { before: number; after: number } {
    const marker = path.join(work, 'marker');
    const mark = `fs.mkdirSync(${JSON.stringify(marker)});`;
    const script = `
      const fs = require('node:fs');
      const { Store, recordLayerUse } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/src/store'))});
      (async () => {
        const store = await Store.open(${JSON.stringify(store.root)});
        const image = { manifest: { config: { digest: 'sha256:${'c'.repeat(64)}' } }, config: { rootfs: { type: 'layers', diff_ids: ['sha256:${'d'.repeat(64)}'] } } };
        ${markAt === 'before-record' ? mark : ''}
        const use = await recordLayerUse(store.paths, ${JSON.stringify(dir)}, 'bundle', image, ${options});
        ${markAt === 'before-commit' ? mark : ''}
        await use.commit();
      })();`;
    const trace = path.join(work, 'trace');
    const r = spawnSync('strace', ['-f', '-qq', '-o', trace, '-e', 'trace=fsync,fdatasync,mkdir', process.execPath, '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const lines = fs.readFileSync(trace, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes(`mkdir("${marker}"`));
    assert.ok(at > 0, 'no marker in the trace');
    const syncs = (ls: string[]): number => ls.filter((l) => /\bf(data)?sync\(/.test(l)).length;
    return { before: syncs(lines.slice(0, at)), after: syncs(lines.slice(at)) };
  }

  // A record before its commit lives only while its creator runs (`owner`): after a crash, the one
  // case an fsync is for, it is dead on disk or not, so `hoist run` does not wait for the disk there
  // (~5 ms: file and directory); the commit, which outlives the process, is synced.
  it('syncs the committed record to disk, not the one before the commit', function () {
    requireCommands(this, 'strace');
    const dir = path.join(work, 'bundle');
    fs.mkdirSync(dir);
    const { before, after } = syncsAround(dir, '{}', 'before-commit');
    assert.equal(before, 0, 'the record before the commit was synced');
    assert.ok(after >= 2, 'the committed record (file and directory) was not synced');
  });

  // dirReady: the one write is synced unless the consumer means nothing after a crash (`hoist run --rm`)
  for (const durable of [true, false]) {
    it(`syncs a record made with dirReady ${durable ? 'by default' : 'not at all with durable: false'}`, function () {
      requireCommands(this, 'strace');
      const dir = path.join(work, 'bundle');
      fs.mkdirSync(dir);
      const { after } = syncsAround(dir, durable ? '{ dirReady: true }' : '{ dirReady: true, durable: false }', 'before-record');
      if (durable) assert.ok(after >= 2, 'the record (file and directory) was not synced');
      else assert.equal(after, 0, 'a record of an ephemeral consumer was synced');
    });
  }
});
