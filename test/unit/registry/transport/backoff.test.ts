import * as assert from 'node:assert/strict';
import { backoffDelay, DEFAULT_BACKOFF, isRetryableStatus, parseRetryAfter } from '../../../../src/registry/transport/backoff';

describe('registry/transport/backoff', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:05 GMT', now), 5000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('grows exponentially with jitter, capped, and prefers Retry-After (capped too)', () => {
    const p = { ...DEFAULT_BACKOFF, baseMs: 100, maxMs: 1000, maxRetryAfterMs: 5000 };
    assert.equal(backoffDelay(1, p, undefined, () => 0), 50);
    assert.equal(backoffDelay(1, p, undefined, () => 1), 100);
    assert.equal(backoffDelay(3, p, undefined, () => 1), 400);
    assert.equal(backoffDelay(10, p, undefined, () => 1), 1000);
    assert.equal(backoffDelay(1, p, 2000), 2000);
    assert.equal(backoffDelay(1, p, 60_000), 5000);
  });

  it('retries 408, 429 and 5xx but not 501/505 or 4xx', () => {
    assert.deepEqual([408, 429, 500, 502, 503, 504].map(isRetryableStatus), [true, true, true, true, true, true]);
    assert.deepEqual([400, 401, 404, 416, 501, 505].map(isRetryableStatus), [false, false, false, false, false, false]);
  });
});
