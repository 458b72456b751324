import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { DirectHttp } from '../../../../src/registry/transport/direct-http';

/** A loopback server answering each request with `handler`, counting the connections it accepted. */
async function serve(handler: http.RequestListener): Promise<{ url: URL; connections: () => number; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`);
  return {
    url,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('registry/transport: direct-http (node:http, no proxy)', () => {
  const direct = () => new DirectHttp([], { connections: 8, timeoutMs: 300, tls: { rejectUnauthorized: true } });

  it('gives a repeated header as an array (two WWW-Authenticate challenges), a single one as a string', async () => {
    const s = await serve((_req, res) => {
      res.setHeader('www-authenticate', ['Basic realm="r"', 'Bearer realm="https://auth/token",service="reg"']);
      res.setHeader('docker-distribution-api-version', 'registry/2.0');
      res.writeHead(401).end('{}');
    });
    const d = direct();
    try {
      const res = await d.request(s.url, 'GET', {}, undefined, undefined);
      res.body.resume();
      assert.equal(res.status, 401);
      assert.deepEqual(res.headers['www-authenticate'], ['Basic realm="r"', 'Bearer realm="https://auth/token",service="reg"']);
      assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
    } finally {
      d.close();
      await s.close();
    }
  });

  it('keeps its connection across HEAD and GET requests', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-length': '2' }).end('{}'));
    const d = direct();
    try {
      for (const method of ['HEAD', 'GET', 'HEAD', 'GET']) {
        const res = await d.request(s.url, method, {}, undefined, undefined);
        await new Promise((resolve) => res.body.on('end', resolve).resume());
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(s.connections(), 1);
    } finally {
      d.close();
      await s.close();
    }
  });

  it("fails with the body stream's own error, not the connection's", async () => {
    const s = await serve((req) => req.resume());
    const d = direct();
    try {
      const body = new Readable({ read() {} });
      body.push(Buffer.alloc(1000));
      setTimeout(() => body.destroy(Object.assign(new Error('digest mismatch'), { code: 'TEST_BODY' })), 20);
      await assert.rejects(d.request(s.url, 'PUT', { 'content-length': '5000' }, body, undefined), { code: 'TEST_BODY' });
    } finally {
      d.close();
      await s.close();
    }
  });

  it('gives up on a server that does not answer, after its idle timeout (ETIMEDOUT: retryable)', async () => {
    const s = await serve(() => undefined);
    const d = direct();
    const t0 = Date.now();
    try {
      await assert.rejects(d.request(s.url, 'GET', {}, undefined, undefined), { code: 'ETIMEDOUT' });
      assert.ok(Date.now() - t0 >= 250, `${Date.now() - t0} ms`);
    } finally {
      d.close();
      await s.close();
    }
  });
});
