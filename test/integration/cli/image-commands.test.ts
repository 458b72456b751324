import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { makeDockerArchive, busyboxLayer } from '../../../fixtures/images/make-busybox-image';
import { runHoist } from '../../helpers/hoist-cli';
import { tmpDir } from '../../helpers/tmp';

describe('hoist images / history / tag / rmi / prune', function () {
  this.timeout(60_000);
  let root: string;
  let id: string;

  beforeEach(async () => {
    const work = tmpDir();
    root = tmpDir();
    const archive = path.join(work, 'a.tar');
    id = (
      await makeDockerArchive(archive, {
        tags: ['app:1'],
        layers: [busyboxLayer(), [{ path: 'srv/app.txt', content: 'x'.repeat(5000) }]],
        created: new Date(Date.now() - 3 * 86400_000).toISOString(),
      })
    ).id;
    assert.equal((await runHoist(['load', '-i', archive], { root })).code, 0);
  });

  it('lists images with docker columns', async () => {
    const r = await runHoist(['images'], { root });
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    assert.match(lines[1]!, new RegExp(`^app\\s+1\\s+${id.slice(7, 19)}\\s+3 days ago\\s+\\d`));
    const q = await runHoist(['images', '-q', '--no-trunc'], { root });
    assert.equal(q.stdout, `${id}\n`);
  });

  it('shows history newest first with sizes', async () => {
    const r = await runHoist(['history', 'app:1'], { root });
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    assert.equal(lines.length, 3);
    assert.ok(lines[1]!.startsWith(id.slice(7, 19)));
    assert.match(lines[1]!, /fixture layer 1/);
    assert.ok(lines[2]!.startsWith('<missing>'));
  });

  it('tags by name or short ID, untags, deletes with the last name, refuses ambiguity', async () => {
    assert.equal((await runHoist(['tag', 'app:1', 'registry.local:5000/team/app:2'], { root })).code, 0);
    assert.equal((await runHoist(['tag', id.slice(7, 15), 'other/app'], { root })).code, 0);
    const inspect = JSON.parse((await runHoist(['inspect', 'other/app:latest'], { root })).stdout)[0] as { RepoTags: string[] };
    assert.deepEqual(inspect.RepoTags.sort(), ['app:1', 'other/app:latest', 'registry.local:5000/team/app:2']);
    const conflict = await runHoist(['rmi', id.slice(7, 19)], { root });
    assert.equal(conflict.code, 1);
    assert.match(conflict.stderr, /must be forced/);
    const u = await runHoist(['rmi', 'app:1'], { root });
    assert.equal(u.stdout, 'Untagged: app:1\n');
    const f = await runHoist(['rmi', '-f', id], { root });
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, /Untagged: other\/app:latest/);
    assert.match(f.stdout, new RegExp(`Deleted: ${id}`));
    assert.equal((await runHoist(['images', '-q'], { root })).stdout, '');
    const gone = await runHoist(['rmi', 'app:1'], { root });
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, 'hoist: No such image: app:1\n');
  });

  it('prune reclaims the blobs of removed images and keeps tagged ones', async () => {
    assert.equal((await runHoist(['tag', 'app:1', 'keep:1'], { root })).code, 0);
    assert.equal((await runHoist(['rmi', 'app:1'], { root })).code, 0);
    const p1 = await runHoist(['prune'], { root });
    assert.match(p1.stdout, /Total reclaimed space: 0B/);
    assert.equal((await runHoist(['rmi', 'keep:1'], { root })).code, 0);
    const p2 = await runHoist(['prune'], { root });
    assert.match(p2.stdout, /Deleted 4 blobs/);
    assert.match(p2.stdout, /Total reclaimed space: [1-9]/);
  });

  it('refuses a tag with a digest and bad references with clear errors', async () => {
    const d = await runHoist(['tag', 'app:1', `x@sha256:${'a'.repeat(64)}`], { root });
    assert.equal(d.code, 2);
    const bad = await runHoist(['tag', 'app:1', 'Bad/Name'], { root });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /repository name must be lowercase/);
    const dbg = await runHoist(['--debug', 'tag', 'app:1', 'Bad/Name'], { root });
    assert.match(dbg.stderr, /code: REFERENCE_NOT_CANONICAL/);
  });
});
