import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MODULE = path.resolve(__dirname, '../../../src/cli/defer-builtins.js');

describe('cli/defer-builtins', function () {
  this.timeout(20000);
  it('hands matching modules a stand-in that loads the builtin on first use, others the builtin', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-defer-'));
    try {
      fs.writeFileSync(path.join(dir, 'lazy-user.js'), "module.exports = require('node:child_process');");
      fs.writeFileSync(path.join(dir, 'plain-user.js'), "module.exports = require('node:zlib');");
      // in a child: the hook changes the loader of the process it is installed in
      const script = `require(${JSON.stringify(MODULE)}).deferBuiltins([{ name: 'child_process', from: /lazy-user\\.js$/ }, { name: 'zlib', from: /nothing$/ }]);
        const loaded = () => process.moduleLoadList.includes('NativeModule child_process');
        const cp = require(${JSON.stringify(path.join(dir, 'lazy-user.js'))});
        const before = loaded();
        const out = cp.execFileSync(process.execPath, ['-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
        const zlib = require(${JSON.stringify(path.join(dir, 'plain-user.js'))});
        process.stdout.write(JSON.stringify({ before, after: loaded(), out, real: zlib === require('node:zlib') }));`;
      const r = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, unknown>;
      assert.deepEqual(r, { before: false, after: true, out: 'ok', real: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
