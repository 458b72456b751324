import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxLayer } from '../../../fixtures/images/make-busybox-image';
import { LxcSandbox, requireLxc } from '../../helpers/lxc-host';
import { tmpDir } from '../../helpers/tmp';

describe('hoist lxc: bad input is refused with a clear error and leaves nothing behind', function () {
  this.timeout(60000);
  const sb = new LxcSandbox();
  const hostFile = path.join(tmpDir(), 'host-passwd');

  before(async function () {
    requireLxc(this);
    fs.writeFileSync(hostFile, 'evil:x:0:0:evil:/:/bin/sh\n');
    const noPasswd = busyboxLayer().filter((f) => f.path !== 'etc/passwd');
    await sb.load({ tags: ['bad-nocmd:1'], config: { Cmd: null, Entrypoint: null } });
    await sb.load({ tags: ['bad-user:1'], config: { User: 'ghost' } });
    await sb.load({ tags: ['bad-link:1'], layers: [[...noPasswd, { path: 'etc/passwd', type: 'symlink', linkname: hostFile }]], config: { User: 'evil' } });
    await sb.load({ tags: ['bad-quote:1'], config: { Cmd: ['sh', '-c', `echo "it's"`] } });
    await sb.load({ tags: ['ok:1'], config: { Cmd: ['echo', 'ok'] } });
  });
  afterEach(() => sb.cleanup());

  async function refused(ref: string, pattern: RegExp): Promise<void> {
    const name = sb.name('bad');
    const res = await sb.hoist(['lxc', ref, '--name', name, '--lxcpath', sb.lxcpath]);
    assert.equal(res.code, 1, res.stdout);
    assert.match(res.stderr, pattern);
    assert.deepEqual(fs.readdirSync(sb.lxcpath).filter((f) => f.includes(name)), [], 'no container and no temp dir left');
  }

  it('an image with no command', () => refused('bad-nocmd:1', /no Entrypoint and no Cmd/));
  it('an unknown user (never a silent root)', () => refused('bad-user:1', /unable to find user ghost/));
  it('/etc/passwd -> a host file is resolved inside the rootfs, never read outside it', () => refused('bad-link:1', /unable to find user evil/));
  it('an argument LXC cannot be given back (both quotes and a space)', () => refused('bad-quote:1', /cannot be written to an LXC config/));

  it('an existing container name is refused unless --force', async () => {
    const name = sb.name('dup');
    const args = ['lxc', 'ok:1', '--name', name, '--lxcpath', sb.lxcpath];
    assert.equal((await sb.hoist(args)).code, 0);
    fs.writeFileSync(path.join(sb.lxcpath, name, 'rootfs', 'keep'), 'x');
    const again = await sb.hoist(args);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists .*--force/);
    assert.ok(fs.existsSync(path.join(sb.lxcpath, name, 'rootfs', 'keep')), 'the existing container is untouched');
    const forced = await sb.hoist([...args, '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok(!fs.existsSync(path.join(sb.lxcpath, name, 'rootfs', 'keep')), 'replaced');
    const run = sb.lxc('lxc-execute', name);
    assert.equal(run.stdout.trim(), 'ok');
  });
});
