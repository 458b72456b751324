import * as assert from 'node:assert/strict';
import { redactHeaders, redactText, redactUrl } from '../../../../src/registry/transport/redact';

describe('registry/transport/redact', () => {
  it('drops userinfo and secret query parameters from URLs', () => {
    const s = redactUrl('https://user:pw@s3.example/blob?X-Amz-Signature=abc&X-Amz-Credential=k&access_token=t&part=1');
    assert.ok(!s.includes('pw') && !s.includes('abc') && !s.includes('=k&') && !s.includes('=t&'));
    assert.ok(s.includes('part=1'));
  });

  it('keeps the scheme of Authorization headers only', () => {
    assert.deepEqual(redactHeaders({ authorization: 'Bearer abc.def', accept: 'x' }), { authorization: 'Bearer REDACTED', accept: 'x' });
  });

  it('removes known secrets from text', () => {
    assert.equal(redactText('bad password hunter22 for x', ['hunter22']), 'bad password REDACTED for x');
  });
});
