import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxLayer } from '../../../fixtures/images/make-busybox-image';
import { ensureRootSubids, LxcSandbox, requireLxc } from '../../helpers/lxc-host';
import { tmpDir } from '../../helpers/tmp';
import { skipWith } from '../../helpers/capabilities';

const ECHO_ARGS = ['sh', '-c', 'for a in "$@"; do echo "[$a]"; done; id; pwd; echo "V=$V"', 'argv0', 'a b', "it's", 'say "hi"', '', '  two  spaces '];
const INITTAB = '::sysinit:/bin/touch /booted\n::respawn:/bin/sleep 1000\n::shutdown:/bin/sh -c "echo stopped-by-init > /data/marker"\n';

describe('hoist lxc: LXC containers from images (real lxc-execute / lxc-start)', function () {
  this.timeout(120000);
  const sb = new LxcSandbox();

  before(async function () {
    requireLxc(this);
    const owned = { path: 'home/app/owned', content: 'mine\n', uid: 1000, gid: 1000, mode: 0o4755 };
    await sb.load({ tags: ['lxc-app:1'], layers: [[...busyboxLayer(), owned]], config: { Cmd: ECHO_ARGS, User: 'app', WorkingDir: '/home/app', Env: ['V=x y'], Volumes: { '/data': {} } } });
    await sb.load({
      tags: ['lxc-sys:1'],
      layers: [[...busyboxLayer(), { path: 'etc/inittab', content: INITTAB }, { path: 'data', type: 'directory', mode: 0o755 }, { path: 'data/seed', content: 'from image\n' }]],
      config: { Cmd: ['/bin/init'], StopSignal: 'SIGUSR2', Volumes: { '/data': {} } },
    });
  });
  afterEach(() => sb.cleanup());

  it('app mode: lxc-execute runs the image Cmd with spaces and both quotes, as its user, in its WorkingDir', async () => {
    const name = sb.name('app');
    const res = await sb.hoist(['lxc', 'lxc-app:1', '--name', name, '--lxcpath', sb.lxcpath]);
    assert.equal(res.code, 0, res.stderr);
    const config = fs.readFileSync(path.join(sb.lxcpath, name, 'config'), 'utf8');
    assert.match(config, /^lxc\.execute\.cmd = /m);
    assert.doesNotMatch(config, /^lxc\.init\.cmd/m);
    const run = sb.lxc('lxc-execute', name);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 6), ['[a b]', "[it's]", '[say "hi"]', '[]', '[  two  spaces ]', 'uid=1000(app) gid=1000(app) groups=50(staff),1000(app)']);
    assert.equal(lines[6], '/home/app');
    assert.equal(lines[7], 'V=x y');
  });

  it('system mode: busybox init boots (lxc-start -d), lxc-attach runs, lxc-stop uses the StopSignal; the volume persists beside it', async () => {
    const name = sb.name('sys');
    const res = await sb.hoist(['lxc', 'lxc-sys:1', '--name', name, '--lxcpath', sb.lxcpath, '--mode', 'system']);
    assert.equal(res.code, 0, res.stderr);
    const config = fs.readFileSync(path.join(sb.lxcpath, name, 'config'), 'utf8');
    assert.match(config, /^lxc\.init\.cmd = \/bin\/init$/m);
    assert.match(config, /^lxc\.signal\.halt = SIGUSR2$/m);
    assert.match(config, /^lxc\.net\.0\.type = empty$/m);
    assert.equal(sb.lxc('lxc-start', name, ['-d']).code, 0);
    const attach = sb.lxc('lxc-attach', name, ['--', '/bin/sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /booted ] && break; sleep 0.3; done; ls /booted; hostname; cat /etc/hostname /data/seed']);
    assert.equal(attach.code, 0, attach.stderr);
    assert.deepEqual(attach.stdout.split('\n').slice(0, 4), ['/booted', name, name, 'from image']);
    const t0 = Date.now();
    const stop = sb.lxc('lxc-stop', name, ['-t', '20']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(Date.now() - t0 < 15000, 'init stopped on the StopSignal, not by the timeout kill');
    assert.equal(fs.readFileSync(path.join(sb.lxcpath, name, 'volumes', 'data', 'marker'), 'utf8'), 'stopped-by-init\n', "busybox init ran its shutdown actions: it got SIGUSR2 (LXC's default SIGPWR does nothing to it)");
  });

  it('unprivileged (id map to 100000): a file of uid 1000 is 1000 inside and 101000 outside, setuid kept', async () => {
    ensureRootSubids();
    const name = sb.name('unpriv');
    const res = await sb.hoist(['lxc', 'lxc-app:1', '--name', name, '--lxcpath', sb.lxcpath, '--unprivileged', '--idmap', '0:100000:65536']);
    assert.equal(res.code, 0, res.stderr);
    const file = path.join(sb.lxcpath, name, 'rootfs', 'home', 'app', 'owned');
    const st = fs.statSync(file);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [101000, 101000, 0o4755]);
    assert.equal(fs.statSync(path.join(sb.lxcpath, name, 'rootfs', 'bin', 'busybox')).uid, 100000);
    const run = sb.lxc('lxc-execute', name, ['--', '/bin/stat', '-c', '%u:%g %a %n', '/home/app/owned', '/bin/busybox']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['1000:1000 4755 /home/app/owned', '0:0 755 /bin/busybox']);
  });

  it('overlay rootfs: no copy, the store layers as lowerdirs; lxc-execute works after hoist exited; unprivileged overlay is refused', async () => {
    const name = sb.name('ovl');
    const res = await sb.hoist(['lxc', 'lxc-app:1', '--name', name, '--lxcpath', sb.lxcpath, '--rootfs', 'overlay']);
    assert.equal(res.code, 0, res.stderr);
    const config = fs.readFileSync(path.join(sb.lxcpath, name, 'config'), 'utf8');
    assert.match(config, new RegExp(`^lxc\\.rootfs\\.path = overlay:${sb.root}/layers/[0-9a-f]{64}/fs:${sb.lxcpath}/${name}/rootfs$`, 'm'));
    assert.ok(!fs.existsSync(path.join(sb.lxcpath, name, 'rootfs', 'bin')), 'the upper dir holds only what hoist wrote');
    assert.equal(fs.readFileSync(path.join(sb.lxcpath, name, 'rootfs', 'etc', 'hostname'), 'utf8'), `${name}\n`);
    const run = sb.lxc('lxc-execute', name);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.split('\n')[0], '[a b]');
    const refused = await sb.hoist(['lxc', 'lxc-app:1', '--name', sb.name('ovlu'), '--lxcpath', sb.lxcpath, '--rootfs', 'overlay', '--unprivileged']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /overlay cannot be --unprivileged/);
  });

  it('overlay rootfs: rmi refuses the image unless -f; prune keeps the layers while the container exists, and frees them after lxc-destroy', async () => {
    await sb.load({ tags: ['lxc-keep:1'], layers: [[...busyboxLayer(), { path: 'keep-me', content: 'kept\n' }]], config: { Cmd: ['cat', '/keep-me'] } });
    const name = sb.name('keep');
    const res = await sb.hoist(['lxc', 'lxc-keep:1', '--name', name, '--lxcpath', sb.lxcpath, '--rootfs', 'overlay']);
    assert.equal(res.code, 0, res.stderr);
    const layersDir = path.join(sb.root, 'layers');
    const before = fs.readdirSync(layersDir).sort();
    const refused = await sb.hoist(['rmi', 'lxc-keep:1']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /conflict: unable to remove repository reference "lxc-keep:1" \(must force\) - LXC container \S+ is using its referenced image/);
    assert.equal((await sb.hoist(['rmi', '-f', 'lxc-keep:1'])).code, 0);
    const kept = await sb.hoist(['prune']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /Kept the unpacked layers of \d+ overlay bundle/);
    assert.deepEqual(fs.readdirSync(layersDir).sort(), before);
    const run = sb.lxc('lxc-execute', name);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'kept\n');
    const destroy = sb.lxc('lxc-destroy', name);
    assert.equal(destroy.code, 0, destroy.stderr);
    assert.deepEqual(fs.readdirSync(layersDir).sort(), before, "lxc-destroy removes the container's upper dir, never the store's lowerdirs");
    const freed = await sb.hoist(['prune']);
    assert.equal(freed.code, 0, freed.stderr);
    assert.match(freed.stdout, /Deleted 1 unpacked layers/);
    assert.equal(fs.readdirSync(layersDir).length, before.length - 1);
  });

  it('--image-tarball: an Incus/LXD unified image whose metadata.yaml parses and whose rootfs has the image files', async function () {
    const file = path.join(tmpDir(), 'image.tar.xz');
    const res = await sb.hoist(['lxc', 'lxc-app:1', '--name', sb.name('incus'), '--lxcpath', sb.lxcpath, '--image-tarball', file]);
    assert.equal(res.code, 0, res.stderr);
    const list = spawnSync('tar', ['-tJvf', file, '--numeric-owner'], { encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, / 1000\/1000 .* rootfs\/home\/app\/owned$/m);
    assert.match(list.stdout, / rootfs\/bin\/busybox$/m);
    assert.match(list.stdout, / templates\/hostname\.tpl$/m);
    const meta = spawnSync('tar', ['-xJOf', file, 'metadata.yaml'], { encoding: 'utf8' }).stdout;
    const py = spawnSync('python3', ['-c', 'import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: meta, encoding: 'utf8' });
    if (py.status !== 0) skipWith(this, 'needs python3 with PyYAML (Debian python3-yaml) to read metadata.yaml');
    const parsed = JSON.parse(py.stdout) as { architecture: string; creation_date: number; properties: Record<string, string>; templates: Record<string, unknown> };
    assert.equal(parsed.architecture, 'x86_64');
    assert.ok(Math.abs(parsed.creation_date - Date.now() / 1000) < 600);
    assert.equal(parsed.properties.release, '1');
    assert.ok(parsed.templates['/etc/hosts']);
  });
});
