import * as assert from 'node:assert/strict';
import { isHoistError } from '../../../src/errors';
import { defaultBase } from '../../../src/pack/default-base';
import { entrypointOf } from '../../../src/pack/entrypoint';
import { sourceUrl } from '../../../src/pack/image-config';
import { bucketCount, bucketOf } from '../../../src/pack/dependency-layers';

describe('pack: entrypoint, base, labels, buckets', () => {
  it('runs bin, then main, then a `node X` start script, with node itself', () => {
    assert.deepEqual(entrypointOf({ bin: './cli.js', main: 'index.js' }), ['node', '/app/cli.js']);
    assert.deepEqual(entrypointOf({ name: '@s/tool', bin: { other: 'o.js', tool: 'bin/t.js' } }), ['node', '/app/bin/t.js']);
    assert.deepEqual(entrypointOf({ main: 'lib/index.js' }), ['node', '/app/lib/index.js']);
    assert.deepEqual(entrypointOf({ scripts: { start: 'node server.js --port 8080' } }), ['node', '/app/server.js', '--port', '8080']);
    assert.deepEqual(entrypointOf({ main: 'x.js' }, ['node', '/app/y.js']), ['node', '/app/y.js']);
  });

  it('refuses a start script that is not plain node, and no entry at all', () => {
    for (const m of [{ scripts: { start: 'nodemon x.js' } }, { scripts: { start: 'node x.js && echo' } }, {}]) {
      assert.throws(() => entrypointOf(m), (e) => isHoistError(e, 'PACK_NO_ENTRYPOINT'));
    }
  });

  it('picks node:MAJOR-slim, the highest major engines.node allows, else the running one', () => {
    assert.equal(defaultBase({ engines: { node: '>=18' } }, '20.1.0'), 'node:24-slim');
    assert.equal(defaultBase({ engines: { node: '^20.10 || ^22' } }, '20.1.0'), 'node:22-slim');
    assert.equal(defaultBase({ engines: { node: '18.x' } }, '20.1.0'), 'node:18-slim');
    assert.equal(defaultBase({}, '20.1.0'), 'node:20-slim');
    assert.equal(defaultBase({ engines: { node: 'not a range' } }, '22.3.0'), 'node:22-slim');
  });

  it('turns repository fields into a browsable source URL', () => {
    assert.equal(sourceUrl('github:o/r'), 'https://github.com/o/r');
    assert.equal(sourceUrl('o/r'), 'https://github.com/o/r');
    assert.equal(sourceUrl({ type: 'git', url: 'git+https://example.com/o/r.git' }), 'https://example.com/o/r');
    assert.equal(sourceUrl(undefined), undefined);
  });

  it('buckets by name only: up to 4 layers, a package stays in its bucket while the count is unchanged', () => {
    assert.equal(bucketCount(3), 1);
    assert.equal(bucketCount(120), 3);
    assert.equal(bucketCount(900), 4);
    const b = bucketOf('lodash', 4);
    assert.ok(b >= 0 && b < 4);
    assert.equal(bucketOf('lodash', 4), b);
    const spread = new Set(Array.from({ length: 40 }, (_, i) => bucketOf(`pkg-${i}`, 4)));
    assert.equal(spread.size, 4);
  });
});
