import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runHoist } from '../../helpers/hoist-cli';
import { buildOk, busyboxStore, cachedSteps, makeContext } from './build-helpers';

interface Record {
  key: string;
  description: string;
  layer?: { descriptor: { digest: string }; diffId: string };
}

function records(root: string): Record[] {
  const dir = path.join(root, 'cache');
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as Record);
}

async function layers(root: string, ref: string): Promise<string[]> {
  const r = await runHoist(['inspect', ref], { root });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { RootFS: { Layers: string[] } }[])[0]!.RootFS.Layers;
}

/**
 * COPY --link (BuildKit's MergeOp): the layer is made on an empty tree, so it
 * does not depend on what is below it; a new base reuses it from the cache,
 * while the steps that do depend on the base run again.
 */
describe('hoist build: COPY --link survives a new base', function () {
  this.timeout(180_000);
  let root: string;

  before(async function () {
    root = await busyboxStore(this, 'hoist-link-', 'busybox:latest');
  });

  const baseCtx = (version: string): string => makeContext({ Dockerfile: `FROM busybox\nRUN echo ${version} > /base-version\n` });

  it('rebuilding on a base with another digest hits the --link step (same record, same layer) and reruns the rest', async () => {
    await buildOk(root, ['-t', 'mybase', baseCtx('one')]);
    const app = makeContext({
      Dockerfile: 'FROM mybase\nWORKDIR /app\nCOPY --link --chown=1000:1000 payload.txt ./\nRUN cat /base-version payload.txt > /app/out\nCOPY plain.txt ./\n',
      'payload.txt': 'payload\n',
      'plain.txt': 'plain\n',
    });
    const first = await buildOk(root, ['-t', 'app', app]);
    assert.deepEqual(cachedSteps(first.stderr), []);
    const before = await layers(root, 'app');
    const linkRecord = records(root).filter((r) => r.description.startsWith('COPY payload.txt'));
    assert.equal(linkRecord.length, 1, 'one record for the --link step');

    await buildOk(root, ['-t', 'mybase', baseCtx('two')]); // a different FROM digest
    const second = await buildOk(root, ['-t', 'app', app]);
    const cached = cachedSteps(second.stderr).map((c) => c.replace(/^\[(\S+ )?\d+\/\d+\] /, ''));
    assert.deepEqual(cached, ['COPY --link --chown=1000:1000 payload.txt ./'], second.stderr);
    const after = await layers(root, 'app');
    // [busybox, base RUN, WORKDIR, COPY --link, RUN, COPY]: the base RUN changed, the --link layer did not
    assert.equal(after.length, before.length);
    const linkAt = before.length - 3;
    assert.notEqual(after[1], before[1], 'the base layer changed');
    assert.equal(after[linkAt], before[linkAt], 'the --link layer has the same diffID');
    assert.notEqual(after[linkAt + 1], before[linkAt + 1], 'the RUN after it ran again');
    assert.deepEqual(
      records(root).filter((r) => r.description.startsWith('COPY payload.txt')),
      linkRecord,
      'no second record for the --link step: the hit used the first',
    );
    const out = await runHoist(['run', '--rm', 'app', 'stat', '-c', '%u:%g', '/app/payload.txt'], { root });
    assert.equal(out.stdout, '1000:1000\n');
    const ran = await runHoist(['run', '--rm', 'app', 'cat', '/app/out'], { root });
    assert.equal(ran.stdout, 'two\npayload\n');
  });
});
