import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: whiteouts that name outside', () => {
  const sandbox = useSandbox();
  for (const name of ['.wh...', '../outside/.wh.sentinel.txt', 'a/../../outside/.wh.dir', '.wh.']) {
    it(`refuses whiteout ${JSON.stringify(name)}`, async () => {
      await sandbox().expectRefused(tarOf([{ header: { name } }]), 'LAYER_UNSAFE_PATH');
    });
  }
  it('refuses a whiteout under a symlink to outside (delete and overlay modes)', async () => {
    const sb = sandbox();
    const tar = tarOf([{ header: { name: 'ln', type: 'symlink', linkname: sb.outside } }, { header: { name: 'ln/.wh.sentinel.txt' } }]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
    fs.rmSync(path.join(sb.root, 'ln'));
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH', { whiteouts: 'overlay' });
  });
  it('refuses an opaque marker under a symlink to outside', async () => {
    const sb = sandbox();
    const tar = tarOf([{ header: { name: 'ln', type: 'symlink', linkname: path.join(sb.outside, 'dir') } }, { header: { name: 'ln/.wh..wh..opq' } }]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
    assert.equal(fs.existsSync(path.join(sb.outside, 'dir', 'keep.txt')), true);
  });
  it('a whiteout of a symlink removes the link, not its target (documented outcome)', async () => {
    const sb = sandbox();
    fs.symlinkSync(path.join(sb.outside, 'sentinel.txt'), path.join(sb.root, 'lnk'));
    const { error } = await sb.apply(tarOf([{ header: { name: '.wh.lnk' } }]));
    assert.equal(error, undefined);
    assert.equal(fs.existsSync(path.join(sb.root, 'lnk')), false);
  });
});
