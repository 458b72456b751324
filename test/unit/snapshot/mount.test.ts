import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isOverlaySupported, mountDataLimit, OverlaySnapshotter, selectSnapshotter, unpackImage, withMount } from '../../../src/snapshot';
import { Store } from '../../../src/store';
import { buildImage } from '../../helpers/layer-image';
import { makeTempDir, requireOverlay } from '../../helpers/layer-tree';

describe('withMount', () => {
  it('shows an empty directory for no mounts and removes it after', async () => {
    let seen = '';
    const entries = await withMount([], async (root) => {
      seen = root;
      return fs.readdirSync(root);
    });
    assert.deepEqual(entries, []);
    assert.equal(fs.existsSync(seen), false);
  });

  it('unmounts when fn throws', async function () {
    await requireOverlay(this);
    const tmp = makeTempDir();
    try {
      for (const d of ['a', 'b']) fs.mkdirSync(path.join(tmp.dir, d));
      let target = '';
      const mounts = [{ type: 'overlay' as const, source: 'overlay', options: [`lowerdir=${tmp.dir}/a:${tmp.dir}/b`] }];
      await assert.rejects(
        withMount(mounts, async (root) => {
          target = root;
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.ok(!fs.readFileSync('/proc/self/mounts', 'utf8').includes(target));
    } finally {
      tmp.cleanup();
    }
  });

  it('mounts a chain deeper than the mount-option page limit (short lowerdir names)', async function () {
    await requireOverlay(this);
    const tmp = makeTempDir();
    try {
      const store = await Store.open(path.join(tmp.dir, 'store'));
      const steps = Array.from({ length: 60 }, (_, i) => (r: string) => fs.writeFileSync(path.join(r, `f${i}`), `${i}`));
      const image = await buildImage(store, path.join(tmp.dir, 'build'), steps, 'none');
      const sn = new OverlaySnapshotter(store.paths);
      const { chainIds } = await unpackImage(store, sn, image);
      const mounts = await sn.prepare('deep', chainIds[59]);
      assert.ok(mounts[0]!.options.join(',').length > mountDataLimit(), 'the chain must exceed the limit for this test');
      const names = await withMount(mounts, async (root) => fs.readdirSync(root).length);
      assert.equal(names, 60);
    } finally {
      tmp.cleanup();
    }
  });
});

describe('selectSnapshotter', () => {
  it('honours HOIST_SNAPSHOTTER and otherwise picks overlay only where it can mount', async () => {
    const store = { layers: '/nonexistent' } as never;
    assert.equal((await selectSnapshotter(store, { HOIST_SNAPSHOTTER: 'copy' })).name, 'copy');
    assert.equal((await selectSnapshotter(store, {})).name, (await isOverlaySupported()) ? 'overlay' : 'copy');
  });
});
