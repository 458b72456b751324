import * as assert from 'node:assert/strict';
import { spawnHoist } from '../../helpers/hoist-cli';
import { tmpDir } from '../../helpers/tmp';

describe('hoist CLI: a reader that closes stdout early (`hoist … | head`)', () => {
  it('ends with the SIGPIPE status (141) and no stack trace, as a Unix tool does', async () => {
    const child = spawnHoist(['--help'], { root: tmpDir('hoist-epipe-') });
    child.stdout!.destroy(); // the reader is gone before hoist writes a byte
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    assert.equal(code, 141, stderr);
    assert.equal(stderr, '');
  });
});
