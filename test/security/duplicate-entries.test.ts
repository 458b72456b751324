import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: duplicate entries (documented outcome: the last entry wins)', () => {
  const sandbox = useSandbox();
  it('a second file replaces the first', async () => {
    const sb = sandbox();
    const { error } = await sb.apply(tarOf([{ header: { name: 'f' }, body: 'one' }, { header: { name: 'f', mode: 0o600 }, body: 'two' }]));
    assert.equal(error, undefined);
    assert.equal(fs.readFileSync(path.join(sb.root, 'f'), 'utf8'), 'two');
    assert.equal(fs.statSync(path.join(sb.root, 'f')).mode & 0o777, 0o600);
  });
  it('a file replaces a directory with its contents', async () => {
    const sb = sandbox();
    const tar = tarOf([{ header: { name: 'd', type: 'dir', mode: 0o755 } }, { header: { name: 'd/in' }, body: 'x' }, { header: { name: 'd' }, body: 'file' }]);
    const { error } = await sb.apply(tar);
    assert.equal(error, undefined);
    assert.equal(fs.readFileSync(path.join(sb.root, 'd'), 'utf8'), 'file');
  });
  it('a directory over a directory merges and takes the last metadata', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'd', type: 'dir', mode: 0o755 } },
      { header: { name: 'd/in' }, body: 'x' },
      { header: { name: 'd', type: 'dir', mode: 0o700 } },
    ]);
    const { error } = await sb.apply(tar);
    assert.equal(error, undefined);
    assert.equal(fs.readFileSync(path.join(sb.root, 'd/in'), 'utf8'), 'x');
    assert.equal(fs.statSync(path.join(sb.root, 'd')).mode & 0o777, 0o700);
  });
  it('a symlink replaced by a directory does not redirect later writes', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'x', type: 'symlink', linkname: sb.outside } },
      { header: { name: 'x', type: 'dir', mode: 0o755 } },
      { header: { name: 'x/sentinel.txt' }, body: 'inside' },
    ]);
    const { error } = await sb.apply(tar);
    assert.equal(error, undefined);
    assert.equal(fs.readFileSync(path.join(sb.root, 'x/sentinel.txt'), 'utf8'), 'inside');
  });
});
