import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { mkTemp, requireRegistry, startRegistry, writeHtpasswd, type RegistryServer } from '../../helpers/registry-server';
import { makeTestPki } from '../../helpers/registry-tls';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { cachedSteps, makeContext } from './build-helpers';

/** The registry cache uses the credentials push and pull use (~/.docker/config.json via DOCKER_CONFIG). */
describe('hoist build: a registry cache behind basic auth and TLS', function () {
  this.timeout(240_000);
  const PASSWORD = 'cache-Pa55-word';
  let reg: RegistryServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    const why = await runtimeUnavailable();
    if (why) skipWith(this, why);
    requireRegistry(this);
    dir = mkTemp('cache-auth');
    const pki = makeTestPki(path.join(dir, 'pki'));
    writeHtpasswd(path.join(dir, 'htpasswd'), 'ci', PASSWORD);
    reg = await startRegistry({ tls: { cert: pki.serverCert, key: pki.serverKey }, auth: { htpasswd: { file: path.join(dir, 'htpasswd') } } });
    env = { DOCKER_CONFIG: path.join(dir, 'docker'), NODE_EXTRA_CA_CERTS: pki.caCert };
  });

  after(async () => {
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('export fails without credentials, works after hoist login; another machine with them hits every step', async () => {
    const files = { Dockerfile: 'FROM base\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n', 'a.txt': 'a\n' };
    const ref = `${reg.host}/cache/app:c`;
    const build = async (extra: string[]): Promise<{ code: number | null; stderr: string }> => {
      const root = tmpDir('hoist-machine-');
      await loadBusybox(root, 'base:latest');
      return runHoist(['build', '--progress', 'plain', ...extra, makeContext(files)], { root, env });
    };
    const denied = await build(['--cache-to', `type=registry,ref=${ref},mode=max`]);
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(denied.stderr, /cache export failed/);
    assert.ok(!denied.stderr.includes(PASSWORD));

    const login = await runHoist(['login', reg.host, '-u', 'ci', '--password-stdin'], { root: tmpDir(), env, input: `${PASSWORD}\n` });
    assert.equal(login.code, 0, login.stderr);
    const a = await build(['--cache-to', `type=registry,ref=${ref},mode=max`]);
    assert.equal(a.code, 0, a.stderr);
    const b = await build(['--cache-from', `type=registry,ref=${ref}`]);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(cachedSteps(b.stderr).length, 2, b.stderr);
  });
});
