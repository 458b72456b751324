import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OverlaySnapshotter, unpackImage, withMount } from '../../../src/snapshot';
import { hasVolatileOverlay } from '../../../src/snapshot/overlay-snapshotter';
import { Store } from '../../../src/store';
import { skipWith } from '../../helpers/capabilities';
import { buildImage } from '../../helpers/layer-image';
import { makeTempDir, requireOverlay } from '../../helpers/layer-tree';


describe('overlay snapshotter: active snapshots mounted volatile', () => {
  it('knows volatile from Linux 5.10 on', () => {
    assert.equal(hasVolatileOverlay('5.4.0-150-generic'), false);
    assert.equal(hasVolatileOverlay('4.19.0'), false);
    assert.equal(hasVolatileOverlay('5.10.0-28-amd64'), true);
    assert.equal(hasVolatileOverlay('6.18.44-fc-v1252'), true);
    assert.equal(hasVolatileOverlay('unknown'), false);
  });

  // overlayfs syncs the whole upper file system at unmount unless mounted volatile: a build step
  // after a cold unpack paid ~0.4 s for it (docs/bench.md)
  it('mounts an active snapshot volatile, and mounts it again after a clean unmount', async function () {
    await requireOverlay(this);
    if (!hasVolatileOverlay()) skipWith(this, 'needs Linux 5.10+ for overlayfs volatile');
    const tmp = makeTempDir();
    try {
      const store = await Store.open(path.join(tmp.dir, 'store'));
      const image = await buildImage(store, path.join(tmp.dir, 'build'), [(r) => fs.writeFileSync(path.join(r, 'a'), 'a')], 'none');
      const sn = new OverlaySnapshotter(store.paths);
      const { chainIds } = await unpackImage(store, sn, image);
      const mounts = await sn.prepare('step', chainIds[0]);
      assert.ok(mounts[0]!.options.includes('volatile'));
      const workdir = mounts[0]!.options.find((o) => o.startsWith('workdir='))!.slice('workdir='.length);
      const marked = await withMount(mounts, async (root) => {
        fs.writeFileSync(path.join(root, 'b'), 'b');
        // the kernel's mark of a volatile mount (mountinfo says `volatile` or `fsync=volatile`)
        return fs.existsSync(path.join(workdir, 'work', 'incompat', 'volatile'));
      });
      assert.ok(marked, 'the kernel took the option');
      const seen = await withMount(mounts, async (root) => fs.readdirSync(root).sort());
      assert.deepEqual(seen, ['a', 'b']);
    } finally {
      tmp.cleanup();
    }
  });
});
