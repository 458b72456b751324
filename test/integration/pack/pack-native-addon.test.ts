import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hostToolchainMissing } from '../../../fixtures/node/host-toolchain';
import { skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { hasRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { copyFixture, editFile, inspect, loadNodeBase, NODE_BASE, NODE_BUILD_BASE, packedLayers, packOk, repackAfterEdit, tagsOf } from './pack-helpers';

const EXPECTED = `adder: 2 + 3 = 5 | node ${process.version} | message v1\n`;

describe('hoist pack: a native addon (binding.gyp) built inside the base', function () {
  this.timeout(300_000);
  let root: string;
  let project: string;
  let reg: RegistryServer | undefined;

  before(async function () {
    const headers = path.join(path.dirname(path.dirname(fs.realpathSync(process.execPath))), 'include', 'node', 'node.h');
    const why = (await runtimeUnavailable()) ?? hostToolchainMissing() ?? (fs.existsSync(headers) ? undefined : `needs node's headers beside its binary (${headers}) for node-gyp offline`);
    if (why) skipWith(this, why);
    root = tmpDir('hoist-pack-native-');
    await loadNodeBase(root, true);
    project = copyFixture('native-addon');
  });

  after(async () => {
    await reg?.stop();
  });

  it('builds the addon with the base image toolchain (npm rebuild in RUN) and runs it; the start script is the Entrypoint', async () => {
    const r = await packOk(root, [project, '-t', 'na:1', '--base', NODE_BUILD_BASE]);
    assert.deepEqual([...packedLayers(r.stdout).keys()], ['dependencies', 'dependency tree', 'native builds', 'app']);
    assert.deepEqual((await inspect(root, 'na:1')).Config.Entrypoint, ['node', '/app/server.js']);
    const run = await runHoist(['run', '--rm', 'na:1'], { root });
    assert.equal(run.stdout, EXPECTED, run.stderr);
    // only the package's build outputs, with the fixed owner and time, and no compiler caches
    const ls = await runHoist(['run', '--rm', '--entrypoint', 'ls', 'na:1', '-ln', '/app/node_modules/adder/build/Release/adder.node'], { root });
    assert.match(ls.stdout, /^-rwxr-xr-x\s+\d+\s+0\s+0\s+\d+ Jan\s+1\s+1970 /, ls.stdout);
  });

  it('after an app-only edit keeps the dependency and native layers (the RUN is a cache hit) and pushes only the app layer', async function () {
    if (!hasRegistry()) skipWith(this, 'needs docker-registry (Debian package docker-registry)');
    reg = await startRegistry();
    const ref = `127.0.0.1:${reg.port}/na:1`;
    const { before, after, second } = await repackAfterEdit(root, project, ref, NODE_BUILD_BASE, () => editFile(path.join(project, 'server.js'), 'message v1', 'message v2'));
    for (const name of ['dependencies', 'dependency tree', 'native builds']) assert.equal(after.get(name), before.get(name), name);
    assert.notEqual(after.get('app'), before.get('app'));
    assert.match(second.stderr, /CACHED/);
    assert.match(second.stdout, /pushed .*: 2 blobs uploaded \(\d+ bytes\), \d+ already there/);
    assert.equal((await runHoist(['run', '--rm', ref], { root })).stdout, EXPECTED.replace('v1', 'v2'));
  });

  it('a base without a toolchain: the build fails clearly and nothing is tagged', async () => {
    await loadNodeBase(root);
    const before = await tagsOf(root);
    const r = await runHoist(['pack', project, '-t', 'na-slim:1', '--base', NODE_BASE], { root });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /hoist: building adder inside docker\.io\/hoist-test\/node:20-slim failed \(the base needs npm, python3, make and a C\+\+ compiler\): Dockerfile:5:1: npm rebuild did not complete successfully/);
    assert.deepEqual(await tagsOf(root), before);
  });
});
