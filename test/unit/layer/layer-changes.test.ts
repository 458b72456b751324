import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { describeLayerChanges } from '../../../src/layer';
import { Store } from '../../../src/store';
import { buildImage, SAMPLE_STEPS } from '../../helpers/layer-image';
import { makeTempDir } from '../../helpers/layer-tree';

describe('describeLayerChanges (hoist diff)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  before(async () => {
    tmp = makeTempDir();
    store = await Store.open(path.join(tmp.dir, 'store'));
  });
  after(() => tmp.cleanup());

  it('reports adds, changes and removes with sizes per layer', async () => {
    const image = await buildImage(store, path.join(tmp.dir, 'build'), SAMPLE_STEPS);
    const layers = await describeLayerChanges(store.content, image);
    assert.equal(layers.length, 3);
    const [l0, l1, l2] = layers as [(typeof layers)[0], (typeof layers)[0], (typeof layers)[0]];
    assert.ok(l0.added.some((c) => c.path === 'usr/lib/pkg/a.so' && c.size === 1));
    assert.deepEqual(l0.changed, []);
    assert.deepEqual(
      l1.changed.map((c) => c.path),
      ['etc/os-release'],
    );
    assert.deepEqual(l1.removed, [{ path: 'tmpfile', type: 'file', size: 10 }]);
    assert.deepEqual(l2.removed, [{ path: 'usr/lib/pkg', type: 'dir', size: 2 }]);
    assert.equal(l2.removedBytes, 2);
    assert.equal(l1.diffId, image.config.rootfs.diff_ids[1]);
    const only = await describeLayerChanges(store.content, image, { layer: 1 });
    assert.deepEqual(only, [l1]);
  });

  it('fails with LAYER_NOT_FOUND for a layer index the image lacks', async () => {
    const image = await buildImage(store, path.join(tmp.dir, 'build2'), SAMPLE_STEPS.slice(0, 1));
    await assert.rejects(describeLayerChanges(store.content, image, { layer: 5 }), (e: unknown) => isHoistError(e, 'LAYER_NOT_FOUND'));
  });
});
