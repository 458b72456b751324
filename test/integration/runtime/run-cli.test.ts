import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { list } from '../../../src/runtime';
import { hasVolatileOverlay } from '../../../src/snapshot/overlay-snapshotter';
import { skipWith } from '../../helpers/capabilities';
import { collect, runHoist, spawnHoist } from '../../helpers/hoist-cli';
import { busyboxLayer } from '../../../fixtures/images/make-busybox-image';
import { loadBusybox, mountsUnder, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';

describe('hoist run', function () {
  this.timeout(60_000);
  let root: string;

  before(async function () {
    const why = await runtimeUnavailable();
    if (why !== undefined) skipWith(this, why);
    root = tmpDir();
    await loadBusybox(root, 'bb:1', { Cmd: ['sh', '-c', 'echo default'], Volumes: { '/data': {} } });
    // no VOLUME: its rootfs is left to runc to mount (a VOLUME's seed needs the rootfs mounted by hoist)
    await loadBusybox(root, 'plain:1', { Cmd: ['sh', '-c', 'echo default'], User: 'app' });
  });

  /** Nothing of ours is left: no mount under the store, no container dir or name, no runc state, no layer use. */
  async function assertNothingLeft(): Promise<void> {
    assert.deepEqual(mountsUnder(root), []);
    const containers = path.join(root, 'containers');
    // names/ and the store's one init layer (.init) are not a container's
    const left = fs.existsSync(containers) ? fs.readdirSync(containers).filter((n) => n !== 'names' && n !== '.init') : [];
    assert.deepEqual(left, []);
    assert.deepEqual(fs.existsSync(path.join(containers, 'names')) ? fs.readdirSync(path.join(containers, 'names')) : [], []);
    assert.deepEqual((await list()).filter((c) => c.bundle.startsWith(root)), []);
    const uses = path.join(root, 'uses');
    assert.deepEqual(fs.existsSync(uses) ? fs.readdirSync(uses) : [], [], 'no layer-use record outlives its container');
  }

  it('runs the image command, passes -e, --env-file, -w, -u, -v, --hostname, and leaves nothing with --rm', async () => {
    const host = tmpDir();
    fs.chmodSync(host, 0o755);
    fs.writeFileSync(path.join(host, 'in.txt'), 'from host\n', { mode: 0o644 });
    const envFile = path.join(host, 'env');
    fs.writeFileSync(envFile, '# comment\nFROMFILE=yes\n');
    // bb:1's rootfs is mounted by hoist (it has a VOLUME), plain:1's by runc
    for (const image of ['bb:1', 'plain:1']) {
      const r = await runHoist(
        ['run', '--rm', '-e', 'A=1', '--env-file', envFile, '-w', '/tmp', '-u', 'app', '-v', `${host}:/host:ro`, '--hostname', 'box', image,
          'sh', '-c', 'echo $A $FROMFILE; pwd; id -u; cat /host/in.txt; hostname; touch /host/x 2>/dev/null || echo ro'],
        { root },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '1 yes\n/tmp\n1000\nfrom host\nbox\nro\n', image);
      assert.equal((await runHoist(['run', '--rm', image], { root })).stdout, 'default\n');
    }
    await assertNothingLeft();
  });

  it('passes the exit status through and cleans up after a failure', async () => {
    assert.equal((await runHoist(['run', '--rm', 'bb:1', 'sh', '-c', 'exit 3'], { root })).code, 3);
    assert.equal((await runHoist(['run', '--rm', 'bb:1', 'sh', '-c', 'sh -c "kill -9 \\$\\$"; exit $?'], { root })).code, 137);
    const bad = await runHoist(['run', '--rm', '-u', 'nosuch', 'bb:1', 'true'], { root });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unable to find user nosuch/);
    await assertNothingLeft();
  });

  it('forwards SIGINT to the container, passes its status, and leaves nothing with --rm', async () => {
    const child = spawnHoist(['run', '--rm', 'bb:1', 'sh', '-c', 'trap "echo got-int; exit 130" INT; echo ready; while true; do sleep 0.1; done'], { root });
    child.stdout!.once('data', () => child.kill('SIGINT'));
    const r = await collect(child);
    assert.equal(r.stdout, 'ready\ngot-int\n');
    assert.equal(r.code, 130);
    await assertNothingLeft();
  });

  // bb:1's rootfs is mounted by hoist (it has a VOLUME), plain:1's by runc (gone with the container)
  for (const [image, sig] of [['bb:1', 'SIGINT'], ['plain:1', 'SIGTERM']] as const) {
    it(`a second ${sig} kills a container that ignores the first, and still cleans up (${image})`, async () => {
      const child = spawnHoist(['run', '--rm', image, 'sh', '-c', 'echo ready; exec sleep 60'], { root });
      child.stdout!.once('data', () => {
        child.kill(sig);
        setTimeout(() => child.kill(sig), 500);
      });
      const r = await collect(child);
      assert.equal(r.code, 130);
      await assertNothingLeft();
    });
  }

  it('refuses a container name in use unless --force; without --rm the container stays (unmounted)', async () => {
    const first = await runHoist(['run', '--name', 'web', 'bb:1', 'true'], { root });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(mountsUnder(root), [], 'a stopped container is not mounted');
    const again = await runHoist(['run', '--name', 'web', 'bb:1', 'true'], { root });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /name "web" is already in use.*--force/);
    const forced = await runHoist(['run', '--rm', '--force', '--name', 'web', 'bb:1', 'true'], { root });
    assert.equal(forced.code, 0, forced.stderr);
    await assertNothingLeft();
  });

  it('mounts the rootfs of a --rm container volatile (no syncs, nothing written back at its unmount), a kept one not', async function () {
    if (!hasVolatileOverlay()) skipWith(this, `overlayfs has no volatile option before Linux 5.10 (this is ${os.release()})`);
    // the options of the mount at / as the container sees it (mountinfo: field 5 is the mount point)
    const rootOptions = ['sh', '-c', 'while read -r a b c d m rest; do [ "$m" = / ] && echo "$rest"; done </proc/self/mountinfo; true'];
    // bb:1 has a VOLUME (its rootfs mounted by hoist), plain:1 none (mounted by runc)
    for (const image of ['bb:1', 'plain:1']) {
      const ephemeral = await runHoist(['run', '--rm', image, ...rootOptions], { root });
      assert.equal(ephemeral.code, 0, ephemeral.stderr);
      assert.match(ephemeral.stdout, /overlay .*volatile/, image);
    }
    const kept = await runHoist(['run', '--name', 'kept', 'bb:1', ...rootOptions], { root });
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /overlay /);
    assert.doesNotMatch(kept.stdout, /volatile/);
    assert.equal((await runHoist(['run', '--rm', '--force', '--name', 'kept', 'bb:1', 'true'], { root })).code, 0);
    await assertNothingLeft();
  });

  it('leaves the rootfs of an image without VOLUMEs to runc: mounted in the container only, never on the host', async () => {
    const child = spawnHoist(['run', '--rm', 'plain:1', 'sh', '-c', 'trap "exit 7" INT; id -u; while read -r a b c d m rest; do [ "$m" = / ] && echo "$rest"; done </proc/self/mountinfo; while true; do sleep 0.1; done'], { root });
    let hostMounts: string[] | undefined;
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (hostMounts !== undefined || !seen.includes('upperdir=')) return;
      hostMounts = mountsUnder(root);
      child.kill('SIGINT');
    });
    const r = await collect(child);
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stdout, /^1000\n.*overlay .*lowerdir=.*upperdir=/s, 'the image USER, read from its layers; the overlay at / inside');
    assert.deepEqual(hostMounts, [], 'nothing of the container mounted on the host while it ran');
    await assertNothingLeft();
  });

  it('lays the init layer over the image: a container that writes nothing leaves its upper dir empty; an image with /etc a symlink runs without it', async () => {
    const kept = await runHoist(['run', '--name', 'init', 'plain:1', 'sh', '-c', 'cat /etc/hostname'], { root });
    assert.equal(kept.code, 0, kept.stderr);
    const bundle = path.join(root, 'containers', fs.readFileSync(path.join(root, 'containers', 'names', 'init'), 'utf8').trim(), 'bundle');
    assert.deepEqual(fs.readdirSync(path.join(bundle, 'upper')), [], 'runc made its mountpoints in the upper dir');
    assert.equal((await runHoist(['run', '--rm', '--force', '--name', 'init', 'plain:1', 'true'], { root })).code, 0);
    await loadBusybox(root, 'etclink:1', { Cmd: ['cat', '/etc/passwd'] }, [[
      ...busyboxLayer().filter((f) => f.path !== 'etc' && !f.path.startsWith('etc/')),
      { path: 'etc', type: 'symlink', linkname: 'private' },
      { path: 'private', type: 'directory', mode: 0o755 },
      { path: 'private/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
    ]]);
    const linked = await runHoist(['run', '--rm', 'etclink:1'], { root });
    assert.equal(linked.code, 0, linked.stderr);
    assert.equal(linked.stdout, 'root:x:0:0::/root:/bin/sh\n');
    await assertNothingLeft();
  });

  it('runs an image too deep for one page of overlay options (its lowerdirs shortened by hoist, not handed to runc whole)', async () => {
    const layers = [busyboxLayer(), ...Array.from({ length: 45 }, (_, i) => [{ path: `f${i}`, content: `${i}\n` }])];
    await loadBusybox(root, 'deep:1', { Cmd: ['cat', '/f0', '/f44'] }, layers);
    const r = await runHoist(['run', '--rm', 'deep:1'], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '0\n44\n');
    await assertNothingLeft();
  });

  it('runs two --rm containers of one store at once: each passes its own status, nothing is left', async () => {
    const runs = [3, 4].map((code) => collect(spawnHoist(['run', '--rm', 'bb:1', 'sh', '-c', `echo ${code}; exit ${code}`], { root })));
    const [a, b] = await Promise.all(runs);
    assert.deepEqual([a!.code, a!.stdout, b!.code, b!.stdout], [3, '3\n', 4, '4\n']);
    await assertNothingLeft();
  });

  it('refuses an image with no command', async () => {
    await loadBusybox(root, 'nocmd:1', { Cmd: null });
    const r = await runHoist(['run', '--rm', 'nocmd:1'], { root });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no command specified/);
    await assertNothingLeft();
  });
});
