import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../../src/store/store';
import { buildTestImage } from '../../helpers/registry-image';
import { requireRegistry, mkTemp, startRegistry, writeHtpasswd, type RegistryServer } from '../../helpers/registry-server';
import { makeTestPki } from '../../helpers/registry-tls';
import { skipWith } from '../../helpers/capabilities';
import { HOIST_BIN } from '../../helpers/paths';
import { hasScript, onTerminal } from '../../helpers/terminal';
import { runMain } from '../../helpers/cli-main';

describe('registry: hoist login / push / pull / logout (CLI over the library)', function () {
  let reg: RegistryServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const PASSWORD = 'cli-Pa55-word';

  before(async function () {
    requireRegistry(this);
    dir = mkTemp('cli');
    const pki = makeTestPki(path.join(dir, 'pki'));
    writeHtpasswd(path.join(dir, 'htpasswd'), 'cli', PASSWORD);
    reg = await startRegistry({ tls: { cert: pki.serverCert, key: pki.serverKey }, auth: { htpasswd: { file: path.join(dir, 'htpasswd') } } });
    // HOIST_SNAPSHOT=0: no start-up snapshot built behind a command in this HOME while the suite removes it
    env = { HOME: dir, DOCKER_CONFIG: path.join(dir, 'docker'), NODE_EXTRA_CA_CERTS: pki.caCert, PATH: process.env.PATH, HOIST_SNAPSHOT: '0' };
  });
  after(async () => {
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const hoist = (argv: string[], stdin: string[] = []) => runMain(argv, env, stdin);

  it('refuses a wrong password (exit 1, password never printed), then logs in with --password-stdin', async () => {
    const bad = await hoist(['login', reg.host, '-u', 'cli', '--password-stdin'], ['nope-nope-nope\n']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^hoist: unauthorized: /);
    assert.ok(!bad.stderr.includes('nope-nope-nope'));
    const ok = await hoist(['login', reg.host, '-u', 'cli', '--password-stdin'], [`${PASSWORD}\n`]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Login Succeeded/);
    assert.equal(fs.statSync(path.join(dir, 'docker', 'config.json')).mode & 0o777, 0o600);
    assert.equal((await hoist(['login', reg.host, '--password-stdin'], ['x'])).code, 2, 'usage error without --username');
  });

  it('on a terminal, prompts for what is missing: Username echoed, Password not; Ctrl-C at the password cancels', async function () {
    if (!hasScript()) skipWith(this, 'needs util-linux script (a pseudo-terminal)');
    const tenv = { ...env, DOCKER_CONFIG: path.join(dir, 'docker-tty') };
    const t = onTerminal([process.execPath, HOIST_BIN, 'login', reg.host], tenv);
    await t.waitFor('Username: ');
    t.type('cli\r');
    await t.waitFor('Password: ');
    t.type(`${PASSWORD}\r`);
    const { code, screen } = await t.exit();
    assert.equal(code, 0, screen);
    assert.match(screen, /Username: cli\r?\n/);
    assert.match(screen, /Login Succeeded/);
    assert.ok(!screen.includes(PASSWORD), `the password was echoed: ${JSON.stringify(screen)}`);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'docker-tty', 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
    assert.equal(Buffer.from(saved.auths[reg.host]!.auth, 'base64').toString(), `cli:${PASSWORD}`);

    const c = onTerminal([process.execPath, HOIST_BIN, 'login', '-u', 'cli', reg.host], { ...tenv, DOCKER_CONFIG: path.join(dir, 'docker-tty2') });
    await c.waitFor('Password: ');
    c.type('abc\x03');
    const canceled = await c.exit();
    assert.equal(canceled.code, 1, canceled.screen);
    assert.match(canceled.screen, /login canceled/);
    assert.ok(!canceled.screen.includes('abc'));
    assert.ok(!fs.existsSync(path.join(dir, 'docker-tty2', 'config.json')));
  });

  it('without a terminal, a missing password is a usage error, not a prompt', async () => {
    const r = await hoist(['login', reg.host, '-u', 'cli']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /non TTY device/);
  });

  it('pushes and pulls (lines when not a TTY, -q prints the reference), --debug shows no secret', async () => {
    const root = path.join(dir, 'root-src');
    const img = await buildTestImage(await Store.open(root), { layers: [{ 'etc/cli': 'cli\n' }] }, `${reg.host}/cli/app:1`);
    const push = await hoist(['--root', root, '--debug', 'push', `${reg.host}/cli/app:1`]);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, new RegExp(`1: digest: ${img.descriptor.digest} size: \\d+`));
    assert.match(push.stdout, /Pushed/);
    assert.match(push.stderr, /debug: < PUT https:\/\//);
    assert.ok(!push.stderr.includes(PASSWORD) && !push.stderr.includes(Buffer.from(`cli:${PASSWORD}`).toString('base64')));

    const pull = await hoist(['--root', path.join(dir, 'root-dst'), 'pull', `${reg.host}/cli/app:1`]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /Pull complete\n/);
    assert.match(pull.stdout, /Status: Downloaded newer image for /);
    const again = await hoist(['--root', path.join(dir, 'root-dst'), 'pull', '-q', `${reg.host}/cli/app:1`]);
    assert.equal(again.stdout, `${reg.host}/cli/app:1\n`);
    const bad = await hoist(['--root', path.join(dir, 'root-dst'), 'pull', '--max-concurrent', '0', `${reg.host}/cli/app:1`]);
    assert.equal(bad.code, 2);
  });

  it('logs out; a pull then fails as unauthorized', async () => {
    const out = await hoist(['logout', reg.host]);
    assert.match(out.stdout, new RegExp(`Removing login credentials for ${reg.host.replace('.', '\\.')}`));
    const pull = await hoist(['--root', path.join(dir, 'root-3'), 'pull', `${reg.host}/cli/app:1`]);
    assert.equal(pull.code, 1);
    assert.match(pull.stderr, /unauthorized/);
    assert.match((await hoist(['logout', reg.host])).stdout, /Not logged in/);
  });
});
