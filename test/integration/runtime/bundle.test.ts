import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxLayer } from '../../../fixtures/images/make-busybox-image';
import { removeBundle } from '../../../src/convert';
import { kill, state } from '../../../src/runtime';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox, mountsUnder, runBundle, RuntimeJanitor, runtimeUnavailable } from '../../helpers/runtime-env';
import { skipWith } from '../../helpers/capabilities';
import { tmpDir } from '../../helpers/tmp';

describe('hoist bundle + runc run', function () {
  this.timeout(60_000);
  let root: string;
  let work: string;
  const janitor = new RuntimeJanitor();

  before(async function () {
    const why = await runtimeUnavailable();
    if (why !== undefined) skipWith(this, why);
    root = tmpDir();
    work = tmpDir();
    await loadBusybox(root, 'ep:1', { Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo "args:$0:$FOO"; pwd'], Env: ['FOO=bar'], WorkingDir: '/home' });
    await loadBusybox(root, 'user:1', { User: 'app', Cmd: ['id'] });
    await loadBusybox(root, 'ug:1', { User: '1000:50', Cmd: ['id'] });
    await loadBusybox(root, 'vol:1', { Volumes: { '/data': {} }, Cmd: ['sh', '-c', 'cat /data/count 2>/dev/null; echo x >> /data/count; wc -l < /data/count'] });
    await loadBusybox(root, 'sh:1', { Cmd: ['sh'] });
  });

  afterEach(() => janitor.cleanup());

  async function bundle(ref: string, extra: string[] = []): Promise<string> {
    const dir = janitor.bundle(path.join(work, `b-${ref.replace(/\W/g, '-')}-${Date.now()}`));
    const r = await runHoist(['bundle', ...extra, ref, dir], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(fs.existsSync(path.join(dir, 'config.json')));
    return dir;
  }

  it('runs Entrypoint ++ Cmd with the image env and workdir', async () => {
    const r = await runBundle(janitor, await bundle('ep:1'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'args:/bin/sh:bar\n/home\n');
  });

  it('runs as a user named in the image, with its supplementary groups from /etc/group', async () => {
    const r = await runBundle(janitor, await bundle('user:1'));
    assert.equal(r.stdout.trim(), 'uid=1000(app) gid=1000(app) groups=50(staff),1000(app)');
  });

  it('runs a numeric u:g (its gid the only group) and -u by name', async () => {
    assert.equal((await runBundle(janitor, await bundle('ug:1'))).stdout.trim(), 'uid=1000(app) gid=50(staff) groups=50(staff)');
    assert.equal((await runBundle(janitor, await bundle('ug:1', ['-u', 'app']))).stdout.trim(), 'uid=1000(app) gid=1000(app) groups=50(staff),1000(app)');
    assert.equal((await runBundle(janitor, await bundle('user:1', ['-u', '0:50']))).stdout.trim(), 'uid=0(root) gid=50(staff) groups=50(staff)');
  });

  it('keeps VOLUME data across two runs of the same bundle', async () => {
    const dir = await bundle('vol:1');
    assert.equal((await runBundle(janitor, dir)).stdout.trim(), '1');
    const second = await runBundle(janitor, dir);
    assert.equal(second.stdout, 'x\n2\n');
    assert.equal(fs.readFileSync(path.join(dir, 'volumes', encodeURIComponent('/data'), 'count'), 'utf8'), 'x\nx\n');
  });

  it('passes exit codes through: exit 3 -> 3, killed by SIGKILL -> 137', async () => {
    const dir = await bundle('sh:1');
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { process: { args: string[] } };
    cfg.process.args = ['sh', '-c', 'exit 3'];
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
    assert.equal((await runBundle(janitor, dir)).status, 3);
    cfg.process.args = ['sleep', '60'];
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(cfg));
    const running = runBundle(janitor, dir);
    const id = janitor.lastId();
    for (let i = 0; i < 100 && (await state(id))?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 50));
    await kill(id, 'SIGKILL');
    assert.equal((await running).status, 137);
  });

  it('--rootfs copy writes an independent tree (no mount) that runc runs', async () => {
    const dir = await bundle('user:1', ['--rootfs', 'copy']);
    assert.deepEqual(mountsUnder(dir), []);
    assert.ok(fs.statSync(path.join(dir, 'rootfs/bin/busybox')).isFile());
    assert.match((await runBundle(janitor, dir)).stdout, /uid=1000\(app\)/);
  });

  it('an overlay bundle is a mount of the store layers with its own upper dir', async () => {
    const dir = await bundle('sh:1');
    assert.deepEqual(mountsUnder(dir), [path.join(dir, 'rootfs')]);
    fs.writeFileSync(path.join(dir, 'rootfs/new-file'), 'x');
    assert.ok(fs.existsSync(path.join(dir, 'upper/new-file')));
  });

  it('refuses an existing bundle dir unless --force (which unmounts the old rootfs)', async () => {
    const dir = await bundle('sh:1');
    const again = await runHoist(['bundle', 'sh:1', dir], { root });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists and is not empty.*--force/);
    const forced = await runHoist(['bundle', '--force', 'sh:1', dir], { root });
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(mountsUnder(dir), [path.join(dir, 'rootfs')]);
    assert.ok(!fs.existsSync(path.join(dir, 'upper/new-file')));
  });

  it('rmi refuses an image an overlay bundle uses (unless -f); prune keeps its layers after that, and frees them once the bundle is gone', async () => {
    await loadBusybox(root, 'keep:1', { Cmd: ['cat', '/keep-me'] }, [[...busyboxLayer(), { path: 'keep-me', content: 'kept\n' }]]);
    const dir = await bundle('keep:1');
    const layersDir = path.join(root, 'layers');
    const before = fs.readdirSync(layersDir).sort();
    const refused = await runHoist(['rmi', 'keep:1'], { root });
    assert.equal(refused.code, 1, 'docker refuses to remove an image a container uses');
    assert.match(refused.stderr, new RegExp(`conflict: unable to remove repository reference "keep:1" \\(must force\\) - bundle ${dir} is using its referenced image [0-9a-f]{12}`));
    const id = (JSON.parse((await runHoist(['inspect', 'keep:1'], { root })).stdout) as { Id: string }[])[0]!.Id;
    const byId = await runHoist(['rmi', id.slice(7, 19)], { root });
    assert.equal(byId.code, 1);
    assert.match(byId.stderr, new RegExp(`conflict: unable to delete ${id.slice(7, 19)} \\(must be forced\\) - image is being used by bundle ${dir}`));
    assert.equal((await runHoist(['rmi', '-f', 'keep:1'], { root })).code, 0);
    const kept = await runHoist(['prune'], { root });
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /Kept the unpacked layers of \d+ overlay bundle/);
    assert.doesNotMatch(kept.stdout, /unpacked layers\n/, 'no unpacked layer was deleted');
    assert.deepEqual(fs.readdirSync(layersDir).sort(), before);
    const r = await runBundle(janitor, dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'kept\n');
    await removeBundle(dir);
    const freed = await runHoist(['prune'], { root });
    assert.equal(freed.code, 0, freed.stderr);
    assert.match(freed.stdout, /Deleted 1 unpacked layers/);
    assert.equal(fs.readdirSync(layersDir).length, before.length - 1);
  });

  it('bad input: no command, unknown user (named), passwd symlinked out of the rootfs', async () => {
    const hostFile = path.join(tmpDir(), 'passwd');
    fs.writeFileSync(hostFile, 'evil:x:0:0:evil:/:/bin/sh\n');
    const layer = busyboxLayer().filter((f) => f.path !== 'etc/passwd');
    await loadBusybox(root, 'nocmd:1', { Cmd: null, Entrypoint: null });
    await loadBusybox(root, 'symlink:1', { User: 'evil', Cmd: ['id'] }, [[...layer, { path: 'etc/passwd', type: 'symlink', linkname: hostFile }]]);
    const noCmd = await runHoist(['bundle', 'nocmd:1', path.join(work, 'nocmd')], { root });
    assert.equal(noCmd.code, 1);
    assert.match(noCmd.stderr, /no command specified/);
    const unknown = await runHoist(['bundle', '-u', 'nosuchuser', 'sh:1', path.join(work, 'unknown')], { root });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unable to find user nosuchuser/);
    const sym = await runHoist(['bundle', 'symlink:1', path.join(work, 'symlink')], { root });
    assert.equal(sym.code, 1, 'the host passwd (which has evil) must not be read');
    assert.match(sym.stderr, /unable to find user evil/);
    for (const d of ['nocmd', 'unknown', 'symlink']) {
      assert.ok(!fs.existsSync(path.join(work, d)), `${d}: a failed bundle leaves no directory`);
      assert.deepEqual(mountsUnder(path.join(work, d)), []);
    }
  });
});
