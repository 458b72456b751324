import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planBuild, type BuildPlanReport } from '../src/build';
import { parseDockerfile } from '../src/dockerfile/parse-dockerfile';
import { isHoistError } from '../src/errors';
import { REPO_ROOT } from '../test/helpers/paths';
import { CONFORMANCE, describeConformance } from './dockerfile/conformance-data';

/**
 * Files BuildKit refuses as well (checked in its sources at 73ed6825): the
 * code hoist gives and the feature, for the report. Anything else must plan.
 */
const REFUSED: Record<string, { code: string; feature: string }> = {
  '081': { code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', feature: '`docker-version`, a 2013 instruction Docker dropped (BuildKit: unknown instruction)' },
  '129': { code: 'DOCKERFILE_FLAG_INVALID', feature: "buildah's SELinux `z` option in `RUN --mount` (BuildKit: invalid field 'z' must be a key=value pair)" },
  '131': { code: 'DOCKERFILE_STAGE_NAME', feature: 'a stage named `platform-arm/v7` (buildah accepts it; BuildKit: invalid name for build stage)' },
  '132': { code: 'DOCKERFILE_UNKNOWN_INSTRUCTION', feature: 'a reference-manual snippet: a parser directive cannot continue a line, so `tive=value` is an instruction (BuildKit: unknown instruction)' },
  '138': { code: 'DOCKERFILE_NO_STAGE', feature: 'a reference-manual snippet: HEALTHCHECK with no FROM (BuildKit: no build stage in current context)' },
};

/** Files upstream builds with a build arg they do not default (063: `ARG BASE` then `FROM $BASE`). */
const BUILD_ARGS: Record<string, Record<string, string>> = {
  '063': { BASE: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' },
};

const isWindows = (file: string): boolean => /windows|servercore|nanoserver/i.test(file);
const REPORT = path.join(REPO_ROOT, 'docs', 'realworld-plan.md');

interface Outcome {
  file: string;
  plan?: BuildPlanReport;
  refused?: { code: string; message: string };
}

function renderReport(outcomes: Outcome[]): string {
  const planned = outcomes.filter((o) => o.plan !== undefined);
  const stages = planned.reduce((n, o) => n + o.plan!.stages.length, 0);
  const steps = planned.flatMap((o) => o.plan!.stages.flatMap((s) => s.steps));
  const mounts = new Map<string, number>();
  for (const s of steps) for (const m of (s.resolved.mounts as { type: string }[] | undefined) ?? []) mounts.set(m.type, (mounts.get(m.type) ?? 0) + 1);
  const count = (f: (s: (typeof steps)[number]) => boolean): number => steps.filter(f).length;
  return [
    '# The real-world corpus, planned',
    '',
    '`spec/realworld-plan.test.ts` plans every Dockerfile of `../shared/conformance/realworld/files` with',
    '`planBuild` (what `hoist build --dry-run` runs): the stage graph, and every instruction of every stage',
    'expanded and resolved with its flags, without pulling, reading a context or running anything. Base',
    'images are not available here, so every stage is planned without its base config. Files with',
    '`windows`, `servercore` or `nanoserver` in their name are planned for windows/amd64.',
    '(Regenerate with `UPDATE_DOCS=1 npx mocha dist/spec/realworld-plan.test.js`; the suite fails when',
    'this file is stale.)',
    '',
    `**${planned.length} of ${outcomes.length} files plan**: ${stages} stages, ${steps.length} instructions, ${count((s) => s.layer)} layer steps;`,
    `RUN mounts: ${[...mounts].sort().map(([t, n]) => `${t} ${n}`).join(', ')}; RUN heredocs: ${count((s) => s.kind === 'RUN' && s.resolved.heredocs !== undefined)};`,
    `COPY/ADD --link: ${count((s) => s.resolved.link === true)}; ADD of git sources: ${count((s) => ((s.resolved.sources as { kind: string }[] | undefined) ?? []).some((x) => x.kind === 'git'))};`,
    `ONBUILD: ${count((s) => s.kind === 'ONBUILD')}; HEALTHCHECK: ${count((s) => s.kind === 'HEALTHCHECK')}; SHELL: ${count((s) => s.kind === 'SHELL')}.`,
    '',
    ...(Object.keys(BUILD_ARGS).length > 0
      ? ['Planned with a build arg the file needs (it declares `ARG` without a default and uses it in FROM):', '', ...Object.entries(BUILD_ARGS).map(([n, a]) => `- ${outcomes.find((o) => o.file.startsWith(`${n}-`))?.file ?? n}: ${Object.entries(a).map(([k, v]) => `\`--build-arg ${k}=${v}\``).join(' ')}`), '']
      : []),
    'Files that do not plan (each is refused by BuildKit too, with the same error):',
    '',
    '| file | error code | feature |',
    '| --- | --- | --- |',
    ...outcomes.filter((o) => o.refused).map((o) => `| ${o.file} | \`${o.refused!.code}\` | ${REFUSED[o.file.slice(0, 3)]?.feature ?? `unexpected: ${o.refused!.message.split('\n')[0]}`} |`),
    '',
  ].join('\n');
}

describeConformance('realworld corpus: every Dockerfile plans (hoist build --dry-run)', ['realworld/files'], () => {
  const dir = path.join(CONFORMANCE!, 'realworld', 'files');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).sort();
  const outcomes: Outcome[] = [];

  for (const file of files) {
    const n = file.slice(0, 3);
    it(file, () => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const options = { dockerfileText: text, file, buildArgs: BUILD_ARGS[n] ?? {}, ...(isWindows(file) ? { platform: 'windows/amd64' } : {}) };
      let plan: BuildPlanReport;
      try {
        plan = planBuild(options);
      } catch (err) {
        if (!isHoistError(err)) throw err;
        outcomes.push({ file, refused: { code: err.code, message: err.message } });
        assert.ok(REFUSED[n], `${file} does not plan: ${err.code}: ${err.message}`);
        assert.equal(err.code, REFUSED[n]!.code, err.message);
        return;
      }
      outcomes.push({ file, plan });
      assert.equal(REFUSED[n], undefined, `${file} plans, but BuildKit refuses it (${REFUSED[n]?.feature})`);
      const df = parseDockerfile(text, { file });
      assert.equal(plan.stages.length, df.stages.length);
      for (const [i, st] of plan.stages.entries()) {
        assert.deepEqual(st.problems, [], `${file} stage ${i}`);
        assert.equal(st.steps.length, df.stages[i]!.instructions.length, `${file} stage ${i}: every instruction planned`);
        for (const [k, step] of st.steps.entries()) {
          const ins = df.stages[i]!.instructions[k]!;
          if (ins.kind === 'RUN') assert.equal(((step.resolved.mounts as unknown[] | undefined) ?? []).length, ins.mountSpecs.length, `${file}:${step.line} every --mount resolved`);
          if (ins.kind === 'ONBUILD') assert.ok(step.resolved.triggerKind, `${file}:${step.line} the ONBUILD trigger parses`);
        }
      }
      assert.ok(plan.order.includes(plan.target));
    });
  }

  it('063 needs its BASE build arg, as in BuildKit', () => {
    const file = files.find((f) => f.startsWith('063-'))!;
    assert.throws(() => planBuild({ dockerfileText: fs.readFileSync(path.join(dir, file), 'utf8'), file }), /base name \(\$BASE\) should not be blank/);
  });

  it('docs/realworld-plan.md reports the outcome', () => {
    assert.equal(outcomes.length, files.length, 'every file was tried');
    const want = renderReport(outcomes);
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(REPORT, want);
    assert.equal(fs.readFileSync(REPORT, 'utf8'), want, 'docs/realworld-plan.md is stale: UPDATE_DOCS=1 npx mocha dist/spec/realworld-plan.test.js');
  });
});
