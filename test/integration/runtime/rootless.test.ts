import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { hasCommand, isRoot, skipWith } from '../../helpers/capabilities';
import { HOIST_BIN } from '../../helpers/paths';

const USER = 'hoist-rootless';

/** Runs argv as the unprivileged test user (setpriv), with its own HOME, XDG_RUNTIME_DIR and store. */
function asUser(dir: string, argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const uid = spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim();
  const gid = spawnSync('id', ['-g', USER], { encoding: 'utf8' }).stdout.trim();
  const r = spawnSync(
    'setpriv',
    ['--reuid', uid, '--regid', gid, '--clear-groups', 'env', `HOME=${dir}`, `XDG_RUNTIME_DIR=${dir}/run`, `HOIST_ROOT=${dir}/store`, ...argv],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hoist bundle --rootless (run by an unprivileged user)', function () {
  this.timeout(60_000);
  let dir: string;

  before(function () {
    if (!isRoot()) skipWith(this, 'needs root to create the test user');
    const missing = ['runc', 'setpriv', 'useradd'].filter((c) => !hasCommand(c));
    if (missing.length > 0) skipWith(this, `needs ${missing.join(', ')}`);
    if (spawnSync('id', [USER], { stdio: 'ignore' }).status !== 0) {
      const add = spawnSync('useradd', ['-M', '-s', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
      if (add.status !== 0) skipWith(this, `useradd failed: ${add.stderr}`);
    }
    const unpriv = spawnSync('setpriv', ['--reuid', USER, '--regid', USER, '--clear-groups', 'unshare', '--user', 'true']);
    if (unpriv.status !== 0) skipWith(this, 'unprivileged user namespaces are disabled');
    // a checkout under a private directory (a clone in `mktemp -d`, mode 0700) is out of the user's reach
    const reach = spawnSync('setpriv', ['--reuid', USER, '--regid', USER, '--clear-groups', process.execPath, '-e', `require(${JSON.stringify(path.join(path.dirname(HOIST_BIN), '..', 'dist', 'src', 'cli', 'main.js'))})`]);
    if (reach.status !== 0) skipWith(this, `${USER} cannot read the checkout at ${path.dirname(path.dirname(HOIST_BIN))} (a directory above it is private): the test runs hoist as that user`);
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-rootless-'));
    fs.chmodSync(dir, 0o755);
    spawnSync('chown', ['-R', USER, dir]);
  });

  afterEach(() => {
    asUser(dir, ['runc', '--root', `${dir}/run/runc`, 'delete', '--force', 'rl']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs as root inside a user namespace that maps only the invoking user', async () => {
    const archive = path.join(dir, 'a.tar');
    await makeDockerArchive(archive, { tags: ['bb:1'], config: { Cmd: ['sh', '-c', 'id; cat /proc/self/uid_map; touch /made-here'] } });
    spawnSync('chown', [USER, archive]);
    fs.mkdirSync(path.join(dir, 'run'), { mode: 0o700 });
    spawnSync('chown', [USER, path.join(dir, 'run')]);
    const load = asUser(dir, [process.execPath, HOIST_BIN, 'load', '-i', archive]);
    assert.equal(load.status, 0, load.stderr);
    const bundle = asUser(dir, [process.execPath, HOIST_BIN, 'bundle', '--rootless', 'bb:1', `${dir}/b`]);
    assert.equal(bundle.status, 0, bundle.stderr);
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'b/config.json'), 'utf8')) as { linux: { uidMappings: { hostID: number }[] } };
    const uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout);
    assert.equal(spec.linux.uidMappings[0]?.hostID, uid);
    const r = asUser(dir, ['runc', '--root', `${dir}/run/runc`, 'run', '--bundle', `${dir}/b`, 'rl']);
    assert.equal(r.status, 0, r.stderr);
    const [idLine, mapLine] = r.stdout.trim().split('\n');
    assert.equal(idLine, 'uid=0(root) gid=0(root)');
    assert.deepEqual(mapLine!.trim().split(/\s+/).map(Number), [0, uid, 1]);
    assert.equal(fs.statSync(path.join(dir, 'b/rootfs/made-here')).uid, uid, 'root inside writes files as the unprivileged user');
  });
});
