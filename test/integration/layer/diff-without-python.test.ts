import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isOverlaySupported } from '../../../src/snapshot/mount';
import { hasCommand, requireCommands, skipWith } from '../../helpers/capabilities';
import { REPO_ROOT } from '../../helpers/paths';
import { tmpDir } from '../../helpers/tmp';

const CAP_HEX = '0x0100000200040000000000000000000000000000';

/** Every python3 this machine could start, resolved to the real files. */
function pythons(): string[] {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/bin', '/usr/local/bin', '/bin'];
  const found = new Set<string>();
  for (const d of dirs) {
    for (const name of ['python3', 'python']) {
      const p = path.join(d, name);
      if (fs.existsSync(p)) found.add(fs.realpathSync(p));
    }
  }
  return [...found];
}

/**
 * The overlay diff of a `rm -rf d && mkdir d` step and of a file given a
 * capability, computed by a hoist process that cannot start python3 (a private
 * mount namespace with /dev/null over every python, and a PATH without one):
 * the layer must still say `d/.wh..wh..opq` and carry security.capability.
 */
describe('overlay diff without python3', function () {
  this.timeout(30_000);
  let upper: string;

  before(async function () {
    if (!(await isOverlaySupported())) skipWith(this, 'needs root and overlayfs');
    requireCommands(this, 'getfattr', 'setfattr', 'unshare', 'mount', 'umount');
    const root = tmpDir('hoist-nopy-');
    const [lower, work, merged] = ['lower', 'work', 'merged'].map((d) => path.join(root, d)) as [string, string, string];
    upper = path.join(root, 'upper');
    for (const d of [lower, upper, work, merged, path.join(lower, 'd')]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(path.join(lower, 'd', 'old'), 'old');
    fs.writeFileSync(path.join(lower, 'ping'), 'ping');
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work},index=off,redirect_dir=off,metacopy=off`, merged]);
    try {
      fs.rmSync(path.join(merged, 'd'), { recursive: true });
      fs.mkdirSync(path.join(merged, 'd'));
      fs.writeFileSync(path.join(merged, 'd', 'new'), 'new');
      execFileSync('setfattr', ['-n', 'security.capability', '-v', CAP_HEX, path.join(merged, 'ping')]);
    } finally {
      execFileSync('umount', [merged]);
    }
    // the kernel marked d opaque: checked by getfattr, not by the code under test
    const opaque = execFileSync('getfattr', ['-h', '--absolute-names', '-n', 'trusted.overlay.opaque', '--only-values', path.join(upper, 'd')], { encoding: 'utf8' });
    assert.equal(opaque, 'y');
  });

  it('keeps the opaque marker and the capability', function () {
    if (!hasCommand('unshare')) skipWith(this, 'needs unshare (util-linux)');
    const script = `
      const { diffUpperDir } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/src/layer'))});
      diffUpperDir(process.argv[1]).then((entries) => {
        process.stdout.write(JSON.stringify(entries.map((e) => [e.name, e.xattrs ? Object.fromEntries([...e.xattrs].map(([k, v]) => [k, v.toString('hex')])) : {}])));
      }, (err) => { process.stderr.write(String(err && err.message)); process.exit(3); });`;
    const hide = pythons()
      .map((p) => `mount --bind /dev/null ${JSON.stringify(p)}`)
      .join(' && ');
    const out = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${hide || 'true'} && exec "$0" "$@"`, process.execPath, '-e', script, upper], {
      encoding: 'utf8',
      env: { PATH: path.dirname(process.execPath) },
      timeout: 20_000,
    });
    const entries = new Map(JSON.parse(out) as Array<[string, Record<string, string>]>);
    assert.ok(entries.has('d/.wh..wh..opq'), `no opaque marker in ${[...entries.keys()].join(', ')}`);
    assert.ok(entries.has('d/new'));
    assert.equal(entries.get('ping')?.['security.capability'], CAP_HEX.slice(2));
  });
});
