import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipWith } from '../../helpers/capabilities';
import { REPO_ROOT } from '../../helpers/paths';
import { tmpDir } from '../../helpers/tmp';

const SCRIPT = path.join(REPO_ROOT, '.ci', 'fetch-conformance');
const COMMIT = '73ed6825c4b7569379ef89df0aedcdbe64473d31';
/** the pinned BuildKit files, to build an archive shaped like GitHub's from (no network here) */
const PINNED = path.resolve(REPO_ROOT, '..', 'shared', 'conformance', 'buildkit');

function fetchInto(dest: string, url: string): { code: number | null; stderr: string } {
  const r = spawnSync('bash', [SCRIPT], { env: { ...process.env, HOIST_CONFORMANCE_DIR: dest, HOIST_CONFORMANCE_URL: url }, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

/** A tar.gz with one top directory `buildkit-<commit>/`, as GitHub serves a commit's archive. */
function archiveOf(tree: string, work: string, edit?: (top: string) => void): string {
  const top = path.join(work, `buildkit-${COMMIT}`);
  fs.cpSync(tree, top, { recursive: true });
  fs.mkdirSync(path.join(top, 'frontend', 'dockerfile', 'builder'), { recursive: true });
  fs.writeFileSync(path.join(top, 'frontend', 'dockerfile', 'builder', 'build.go'), 'package builder\n');
  edit?.(top);
  const out = path.join(work, 'buildkit.tar.gz');
  assert.equal(spawnSync('tar', ['-czf', out, '-C', work, path.basename(top)]).status, 0);
  return `file://${out}`;
}

describe('fetch-conformance (npm run fetch-conformance)', function () {
  this.timeout(60_000);

  it('without a network: fails with one clear line and leaves nothing behind', () => {
    const dest = path.join(tmpDir(), 'corpus');
    const r = fetchInto(dest, 'http://127.0.0.1:1/buildkit.tar.gz');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /fetch-conformance: could not download http:\/\/127\.0\.0\.1:1\/buildkit\.tar\.gz .*nothing was changed/);
    assert.equal(fs.existsSync(dest), false);
  });

  it('takes only the pinned test files, byte for byte, and refuses an archive whose bytes differ', function () {
    if (!fs.existsSync(PINNED)) skipWith(this, `needs the pinned BuildKit files at ${PINNED} to build a local archive (no network here)`);
    const dest = path.join(tmpDir(), 'corpus');
    const ok = fetchInto(dest, archiveOf(PINNED, tmpDir()));
    assert.equal(ok.code, 0, ok.stderr);
    for (const rel of ['LICENSE', 'frontend/dockerfile/shell/envVarTest', 'frontend/dockerfile/parser/testfiles/flags/result']) {
      assert.ok(fs.readFileSync(path.join(dest, 'buildkit', rel)).equals(fs.readFileSync(path.join(PINNED, rel))), rel);
    }
    assert.equal(fs.existsSync(path.join(dest, 'buildkit', 'frontend', 'dockerfile', 'builder')), false, 'no Go code comes along');
    assert.deepEqual(fs.readdirSync(dest), ['buildkit']);

    const bad = fetchInto(dest, archiveOf(PINNED, tmpDir(), (top) => fs.appendFileSync(path.join(top, 'frontend/dockerfile/shell/wordsTest'), 'x')));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /wordsTest: FAILED/);
    assert.match(bad.stderr, /the files differ from moby\/buildkit@73ed6825/);
    assert.ok(fs.readFileSync(path.join(dest, 'buildkit', 'frontend/dockerfile/shell/wordsTest')).equals(fs.readFileSync(path.join(PINNED, 'frontend/dockerfile/shell/wordsTest'))), 'the earlier copy is untouched');
  });
});
