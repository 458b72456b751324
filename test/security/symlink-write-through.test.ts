import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: symlink then write through it', () => {
  const sandbox = useSandbox();
  it('refuses a file under a symlink to an outside directory', async () => {
    const sb = sandbox();
    const tar = tarOf([{ header: { name: 'evil', type: 'symlink', linkname: sb.outside } }, { header: { name: 'evil/sentinel.txt' }, body: 'pwned\n' }]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
  });
  it('refuses a file under a relative symlink that climbs out', async () => {
    const sb = sandbox();
    const tar = tarOf([{ header: { name: 'evil', type: 'symlink', linkname: '../outside' } }, { header: { name: 'evil/new.txt' }, body: 'pwned\n' }]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
  });
  it('refuses a directory under a symlink even when it stays inside', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'real', type: 'dir', mode: 0o755 } },
      { header: { name: 'alias', type: 'symlink', linkname: 'real' } },
      { header: { name: 'alias/sub', type: 'dir', mode: 0o755 } },
    ]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
  });
  it('replaces a symlink by a file instead of writing through it (documented outcome)', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'x', type: 'symlink', linkname: path.join(sb.outside, 'sentinel.txt') } },
      { header: { name: 'x' }, body: 'replaced\n' },
    ]);
    const { error } = await sb.apply(tar);
    assert.equal(error, undefined);
    assert.equal(fs.lstatSync(path.join(sb.root, 'x')).isFile(), true);
    assert.equal(fs.readFileSync(path.join(sb.root, 'x'), 'utf8'), 'replaced\n');
  });
});
