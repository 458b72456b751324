import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planBuild, type BuildPlanReport } from '../../../src/build';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { makeContext } from './build-helpers';

const DOCKERFILE = `ARG REG=nosuch.invalid
FROM $REG/tools:1 AS tools
ARG V=7
RUN --mount=type=secret,id=tok,required --mount=type=cache,target=/var/cache/apt,sharing=locked echo $V
FROM base
COPY --link --from=tools /out /opt/
WORKDIR $APPDIR/app
RUN --mount=type=ssh --network=none <<EOF
ssh-add -l
EOF
ONBUILD RUN echo child
`;

/** Everything a build would change in the store: tags, blobs, cache records. */
function storeState(root: string): string[] {
  const list = (d: string): string[] => (fs.existsSync(path.join(root, d)) ? fs.readdirSync(path.join(root, d), { recursive: true }).map(String).sort() : []);
  return [fs.readFileSync(path.join(root, 'index.json'), 'utf8'), ...list('blobs'), ...list('cache')];
}

describe('hoist build --dry-run: the plan, without running or pulling anything', function () {
  this.timeout(60_000);
  let root: string;
  let ctx: string;

  before(async () => {
    root = tmpDir('hoist-dry-run-');
    await loadBusybox(root, 'base:latest', { Env: ['PATH=/bin', 'APPDIR=/srv'] });
    ctx = makeContext({ Dockerfile: DOCKERFILE });
  });

  it('prints every stage and resolved step; the base config comes from the store, an unknown base is named', async () => {
    const before = storeState(root);
    const r = await runHoist(['build', '--dry-run', ctx], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /stage 0 \(tools\) \[[^\]]+\] FROM nosuch\.invalid\/tools:1 \(config not in the store/);
    assert.match(r.stdout, /mount secret \/run\/secrets\/tok ro id=tok required=true/);
    assert.match(r.stdout, /mount cache \/var\/cache\/apt from scratch id=\/var\/cache\/apt sharing=locked/);
    assert.match(r.stdout, /stage 1 \[[^\]]+\] FROM docker\.io\/library\/base:latest\n/);
    assert.match(r.stdout, /\+ WORKDIR \$APPDIR\/app\n/);
    assert.match(r.stdout, /to \/opt\/ from stage tools \(link\)/);
    assert.match(r.stdout, /network none/);
    assert.match(r.stdout, /secrets: tok \(required\)\nssh: default\n/);
    assert.deepEqual(storeState(root), before, 'the store is as it was');
  });

  it('--progress=json prints the plan as JSON (the library call: build(store, {dryRun: true}))', async () => {
    const r = await runHoist(['build', '--dry-run', '--progress=json', '--build-arg', 'V=8', ctx], { root });
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as BuildPlanReport;
    assert.deepEqual(plan.order, [0, 1]);
    assert.deepEqual(plan.unknownBases, ['nosuch.invalid/tools:1']);
    const [run] = plan.stages[0]!.steps.filter((s) => s.kind === 'RUN');
    assert.deepEqual(run!.resolved.argv, ['/bin/sh', '-c', 'echo $V']);
    const wd = plan.stages[1]!.steps.find((s) => s.kind === 'WORKDIR')!;
    assert.deepEqual(wd.resolved, { path: '/srv/app' }, 'APPDIR from the stored base image config');
    assert.equal(plan.stages[1]!.steps.find((s) => s.kind === 'ONBUILD')!.resolved.triggerKind, 'RUN');
  });

  it('--check resolves base images as BuildKit does (and says so when it cannot); --check --dry-run lints with the store only', async () => {
    const unknown = makeContext({ Dockerfile: 'FROM nosuch.invalid/x:1\nRUN true\n' });
    const check = await runHoist(['build', '--check', unknown], { root });
    assert.equal(check.code, 1);
    assert.match(check.stderr, /failed to resolve base image nosuch\.invalid\/x:1.*\(--check --dry-run lints with only the base images the store has\)/);
    const offline = await runHoist(['build', '--check', '--dry-run', unknown], { root });
    assert.equal(offline.code, 0, offline.stderr);
    const lint = await runHoist(['build', '--check', '--dry-run', makeContext({ Dockerfile: 'from base\nENV A 1\n' })], { root });
    assert.equal(lint.code, 1);
    assert.match(lint.stdout, /LegacyKeyValueFormat/);
  });

  it('an ONBUILD trigger of a base in the store is planned first', () => {
    const plan = planBuild({ dockerfileText: 'FROM onb\nRUN echo own\n', baseConfig: (ref) => (ref === 'docker.io/library/onb:latest' ? { architecture: 'amd64', os: 'linux', config: { OnBuild: ['RUN echo trig'] }, rootfs: { type: 'layers', diff_ids: [] } } : undefined) });
    assert.deepEqual(plan.stages[0]!.steps.map((s) => [s.kind, s.trigger ?? false, s.text]), [['RUN', true, 'ONBUILD RUN echo trig'], ['RUN', false, 'RUN echo own']]);
  });

  it("a stage's ONBUILD triggers do not run in a stage built on it (only an image's do); SOURCE_DATE_EPOCH is shown", () => {
    const plan = planBuild({ dockerfileText: 'FROM scratch AS a\nONBUILD RUN echo no\nFROM a\nENV X=1\n', buildArgs: { SOURCE_DATE_EPOCH: '946684800' } });
    assert.deepEqual(plan.stages[1]!.steps.map((s) => s.kind), ['ENV']);
    assert.equal(plan.sourceDateEpoch, 946684800);
  });

  it('an instruction that cannot be built fails at its line, as the build would', async () => {
    const bad = makeContext({ Dockerfile: 'FROM base\nARG T=/\nRUN --mount=type=bind,target=$T true\n' });
    const r = await runHoist(['build', '--dry-run', bad], { root });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Dockerfile:3:\d+: invalid mount target "\/"/);
    // BuildKit refuses an expandable --from in any stage, reached or not
    assert.throws(() => planBuild({ dockerfileText: 'FROM scratch AS x\nARG S=a\nCOPY --from=$S / /\nFROM scratch\n' }), /Dockerfile:3:1: variable expansion is not supported for --from/);
  });
});
