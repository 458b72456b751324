import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { skipWith } from '../../helpers/capabilities';
import { REPO_ROOT } from '../../helpers/paths';

// sys/libc.ts loads koffi's native module itself where it can (docs/run.md, "Start time"): koffi's
// own loader costs ~10 ms of `hoist run`'s start. Run in a process of its own (mocha's has koffi
// loaded already, through other tests).
describe('sys/libc loading', () => {
  const load = (): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(
      process.execPath,
      [
        '-e',
        `const { libc } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/src/sys/libc.js'))});
         const l = libc();
         const koffiLoader = Object.keys(require.cache).filter((f) => /[\\/]node_modules[\\/]koffi[\\/]/.test(f));
         process.stdout.write(JSON.stringify({ koffiLoader, umount: l.umount2('/nonexistent-hoist-dir', 0), mknod: l.mknod('/nonexistent-hoist-dir/x', 0o10644, 0, 0) }));`,
      ],
      { encoding: 'utf8' },
    );

  it("calls libc through koffi's native module without koffi's JavaScript loader (linux x64/arm64, glibc)", function () {
    if (process.platform !== 'linux' || !['x64', 'arm64'].includes(process.arch)) {
      skipWith(this, `koffi's prebuilt ${process.platform}_${process.arch} module is loaded by koffi itself here`);
    }
    const r = load();
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { koffiLoader: string[]; umount: string; mknod: string };
    assert.deepEqual(out.koffiLoader, []);
    // errno names still come through (koffi.os.errno, koffi.errno())
    assert.equal(out.umount, 'ENOENT');
    assert.equal(out.mknod, 'ENOENT');
  });
});
