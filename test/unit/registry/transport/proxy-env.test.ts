import { strict as assert } from 'node:assert';
import { proxyFor, proxySettingsOf } from '../../../../src/registry/transport/proxy-env';

const P = 'http://proxy.example:3128';

function via(env: NodeJS.ProcessEnv, url: string): string | undefined {
  const s = proxySettingsOf(env);
  return s === undefined ? undefined : proxyFor(s, new URL(url));
}

describe('registry/transport/proxy-env (Go httpproxy rules, as docker and skopeo)', () => {
  it('https uses HTTPS_PROXY and http HTTP_PROXY, with no fallback between them; lower case first', () => {
    assert.equal(via({ HTTPS_PROXY: P }, 'https://reg.example/v2/'), P);
    assert.equal(via({ HTTPS_PROXY: P }, 'http://reg.example/v2/'), undefined);
    assert.equal(via({ HTTP_PROXY: P }, 'https://reg.example/v2/'), undefined, 'Go does not send https through HTTP_PROXY');
    assert.equal(via({ HTTP_PROXY: P }, 'http://reg.example/v2/'), P);
    assert.equal(via({ https_proxy: 'http://lower:1', HTTPS_PROXY: P }, 'https://reg.example/'), 'http://lower:1');
    assert.equal(proxySettingsOf({ NO_PROXY: 'x' }), undefined);
  });

  it('never proxies loopback, whatever NO_PROXY says', () => {
    for (const u of ['http://localhost:5000/', 'http://127.0.0.1:5000/', 'http://127.9.8.7/', 'http://[::1]:5000/']) assert.equal(via({ HTTP_PROXY: P }, u), undefined, u);
  });

  it('NO_PROXY: * ; names with their subdomains; .domain and *.domain for subdomains only; ports; IPs; CIDR', () => {
    // [NO_PROXY, request URL, proxied?, why]
    const cases: [string, string, boolean, string?][] = [
      ['*', 'https://reg.example/', false],
      ['example.com', 'https://example.com/', false],
      ['example.com', 'https://reg.example.com/', false, 'a name covers its subdomains'],
      ['example.com', 'https://notexample.com/', true],
      ['.example.com', 'https://example.com/', true, '.domain: subdomains only'],
      ['.example.com', 'https://reg.example.com/', false],
      ['*.example.com', 'https://example.com/', true],
      ['*.example.com', 'https://a.b.example.com/', false],
      ['reg.example:5000', 'https://reg.example:5000/', false],
      ['reg.example:5000', 'https://reg.example/', true, 'the entry names another port'],
      ['reg.example:443', 'https://reg.example/', false, 'the default port counts'],
      ['10.1.2.3', 'https://10.1.2.3:5000/', false],
      ['10.1.2.3', 'https://10.1.2.4/', true],
      ['10.0.0.0/8', 'https://10.200.1.1/', false],
      ['10.0.0.0/8', 'https://11.0.0.1/', true],
      ['fd00::/8', 'https://[fd12::1]/', false],
      ['10.0.0.0/8', 'https://ten.example/', true, 'a CIDR matches addresses, not names'],
      [' a.example ,  B.Example ', 'https://b.example/', false, 'spaces and commas separate; case does not matter'],
      ['bad/cidr', 'https://10.0.0.1/', true],
    ];
    for (const [no, url, proxied, why] of cases) {
      assert.equal(via({ HTTPS_PROXY: P, NO_PROXY: no }, url), proxied ? P : undefined, `NO_PROXY=${JSON.stringify(no)} ${url}${why ? `: ${why}` : ''}`);
    }
  });
});
