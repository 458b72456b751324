import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runHoist, spawnHoist, collect } from '../../helpers/hoist-cli';
import { activeSnapshots, buildOk, busyboxStore, cachedSteps, imageId, makeContext } from './build-helpers';

const DOCKERFILE = `FROM base AS deps
WORKDIR /app
COPY lib.txt ./
RUN cat lib.txt > /app/deps.out

FROM base
ARG LATE=one
WORKDIR /app
COPY --from=deps /app/deps.out ./
COPY main.txt ./
RUN cat deps.out main.txt > all.out && echo "late=$LATE" >> all.out
CMD ["cat", "/app/all.out"]
`;

describe('hoist build: the cache', function () {
  this.timeout(180_000);
  let root: string;
  let ctxDir: string;

  before(async function () {
    root = await busyboxStore(this, 'hoist-build-cache-');
    ctxDir = makeContext({ Dockerfile: DOCKERFILE, 'lib.txt': 'lib v1\n', 'main.txt': 'main v1\n' });
  });

  it('a no-op rebuild hits every step and gives the same image ID', async () => {
    const first = await buildOk(root, ['-t', 'app', ctxDir]);
    assert.deepEqual(cachedSteps(first.stderr), []);
    const id1 = await imageId(root, 'app');
    const second = await buildOk(root, ['-t', 'app', ctxDir]);
    assert.equal(cachedSteps(second.stderr).length, 7, second.stderr);
    assert.equal(await imageId(root, 'app'), id1);
    const out = await runHoist(['run', '--rm', 'app'], { root });
    assert.equal(out.stdout, 'lib v1\nmain v1\nlate=one\n');
  });

  it("touching a file's mtime alone still hits", async () => {
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(ctxDir, 'main.txt'), later, later);
    const r = await buildOk(root, ['-t', 'app', ctxDir]);
    assert.equal(cachedSteps(r.stderr).length, 7, r.stderr);
  });

  it('editing one file invalidates exactly the steps that read it and what follows', async () => {
    fs.writeFileSync(path.join(ctxDir, 'main.txt'), 'main v2\n');
    const r = await buildOk(root, ['-t', 'app', ctxDir]);
    const cached = cachedSteps(r.stderr);
    assert.deepEqual(
      cached.map((c) => c.replace(/^\[\S+ \d\/\d\] /, '')).sort(),
      ['COPY --from=deps /app/deps.out ./', 'COPY lib.txt ./', 'RUN cat lib.txt > /app/deps.out', 'WORKDIR /app', 'WORKDIR /app'],
    );
    const out = await runHoist(['run', '--rm', 'app'], { root });
    assert.equal(out.stdout, 'lib v1\nmain v2\nlate=one\n');
  });

  it('a build arg used only in a later stage keeps the earlier steps', async () => {
    const r = await buildOk(root, ['-t', 'app', '--build-arg', 'LATE=two', ctxDir]);
    const cached = cachedSteps(r.stderr).map((c) => c.replace(/^\[\S+ \d\/\d\] /, ''));
    assert.ok(cached.includes('RUN cat lib.txt > /app/deps.out'), r.stderr);
    assert.ok(cached.includes('COPY main.txt ./'), r.stderr);
    assert.ok(!cached.some((c) => c.startsWith('RUN cat deps.out')), r.stderr);
    const out = await runHoist(['run', '--rm', 'app'], { root });
    assert.equal(out.stdout, 'lib v1\nmain v2\nlate=two\n');
  });

  it('two builds on one store at once both succeed and agree', async () => {
    const ctx2 = makeContext({ Dockerfile: DOCKERFILE.replace('late=', 'concurrent late='), 'lib.txt': 'lib v1\n', 'main.txt': 'main v3\n' });
    const [a, b] = await Promise.all([
      collect(spawnHoist(['build', '--progress', 'plain', '-t', 'c1', ctx2], { root })),
      collect(spawnHoist(['build', '--progress', 'plain', '-t', 'c2', ctx2], { root })),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(await imageId(root, 'c1'), await imageId(root, 'c2'));
    assert.deepEqual(activeSnapshots(root), []);
  });

  it('--no-cache runs every step again', async () => {
    const r = await buildOk(root, ['--no-cache', '-t', 'app', ctxDir]);
    assert.deepEqual(cachedSteps(r.stderr), []);
  });

  it('prune --filter until= drops only the records unused for that long', async () => {
    const cacheDir = path.join(root, 'cache');
    const records = fs.readdirSync(cacheDir).filter((n) => n.endsWith('.json'));
    assert.ok(records.length >= 7, `${records.length} records`);
    let r = await runHoist(['prune', '--filter', 'until=1h'], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /build cache records/);
    const old = new Date(Date.now() - 2 * 3600_000);
    for (const n of records) fs.utimesSync(path.join(cacheDir, n), old, old);
    r = await runHoist(['prune', '--filter', 'until=1h'], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Deleted ${records.length} build cache records`));
    const again = await buildOk(root, ['-t', 'app', ctxDir]);
    assert.deepEqual(cachedSteps(again.stderr), []);
    r = await runHoist(['prune', '--filter', 'since=1h'], { root });
    assert.equal(r.code, 2);
  });

  it('cache records survive prune while they reach their layers, and prune --all drops them', async () => {
    let r = await runHoist(['prune'], { root });
    assert.equal(r.code, 0, r.stderr);
    const again = await buildOk(root, ['-t', 'app', ctxDir]);
    assert.equal(cachedSteps(again.stderr).length, 7, again.stderr);
    r = await runHoist(['prune', '--all'], { root });
    assert.equal(r.code, 0, r.stderr);
    const cold = await buildOk(root, ['-t', 'app2', ctxDir]);
    assert.deepEqual(cachedSteps(cold.stderr), []);
  });
});
