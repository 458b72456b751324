import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fetchImageConfig, pushImage } from '../../../src/registry';
import { Store } from '../../../src/store/store';
import { skipWith } from '../../helpers/capabilities';
import { runMain } from '../../helpers/cli-main';
import { startConnectProxy, type ConnectProxy } from '../../helpers/connect-proxy';
import { buildTestImage, buildTestIndex, type TestImage } from '../../helpers/registry-image';
import { hasRegistry, mkTemp, startRegistry, type RegistryServer } from '../../helpers/registry-server';

// BuildKit resolves an external base image's config from its registry for its checks: `hoist
// check` on `FROM busybox` + `$UNDEFINED_THING`, with busybox not in the store, asks the
// registry (here through a registries.conf mirror: a loopback docker-registry) for the manifest
// and the config only.
describe('hoist check: base image configs from the registry (UndefinedVar as BuildKit reports it)', function () {
  let reg: RegistryServer;
  let proxy: ConnectProxy;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let image: TestImage;

  before(async function () {
    if (!hasRegistry()) skipWith(this, 'needs docker-registry (not installed)');
    dir = mkTemp('check-base');
    reg = await startRegistry();
    proxy = await startConnectProxy({});
    const src = await Store.open(path.join(dir, 'src'));
    image = await buildTestImage(src, { layers: [{ 'bin/sh': 'x' }], label: 'check' });
    const arm = await buildTestImage(src, { layers: [{ 'bin/sh': 'y' }], label: 'check-arm', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    await buildTestIndex(src, [image, arm], `${reg.host}/library/busybox:latest`);
    await pushImage(src, `${reg.host}/library/busybox:latest`);
    const conf = path.join(dir, 'registries.conf');
    fs.writeFileSync(conf, `[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "${reg.host}"\n`);
    env = { HOME: dir, HTTPS_PROXY: proxy.url, CONTAINERS_REGISTRIES_CONF: conf, HOIST_REGISTRIES_CONF_DIR: path.join(dir, 'none'), HOIST_DOCKER_DAEMON_JSON: path.join(dir, 'none.json'), PATH: process.env.PATH };
    fs.mkdirSync(path.join(dir, 'ctx'));
    fs.writeFileSync(path.join(dir, 'ctx', 'Dockerfile'), 'FROM busybox\nENV A=$UNDEFINED_THING\nRUN echo "$A"\n');
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports UndefinedVar for a FROM busybox stage with busybox only in the registry; fetches manifests and config, no layer', async () => {
    const before = reg.log().length;
    const r = await runMain(['--root', path.join(dir, 'root'), 'check', path.join(dir, 'ctx')], env);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /WARN: UndefinedVar: Usage of undefined variable '\$UNDEFINED_THING'/);
    const gets = [...reg.log().slice(before).matchAll(/"GET (\/v2\/[^ ]+) HTTP/g)].map((m) => m[1]!);
    assert.ok(gets.includes(`/v2/library/busybox/blobs/${image.manifest.config.digest}`), gets.join('\n'));
    for (const l of image.manifest.layers) assert.ok(!gets.some((g) => g.endsWith(l.digest)), 'no layer fetched');
    assert.deepEqual(proxy.targets, []);
    assert.deepEqual((await (await Store.open(path.join(dir, 'root'))).index.read()).manifests, [], 'nothing written to the store');
  });

  it('--offline asks no registry: the stage is checked without the image variables (no UndefinedVar)', async () => {
    const before = reg.log().length;
    const r = await runMain(['--root', path.join(dir, 'root'), 'check', '--offline', path.join(dir, 'ctx')], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(reg.log().slice(before).includes('GET /v2/library'), false);
  });

  it('fetchImageConfig: the platform of an index, through the mirror', async () => {
    const got = await fetchImageConfig('busybox', { platform: 'linux/arm64', clientOptions: { env }, mirrors: { env } });
    assert.equal(got.config.architecture, 'arm64');
    assert.equal(got.reference, 'docker.io/library/busybox:latest');
    assert.equal(got.config.config?.Labels?.['test.label'], 'check-arm');
  });
});
