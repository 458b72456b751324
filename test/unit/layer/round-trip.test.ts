import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyLayer, diffTrees, writeLayer, writeLayers } from '../../../src/layer';
import type { Compression } from '../../../src/oci';
import { Store } from '../../../src/store';
import { awkwardTreeAndStore } from '../../helpers/layer-awkward-tree';
import { describeTree, makeTempDir } from '../../helpers/layer-tree';

describe('layer round trip: tree -> tar -> apply -> identical tree', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  const src = (): string => path.join(tmp.dir, 'src');

  before(async () => {
    ({ tmp, store } = await awkwardTreeAndStore());
  });
  after(() => tmp.cleanup());

  for (const compression of ['gzip', 'zstd', 'none'] as Compression[]) {
    it(`keeps type, mode, owner, size, content, links, devices, xattrs and mtime (${compression})`, async () => {
      const written = await writeLayer(store.content, await diffTrees(undefined, src()), { compression });
      const out = path.join(tmp.dir, `out-${compression}`);
      fs.mkdirSync(out);
      const applied = await applyLayer(await store.content.open(written.descriptor), out);
      assert.equal(applied.diffId, written.diffId);
      assert.equal(applied.compression, compression);
      assert.deepEqual(applied.warnings, []);
      assert.deepEqual(await describeTree(out), await describeTree(src()));
    });
  }

  it('writes the same bytes twice (deterministic digest and diffID)', async () => {
    const a = await writeLayer(store.content, await diffTrees(undefined, src()), { compression: 'gzip' });
    const b = await writeLayer(store.content, await diffTrees(undefined, src()), { compression: 'gzip' });
    assert.equal(a.descriptor.digest, b.descriptor.digest);
    assert.equal(a.diffId, b.diffId);
  });

  it('clamps mtimes to SOURCE_DATE_EPOCH', async () => {
    const epoch = 1_600_000_010;
    const written = await writeLayer(store.content, await diffTrees(undefined, src()), { compression: 'none', sourceDateEpoch: epoch });
    const out = path.join(tmp.dir, 'out-epoch');
    fs.mkdirSync(out);
    await applyLayer(await store.content.open(written.descriptor), out);
    const tree = await describeTree(out);
    assert.ok(tree.every((r) => r.mtime <= epoch));
    assert.ok(tree.some((r) => r.mtime < epoch), 'older mtimes stay as they were');
  });
});

describe('writeLayers (several layers, two at a time)', () => {
  it('gives the same descriptors, in order, as writing one by one', async () => {
    const tmp = makeTempDir();
    try {
      const store = await Store.open(path.join(tmp.dir, 'store'));
      const trees = [0, 1, 2].map((i) => {
        const dir = path.join(tmp.dir, `t${i}`);
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, `f${i}`), Buffer.alloc(3 * 1024 * 1024 + i, i + 1));
        return dir;
      });
      const changesets = await Promise.all(trees.map((t) => diffTrees(undefined, t)));
      const together = await writeLayers(store.content, changesets, { compression: 'gzip', sourceDateEpoch: 0 });
      const single = [];
      for (const c of changesets) single.push(await writeLayer(store.content, c, { compression: 'gzip', sourceDateEpoch: 0 }));
      assert.deepEqual(
        together.map((r) => r.descriptor.digest),
        single.map((r) => r.descriptor.digest),
      );
      assert.equal(new Set(together.map((r) => r.diffId)).size, 3);
    } finally {
      tmp.cleanup();
    }
  });
});
