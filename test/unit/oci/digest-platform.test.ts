import { strict as assert } from 'node:assert';
import {
  computeChainIds,
  Digester,
  digestOf,
  formatPlatform,
  isDigest,
  normalizePlatform,
  parseDigest,
  parsePlatform,
  platformMatches,
} from '../../../src/oci';
import { isHoistError } from '../../../src/errors';

describe('oci/digest', () => {
  it('parses sha256 and refuses malformed or unsupported digests with codes', () => {
    const d = digestOf('hello');
    assert.equal(d, 'sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.equal(parseDigest(d), d);
    assert.ok(!isDigest('sha256:ABC'));
    assert.throws(() => parseDigest('sha256:xyz'), (e: unknown) => isHoistError(e, 'DIGEST_INVALID'));
    assert.throws(() => parseDigest(`md5:${'a'.repeat(32)}`), (e: unknown) => isHoistError(e, 'DIGEST_UNSUPPORTED'));
    assert.throws(() => parseDigest('nonsense'), (e: unknown) => isHoistError(e, 'DIGEST_INVALID'));
  });

  it('Digester agrees with digestOf and counts bytes', () => {
    const g = new Digester();
    g.update(Buffer.from('hel'));
    g.update(Buffer.from('lo'));
    assert.equal(g.digest(), digestOf('hello'));
    assert.equal(g.size, 5);
  });

  it('computes chainIDs as the image spec defines them', () => {
    const a = digestOf('a');
    const b = digestOf('b');
    const [c0, c1] = computeChainIds([a, b]);
    assert.equal(c0, a);
    assert.equal(c1, digestOf(`${a} ${b}`));
  });
});

describe('oci/platform', () => {
  it('normalises aliases and default variants', () => {
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'x86_64' }), { os: 'linux', architecture: 'amd64' });
    assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'aarch64' }), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.equal(formatPlatform(parsePlatform('linux/arm')), 'linux/arm/v7');
    assert.equal(formatPlatform(parsePlatform('linux/arm64')), 'linux/arm64/v8');
    assert.throws(() => parsePlatform('linux//x'), (e: unknown) => isHoistError(e, 'PLATFORM_INVALID'));
  });

  it('matches variants as containerd does', () => {
    assert.ok(platformMatches(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v6' }));
    assert.ok(!platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' }));
    assert.ok(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'arm64' }));
    assert.ok(!platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'arm64' }));
    assert.ok(!platformMatches(parsePlatform('linux/amd64'), { os: 'windows', architecture: 'amd64' }));
  });
});
