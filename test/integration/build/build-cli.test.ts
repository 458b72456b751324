import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runHoist } from '../../helpers/hoist-cli';
import { tmpDir } from '../../helpers/tmp';
import { buildOk, busyboxStore, imageId, makeContext } from './build-helpers';

describe('hoist build: contexts from stdin, -f, outputs, --iidfile, -q', function () {
  this.timeout(120_000);
  let root: string;

  before(async function () {
    root = await busyboxStore(this, 'hoist-build-cli-');
  });

  it('CONTEXT - with a tar on stdin (gzip) builds from that context', async () => {
    const ctx = makeContext({ Dockerfile: 'FROM base\nCOPY a.txt /a.txt\n', 'a.txt': 'from the tar\n' });
    const tgz = execFileSync('tar', ['-C', ctx, '-cz', '.']);
    const r = await runHoist(['build', '-q', '-t', 'fromtar', '-'], { root, input: tgz });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const out = await runHoist(['run', '--rm', 'fromtar', 'cat', '/a.txt'], { root });
    assert.equal(out.stdout, 'from the tar\n');
  });

  it('CONTEXT - with a bare Dockerfile on stdin builds with an empty context', async () => {
    const r = await runHoist(['build', '-q', '-t', 'bare', '-'], { root, input: 'FROM base\nRUN echo bare > /b\n' });
    assert.equal(r.code, 0, r.stderr);
    const out = await runHoist(['run', '--rm', 'bare', 'cat', '/b'], { root });
    assert.equal(out.stdout, 'bare\n');
  });

  it('-f - reads the Dockerfile from stdin; --iidfile names the image', async () => {
    const ctx = makeContext({ 'c.txt': 'ctx file\n' });
    const iid = path.join(tmpDir(), 'iid');
    const r = await runHoist(['build', '--progress', 'quiet', '-f', '-', '-t', 'stdinfile', '--iidfile', iid, ctx], { root, input: 'FROM base\nCOPY c.txt /\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(iid, 'utf8'), await imageId(root, 'stdinfile'));
  });

  it('--output type=docker writes an archive hoist (and docker) load; type=local writes the rootfs', async () => {
    const ctx = makeContext({ Dockerfile: 'FROM base\nRUN echo out > /out.txt\nLABEL made=by-hoist\n' });
    const dir = tmpDir();
    await buildOk(root, ['-t', 'outs', '-o', `type=docker,dest=${path.join(dir, 'img.tar')}`, '-o', `type=local,dest=${path.join(dir, 'rootfs')}`, ctx]);
    assert.equal(fs.readFileSync(path.join(dir, 'rootfs', 'out.txt'), 'utf8'), 'out\n');
    assert.ok(fs.existsSync(path.join(dir, 'rootfs', 'bin', 'busybox')));
    const other = tmpDir('hoist-build-cli-other-');
    const r = await runHoist(['load', '-i', path.join(dir, 'img.tar')], { root: other });
    assert.equal(r.code, 0, r.stderr);
    const inspect = JSON.parse((await runHoist(['inspect', 'outs'], { root: other })).stdout) as { Id: string; Config: { Labels: Record<string, string> } }[];
    assert.equal(inspect[0]!.Id, await imageId(root, 'outs'));
    assert.equal(inspect[0]!.Config.Labels.made, 'by-hoist');
  });

  it('bad flags are refused with a one-line error', async () => {
    const ctx = makeContext({ Dockerfile: 'FROM base\n' });
    for (const args of [['--network', 'bridge'], ['--progress', 'fancy'], ['-o', 'type=tarball,dest=x'], ['--secret', 'nope']]) {
      const r = await runHoist(['build', ...args, ctx], { root });
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, /hoist: /, args.join(' '));
    }
  });
});
