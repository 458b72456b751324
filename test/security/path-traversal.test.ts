import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: path traversal (../)', () => {
  const sandbox = useSandbox();
  for (const name of ['../probe-escaped', 'a/../../probe-escaped', './../outside/sentinel.txt', 'a/b/../../../probe-escaped', 'ok/../inside']) {
    it(`refuses ${JSON.stringify(name)} with LAYER_UNSAFE_PATH`, async () => {
      await sandbox().expectRefused(tarOf([{ header: { name }, body: 'pwned\n' }]), 'LAYER_UNSAFE_PATH');
    });
  }
  it('refuses a directory entry that climbs out', async () => {
    await sandbox().expectRefused(tarOf([{ header: { name: '../probe-escaped', type: 'dir', mode: 0o755 } }]), 'LAYER_UNSAFE_PATH');
  });
});

describe('security: NUL bytes in names', () => {
  const sandbox = useSandbox();
  it('refuses a PAX path with a NUL byte with LAYER_UNSAFE_PATH', async () => {
    await sandbox().expectRefused(tarOf([{ header: { name: `evil${'\0'}${'x'.repeat(120)}` }, body: 'x' }]), 'LAYER_UNSAFE_PATH');
  });
});
