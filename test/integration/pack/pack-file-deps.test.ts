import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { hasRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { buildOk } from '../build/build-helpers';
import { copyFixture, editFile, inspect, listNodeModules, loadNodeBase, NODE_BASE, packedLayers, packOk, repackAfterEdit, tagsOf } from './pack-helpers';

const EXPECTED = 'hello, pack | HELLO, PACK | message v1 | NODE_ENV=production | devtool absent | uid 1000 | cwd /app\n';

/** The classic Dockerfile (file: sources copied before npm ci, which needs them). */
const CLASSIC = `FROM ${NODE_BASE}
WORKDIR /app
COPY package*.json ./
COPY vendor ./vendor
COPY packages ./packages
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY . .
`;

describe('hoist pack: a project with file: dependencies only (offline)', function () {
  this.timeout(300_000);
  let root: string;
  let project: string;
  let reg: RegistryServer | undefined;

  before(async function () {
    const why = await runtimeUnavailable();
    if (why) skipWith(this, why);
    root = tmpDir('hoist-pack-');
    await loadNodeBase(root);
    project = copyFixture('file-deps');
  });

  after(async () => {
    await reg?.stop();
  });

  it('packs the production tree and the app; the image runs the bin as a non-root user', async () => {
    const r = await packOk(root, [project, '-t', 'fd:1', '--base', NODE_BASE]);
    assert.deepEqual([...packedLayers(r.stdout).keys()], ['dependencies', 'dependency tree', 'app']);
    const img = await inspect(root, 'fd:1');
    assert.deepEqual(img.Config.Entrypoint, ['node', '/app/bin/app.js']);
    assert.equal(img.Config.User, '1000');
    assert.equal(img.Config.WorkingDir, '/app');
    assert.ok(img.Config.Env.includes('NODE_ENV=production'));
    assert.equal(img.Config.Labels['org.opencontainers.image.title'], 'file-deps-app');
    assert.equal(img.Config.Labels['org.opencontainers.image.version'], '1.2.3');
    assert.equal(img.Config.Labels['org.opencontainers.image.licenses'], 'Apache-2.0');
    assert.equal(img.Config.Labels['org.opencontainers.image.source'], 'https://example.com/hoist/file-deps-app');
    const run = await runHoist(['run', '--rm', 'fd:1'], { root });
    assert.equal(run.stdout, EXPECTED, run.stderr);
    const files = await runHoist(['run', '--rm', '--entrypoint', 'ls', 'fd:1', '-a', '/app'], { root });
    assert.deepEqual(files.stdout.split('\n').filter((l) => l !== ''), ['.', '..', 'README.md', 'bin', 'lib', 'node_modules', 'package-lock.json', 'package.json', 'packages']);
  });

  it('is reproducible: the same project on another store gives the same image ID', async () => {
    const other = tmpDir('hoist-pack-other-');
    await loadNodeBase(other);
    await packOk(other, [project, '-t', 'fd:1', '--base', NODE_BASE]);
    assert.equal((await inspect(other, 'fd:1')).Id, (await inspect(root, 'fd:1')).Id);
  });

  it('--entrypoint and -o type=docker: the archive loads elsewhere as the same image', async () => {
    const archive = path.join(tmpDir('hoist-pack-out-'), 'fd.tar');
    await packOk(root, [project, '-t', 'fd-ep:1', '--base', NODE_BASE, '--entrypoint', 'lib/message.js', '-o', `type=docker,dest=${archive}`]);
    const img = await inspect(root, 'fd-ep:1');
    assert.deepEqual(img.Config.Entrypoint, ['node', '/app/lib/message.js']);
    const other = tmpDir('hoist-pack-load-');
    const loaded = await runHoist(['load', '-i', archive], { root: other });
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal((await inspect(other, 'fd-ep:1')).Id, img.Id);
    const usage = await runHoist(['pack', project, '-t', 'x', '--omit', 'everything'], { root });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--omit must be dev, optional or peer/);
  });

  it('after an app-only edit keeps every dependency layer and pushes only the app layer again', async function () {
    if (!hasRegistry()) skipWith(this, 'needs docker-registry (Debian package docker-registry)');
    reg = await startRegistry();
    const ref = `127.0.0.1:${reg.port}/fd:1`;
    const { before, after, second } = await repackAfterEdit(root, project, ref, NODE_BASE, () => editFile(path.join(project, 'lib', 'message.js'), 'v1', 'v2'));
    assert.equal(after.get('dependencies'), before.get('dependencies'));
    assert.equal(after.get('dependency tree'), before.get('dependency tree'));
    assert.notEqual(after.get('app'), before.get('app'));
    // the app layer and the config; the base and dependency layers were there
    assert.match(second.stdout, /pushed .*: 2 blobs uploaded \(\d+ bytes\), 5 already there/);
    // the tree was packed before on this store: no install
    assert.match(second.stderr, /dependency layers \(lockfile unchanged\)\n#\d+ CACHED/);
    const run = await runHoist(['run', '--rm', ref], { root });
    assert.equal(run.stdout, EXPECTED.replace('v1', 'v2'));
    // a new file is a new name: npm-packlist's remembered list is not used, the file is packed
    fs.writeFileSync(path.join(project, 'lib', 'extra.js'), '// new\n');
    await packOk(root, [project, '-t', ref, '--base', NODE_BASE]);
    assert.equal((await runHoist(['run', '--rm', '--entrypoint', 'ls', ref, '/app/lib'], { root })).stdout, 'extra.js\nmessage.js\n');
  });

  it('an edit inside a linked file: dependency (not in the lockfile) reinstalls and changes the tree layer only', async () => {
    const before = packedLayers((await packOk(root, [project, '-t', 'fd:2', '--base', NODE_BASE])).stdout);
    editFile(path.join(project, 'packages', 'util', 'index.js'), 'toUpperCase()', "toUpperCase() + '!'");
    const r = await packOk(root, [project, '-t', 'fd:2', '--base', NODE_BASE]);
    const after = packedLayers(r.stdout);
    assert.doesNotMatch(r.stderr, /CACHED/);
    assert.equal(after.get('dependencies'), before.get('dependencies'));
    assert.notEqual(after.get('dependency tree'), before.get('dependency tree'));
    assert.equal(after.get('app'), before.get('app'));
    assert.match((await runHoist(['run', '--rm', 'fd:2'], { root })).stdout, /HELLO, PACK! \| message v2/);
  });

  it('gives the same /app/node_modules as the classic Dockerfile built by hoist build', async () => {
    const ctx = copyFixture('file-deps');
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), CLASSIC);
    fs.writeFileSync(path.join(ctx, '.dockerignore'), 'node_modules\n');
    await buildOk(root, ['-t', 'fd-classic', ctx]);
    await packOk(root, [ctx, '-t', 'fd-packed', '--base', NODE_BASE]);
    assert.equal(await listNodeModules(root, 'fd-packed'), await listNodeModules(root, 'fd-classic'));
  });

  describe('refuses, and tags nothing', () => {
    const cases: Array<[string, (dir: string) => void, RegExp]> = [
      ['no lockfile', (d) => fs.rmSync(path.join(d, 'package-lock.json')), /no package-lock\.json or npm-shrinkwrap\.json: run npm install/],
      ['a broken package.json', (d) => fs.writeFileSync(path.join(d, 'package.json'), '{ "name": "x", '), /package\.json is not valid JSON/],
      ['a lockfile out of sync', (d) => editJson(path.join(d, 'package.json'), (j) => ((j.dependencies as Record<string, string>).extra = '^1.0.0')), /out of sync with package\.json \(extra@\^1\.0\.0\): run npm install/],
      ['a dependency that fails to install', corruptTarball, /installing the dependencies failed: TAR_BAD_ARCHIVE/],
    ];
    for (const [name, breakIt, message] of cases) {
      it(name, async () => {
        const dir = copyFixture('file-deps');
        breakIt(dir);
        const before = await tagsOf(root);
        const r = await runHoist(['pack', dir, '-t', 'broken:1', '--base', NODE_BASE], { root });
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, message);
        assert.deepEqual(await tagsOf(root), before);
      });
    }
  });
});

/** greet's tarball replaced by bytes that are not a tarball, with their integrity in the lockfile (npm's cache has no such content). */
function corruptTarball(dir: string): void {
  const bytes = Buffer.from(`not a tarball ${process.pid} ${Date.now()}`);
  fs.writeFileSync(path.join(dir, 'vendor', 'greet-1.0.0.tgz'), bytes);
  const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  editJson(path.join(dir, 'package-lock.json'), (j) => (((j.packages as Record<string, Record<string, string>>)['node_modules/greet'] as Record<string, string>).integrity = integrity));
}

function editJson(file: string, edit: (j: Record<string, unknown>) => void): void {
  const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(j);
  fs.writeFileSync(file, JSON.stringify(j, null, 2));
}
