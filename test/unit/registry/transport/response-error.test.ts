import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { errorFromResponse, isRetryableNetworkError } from '../../../../src/registry/transport/response-error';

const res = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: Readable.from([Buffer.from(body)]),
  url: new URL('https://reg.example/v2/a/manifests/x?token=secret'),
});

describe('registry/transport/response-error', () => {
  it('maps distribution codes to ours and keeps the originals in details', async () => {
    const e = await errorFromResponse(res(404, JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }] })), {
      action: 'get manifest x',
      repository: 'a',
    });
    assert.equal(e.code, 'REGISTRY_MANIFEST_UNKNOWN');
    assert.equal(e.kind, 'not-found');
    assert.deepEqual((e.details.registryErrors as Array<{ code: string }>)[0]?.code, 'MANIFEST_UNKNOWN');
    assert.ok(!String(e.details.url).includes('secret'));
  });

  it('falls back on the status (429 keeps Retry-After; 5xx is unavailable)', async () => {
    const e = await errorFromResponse(res(429, '', { 'retry-after': '7' }), { action: 'x' });
    assert.equal(e.code, 'REGISTRY_TOO_MANY_REQUESTS');
    assert.equal(e.details.retryAfter, '7');
    assert.equal((await errorFromResponse(res(502, 'gateway'), { action: 'x' })).kind, 'unavailable');
    assert.equal((await errorFromResponse(res(404, ''), { action: 'x', notFoundCode: 'REGISTRY_BLOB_UNKNOWN' })).code, 'REGISTRY_BLOB_UNKNOWN');
  });

  it('reads at most 64 KiB of an error body', async () => {
    const e = await errorFromResponse(res(500, Buffer.alloc(200 * 1024, 65)), { action: 'x' });
    assert.equal(e.code, 'REGISTRY_UNAVAILABLE');
    assert.ok(e.message.length < 1000);
  });

  it('retries connection errors but not TLS or aborts', () => {
    assert.equal(isRetryableNetworkError({ code: 'ECONNRESET' }), true);
    assert.equal(isRetryableNetworkError({ code: 'UND_ERR_SOCKET' }), true);
    assert.equal(isRetryableNetworkError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), false);
    assert.equal(isRetryableNetworkError({ name: 'AbortError' }), false);
  });
});
