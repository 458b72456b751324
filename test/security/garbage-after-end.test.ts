import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tarOf } from '../helpers/layer-tar';
import { useSandbox } from '../helpers/layer-sandbox';

describe('security: data after the end-of-archive marker', () => {
  const sandbox = useSandbox();
  const first = tarOf([{ header: { name: 'first.txt' }, body: 'first\n' }]);
  it('accepts zero padding after the marker (GNU tar pads to 10 KiB records)', async () => {
    const sb = sandbox();
    const { error, result } = await sb.apply(Buffer.concat([first, Buffer.alloc(10240 - (first.length % 10240))]));
    assert.equal(error, undefined);
    assert.equal(result?.entries, 1);
  });
  it('refuses non-zero garbage after the marker with LAYER_TRAILING_DATA', async () => {
    await sandbox().expectRefused(Buffer.concat([first, Buffer.from('garbage')]), 'LAYER_TRAILING_DATA');
  });
  it('refuses a second archive appended after the marker and never extracts it', async () => {
    const sb = sandbox();
    const second = tarOf([{ header: { name: 'second.txt' }, body: 'hidden\n' }]);
    await sb.expectRefused(Buffer.concat([first, second]), 'LAYER_TRAILING_DATA');
    assert.equal(fs.existsSync(path.join(sb.root, 'second.txt')), false);
  });
  it('refuses a lone zero block followed by more entries with LAYER_TAR_INVALID', async () => {
    const lone = Buffer.concat([first.subarray(0, first.length - 1024), Buffer.alloc(512), tarOf([{ header: { name: 'x' }, body: 'x' }])]);
    await sandbox().expectRefused(lone, 'LAYER_TAR_INVALID');
  });
});
