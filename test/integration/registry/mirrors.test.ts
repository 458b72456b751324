import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { digestOf } from '../../../src/oci/digest';
import { pullImage, pushImage } from '../../../src/registry';
import { Store } from '../../../src/store/store';
import { skipWith } from '../../helpers/capabilities';
import { runMain } from '../../helpers/cli-main';
import { startConnectProxy, type ConnectProxy } from '../../helpers/connect-proxy';
import { buildTestImage, taggedDescriptor, type TestImage } from '../../helpers/registry-image';
import { freePort, hasRegistry, mkTemp, startRegistry, type RegistryServer } from '../../helpers/registry-server';

// Docker Hub behind a pull-through cache, without the internet: the "cache" is a loopback
// docker-registry holding library/busybox; an HTTPS proxy that refuses every host stands for
// the internet and records what was tried; a mirror on a port nobody listens on is a mirror
// that is down.
describe('registry: mirrors (registries.conf [[registry.mirror]], daemon.json registry-mirrors)', function () {
  let reg: RegistryServer;
  let proxy: ConnectProxy;
  let dir: string;
  let image: TestImage;
  let dead: string;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (!hasRegistry()) skipWith(this, 'needs docker-registry (not installed)');
    dir = mkTemp('mirrors');
    reg = await startRegistry();
    proxy = await startConnectProxy({});
    dead = `127.0.0.1:${await freePort()}`;
    const src = await Store.open(path.join(dir, 'src'));
    image = await buildTestImage(src, { layers: [{ 'bin/busybox': 'from the mirror\n' }], label: 'mirror' }, `${reg.host}/library/busybox:latest`);
    await pushImage(src, `${reg.host}/library/busybox:latest`);
    env = {
      HOME: dir,
      DOCKER_CONFIG: path.join(dir, 'docker'),
      HTTPS_PROXY: proxy.url,
      HTTP_PROXY: proxy.url,
      HOIST_REGISTRIES_CONF_DIR: path.join(dir, 'registries.conf.d'),
      HOIST_DOCKER_DAEMON_JSON: path.join(dir, 'daemon.json'),
      PATH: process.env.PATH,
    };
  });
  afterEach(() => {
    proxy.targets.length = 0;
    fs.rmSync(path.join(dir, 'registries.conf.d'), { recursive: true, force: true });
    fs.rmSync(path.join(dir, 'daemon.json'), { force: true });
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const manifestHeads = (): number => (reg.log().match(/"HEAD \/v2\/library\/busybox\/manifests\/latest HTTP/g) ?? []).length;

  it('hoist pull busybox --registries-conf FILE: a mirror that is down falls through to the next; nothing else is contacted', async () => {
    const conf = write('registries.conf', `[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n\n[[registry.mirror]]\nlocation = "${dead}"\n\n[[registry.mirror]]\nlocation = "${reg.host}"\n`);
    const heads = manifestHeads();
    const root = path.join(dir, 'root-1');
    const r = await runMain(['--root', root, '--debug', 'pull', '--registries-conf', conf, 'busybox'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`mirror ${dead.replace(/\./g, '\\.')} failed`));
    assert.deepEqual(proxy.targets, [], 'no host beyond the mirrors was tried');
    assert.equal(manifestHeads(), heads + 1, 'the live mirror answered');
    assert.equal((await taggedDescriptor(await Store.open(root), 'docker.io/library/busybox:latest'))?.digest, image.descriptor.digest, 'tagged under its own name, not the mirror');
  });

  it('CONTAINERS_REGISTRIES_CONF and a registries.conf.d drop-in (which replaces the entry of the same prefix)', async () => {
    const conf = write('env-registries.conf', `unqualified-search-registries = ["docker.io"]\n[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "${dead}"\n`);
    write('registries.conf.d/50-mirror.conf', `[[registry]]\nprefix = "docker.io/library"\nlocation = "${reg.host}/library"\n`);
    write('registries.conf.d/90-mirror.conf', `[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "${reg.host}"\n`);
    const res = await pullImage(await Store.open(path.join(dir, 'root-2')), 'busybox', { clientOptions: { env: { ...env, CONTAINERS_REGISTRIES_CONF: conf } } });
    assert.equal(res.descriptor.digest, image.descriptor.digest);
    assert.deepEqual(proxy.targets, []);
  });

  it("docker's registry-mirrors (daemon.json) for docker.io, tried in order", async () => {
    write('daemon.json', JSON.stringify({ 'registry-mirrors': [`http://${dead}`, `http://${reg.host}/`] }));
    const res = await pullImage(await Store.open(path.join(dir, 'root-3')), 'docker.io/library/busybox:latest', { mirrors: { env, registriesConf: write('empty.conf', '') } });
    assert.equal(res.descriptor.digest, image.descriptor.digest);
    assert.deepEqual(proxy.targets, []);
  });

  it('after the mirrors, the registry itself (registry-1.docker.io); its failure is the pull’s, naming the mirrors tried', async () => {
    const conf = write('down.conf', `[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "${dead}"\n`);
    const err = await pullImage(await Store.open(path.join(dir, 'root-4')), 'busybox', { mirrors: { env, registriesConf: conf }, clientOptions: { env, retry: { baseMs: 10, maxMs: 20 } } }).then(
      () => assert.fail('pulled'),
      (e: unknown) => e,
    );
    assert.ok(isHoistError(err, 'REGISTRY_UNAVAILABLE'), String(err));
    assert.deepEqual([...new Set(proxy.targets)], ['registry-1.docker.io:443'], 'then the registry itself, retried');
    assert.equal((err.details.mirrorsTried as string[]).length, 1);
  });

  it('the same registries.conf gives skopeo (--registries-conf) and hoist the same image (a mirror location with a path)', async function () {
    if (!fs.existsSync('/usr/bin/skopeo')) skipWith(this, 'needs skopeo (not installed)');
    const src = await Store.open(path.join(dir, 'src'));
    await pushImage(src, `${reg.host}/library/busybox:latest`, `${reg.host}/hub/library/busybox:latest`);
    // a down mirror first, then one under a path: docker.io/library/busybox -> HOST/hub/library/busybox
    const conf = write('skopeo.conf', `[[registry]]\nprefix = "docker.io"\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "${dead}"\ninsecure = true\n[[registry.mirror]]\nlocation = "${reg.host}/hub"\ninsecure = true\n`);
    const raw = execFileSync('/usr/bin/skopeo', ['--registries-conf', conf, 'inspect', '--raw', 'docker://docker.io/library/busybox:latest'], {
      env: { ...process.env, HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const viaSkopeo = digestOf(raw);
    const heads = (reg.log().match(/"(?:GET|HEAD) \/v2\/hub\/library\/busybox\/manifests\/latest HTTP/g) ?? []).length;
    const r = await runMain(['--root', path.join(dir, 'root-6'), 'pull', '-q', '--registries-conf', conf, 'busybox'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await taggedDescriptor(await Store.open(path.join(dir, 'root-6')), 'docker.io/library/busybox:latest'))?.digest, viaSkopeo);
    assert.ok((reg.log().match(/"(?:GET|HEAD) \/v2\/hub\/library\/busybox\/manifests\/latest HTTP/g) ?? []).length > heads, 'hoist asked the mirror under its path');
    assert.deepEqual(proxy.targets, []);
  });

  it('pushes never go to a mirror', async () => {
    const conf = write('push.conf', `[[registry]]\nlocation = "${dead}"\n[[registry.mirror]]\nlocation = "${reg.host}"\n`);
    const src = await Store.open(path.join(dir, 'root-5'));
    await buildTestImage(src, { layers: [{ f: 'x' }], label: 'push' }, `${dead}/app:1`);
    await assert.rejects(pushImage(src, `${dead}/app:1`, undefined, { clientOptions: { env: { ...env, CONTAINERS_REGISTRIES_CONF: conf }, retry: { maxAttempts: 1 } } }), /connection failed|ECONNREFUSED/);
  });
});
