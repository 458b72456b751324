import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collect, runHoist, spawnHoist, type RunResult } from '../../helpers/hoist-cli';
import { activeSnapshots, buildOk, busyboxStore, imageId, leftoverMounts, makeContext } from './build-helpers';

/** Build `files` as `-t app`, which must fail; the tag, mounts and snapshots must be as before. */
async function buildFails(root: string, files: Record<string, string>, extra: string[] = []): Promise<RunResult> {
  const before = await imageId(root, 'app');
  const r = await runHoist(['build', '--progress', 'plain', '-t', 'app', ...extra, makeContext(files)], { root });
  assert.equal(r.code, 1, `expected exit 1, got ${r.code}: ${r.stderr}`);
  assert.equal(await imageId(root, 'app'), before, 'the tag must not move');
  assert.deepEqual(activeSnapshots(root), [], 'no active snapshot may be left');
  assert.deepEqual(leftoverMounts(root), [], 'no mount may be left');
  return r;
}

/** The error line hoist prints (the last `hoist:` line). */
const errorLine = (r: RunResult): string => r.stderr.split('\n').filter((l) => l.startsWith('hoist: ')).pop() ?? '';

describe('hoist build: failures are clear and leave nothing behind', function () {
  this.timeout(120_000);
  let root: string;

  before(async function () {
    root = await busyboxStore(this, 'hoist-build-fail-');
    await buildOk(root, ['-t', 'app', makeContext({ Dockerfile: 'FROM base\nRUN echo ok > /ok\n' })]);
  });

  it('RUN exits 1: its exit code, its last output lines and the instruction', async () => {
    const r = await buildFails(root, { Dockerfile: 'FROM base\nRUN echo first\nRUN echo "it broke here" >&2 && exit 3\n' });
    assert.match(errorLine(r), /^hoist: Dockerfile:3:1: process "\/bin\/sh -c echo \\"it broke here\\" >&2 && exit 3" did not complete successfully: exit code: 3/);
    assert.match(r.stderr, /it broke here/);
  });

  it('a COPY source that matches nothing', async () => {
    const r = await buildFails(root, { Dockerfile: 'FROM base\nCOPY missing.txt /x\n' });
    assert.match(errorLine(r), /Dockerfile:2:1: .*missing\.txt.*not found/);
  });

  it('an unknown --from stage or image', async () => {
    const r = await buildFails(root, { Dockerfile: 'FROM base\nCOPY --from=nosuchstage /x /x\n' });
    assert.match(errorLine(r), /Dockerfile:2:1: .*nosuchstage/);
  });

  it('an unknown --chown user', async () => {
    const r = await buildFails(root, { Dockerfile: 'FROM base\nCOPY --chown=nobodyhere f /f\n', f: 'x' });
    assert.match(errorLine(r), /Dockerfile:2:1: .*unable to find user nobodyhere/);
  });

  it('a syntax error, with file:line:column', async () => {
    const r = await buildFails(root, { Dockerfile: 'FROM base\nRUN echo ok\nFROMM base\n' });
    assert.match(errorLine(r), /^hoist: Dockerfile:3:1: unknown instruction: FROMM/);
  });

  it('an unknown --target', async () => {
    const r = await buildFails(root, { Dockerfile: 'FROM base\n' }, ['--target', 'nope']);
    assert.match(errorLine(r), /target stage "nope" could not be found/);
  });

  it('a context symlink that points outside the context is never followed out', async () => {
    const files = { Dockerfile: 'FROM base\nCOPY leak /leak\n' };
    const dir = makeContext(files);
    fs.symlinkSync('/etc/hostname', path.join(dir, 'leak'));
    const before = await imageId(root, 'app');
    const r = await runHoist(['build', '--progress', 'plain', '-t', 'app', dir], { root });
    if (r.code === 0) {
      // BuildKit resolves the link inside the context (as if the context were /): /etc/hostname is not there
      assert.fail(`the build read through the symlink: ${r.stderr}`);
    }
    assert.match(errorLine(r), /leak|hostname/);
    assert.equal(await imageId(root, 'app'), before);
  });

  it('Ctrl-C in the middle of a RUN stops runc, unmounts and leaves the store consistent', async () => {
    const before = await imageId(root, 'app');
    const child = spawnHoist(['build', '--progress', 'plain', '-t', 'app', makeContext({ Dockerfile: 'FROM base\nRUN echo started && sleep 60\n' })], { root });
    const done = collect(child);
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr?.on('data', (d: Buffer) => {
        seen += d.toString();
        if (seen.includes('started')) resolve();
      });
    });
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await done;
    assert.ok(Date.now() - t0 < 15_000, 'the build must stop promptly');
    assert.notEqual(r.code, 0);
    assert.equal(await imageId(root, 'app'), before);
    assert.deepEqual(activeSnapshots(root), []);
    assert.deepEqual(leftoverMounts(root), []);
    const runc = await runHoist(['images'], { root });
    assert.equal(runc.code, 0);
  });
});
