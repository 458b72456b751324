import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pullImage, pushImage, staticCredentials, type ProgressEvent } from '../../../src/registry';
import { Store } from '../../../src/store/store';
import { buildTestImage } from '../../helpers/registry-image';
import { startFaultProxy, type FaultProxy } from '../../helpers/registry-proxy';
import { requireRegistry, mkTemp, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { makeSigningCert } from '../../helpers/registry-tls';
import { startTokenServer, type TokenServer } from '../../helpers/registry-token-server';

describe('registry: token auth (auth: token, a token server issuing RS256 JWTs)', function () {
  let dir: string;
  let tokens: TokenServer;
  let reg: RegistryServer;
  let proxy: FaultProxy;
  const service = 'hoist-test-registry';

  before(async function () {
    requireRegistry(this);
    dir = mkTemp('token');
    const signing = makeSigningCert(path.join(dir, 'pki'));
    tokens = await startTokenServer({ signingCert: signing.cert, signingKey: signing.key, issuer: 'hoist-test-issuer', service, users: { alice: 'alice-pw' } });
    reg = await startRegistry({ auth: { token: { realm: tokens.realm, service, issuer: 'hoist-test-issuer', rootCertBundle: signing.cert } } });
    proxy = await startFaultProxy(reg.port);
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    await tokens?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const as = (host: string) => ({ credentials: staticCredentials({ [host]: { username: 'alice', password: 'alice-pw' } }) });

  it('pushes and pulls with bearer tokens scoped pull,push then pull; tokens are cached', async () => {
    const src = await Store.open(path.join(dir, 'src'));
    const img = await buildTestImage(src, { layers: [{ a: 'token' }, { b: Buffer.alloc(100_000, 9) }] }, `${reg.host}/team/app:1`);
    tokens.requests.length = 0;
    await pushImage(src, `${reg.host}/team/app:1`, undefined, { clientOptions: as(reg.host) });
    assert.ok(tokens.requests.some((r) => r.scopes.includes('repository:team/app:pull,push') && r.account === 'alice'));
    assert.ok(tokens.requests.length <= 3, `tokens are cached (fetched ${tokens.requests.length})`);

    const dst = await Store.open(path.join(dir, 'dst'));
    tokens.requests.length = 0;
    const pulled = await pullImage(dst, `${reg.host}/team/app:1`, { clientOptions: as(reg.host) });
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
    assert.deepEqual(tokens.requests.map((r) => r.scopes).flat(), ['repository:team/app:pull']);
  });

  it("asks for the mount source's pull scope alongside pull,push and mounts", async () => {
    const src = await Store.open(path.join(dir, 'src'));
    tokens.requests.length = 0;
    const r = await pushImage(src, `${reg.host}/team/app:1`, `${reg.host}/team/other:1`, { clientOptions: as(reg.host) });
    assert.equal(r.blobsMounted, 3);
    assert.ok(tokens.requests.some((t) => t.scopes.includes('repository:team/app:pull') && t.scopes.includes('repository:team/other:pull,push')));
  });

  it('fails anonymous access with REGISTRY_UNAUTHORIZED', async () => {
    const dst = await Store.open(path.join(dir, 'anon'));
    await assert.rejects(pullImage(dst, `${reg.host}/team/app:1`, { clientOptions: { credentials: staticCredentials({}) } }), { code: 'REGISTRY_UNAUTHORIZED' });
    const idx = await dst.index.read();
    assert.equal(idx.manifests.length, 0);
  });

  it('re-authenticates when the token expires mid-push (401 on an upload) and finishes the push', async () => {
    const src = await Store.open(path.join(dir, 'src2'));
    const img = await buildTestImage(src, { layers: [{ one: Buffer.alloc(150_000, 1) }, { two: Buffer.alloc(150_000, 2) }, { three: 'x' }] }, `${proxy.host}/team/expiry:1`);
    const revoked = new Set<string>();
    let challenge = '';
    proxy.setRule((req) => {
      const auth = req.headers.authorization;
      if (auth === undefined) return undefined;
      if (revoked.has(auth)) return { kind: 'respond', status: 401, headers: { 'www-authenticate': challenge }, body: '{"errors":[{"code":"UNAUTHORIZED","message":"token expired"}]}' };
      if (req.method === 'PUT' && req.path.includes('/blobs/uploads/') && revoked.size === 0) {
        revoked.add(auth);
        challenge = `Bearer realm="${tokens.realm}",service="${service}",scope="repository:team/expiry:pull,push",error="invalid_token"`;
        return { kind: 'respond', status: 401, headers: { 'www-authenticate': challenge }, body: '{"errors":[{"code":"UNAUTHORIZED","message":"token expired"}]}' };
      }
      return undefined;
    });
    const issuedBefore = tokens.issued;
    const events: ProgressEvent[] = [];
    try {
      const r = await pushImage(src, `${proxy.host}/team/expiry:1`, undefined, { clientOptions: as(proxy.host), onProgress: (e) => events.push(e) });
      assert.equal(r.descriptor.digest, img.descriptor.digest);
    } finally {
      proxy.setRule(undefined);
    }
    assert.equal(revoked.size, 1);
    assert.ok(proxy.log.some((e) => e.status === 401 && e.method === 'PUT'), 'the registry side refused the stale token');
    assert.ok(tokens.issued >= issuedBefore + 2, 'a fresh token was fetched after the 401');
    const dst = await Store.open(path.join(dir, 'dst2'));
    const pulled = await pullImage(dst, `${reg.host}/team/expiry:1`, { clientOptions: as(reg.host) });
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
  });
});
