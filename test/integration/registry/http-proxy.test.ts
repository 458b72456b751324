import * as assert from 'node:assert/strict';
import { lookup } from 'node:dns/promises';
import * as os from 'node:os';
import { pullImage, pushImage } from '../../../src/registry';
import { skipWith } from '../../helpers/capabilities';
import { hasTinyproxy, startHttpProxy, type HttpProxyServer } from '../../helpers/http-proxy-server';
import { buildTestImage } from '../../helpers/registry-image';
import { tempStores } from '../../helpers/temp-stores';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';

// A registry reached by a name that is not loopback as written (this machine's host name, which
// /etc/hosts maps to 127.0.0.1) goes through HTTP_PROXY; loopback as written never does (Go's
// rule: docker and skopeo behave so), and NO_PROXY is honoured. The proxy is Debian's tinyproxy.
describe('registry: HTTP_PROXY / NO_PROXY (tinyproxy in front of the real registry)', function () {
  let reg: RegistryServer;
  let proxy: HttpProxyServer;
  let named: string;
  let image: { digest: string };
  const { newStore, removeAll } = tempStores('store');

  before(async function () {
    requireRegistry(this);
    if (!hasTinyproxy()) skipWith(this, 'needs tinyproxy (not installed)');
    const host = os.hostname();
    const addr = await lookup(host).catch(() => undefined);
    if (addr === undefined || !/^127\./.test(addr.address)) skipWith(this, `the host name ${host} does not resolve to a loopback address here`);
    reg = await startRegistry();
    proxy = await startHttpProxy();
    named = `${host}:${reg.port}`;
    const src = await newStore();
    await buildTestImage(src, { layers: [{ 'etc/proxied': 'through the proxy\n' }] }, `${reg.host}/proxy/app:1`);
    image = (await pushImage(src, `${reg.host}/proxy/app:1`)).descriptor;
  });
  after(async () => {
    await proxy?.stop();
    await reg?.stop();
    removeAll();
  });

  it('pulls a registry named by host name through HTTP_PROXY (the proxy carries the connections)', async () => {
    const before = proxy.requests().length;
    const res = await pullImage(await newStore(), `${named}/proxy/app:1`, {
      clientOptions: { env: { HTTP_PROXY: proxy.url }, insecureRegistries: [named] },
    });
    assert.equal(res.descriptor.digest, image.digest);
    // undici tunnels through the proxy with CONNECT (for plain http too), one tunnel a connection
    const seen = proxy.requests().slice(before);
    assert.ok(seen.length >= 1, 'the proxy saw no request');
    assert.ok(seen.every((r) => r === `CONNECT ${named} HTTP/1.1` || r.includes(`http://${named}/`)), seen.join('\n'));
  });

  it('honours NO_PROXY (lower case too) and never proxies a loopback address', async () => {
    const before = proxy.requests().length;
    const a = await pullImage(await newStore(), `${named}/proxy/app:1`, {
      clientOptions: { env: { http_proxy: proxy.url, no_proxy: os.hostname() }, insecureRegistries: [named] },
    });
    const b = await pullImage(await newStore(), `${reg.host}/proxy/app:1`, { clientOptions: { env: { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } } });
    assert.equal(a.descriptor.digest, image.digest);
    assert.equal(b.descriptor.digest, image.digest);
    assert.deepEqual(proxy.requests().slice(before), []);
  });

  it('fails clearly when the proxy is down (no silent direct connection)', async () => {
    await assert.rejects(
      pullImage(await newStore(), `${named}/proxy/app:1`, { clientOptions: { env: { HTTP_PROXY: 'http://127.0.0.1:1' }, insecureRegistries: [named] } }),
      // the error says it went to the proxy, not around it
      (e: unknown) =>
        (e as { code?: string }).code === 'REGISTRY_UNAVAILABLE' &&
        String((e as Error).message).includes(`talking to ${named} through the proxy http://127.0.0.1:1`),
    );
  });
});
