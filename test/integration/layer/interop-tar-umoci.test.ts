import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../../src/store';
import { makeAwkwardTree } from '../../helpers/layer-awkward-tree';
import { buildImage } from '../../helpers/layer-image';
import { hasCommand, run, writeOciLayout } from '../../helpers/layer-interop';
import { describeTree, makeTempDir, requireRoot } from '../../helpers/layer-tree';
import { skipWith } from '../../helpers/capabilities';

describe('interop: hoist layers extract identically with GNU tar and umoci', function () {
  let tmp: ReturnType<typeof makeTempDir>;
  let store: Store;
  let image: Awaited<ReturnType<typeof buildImage>>;
  before(async function () {
    requireRoot(this, 'GNU tar and umoci keep owners and devices only as root');
    tmp = makeTempDir('hoist-interop-');
    store = await Store.open(path.join(tmp.dir, 'store'));
    image = await buildImage(store, path.join(tmp.dir, 'build'), [makeAwkwardTree]);
  });
  after(() => tmp?.cleanup());

  it('GNU tar extracts the layer to the same tree (type, mode, owner, content, links, xattrs, mtime)', async () => {
    const out = path.join(tmp.dir, 'gnutar');
    fs.mkdirSync(out);
    const blob = store.paths.blob(image.manifest.layers[0]!.digest);
    run('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '--same-owner', '-xpzf', blob, '-C', out]);
    assert.deepEqual(await describeTree(out), await describeTree(image.finalTree));
  });

  it('umoci unpacks the image to the same tree', async function () {
    if (!hasCommand('umoci')) {
      skipWith(this, 'umoci is not installed');
    }
    const layout = path.join(tmp.dir, 'layout');
    writeOciLayout(layout, store, image.manifestDescriptor, 'test');
    const bundle = path.join(tmp.dir, 'bundle');
    run('umoci', ['unpack', '--image', `${layout}:test`, bundle]);
    assert.deepEqual(await describeTree(path.join(bundle, 'rootfs')), await describeTree(image.finalTree));
  });
});
