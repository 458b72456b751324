import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { dockerConfigCredentials, login, logout, pullImage, pushImage, readDockerConfig, RegistryClient } from '../../../src/registry';
import { Store } from '../../../src/store/store';
import { buildTestImage } from '../../helpers/registry-image';
import { requireRegistry, mkTemp, startRegistry, writeHtpasswd, type RegistryServer } from '../../helpers/registry-server';
import { makeTestPki, type TestPki } from '../../helpers/registry-tls';

const USER = 'hoister';
const PASSWORD = 's3cret-Pa55word';

describe('registry: htpasswd Basic auth over TLS with a self-signed CA', function () {
  let reg: RegistryServer;
  let dir: string;
  let pki: TestPki;
  let certsDir: string;
  let configPath: string;

  before(async function () {
    requireRegistry(this);
    dir = mkTemp('basic');
    pki = makeTestPki(path.join(dir, 'pki'));
    writeHtpasswd(path.join(dir, 'htpasswd'), USER, PASSWORD);
    reg = await startRegistry({ tls: { cert: pki.serverCert, key: pki.serverKey }, auth: { htpasswd: { file: path.join(dir, 'htpasswd') } } });
    certsDir = path.join(dir, 'certs.d');
    fs.mkdirSync(path.join(certsDir, reg.host), { recursive: true });
    fs.copyFileSync(pki.caCert, path.join(certsDir, reg.host, 'ca.crt'));
    configPath = path.join(dir, 'docker', 'config.json');
  });
  after(async () => {
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an untrusted certificate with REGISTRY_TLS (no silent fallback to http)', async () => {
    await assert.rejects(RegistryClient.create(reg.host, { certsDir: path.join(dir, 'empty'), env: {} }), { code: 'REGISTRY_TLS' });
  });

  it('fails login with a wrong password, saves nothing, and never echoes the password', async () => {
    const wrong = 'wrong-password-123';
    const debug: string[] = [];
    const err = await login(reg.host, { username: USER, password: wrong }, { configPath, clientOptions: { certsDir, env: {}, debug: (l) => debug.push(l) } }).then(
      () => assert.fail('login succeeded'),
      (e: unknown) => e,
    );
    assert.ok(isHoistError(err, 'REGISTRY_UNAUTHORIZED'), String(err));
    const text = `${(err as Error).message} ${JSON.stringify((err as { details: unknown }).details)} ${debug.join('\n')}`;
    assert.ok(!text.includes(wrong));
    assert.ok(!text.includes(Buffer.from(`${USER}:${wrong}`).toString('base64')));
    assert.ok(!fs.existsSync(configPath));
  });

  it('logs in (config.json 0600 with base64 auth), pushes and pulls with the saved credentials, logs out', async () => {
    const r = await login(reg.host, { username: USER, password: PASSWORD }, { configPath, clientOptions: { certsDir, env: {} } });
    assert.equal(r.store, configPath);
    assert.equal(fs.statSync(configPath).mode & 0o777, 0o600);
    const cfg = await readDockerConfig(configPath);
    assert.equal(cfg.auths?.[reg.host]?.auth, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));

    const debug: string[] = [];
    const clientOptions = { certsDir, env: {}, credentials: dockerConfigCredentials({ configPath }), debug: (l: string) => debug.push(l) };
    const src = await Store.open(path.join(dir, 'src'));
    const img = await buildTestImage(src, { layers: [{ 'etc/motd': 'tls\n' }] }, `${reg.host}/secure/app:1`);
    await pushImage(src, `${reg.host}/secure/app:1`, undefined, { clientOptions });
    const dst = await Store.open(path.join(dir, 'dst'));
    const pulled = await pullImage(dst, `${reg.host}/secure/app:1`, { clientOptions });
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
    assert.ok(debug.some((l) => l.startsWith('< GET https://')), 'spoke https');
    assert.ok(!debug.join('\n').includes(PASSWORD));

    const out = await logout(reg.host, { configPath });
    assert.equal(out.removed, true);
    assert.equal((await readDockerConfig(configPath)).auths?.[reg.host], undefined);
    await assert.rejects(pullImage(dst, `${reg.host}/secure/app:1`, { clientOptions: { certsDir, env: {}, credentials: dockerConfigCredentials({ configPath }) } }), {
      code: 'REGISTRY_UNAUTHORIZED',
    });
  });

  it('trusts a CA given by NODE_EXTRA_CA_CERTS', async () => {
    const client = await RegistryClient.create(reg.host, { certsDir: path.join(dir, 'empty'), env: { NODE_EXTRA_CA_CERTS: pki.caCert } });
    try {
      await assert.rejects(client.ping(), { code: 'REGISTRY_UNAUTHORIZED' });
      assert.equal(client.baseUrl.protocol, 'https:');
    } finally {
      await client.close();
    }
  });
});
