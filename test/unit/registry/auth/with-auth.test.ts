import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { AuthSession } from '../../../../src/registry/auth/with-auth';
import { staticCredentials } from '../../../../src/registry/auth/docker-config';
import { compose, type RegistryRequest, type RegistryResponse, type Send } from '../../../../src/registry/transport/types';
import { withRedirect } from '../../../../src/registry/transport/with-redirect';

const reply = (req: RegistryRequest, status: number, headers: Record<string, string> = {}, body = ''): RegistryResponse => ({
  status,
  headers,
  body: Readable.from([Buffer.from(body)]),
  url: req.url,
});

/** A fake registry at the transport seam: bearer auth, one token valid at a time. */
function fakeRegistry() {
  const seen: RegistryRequest[] = [];
  let valid = 'tok-1';
  let issued = 0;
  const tokenSend: Send = async (req) => {
    issued++;
    valid = `tok-${issued}`;
    return reply(req, 200, {}, JSON.stringify({ token: valid, expires_in: 300 }));
  };
  const base: Send = async (req) => {
    seen.push(req);
    if (req.url.host === 'cdn.example') return reply(req, 200);
    if (req.url.pathname === '/redirect') return reply(req, 307, { location: 'https://cdn.example/blob' });
    if (req.headers?.authorization === `Bearer ${valid}`) return reply(req, 200);
    return reply(req, 401, { 'www-authenticate': 'Bearer realm="https://auth.example/token",service="reg"' });
  };
  return { seen, tokenSend, base, expire: () => (valid = 'rotated'), issued: () => issued };
}

describe('registry/auth/with-auth (at the send seam)', () => {
  it('answers the challenge once, caches the token per scope set, refreshes after a 401', async () => {
    const f = fakeRegistry();
    const auth = new AuthSession({ host: 'reg.example', origins: ['https://reg.example'], credentials: staticCredentials({}), tokenSend: f.tokenSend });
    const send = compose(f.base, auth.wrap);
    const req = (): RegistryRequest => ({ method: 'GET', url: new URL('https://reg.example/v2/a/manifests/1'), scopes: ['repository:a:pull'] });
    assert.equal((await send(req())).status, 200);
    assert.equal((await send(req())).status, 200);
    assert.equal(f.issued(), 1, 'the second request reused the cached token');
    f.expire();
    assert.equal((await send(req())).status, 200, 'a stale token is replaced and the request sent again');
    assert.equal(f.issued(), 2);
  });

  it('never sends Authorization to another origin, even through a redirect', async () => {
    const f = fakeRegistry();
    const auth = new AuthSession({ host: 'reg.example', origins: ['https://reg.example'], tokenSend: f.tokenSend, credentials: staticCredentials({}) });
    const send = compose(f.base, withRedirect(), auth.wrap);
    await send({ method: 'GET', url: new URL('https://reg.example/v2/'), scopes: [] });
    const res = await send({ method: 'GET', url: new URL('https://reg.example/redirect'), headers: { authorization: 'Bearer caller-set' }, scopes: [] });
    assert.equal(res.status, 200);
    const cdn = f.seen.filter((r) => r.url.host === 'cdn.example');
    assert.equal(cdn.length, 1);
    assert.equal(cdn[0]!.headers?.authorization, undefined);
  });
});
