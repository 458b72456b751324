import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Store, setTag } from '../../../src/store';
import { runHoist } from '../../helpers/hoist-cli';
import { buildImage, SAMPLE_STEPS } from '../../helpers/layer-image';
import { makeTempDir } from '../../helpers/layer-tree';

describe('hoist diff REF [--layer N]', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let root: string;
  before(async () => {
    tmp = makeTempDir();
    root = path.join(tmp.dir, 'store');
    const store = await Store.open(root);
    const image = await buildImage(store, path.join(tmp.dir, 'build'), SAMPLE_STEPS);
    await setTag(store.index, 'docker.io/library/sample:latest', image.manifestDescriptor);
  });
  after(() => tmp.cleanup());

  it('prints adds, changes and removes per layer', async () => {
    const r = await runHoist(['diff', 'sample'], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /LAYER 0 /);
    assert.match(r.stdout, /^ {2}C etc\/os-release/m);
    assert.match(r.stdout, /^ {2}D usr\/lib\/pkg\/ {2}2 ?B/m);
  });

  it('--layer N --format json gives that layer as data', async () => {
    const r = await runHoist(['diff', 'sample', '--layer', '1', '--format', 'json'], { root });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const layer = JSON.parse(lines[0] as string) as { index: number; removed: Array<{ path: string }> };
    assert.equal(layer.index, 1);
    assert.deepEqual(
      layer.removed.map((c) => c.path),
      ['tmpfile'],
    );
  });

  it('exits 1 with a message for a layer the image lacks, 2 for a bad --layer', async () => {
    const missing = await runHoist(['diff', 'sample', '--layer', '9'], { root });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no layer 9/);
    assert.equal((await runHoist(['diff', 'sample', '--layer', 'x'], { root })).code, 2);
  });
});
