import { strict as assert } from 'node:assert';
import { familiarString, formatReference, parseReference } from '../../../src/oci';
import { isHoistError } from '../../../src/errors';

const HEX = 'a'.repeat(64);

describe('oci/reference: docker normalisation', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['dmcgowan/myapp', 'docker.io/dmcgowan/myapp:latest'],
    ['localhost/foo', 'localhost/foo:latest'],
    ['localhost:5000/foo/bar:v1', 'localhost:5000/foo/bar:v1'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x:latest'],
    ['[::1]:5000/x:y', '[::1]:5000/x:y'],
    ['Example.COM/foo', 'Example.COM/foo:latest'],
    ['foo_bar/a__b/c-d--e.f', 'docker.io/foo_bar/a__b/c-d--e.f:latest'],
    [`busybox@sha256:${HEX}`, `docker.io/library/busybox@sha256:${HEX}`],
    [`example.com/a/b:t@sha256:${HEX}`, `example.com/a/b:t@sha256:${HEX}`],
    ['ghcr.io/o/r:Tag_1.0-x', 'ghcr.io/o/r:Tag_1.0-x'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      assert.equal(formatReference(parseReference(input)), expected);
    });
  }

  const invalid: [string, string][] = [
    ['Uppercase', 'REFERENCE_NOT_CANONICAL'],
    ['foo/Bar', 'REFERENCE_NOT_CANONICAL'],
    [HEX, 'REFERENCE_INVALID'],
    [':tag', 'REFERENCE_INVALID'],
    ['a:b:c', 'REFERENCE_INVALID'],
    ['-foo', 'REFERENCE_INVALID'],
    ['foo___bar', 'REFERENCE_INVALID'],
    ['foo@sha256:abc', 'REFERENCE_INVALID'],
    ['', 'REFERENCE_INVALID'],
    [`foo:${'t'.repeat(129)}`, 'REFERENCE_INVALID'],
    [`${'a'.repeat(250)}/b`, 'REFERENCE_INVALID'],
  ];
  for (const [input, code] of invalid) {
    it(`refuses ${JSON.stringify(input.slice(0, 40))} with ${code}`, () => {
      assert.throws(
        () => parseReference(input),
        (err: unknown) => isHoistError(err, code as never),
      );
    });
  }

  it('keeps digest-only references untagged', () => {
    const ref = parseReference(`busybox@sha256:${HEX}`);
    assert.equal(ref.tag, undefined);
    assert.equal(ref.digest, `sha256:${HEX}`);
  });

  it('gives docker familiar names back', () => {
    assert.equal(familiarString(parseReference('busybox')), 'busybox:latest');
    assert.equal(familiarString(parseReference('docker.io/me/app:1')), 'me/app:1');
    assert.equal(familiarString(parseReference('docker.io/library/a/b')), 'library/a/b:latest');
    assert.equal(familiarString(parseReference('localhost:5000/x')), 'localhost:5000/x:latest');
  });
});
