import * as assert from 'node:assert/strict';
import type { BuildPlanReport } from '../../../src/build';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { makeContext } from './build-helpers';

const DOCKERFILE = `FROM base
ADD --keep-git-dir=true https://example.com/org/repo.git#v1:docs /docs
ADD --checksum=be1f38e git@example.com:org/repo.git?branch=main&subdir=bin /bin2
ADD --unpack=true https://example.com/a.tar.gz /dl/
ADD --unpack=false local.tar.gz /kept/
COPY --link a.txt /a
RUN <<EOF
#!/bin/sh -e
echo hi
EOF
`;

/** The planner (`hoist build --dry-run`) and `--check` over the sources features: all resolve, bad flags fail at file:line:column. */
describe('hoist build --dry-run/--check: ADD git, --keep-git-dir, --checksum, --unpack, COPY --link, RUN <<EOF #!', function () {
  this.timeout(60_000);
  let root: string;

  before(async () => {
    root = tmpDir('hoist-sources-plan-');
    await loadBusybox(root, 'base:latest');
  });

  it('plans every flag with no error, and the lint passes', async () => {
    const ctx = makeContext({ Dockerfile: DOCKERFILE, 'a.txt': 'a', 'local.tar.gz': '' });
    const r = await runHoist(['build', '--dry-run', '--progress=json', ctx], { root });
    assert.equal(r.code, 0, r.stderr);
    const steps = (JSON.parse(r.stdout) as BuildPlanReport).stages[0]!.steps.map((s) => s.resolved);
    assert.deepEqual(steps[0]!.sources, [{ path: 'https://example.com/org/repo.git#v1:docs', kind: 'git' }]);
    assert.equal(steps[0]!.keepGitDir, true);
    assert.equal(steps[1]!.checksum, 'be1f38e');
    assert.equal(steps[2]!.unpack, true);
    assert.equal(steps[3]!.unpack, false);
    assert.equal(steps[4]!.link, true);
    assert.deepEqual((JSON.parse(r.stdout) as BuildPlanReport).ssh, [{ id: 'default', required: true }], 'the git@ source needs --ssh default');
    const check = await runHoist(['build', '--check', ctx], { root });
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });

  it('a bad flag or source fails at its file:line:column', async () => {
    const cases: [string, string][] = [
      ['ADD --unpack=yes a.tar /x/', '2:1: expecting boolean value for flag --unpack, not: yes'],
      ['ADD --keep-git-dir=maybe https://h/r.git /x', '2:1: expecting boolean value for flag --keep-git-dir, not: maybe'],
      ['  ADD --keep-git-dir=false https://h/r.git?keep-git-dir=1 /x', '2:3: inconsistent keep-git-dir configuration'],
      ['ADD --checksum=abc https://u:pw@h/r.git?commit=def /x', '2:1: checksum mismatch "abc" != "def"'],
      ['ADD https://u:pw@h/r.git?x=1 /x', '2:1: invalid git source "https://u:xxxxx@h/r.git?x=1": unexpected query "x"'],
      ['COPY git@h:r.git /x', "2:1: source can't be a git ref for COPY"],
      ['ADD --checksum=sha256:abc local /x', '2:1: checksum requires HTTP(S) or Git sources'],
      ['ADD --unpak=true a /x', '2:1: unknown flag: --unpak'],
    ];
    for (const [line, want] of cases) {
      const r = await runHoist(['build', '--dry-run', makeContext({ Dockerfile: `FROM base\n${line}\n` })], { root });
      assert.equal(r.code, 1, line);
      assert.ok(r.stderr.includes(`Dockerfile:${want}`), `${line}: ${r.stderr}`);
    }
  });
});
