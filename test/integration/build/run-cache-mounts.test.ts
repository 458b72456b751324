import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { collect, runHoist, spawnHoist, type RunResult } from '../../helpers/hoist-cli';
import { tmpDir } from '../../helpers/tmp';
import { buildOk, busyboxStore, makeContext } from './build-helpers';

/** The instance directories (cache/mounts/<key>/<n>) of the cache mount with this id. */
function instances(root: string, id: string): string[] {
  const base = path.join(root, 'cache', 'mounts');
  for (const key of fs.existsSync(base) ? fs.readdirSync(base) : []) {
    const meta = path.join(base, key, 'meta.json');
    if (fs.existsSync(meta) && (JSON.parse(fs.readFileSync(meta, 'utf8')) as { id: string }).id === `/${id}`) {
      return fs.readdirSync(path.join(base, key)).filter((n) => /^\d+$/.test(n)).sort().map((n) => path.join(base, key, n));
    }
  }
  return [];
}

async function until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); await sleep(20)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

/** A RUN that logs its start in the cache, waits (at most 60 s) for a `go` file the test makes, then logs its end. */
const holdRun = (id: string, sharing: string, name: string): string =>
  `FROM base\nRUN --mount=type=cache,target=/c,id=${id},sharing=${sharing} echo start-${name} >> /c/log; i=0; while [ ! -e /c/go ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; echo end-${name} >> /c/log; ls /c > /seen-${name}\n`;

describe('hoist build: RUN --mount=type=cache', function () {
  this.timeout(180_000);
  let root: string;

  before(async function () {
    root = await busyboxStore(this, 'hoist-cache-mounts-');
  });

  const spawnBuild = (dockerfile: string, tag: string): { child: ChildProcess; done: Promise<RunResult>; stderr: () => string } => {
    const child = spawnHoist(['build', '--progress', 'plain', '--no-cache', '-t', tag, makeContext({ Dockerfile: dockerfile })], { root });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    return { child, done: collect(child), stderr: () => err };
  };
  const local = async (dockerfile: string, files: Record<string, string> = {}): Promise<(f: string) => string> => {
    const out = tmpDir('hoist-cache-out-');
    await buildOk(root, ['--no-cache', '-o', `type=local,dest=${out}`, makeContext({ Dockerfile: dockerfile, ...files })]);
    return (f) => fs.readFileSync(path.join(out, f), 'utf8').trim();
  };

  it('persists across builds, never in a layer; from=/source= seeds it; mode/uid/gid; readonly', async () => {
    const run = (n: string): string => `FROM base\nRUN --mount=type=cache,target=/var/cache/app echo ${n} >> /var/cache/app/log && cat /var/cache/app/log > /seen\n`;
    await local(run('one'));
    const read = await local(run('two'));
    assert.equal(read('seen'), 'one\ntwo');
    assert.throws(() => read('var/cache/app/log'), /ENOENT/);
    const seeded = await local(
      [
        'FROM base AS seed',
        'RUN mkdir -p /data && echo from-stage > /data/x',
        'FROM base',
        'RUN --mount=type=cache,target=/c,id=seeded,from=seed,source=/data cat /c/x > /seeded',
        'RUN --mount=type=cache,target=/d,id=owned,mode=0710,uid=5,gid=6 stat -c "%a %u %g" /d > /dstat',
        'RUN --mount=type=cache,target=/c,id=seeded,from=seed,source=/data,readonly touch /c/y 2>/dev/null || echo read-only > /ro',
        '',
      ].join('\n'),
    );
    assert.equal(seeded('seeded'), 'from-stage');
    assert.equal(seeded('dstat'), '710 5 6');
    assert.equal(seeded('ro'), 'read-only');
  });

  it('sharing=shared: two concurrent builds use one directory at once', async () => {
    const a = spawnBuild(holdRun('sh', 'shared', 'a'), 'sha');
    await until('build a to start its RUN', () => instances(root, 'sh').some((d) => fs.existsSync(path.join(d, 'log'))));
    await buildOk(root, ['--no-cache', '-o', `type=local,dest=${tmpDir()}`, makeContext({ Dockerfile: holdRun('sh', 'shared', 'b').replace('[ ! -e /c/go ]', 'false') })]);
    const [dir] = instances(root, 'sh');
    assert.equal(fs.readFileSync(path.join(dir!, 'log'), 'utf8'), 'start-a\nstart-b\nend-b\n', 'b ran while a held the cache, in the same directory');
    fs.writeFileSync(path.join(dir!, 'go'), '');
    assert.equal((await a.done).code, 0, a.stderr());
    assert.equal(instances(root, 'sh').length, 1);
  });

  it('sharing=private: a concurrent build gets a fresh directory', async () => {
    const a = spawnBuild(holdRun('pr', 'private', 'a'), 'pra');
    await until('build a to start its RUN', () => instances(root, 'pr').some((d) => fs.existsSync(path.join(d, 'log'))));
    const out = tmpDir('hoist-cache-out-');
    await buildOk(root, ['--no-cache', '-o', `type=local,dest=${out}`, makeContext({ Dockerfile: holdRun('pr', 'private', 'b').replace('[ ! -e /c/go ]', 'false') })]);
    assert.equal(fs.readFileSync(path.join(out, 'seen-b'), 'utf8'), 'log\n', 'b saw only its own log');
    const dirs = instances(root, 'pr');
    assert.equal(dirs.length, 2);
    assert.equal(fs.readFileSync(path.join(dirs[1]!, 'log'), 'utf8'), 'start-b\nend-b\n');
    fs.writeFileSync(path.join(dirs[0]!, 'go'), '');
    assert.equal((await a.done).code, 0, a.stderr());
    assert.equal(fs.readFileSync(path.join(dirs[0]!, 'log'), 'utf8'), 'start-a\nend-a\n');
  });

  it('sharing=locked: a concurrent build waits until the first RUN releases it', async () => {
    const a = spawnBuild(holdRun('lk', 'locked', 'a'), 'lka');
    await until('build a to start its RUN', () => instances(root, 'lk').some((d) => fs.existsSync(path.join(d, 'log'))));
    const [dir] = instances(root, 'lk');
    const b = spawnBuild(holdRun('lk', 'locked', 'b').replace('[ ! -e /c/go ]', 'false'), 'lkb');
    await until('build b to reach its RUN', () => /RUN --mount=type=cache/.test(b.stderr()));
    await sleep(1000);
    assert.equal(fs.readFileSync(path.join(dir!, 'log'), 'utf8'), 'start-a\n', 'b must not run while a holds the lock');
    fs.writeFileSync(path.join(dir!, 'go'), '');
    assert.equal((await a.done).code, 0, a.stderr());
    assert.equal((await b.done).code, 0, b.stderr());
    assert.equal(fs.readFileSync(path.join(dir!, 'log'), 'utf8'), 'start-a\nend-a\nstart-b\nend-b\n');
    assert.equal(instances(root, 'lk').length, 1);
  });

  it('one cache at two targets of one RUN is one directory, and locked does not wait on itself', async () => {
    for (const sharing of ['locked', 'private', 'shared']) {
      const read = await local(`FROM base\nRUN --mount=type=cache,id=twice-${sharing},target=/m1,sharing=${sharing} --mount=type=cache,id=twice-${sharing},target=/m2,sharing=${sharing} touch /m1/foo && ls /m2 > /seen\n`);
      assert.equal(read('seen'), 'foo', sharing);
      assert.equal(instances(root, `twice-${sharing}`).length, 1, sharing);
    }
  });

  it('hoist system df counts them; prune --filter type=exec.cachemount removes them and nothing else', async () => {
    const df = async (): Promise<{ total: number; size: number }> => {
      const r = await runHoist(['system', 'df', '--format', 'json'], { root });
      return r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; total: number; size: number }).find((x) => x.type === 'Build cache mounts')!;
    };
    const before = await df();
    assert.ok(before.total >= 5 && before.size > 0, JSON.stringify(before));
    const records = fs.readdirSync(path.join(root, 'cache')).filter((n) => n.endsWith('.json')).length;
    const r = await runHoist(['prune', '--filter', 'type=exec.cachemount'], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Deleted ${before.total} build cache mounts`));
    const after = await df();
    assert.deepEqual([after.total, after.size], [0, 0]);
    assert.equal(fs.readdirSync(path.join(root, 'cache')).filter((n) => n.endsWith('.json')).length, records, 'the cache records stay');
    assert.equal((await runHoist(['inspect', 'sha'], { root })).code, 0, 'images stay');
  });
});
