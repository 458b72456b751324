import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { credentialsFromConfig, readDockerConfig } from '../../../../src/registry/auth/docker-config';
import { eraseCredentials, storeCredentials } from '../../../../src/registry/auth/login';

/** A docker-credential-<name> helper as a shell script keeping one secret in a file. */
function fakeHelper(dir: string, name: string): void {
  const script = `#!/bin/sh
store="${dir}/helper-store.json"
case "$1" in
  get) url=$(cat); if [ -f "$store" ] && grep -q "$url" "$store"; then cat "$store"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  store) cat > "$store" ;;
  erase) cat >/dev/null; rm -f "$store" ;;
esac
`;
  fs.writeFileSync(path.join(dir, `docker-credential-${name}`), script, { mode: 0o755 });
}

describe('registry/auth/docker-config', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-dockercfg-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads base64 auth under the host or an https://host/v1/ key, and identity tokens', async () => {
    const auth = Buffer.from('bob:p:w').toString('base64');
    const cfg = { auths: { 'https://reg.example:5000/v1/': { auth }, 'https://index.docker.io/v1/': { auth: Buffer.from('hub:x').toString('base64'), identitytoken: 'refresh-tok' } } };
    assert.deepEqual(await credentialsFromConfig(cfg, 'reg.example:5000'), { username: 'bob', password: 'p:w' });
    assert.deepEqual(await credentialsFromConfig(cfg, 'docker.io'), { username: 'hub', password: 'x', identityToken: 'refresh-tok' });
    assert.equal(await credentialsFromConfig(cfg, 'other.example'), undefined);
  });

  it('writes config.json with mode 0600, keeps other keys, and logout removes the entry', async () => {
    const file = path.join(dir, 'docker', 'config.json');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, JSON.stringify({ psFormat: 'table', auths: { 'keep.example': { auth: 'a2VlcDpt' } } }), { mode: 0o644 });
    await storeCredentials('reg.example', { username: 'u', password: 'pw' }, { configPath: file });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const cfg = await readDockerConfig(file);
    assert.equal(cfg.psFormat, 'table');
    assert.equal(cfg.auths?.['reg.example']?.auth, Buffer.from('u:pw').toString('base64'));
    assert.equal(await eraseCredentials('reg.example', { configPath: file }), true);
    assert.deepEqual(Object.keys((await readDockerConfig(file)).auths ?? {}), ['keep.example']);
    assert.equal(await eraseCredentials('reg.example', { configPath: file }), false);
  });

  it('uses credHelpers / credsStore through docker-credential-<name> (store, get, erase)', async () => {
    fakeHelper(dir, 'hoisttest');
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ credHelpers: { 'reg.example': 'hoisttest' } }));
    const r = await storeCredentials('reg.example', { username: 'h', password: 'helper-secret' }, { configPath: file, env });
    assert.equal(r.store, 'docker-credential-hoisttest');
    assert.ok(!fs.readFileSync(file, 'utf8').includes('helper-secret'), 'the secret went to the helper, not the file');
    assert.deepEqual(await credentialsFromConfig(await readDockerConfig(file), 'reg.example', env), { username: 'h', password: 'helper-secret' });
    assert.equal(await credentialsFromConfig(await readDockerConfig(file), 'else.example', env), undefined);
    await eraseCredentials('reg.example', { configPath: file, env });
    assert.equal(await credentialsFromConfig(await readDockerConfig(file), 'reg.example', env), undefined);
  });

  it('reports a missing helper as REGISTRY_CREDENTIALS', async () => {
    await assert.rejects(credentialsFromConfig({ credsStore: 'does-not-exist-xyz' }, 'reg.example', { PATH: dir }), { code: 'REGISTRY_CREDENTIALS' });
  });
});
