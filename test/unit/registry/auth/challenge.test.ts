import * as assert from 'node:assert/strict';
import { mergeScopes, parseChallenges, repositoryScope, splitScopes } from '../../../../src/registry/auth/challenge';

describe('registry/auth/challenge', () => {
  it('parses a Bearer challenge with quoted params containing commas', () => {
    const [c] = parseChallenges('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"');
    assert.equal(c?.scheme, 'bearer');
    assert.deepEqual(c?.params, { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' });
  });

  it('parses several challenges and Basic', () => {
    const cs = parseChallenges(['Basic realm="r1"', 'Bearer realm="https://t",error="invalid_token"']);
    assert.deepEqual(cs.map((c) => c.scheme), ['basic', 'bearer']);
    assert.equal(cs[1]?.params.error, 'invalid_token');
    assert.deepEqual(parseChallenges(undefined), []);
  });

  it('merges scopes of one resource and sorts them', () => {
    assert.deepEqual(mergeScopes(['repository:x:pull', 'repository:x:push', 'repository:a:pull']), ['repository:a:pull', 'repository:x:pull,push']);
    assert.equal(repositoryScope('lib/app', ['pull', 'push']), 'repository:lib/app:pull,push');
    assert.deepEqual(splitScopes('a:b:pull  c:d:push'), ['a:b:pull', 'c:d:push']);
  });
});
