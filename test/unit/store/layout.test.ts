import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../../src/store';
import { tmpDir } from '../../helpers/tmp';

describe('store/layout creation', () => {
  it('writes index.json before oci-layout: a first command that fails midway leaves no layout without an index', async () => {
    const root = tmpDir();
    fs.mkdirSync(path.join(root, 'locks', 'index.lock'), { recursive: true }); // in the way: index.json's lock cannot be taken
    await assert.rejects(Store.open(root));
    assert.equal(fs.existsSync(path.join(root, 'oci-layout')), fs.existsSync(path.join(root, 'index.json')), 'oci-layout only beside index.json');
    fs.rmdirSync(path.join(root, 'locks', 'index.lock'));
    const store = await Store.open(root);
    assert.deepEqual((await store.index.read()).manifests, []);
    assert.ok(fs.existsSync(path.join(root, 'oci-layout')));
  });

  it('a store missing index.json (killed by an older hoist) gets one, keeping oci-layout', async () => {
    const root = tmpDir();
    await Store.open(root);
    fs.rmSync(path.join(root, 'index.json'));
    await Store.open(root);
    assert.ok(fs.existsSync(path.join(root, 'index.json')));
  });
});
