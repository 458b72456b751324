import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: symlink chains', () => {
  const sandbox = useSandbox();
  it('refuses a write through a chain a -> b -> ../outside', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'a', type: 'symlink', linkname: 'b' } },
      { header: { name: 'b', type: 'symlink', linkname: '../outside' } },
      { header: { name: 'a/sentinel.txt' }, body: 'pwned\n' },
    ]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
  });
  it('refuses a write through a symlinked parent deep in the path', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'd', type: 'dir', mode: 0o755 } },
      { header: { name: 'd/e', type: 'symlink', linkname: '../../outside/dir' } },
      { header: { name: 'd/e/keep.txt' }, body: 'pwned\n' },
    ]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
  });
  it('refuses a hard link whose target path goes through the chain', async () => {
    const sb = sandbox();
    const tar = tarOf([
      { header: { name: 'a', type: 'symlink', linkname: 'b' } },
      { header: { name: 'b', type: 'symlink', linkname: sb.outside } },
      { header: { name: 'l', type: 'link', linkname: 'a/sentinel.txt' } },
    ]);
    await sb.expectRefused(tar, 'LAYER_UNSAFE_PATH');
  });
});
