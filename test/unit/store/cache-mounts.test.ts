import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { acquireCacheMount, diskUsage, listCacheMounts, prune, removeCacheMounts, Store, StorePaths, type CacheSharing } from '../../../src/store';
import { tmpDir } from '../../helpers/tmp';

describe('store: cache mounts (RUN --mount=type=cache directories)', () => {
  let paths: StorePaths;
  beforeEach(() => {
    paths = new StorePaths(tmpDir('hoist-cache-mounts-unit-'));
  });
  const take = (sharing: CacheSharing, signal?: AbortSignal, seed = async (dir: string) => fs.writeFileSync(path.join(dir, 'seeded'), 'x')) =>
    acquireCacheMount(paths, { key: 'k1', id: '/c', sharing, seed, ...(signal ? { signal } : {}) });

  it('shared: concurrent users get one seeded directory; locked waits until every hold is released', async () => {
    const a = await take('shared');
    const b = await take('shared');
    assert.equal(a.dir, b.dir);
    assert.equal(fs.readFileSync(path.join(a.dir, 'seeded'), 'utf8'), 'x');
    await assert.rejects(take('locked', AbortSignal.timeout(150)), (err: Error) => err.name === 'TimeoutError' || /abort/i.test(err.message));
    await a.release();
    await b.release();
    const c = await take('locked');
    assert.equal(c.dir, a.dir);
    await c.release();
  });

  it('private: a concurrent user gets a fresh directory, later users reuse free ones', async () => {
    const a = await take('private');
    const b = await take('private');
    assert.notEqual(a.dir, b.dir);
    assert.deepEqual([path.basename(a.dir), path.basename(b.dir)], ['0', '1']);
    await b.release();
    const c = await take('private');
    assert.equal(c.dir, b.dir);
    await Promise.all([a.release(), c.release()]);
  });

  it('a dead process\'s hold is dropped; a failed seed leaves no instance', async () => {
    await assert.rejects(take('shared', undefined, async () => Promise.reject(new Error('seed failed'))), /seed failed/);
    assert.deepEqual(fs.readdirSync(path.join(paths.cache, 'mounts', 'k1')).filter((n) => /^\d/.test(n)), []);
    const a = await take('locked');
    // the hold now names a process that does not exist (as after kill -9 of a build)
    fs.rmSync(path.join(path.dirname(a.dir), '0.lock'));
    fs.symlinkSync(`2147483646 1 ${os.hostname()}`, path.join(path.dirname(a.dir), '0.lock'));
    const b = await take('locked', AbortSignal.timeout(5000));
    assert.equal(b.dir, a.dir);
    await b.release();
  });

  it('removeCacheMounts keeps what a live process holds and removes the rest; list reports both', async () => {
    const held = await acquireCacheMount(paths, { key: 'k2', id: '/held', sharing: 'shared', seed: async () => undefined });
    const free = await take('shared');
    await free.release();
    const listed = await listCacheMounts(paths);
    assert.deepEqual(listed.map((m) => [m.id, m.inUse]).sort(), [['/c', false], ['/held', true]]);
    const dry = await removeCacheMounts(paths, { dryRun: true });
    assert.deepEqual(dry.removed, ['/c']);
    assert.equal((await listCacheMounts(paths)).length, 2, 'a dry run removes nothing');
    assert.deepEqual((await removeCacheMounts(paths, { unusedForMs: 60_000 })).removed, [], 'used just now');
    assert.deepEqual((await removeCacheMounts(paths)).removed, ['/c']);
    assert.deepEqual((await listCacheMounts(paths)).map((m) => m.id), ['/held']);
    await held.release();
  });

  it('hoist prune (plain, as docker builder prune) removes unheld cache mounts; --filter until= only old ones; system df counts them', async () => {
    const store = await Store.open(tmpDir('hoist-cache-mounts-prune-'));
    paths = store.paths;
    const a = await take('shared');
    fs.writeFileSync(path.join(a.dir, 'data'), Buffer.alloc(4096));
    await a.release();
    const row = (await diskUsage(store)).find((r) => r.type === 'Build cache mounts')!;
    assert.deepEqual([row.total, row.active, row.reclaimable > 4096], [1, 0, true]);
    assert.deepEqual((await prune(store, { until: 60_000 })).cacheMounts, [], 'used within the minute');
    assert.deepEqual((await prune(store)).cacheMounts, ['/c']);
    assert.equal((await diskUsage(store)).find((r) => r.type === 'Build cache mounts')!.total, 0);
  });
});
