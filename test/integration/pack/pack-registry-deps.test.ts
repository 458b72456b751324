import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { hasRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { buildOk } from '../build/build-helpers';
import { copyFixture, editFile, extraCaLines, inspect, listNodeModules, loadNodeBase, NODE_BASE, npmRegistryUnreachable, packOk, repackAfterEdit } from './pack-helpers';

const EXPECTED = '&lt;pack&gt; | isNumber(42) true | 2h = 7200000 ms | debug function | isarray absent | message v1\n';

describe('hoist pack: a project with a few npm registry packages', function () {
  this.timeout(300_000);
  let root: string;
  let project: string;
  let reg: RegistryServer | undefined;

  before(async function () {
    const why = (await runtimeUnavailable()) ?? (await npmRegistryUnreachable());
    if (why) skipWith(this, why);
    root = tmpDir('hoist-pack-reg-');
    await loadNodeBase(root);
    project = copyFixture('registry-deps');
  });

  after(async () => {
    await reg?.stop();
  });

  it('installs the lockfile tree without dev dependencies; main is the Entrypoint and the app runs', async () => {
    await packOk(root, [project, '-t', 'rd:1', '--base', NODE_BASE]);
    assert.deepEqual((await inspect(root, 'rd:1')).Config.Entrypoint, ['node', '/app/index.js']);
    const run = await runHoist(['run', '--rm', 'rd:1'], { root });
    assert.equal(run.stdout, EXPECTED, run.stderr);
  });

  it('after an app-only edit keeps the dependency layers and pushes only the app layer again', async function () {
    if (!hasRegistry()) skipWith(this, 'needs docker-registry (Debian package docker-registry)');
    reg = await startRegistry();
    const ref = `127.0.0.1:${reg.port}/rd:1`;
    const { before, after, second } = await repackAfterEdit(root, project, ref, NODE_BASE, () => editFile(path.join(project, 'index.js'), 'message v1', 'message v2'));
    for (const name of before.keys()) if (name !== 'app') assert.equal(after.get(name), before.get(name), name);
    assert.notEqual(after.get('app'), before.get('app'));
    assert.match(second.stdout, /pushed .*: 2 blobs uploaded \(\d+ bytes\), \d+ already there/);
    assert.equal((await runHoist(['run', '--rm', ref], { root })).stdout, EXPECTED.replace('v1', 'v2'));
  });

  it('gives the same /app/node_modules as `npm ci --omit=dev` in the classic Dockerfile built by hoist build', async () => {
    const ctx = copyFixture('registry-deps');
    const dockerfile = `FROM ${NODE_BASE}\n${extraCaLines(ctx)}WORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev --no-audit --no-fund\nCOPY . .\n`;
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
    await buildOk(root, ['-t', 'rd-classic', ctx]);
    await packOk(root, [ctx, '-t', 'rd-packed', '--base', NODE_BASE]);
    assert.equal(await listNodeModules(root, 'rd-packed'), await listNodeModules(root, 'rd-classic'));
  });

  it('a version the registry does not have: a clear error, nothing tagged', async () => {
    const dir = copyFixture('registry-deps');
    const lock = path.join(dir, 'package-lock.json');
    fs.writeFileSync(lock, fs.readFileSync(lock, 'utf8').replace(/"node_modules\/is-number": \{\n(\s*)"version": "7\.0\.0"/, '"node_modules/is-number": {\n$1"version": "7.0.99"'));
    fs.writeFileSync(path.join(dir, 'package.json'), fs.readFileSync(path.join(dir, 'package.json'), 'utf8').replace('"is-number": "7.0.0"', '"is-number": "7.0.99"'));
    const r = await runHoist(['pack', dir, '-t', 'rd-broken:1', '--base', NODE_BASE], { root });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /installing the dependencies failed.*is-number/);
    assert.equal((await runHoist(['inspect', 'rd-broken:1'], { root })).code, 1);
  });
});
