import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxLayer } from '../../../fixtures/images/make-busybox-image';
import { requireCommands } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { ensureRootSubids, LxcSandbox, requireLxc } from '../../helpers/lxc-host';
import { tmpDir } from '../../helpers/tmp';

/** lxc-execute on a container in `lxcpath` (argv, never a shell). */
function lxcExecute(lxcpath: string, name: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('lxc-execute', ['-P', lxcpath, '-n', name], { encoding: 'utf8', timeout: 60000, cwd: '/' });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

describe('hoist lxc --unprivileged under a private directory: refused with what to change, before anything is written', function () {
  this.timeout(120000);
  const sb = new LxcSandbox();
  const made: string[] = [];

  before(async function () {
    requireLxc(this);
    ensureRootSubids();
    await sb.load({ tags: ['priv:1'], layers: [busyboxLayer()], config: { Cmd: ['id'], User: 'app' } });
  });
  after(() => {
    for (const [lxcpath, name] of made.map((m) => m.split('\0') as [string, string])) {
      spawnSync('lxc-stop', ['-P', lxcpath, '-n', name, '-k'], { stdio: 'ignore', timeout: 20000 });
    }
  });

  /** A 0700 directory (as `mktemp -d` makes) with the lxcpath below it. */
  function privateParent(): { parent: string; lxcpath: string } {
    const parent = tmpDir('hoist-private-');
    fs.chmodSync(parent, 0o700);
    return { parent, lxcpath: path.join(parent, 'containers', 'lxc') };
  }

  function hoistLxc(lxcpath: string, name: string, extra: string[] = []): ReturnType<typeof runHoist> {
    made.push(`${lxcpath}\0${name}`);
    return runHoist(['lxc', 'priv:1', '--name', name, '--lxcpath', lxcpath, ...extra], { root: sb.root });
  }

  it('a 0700 directory above the lxcpath: CONVERT_LXC_PATH_UNREACHABLE naming it, chmod and setfacl; nothing written', async () => {
    const { parent, lxcpath } = privateParent();
    const res = await hoistLxc(lxcpath, 'p1', ['--unprivileged']);
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, new RegExp(`host uid 100000, gid 100000\\) cannot reach the lxcpath ${lxcpath}: ${parent} \\(mode 0700, owner 0:0\\)`));
    assert.ok(res.stderr.includes(`chmod o+x ${parent}`), res.stderr);
    assert.ok(res.stderr.includes(`setfacl -m u:100000:x ${parent}`), res.stderr);
    assert.deepEqual(fs.readdirSync(parent), [], 'nothing was written');
    const debug = await runHoist(['--debug', 'lxc', 'priv:1', '--name', 'p1', '--lxcpath', lxcpath, '--unprivileged'], { root: sb.root });
    assert.match(debug.stderr, /CONVERT_LXC_PATH_UNREACHABLE/);
  });

  it('the lxcpath itself 0700 (and another id map): named too', async () => {
    const lxcpath = tmpDir('hoist-private-');
    fs.chmodSync(lxcpath, 0o700);
    const res = await hoistLxc(lxcpath, 'p2', ['--unprivileged', '--idmap', '0:200000:65536']);
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, new RegExp(`host uid 200000, gid 200000\\) cannot reach the lxcpath ${lxcpath}: ${lxcpath} \\(mode 0700`));
    assert.deepEqual(fs.readdirSync(lxcpath), []);
  });

  it('privileged containers are not checked: root reaches anything', async () => {
    const { lxcpath } = privateParent();
    const res = await hoistLxc(lxcpath, 'p3');
    assert.equal(res.code, 0, res.stderr);
    const run = lxcExecute(lxcpath, 'p3');
    assert.equal(run.code, 0, run.stderr);
  });

  it('after `setfacl -m u:100000:x` (or `chmod o+x`) as the message says, hoist lxc and lxc-execute work; new dirs are 0755 under umask 077', async function () {
    requireCommands(this, 'setfacl');
    const { parent, lxcpath } = privateParent();
    const acl = spawnSync('setfacl', ['-m', 'u:100000:x', parent], { encoding: 'utf8' });
    assert.equal(acl.status, 0, acl.stderr);
    const umask = process.umask(0o077); // hoist inherits it
    const res = await hoistLxc(lxcpath, 'p4', ['--unprivileged']).finally(() => process.umask(umask));
    assert.equal(res.code, 0, res.stderr);
    assert.equal(fs.statSync(path.dirname(lxcpath)).mode & 0o777, 0o755);
    const run = lxcExecute(lxcpath, 'p4');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^uid=1000\(app\) gid=1000\(app\)/);

    const other = privateParent();
    fs.chmodSync(other.parent, 0o701);
    const res2 = await hoistLxc(other.lxcpath, 'p5', ['--unprivileged']);
    assert.equal(res2.code, 0, res2.stderr);
    const run2 = lxcExecute(other.lxcpath, 'p5');
    assert.equal(run2.code, 0, run2.stderr);
  });

  it('before this check, LXC itself refused at start (the failure the check foresees)', function () {
    const { parent, lxcpath } = privateParent();
    fs.chmodSync(parent, 0o755);
    return hoistLxc(lxcpath, 'p6', ['--unprivileged']).then((res) => {
      assert.equal(res.code, 0, res.stderr);
      fs.chmodSync(parent, 0o700);
      const run = lxcExecute(lxcpath, 'p6');
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, new RegExp(`Could not access ${parent}`));
    });
  });
});
