import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Store } from '../../../src/store/store';
import { buildTestImage } from '../../helpers/registry-image';
import { requireRegistry, mkTemp, startRegistry, writeHtpasswd, type RegistryServer } from '../../helpers/registry-server';
import { makeTestPki } from '../../helpers/registry-tls';
import { HOIST_BIN } from '../../helpers/paths';

const run = promisify(execFile);

// bin/hoist's shell part hands NODE_EXTRA_CA_CERTS to node under another name, so that node does
// not parse the bundle at start (~55 ms where Debian's is set); hoist puts it back in its
// environment and trusts the file on every TLS connection it opens (src/sys/extra-ca.ts).
describe('registry: NODE_EXTRA_CA_CERTS deferred by bin/hoist until a TLS connection', function () {
  let reg: RegistryServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let caCert: string;
  const seen = () => path.join(dir, 'helper-saw');

  before(async function () {
    requireRegistry(this);
    dir = mkTemp('deferred-ca');
    const pki = makeTestPki(path.join(dir, 'pki'));
    caCert = pki.caCert;
    writeHtpasswd(path.join(dir, 'htpasswd'), 'ca', 'ca-Pa55');
    reg = await startRegistry({ tls: { cert: pki.serverCert, key: pki.serverKey }, auth: { htpasswd: { file: path.join(dir, 'htpasswd') } } });
    // a credential helper (a child of hoist's node) that records its own environment and the one node was started with
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'docker-credential-envcheck'),
      `#!/bin/sh\n[ "$1" = get ] || exit 0\ncat >/dev/null\n{ echo "own=$NODE_EXTRA_CA_CERTS|$HOIST_DEFERRED_EXTRA_CA_CERTS"; echo "parent=$(tr '\\0' '\\n' </proc/$PPID/environ | grep -c '^NODE_EXTRA_CA_CERTS=')"; } >${JSON.stringify(seen())}\nprintf '{"Username":"ca","Secret":"ca-Pa55"}'\n`,
      { mode: 0o755 },
    );
    fs.mkdirSync(path.join(dir, 'docker'));
    fs.writeFileSync(path.join(dir, 'docker', 'config.json'), JSON.stringify({ credHelpers: { [reg.host]: 'envcheck' } }));
    // no start-up snapshot built behind the command in this HOME (it would still be writing there when the suite removes it)
    env = { HOME: dir, DOCKER_CONFIG: path.join(dir, 'docker'), NODE_EXTRA_CA_CERTS: caCert, PATH: `${bin}:${process.env.PATH}`, HOIST_ROOT: path.join(dir, 'root'), HOIST_SNAPSHOT: '0' };
    await buildTestImage(await Store.open(path.join(dir, 'root')), { layers: [{ 'etc/deferred': 'ca\n' }] }, `${reg.host}/ca/app:1`);
  });
  after(async () => {
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pushes and pulls over TLS trusting only the deferred file; children see NODE_EXTRA_CA_CERTS, node started without it', async () => {
    // executed as a program: its shell part runs (`node bin/hoist` would skip it)
    await run(HOIST_BIN, ['push', '-q', `${reg.host}/ca/app:1`], { env });
    assert.deepEqual(fs.readFileSync(seen(), 'utf8').split('\n'), [`own=${caCert}|`, 'parent=0', '']);
    fs.rmSync(seen());
    const pulled = await run(HOIST_BIN, ['pull', '-q', `${reg.host}/ca/app:1`], { env: { ...env, HOIST_ROOT: path.join(dir, 'root2') } });
    assert.match(pulled.stdout, /ca\/app:1/);
    assert.deepEqual(fs.readFileSync(seen(), 'utf8').split('\n'), [`own=${caCert}|`, 'parent=0', '']);
  });

  it('without the variable the registry is not trusted (the deferred file is what made it work)', async () => {
    const { NODE_EXTRA_CA_CERTS: _ca, ...without } = env;
    await assert.rejects(run(HOIST_BIN, ['pull', '-q', `${reg.host}/ca/app:1`], { env: { ...without, HOIST_ROOT: path.join(dir, 'root3') } }), (err: Error & { stderr: string }) => {
      assert.match(err.stderr, /certificate/i);
      return true;
    });
  });

  it('a command that opens no TLS connection never reads the file (no warning for one that is missing)', async () => {
    const r = await run(HOIST_BIN, ['images'], { env: { ...env, NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.pem') } });
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /ca\/app/);
  });
});
