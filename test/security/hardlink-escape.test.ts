import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: hard link escapes', () => {
  const sandbox = useSandbox();
  it('refuses a hard link to ../outside', async () => {
    await sandbox().expectRefused(tarOf([{ header: { name: 'l', type: 'link', linkname: '../outside/sentinel.txt' } }]), 'LAYER_UNSAFE_PATH');
  });
  it('refuses a hard link through a symlinked directory', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 's', type: 'symlink', linkname: sb.outside } },
      { header: { name: 'l', type: 'link', linkname: 's/sentinel.txt' } },
    ]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
  });
  it('refuses a hard link to a missing target or a directory', async () => {
    const sb = sandbox();
    await sb.expectRefused(tarOf([{ header: { name: 'l', type: 'link', linkname: 'missing' } }]), 'LAYER_HARDLINK_INVALID');
    await sb.expectRefused(tarOf([{ header: { name: 'd', type: 'dir', mode: 0o755 } }, { header: { name: 'l2', type: 'link', linkname: 'd' } }]), 'LAYER_HARDLINK_INVALID');
  });
  it('a hard link to a symlink pointing outside links the symlink itself; a later file replaces it (documented outcome)', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'sym', type: 'symlink', linkname: path.join(sb.outside, 'sentinel.txt') } },
      { header: { name: 'h', type: 'link', linkname: 'sym' } },
      { header: { name: 'h' }, body: 'new content\n' },
    ]);
    const { error } = await sb.apply(tar);
    assert.equal(error, undefined);
    assert.equal(fs.lstatSync(path.join(sb.root, 'sym')).isSymbolicLink(), true);
    assert.equal(fs.readFileSync(path.join(sb.root, 'h'), 'utf8'), 'new content\n');
  });
});
