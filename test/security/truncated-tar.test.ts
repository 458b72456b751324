import * as zlib from 'node:zlib';
import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: truncated tar', () => {
  const sandbox = useSandbox();
  const full = tarOf([{ header: { name: 'a.txt' }, body: 'a'.repeat(3000) }, { header: { name: 'b.txt' }, body: 'b\n' }]);
  it('refuses a tar cut inside a body with LAYER_TAR_TRUNCATED', async () => {
    await sandbox().expectRefused(full.subarray(0, 1500), 'LAYER_TAR_TRUNCATED');
  });
  it('refuses a tar cut inside a header', async () => {
    await sandbox().expectRefused(full.subarray(0, 200), 'LAYER_TAR_TRUNCATED');
  });
  it('refuses a tar without its end-of-archive marker', async () => {
    await sandbox().expectRefused(full.subarray(0, full.length - 1024), 'LAYER_TAR_TRUNCATED');
  });
  it('refuses a truncated gzip stream with COMPRESSION_CORRUPT', async () => {
    const gz = zlib.gzipSync(full);
    await sandbox().expectRefused(gz.subarray(0, gz.length - 20), 'COMPRESSION_CORRUPT');
  });
  it('refuses a header with a bad checksum with LAYER_TAR_INVALID', async () => {
    const bad = Buffer.from(full);
    bad[10] = 0x41;
    await sandbox().expectRefused(bad, 'LAYER_TAR_INVALID');
  });
});
