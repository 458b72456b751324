import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NativeOps } from '../../src/layer';
import { defaultNativeOps } from '../../src/layer';
import { tarOf } from '../helpers/layer-tar';
import { isRoot } from '../helpers/layer-tree';
import { useSandbox } from '../helpers/layer-sandbox';
import { skipWith } from '../helpers/capabilities';

const kmem = tarOf([{ header: { name: 'dev/kmem', type: 'char', mode: 0o640, devmajor: 1, devminor: 2 } }]);

/** A native backend that is not permitted to make devices (as an unprivileged user). */
const denied: NativeOps = {
  available: async () => true,
  listXattrs: (p, x) => defaultNativeOps().listXattrs(p, x),
  setXattrs: (items) => defaultNativeOps().setXattrs(items),
  mknod: async (items) => items.map(() => 'EPERM'),
  close: async () => undefined,
};

describe('security: device nodes', () => {
  const sandbox = useSandbox();
  it('creates a device only inside the root, where permitted (documented outcome)', async function () {
    if (!isRoot) {
      skipWith(this, 'needs root to create device nodes');
    }
    const sb = sandbox();
    const { error, result } = await sb.apply(kmem);
    assert.equal(error, undefined);
    assert.deepEqual(result?.warnings, []);
    assert.equal(fs.lstatSync(path.join(sb.root, 'dev/kmem')).isCharacterDevice(), true);
  });
  it('skips a device with a warning where mknod is not permitted', async () => {
    const sb = sandbox();
    const { error, result } = await sb.apply(kmem, { native: denied });
    assert.equal(error, undefined);
    assert.equal(result?.warnings[0]?.code, 'device-skipped');
    assert.equal(fs.existsSync(path.join(sb.root, 'dev/kmem')), false);
  });
  it('never turns a char device 0/0 from a tar into an overlay whiteout', async () => {
    const sb = sandbox();
    const tar = tarOf([{ header: { name: 'hide-me', type: 'char', mode: 0o600, devmajor: 0, devminor: 0 } }]);
    const { error, result } = await sb.apply(tar, { whiteouts: 'overlay' });
    assert.equal(error, undefined);
    assert.equal(result?.warnings[0]?.code, 'device-skipped');
    assert.equal(fs.existsSync(path.join(sb.root, 'hide-me')), false);
  });
  it('refuses a device under a symlink to outside', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'd', type: 'symlink', linkname: sb.outside } },
      { header: { name: 'd/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 } },
    ]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
  });
});
