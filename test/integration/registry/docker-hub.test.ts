import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pushImage, staticCredentials } from '../../../src/registry';
import { Store } from '../../../src/store/store';
import { skipWith } from '../../helpers/capabilities';
import { runMain } from '../../helpers/cli-main';
import { startConnectProxy, type ConnectProxy } from '../../helpers/connect-proxy';
import { buildTestImage, taggedDescriptor, type TestImage } from '../../helpers/registry-image';
import { hasRegistry, mkTemp, startRegistry, writeHtpasswd, type RegistryServer } from '../../helpers/registry-server';
import { makeTestPki } from '../../helpers/registry-tls';

// Docker Hub without the internet: a real registry with a certificate for registry-1.docker.io
// (from a test CA), reached through an HTTPS proxy that tunnels registry-1.docker.io:443 to it
// and refuses every other host. What the proxy and the registry's access log saw is what
// `hoist pull busybox` sent where.
describe('registry: Docker Hub (docker.io is served by registry-1.docker.io; credentials keyed as docker keys them)', function () {
  let reg: RegistryServer;
  let proxy: ConnectProxy;
  let dir: string;
  let image: TestImage;
  const USER = 'hubuser';
  const PASSWORD = 'hub-Pa55';

  before(async function () {
    if (!hasRegistry()) skipWith(this, 'needs docker-registry (not installed)');
    dir = mkTemp('hub');
    const pki = makeTestPki(path.join(dir, 'pki'), ['registry-1.docker.io']);
    writeHtpasswd(path.join(dir, 'htpasswd'), USER, PASSWORD);
    reg = await startRegistry({ tls: { cert: pki.serverCert, key: pki.serverKey }, auth: { htpasswd: { file: path.join(dir, 'htpasswd') } } });
    proxy = await startConnectProxy({ 'registry-1.docker.io:443': reg.port });
    const src = await Store.open(path.join(dir, 'src'));
    image = await buildTestImage(src, { layers: [{ 'bin/busybox': 'not really busybox\n' }], label: 'hub' }, `${reg.host}/library/busybox:latest`);
    await pushImage(src, `${reg.host}/library/busybox:latest`, undefined, {
      clientOptions: { env: { NODE_EXTRA_CA_CERTS: pki.caCert }, credentials: staticCredentials({ [reg.host]: { username: USER, password: PASSWORD } }) },
    });
    const docker = path.join(dir, 'docker');
    fs.mkdirSync(docker);
    // docker login (no server) writes this key, whatever host it then talks to
    const auth = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
    fs.writeFileSync(path.join(docker, 'config.json'), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth } } }));
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hoist pull busybox: every request goes to registry-1.docker.io under /v2/library/busybox, with the index.docker.io credentials', async () => {
    const env = {
      HOME: dir,
      DOCKER_CONFIG: path.join(dir, 'docker'),
      HTTPS_PROXY: proxy.url,
      NODE_EXTRA_CA_CERTS: path.join(dir, 'pki', 'ca.crt'),
      HOIST_REGISTRIES_CONF_DIR: path.join(dir, 'no-registries.d'),
      HOIST_DOCKER_DAEMON_JSON: path.join(dir, 'no-daemon.json'),
      CONTAINERS_REGISTRIES_CONF: path.join(dir, 'registries.conf'),
      PATH: process.env.PATH,
    };
    const root = path.join(dir, 'dst');
    fs.writeFileSync(path.join(dir, 'registries.conf'), '# no mirrors\n');
    const logBefore = reg.log().length;
    const { code, stderr } = await runMain(['--root', root, 'pull', 'busybox'], env);
    assert.equal(code, 0, stderr);
    assert.ok(proxy.targets.length > 0);
    assert.deepEqual([...new Set(proxy.targets)], ['registry-1.docker.io:443'], 'no other host was contacted');
    const access = reg.log().slice(logBefore);
    const lines = [...access.matchAll(/"(GET|HEAD) (\/v2\/[^ ]*) HTTP/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.ok(lines.includes('HEAD /v2/library/busybox/manifests/latest'), lines.join('\n'));
    for (const blob of image.blobs) assert.ok(lines.includes(`GET /v2/library/busybox/blobs/${blob.digest}`), `fetched ${blob.digest}`);
    assert.ok(lines.every((l) => l === 'GET /v2/' || l.startsWith('GET /v2/library/busybox/') || l.startsWith('HEAD /v2/library/busybox/')), lines.join('\n'));
    // the registry requires basic auth (htpasswd): a 200 is the credentials stored for https://index.docker.io/v1/ at work
    assert.match(access, /msg="authorized request"/);
    const hosts = new Set([...access.matchAll(/http\.request\.host=(\S+)/g)].map((m) => m[1]));
    assert.deepEqual([...hosts], ['registry-1.docker.io'], 'the Host header named the API host');
    const tagged = await taggedDescriptor(await Store.open(root), 'docker.io/library/busybox:latest');
    assert.equal(tagged?.digest, image.descriptor.digest);
  });
});
