import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: a non-directory root entry', () => {
  const sandbox = useSandbox();
  for (const [name, type] of [
    ['.', 'symlink'],
    ['.', 'file'],
    ['./', 'fifo'],
    ['', 'link'],
  ] as const) {
    it(`refuses ${JSON.stringify(name)} as a ${type} with LAYER_ROOT_NOT_DIR`, async () => {
      const sb = sandbox();
      await sb.expectRefused(tarOf([{ header: { name, type, linkname: type === 'file' ? '' : sb.outside } }]), 'LAYER_ROOT_NOT_DIR');
    });
  }
});
