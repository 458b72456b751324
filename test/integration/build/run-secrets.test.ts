import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { cachedSteps, makeContext } from './build-helpers';

/** Every regular file under `dir` (gzip blobs decompressed) that holds `needle`. */
function filesHolding(dir: string, needle: Buffer): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        let data = fs.readFileSync(p);
        if (data[0] === 0x1f && data[1] === 0x8b) data = zlib.gunzipSync(data);
        if (data.includes(needle)) hits.push(path.relative(dir, p));
      }
    }
  };
  walk(dir);
  return hits;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('hoist build: RUN --mount=type=secret', function () {
  this.timeout(180_000);
  let root: string;
  let work: string;
  const value = `s3cret-${randomBytes(12).toString('hex')}`;
  const envValue = `envs3cret-${randomBytes(12).toString('hex')}`;

  before(async function () {
    const why = await runtimeUnavailable();
    if (why) skipWith(this, why);
    root = tmpDir('hoist-secrets-');
    work = tmpDir('hoist-secrets-work-');
    fs.writeFileSync(path.join(work, 'secret.txt'), value);
    await loadBusybox(root, 'base:latest');
  });

  it('is visible to its RUN only (file, env=, mode/uid/gid) and is in no blob, layer, record, history, config or output', async () => {
    const ctx = makeContext({
      Dockerfile: [
        'FROM base',
        'RUN --mount=type=secret,id=tok sha256sum /run/secrets/tok | cut -c1-64 > /file-sum && stat -c "%a %u %g" /run/secrets/tok > /file-stat',
        'RUN --mount=type=secret,id=tok,target=/s/t,mode=0440,uid=1000,gid=2000 stat -c "%a %u %g" /s/t > /target-stat',
        'RUN --mount=type=secret,id=tok,env=TOK printf %s "$TOK" | sha256sum | cut -c1-64 > /env-sum && test ! -e /run/secrets/tok && echo no-file > /env-only',
        'RUN --mount=type=secret,id=fromenv,env=E2 printf %s "$E2" | sha256sum | cut -c1-64 > /env2-sum',
        'RUN --mount=type=secret,id=absent,env=NOPE echo "[$NOPE]" > /optional-env && ls /run/secrets 2>/dev/null | wc -l > /optional-file',
        'RUN echo "[$TOK]" > /after && ls -A /run/secrets 2>/dev/null | wc -l > /after-files',
        '',
      ].join('\n'),
    });
    const out = path.join(work, 'rootfs');
    const r = await runHoist(
      ['build', '--progress', 'plain', '-t', 'app', '-o', `type=local,dest=${out}`, '--secret', `id=tok,src=${path.join(work, 'secret.txt')}`, '--secret', 'id=fromenv,env=HOIST_TEST_SECRET', ctx],
      { root, env: { HOIST_TEST_SECRET: envValue } },
    );
    assert.equal(r.code, 0, r.stderr);
    const read = (f: string): string => fs.readFileSync(path.join(out, f), 'utf8').trim();
    assert.equal(read('file-sum'), sha(value));
    assert.equal(read('file-stat'), '400 0 0');
    assert.equal(read('target-stat'), '440 1000 2000');
    assert.equal(read('env-sum'), sha(value));
    assert.equal(read('env-only'), 'no-file');
    assert.equal(read('env2-sum'), sha(envValue));
    assert.equal(read('optional-env'), '[]');
    assert.equal(read('after'), '[]');
    assert.equal(read('after-files'), '0');
    assert.ok(!fs.existsSync(path.join(out, 'run/secrets/tok')) && !fs.existsSync(path.join(out, 's/t')), 'no secret file stays');
    const history = await runHoist(['history', '--no-trunc', 'app'], { root });
    const inspect = await runHoist(['inspect', 'app'], { root });
    for (const v of [value, envValue]) {
      assert.deepEqual(filesHolding(root, Buffer.from(v)), [], `the store holds ${v}`);
      assert.deepEqual(filesHolding(out, Buffer.from(v)), [], 'the rootfs holds the secret');
      for (const text of [r.stdout, r.stderr, history.stdout, inspect.stdout]) assert.ok(!text.includes(v), 'an output holds the secret');
    }
    assert.ok(fs.readdirSync(path.join(root, 'cache')).some((n) => n.endsWith('.json')), 'the records were searched');
    // the value is not in any step's key: another value hits the cache (as BuildKit)
    fs.writeFileSync(path.join(work, 'other.txt'), 'another value');
    const again = await runHoist(['build', '--progress', 'plain', '-t', 'app', '--secret', `id=tok,src=${path.join(work, 'other.txt')}`, '--secret', 'id=fromenv,env=HOIST_TEST_SECRET', ctx], { root, env: { HOIST_TEST_SECRET: 'x' } });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(cachedSteps(again.stderr).length, 6, again.stderr);
  });

  it('a missing required secret is an error that names it; --secret type=env and a bare id read the variable', async () => {
    const missing = await runHoist(['build', '--progress', 'plain', makeContext({ Dockerfile: 'FROM base\nRUN --mount=type=secret,id=apikey,required true\n' })], { root });
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /secret apikey: not found/);
    const ctx = makeContext({ Dockerfile: 'FROM base\nRUN --mount=type=secret,id=A,required --mount=type=secret,id=B,required cat /run/secrets/A /run/secrets/B | sha256sum | cut -c1-64 > /sum\n' });
    const out = path.join(work, 'rootfs-env');
    const r = await runHoist(['build', '--progress', 'plain', '-o', `type=local,dest=${out}`, '--secret', 'type=env,id=A', '--secret', 'id=B', ctx], { root, env: { A: 'aa', B: 'bb' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(out, 'sum'), 'utf8').trim(), sha('aabb'));
  }).timeout(60_000);
});
