import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createScratchFile, findLeftovers, removeLeftovers, StorePaths } from '../../../src/store';
import { tmpDir } from '../../helpers/tmp';

describe('store: scratch files under ingest/', () => {
  it('is its owner\'s while it lives (no leftover), and gone once removed', async () => {
    const paths = new StorePaths(tmpDir('hoist-scratch-'));
    const scratch = await createScratchFile(paths);
    fs.writeFileSync(scratch.path, 'tar bytes');
    assert.ok(scratch.path.startsWith(paths.ingest + path.sep));
    assert.deepEqual(await findLeftovers(paths), []);
    await scratch.remove();
    await scratch.remove(); // idempotent
    assert.deepEqual(fs.readdirSync(paths.ingest), []);
  });

  it('a process that dies holding one leaves a leftover prune removes', async () => {
    const paths = new StorePaths(tmpDir('hoist-scratch-dead-'));
    const module = path.resolve(__dirname, '../../../src/store/scratch-file.js');
    const script = `require(${JSON.stringify(module)}).createScratchFile(new (require(${JSON.stringify(path.resolve(__dirname, '../../../src/store/store-paths.js'))}).StorePaths)(${JSON.stringify(paths.root)})).then((s) => { require('fs').writeFileSync(s.path, 'x'.repeat(4096)); process.exit(0); })`;
    execFileSync(process.execPath, ['-e', script]);
    const leftovers = await findLeftovers(paths);
    // the ingest (its dead lock goes with it)
    assert.deepEqual(leftovers.map((l) => [l.kind, path.basename(l.path).replace(/-\d+-[0-9a-f]+$/, '')]), [['ingest', 'scratch']]);
    assert.ok(leftovers[0]!.bytes >= 4096, 'its bytes are counted (system df)');
    await removeLeftovers(paths, leftovers);
    assert.deepEqual(fs.readdirSync(paths.ingest), []);
  });
});
