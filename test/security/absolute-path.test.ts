import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: absolute paths', () => {
  const sandbox = useSandbox();
  it('refuses an absolute file name with LAYER_UNSAFE_PATH', async () => {
    const sb = sandbox();
    await sb.expectRefused(tarOf([{ header: { name: sb.probe }, body: 'pwned\n' }]), 'LAYER_UNSAFE_PATH');
  });
  it('refuses an absolute hard link target', async () => {
    const sb = sandbox();
    await sb.expectRefused(tarOf([{ header: { name: 'l', type: 'link', linkname: `${sb.outside}/sentinel.txt` } }]), 'LAYER_UNSAFE_PATH');
  });
  it('refuses an absolute name in a PAX path record (long name)', async () => {
    const sb = sandbox();
    const name = `${sb.probe}/${'x'.repeat(120)}`;
    await sb.expectRefused(tarOf([{ header: { name }, body: 'pwned\n' }]), 'LAYER_UNSAFE_PATH');
  });
});
