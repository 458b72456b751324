import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeBaseImages } from '../../../fixtures/build/base-images';
import { GENERATED_CASES } from '../../../fixtures/build/generate';
import { skipWith } from '../../helpers/capabilities';
import { loadBuildCases, type BuildCase } from '../../helpers/build-cases';
import { caseKey, dockerBuildCase, hoistBuildCase, hoistBuildUnavailable } from '../../helpers/build-runners';
import { dockerUnavailable, startDockerd, type DockerDaemon } from '../../helpers/docker-daemon';
import { runHoist } from '../../helpers/hoist-cli';
import { readImageArchive, type ArchiveImage } from '../../helpers/image-archive';
import { compareImages } from '../../helpers/image-compare';
import { checkExpectation } from '../../helpers/image-expect';
import { tmpDir } from '../../helpers/tmp';

// Every fixtures/build case built by `DOCKER_BUILDKIT=1 docker build` and by
// `hoist build`, both saved and compared (tree, layers, config, history).
// Docker's saved results are cached per case key in a temp dir per run
// (HOIST_DIFFTEST_CACHE=DIR keeps them across runs). Cases Debian's Docker
// 20.10 cannot build carry an `expect` section instead, which is also checked
// against docker's result wherever docker builds the case. One case:
// `--grep 'copy-file:'`; a JSON list of every case's
// differences: HOIST_DIFFTEST_REPORT=FILE.

const CASES = loadBuildCases();

function reportOf(c: BuildCase, lines: string[]): string {
  return `${c.name}: ${lines.length} difference(s)\n  ${lines.join('\n  ')}`;
}

describe('build differential: hoist build vs DOCKER_BUILDKIT=1 docker build', function () {
  this.timeout(180_000);
  const dockerWhy = dockerUnavailable();
  let hoistWhy: string | undefined;
  let dockerd: DockerDaemon | undefined;
  let dockerVersion = '';
  let work: string;
  let cacheDir: string;
  let root: string;

  before(async function () {
    work = tmpDir('hoist-difftest-');
    cacheDir = process.env.HOIST_DIFFTEST_CACHE ?? tmpDir('hoist-difftest-cache-');
    fs.mkdirSync(cacheDir, { recursive: true });
    const archives = await writeBaseImages(work);
    hoistWhy = hoistBuildUnavailable();
    if (hoistWhy === undefined) {
      root = tmpDir('hoist-difftest-store-');
      for (const a of archives) {
        const r = await runHoist(['load', '-i', a], { root });
        assert.equal(r.code, 0, r.stderr);
      }
    }
    if (dockerWhy === undefined) {
      dockerd = await startDockerd();
      dockerVersion = (await dockerd.docker(['version', '--format', '{{.Server.Version}}'])).stdout.trim();
      for (const a of archives) await dockerd.docker(['load', '-i', a]);
    }
  });

  /** per case: its differences (or the hoist error), for the summary and HOIST_DIFFTEST_REPORT=FILE (JSON) */
  const results = new Map<string, string[]>();
  const hoistSide = async (c: BuildCase, compare: (hoistImage: ArchiveImage) => string[]): Promise<string[]> => {
    let lines: string[];
    try {
      lines = compare(await readImageArchive(await hoistBuildCase(root, c, work)));
    } catch (err) {
      lines = [`hoist: ${(err as Error).message.split('\n').slice(0, 6).join(' | ')}`];
    }
    results.set(c.name, lines);
    return lines;
  };

  after(async () => {
    await dockerd?.stop();
    if (results.size === 0) return;
    const differing = [...results].filter(([, l]) => l.length > 0);
    process.stdout.write(`      differential: ${results.size - differing.length} of ${results.size} cases agree; differing: ${differing.map(([n, l]) => `${n} (${l.length})`).join(', ') || 'none'}\n`);
    const file = process.env.HOIST_DIFFTEST_REPORT;
    if (file !== undefined) fs.writeFileSync(file, `${JSON.stringify(Object.fromEntries(results), null, 2)}\n`);
  });

  it(`has at least 45 well-formed cases (${CASES.length})`, () => {
    assert.ok(CASES.length >= 45, `${CASES.length} cases`);
    const names = new Set(CASES.map((c) => c.name));
    for (const g of GENERATED_CASES) assert.ok(names.has(g), `generate.ts has a generator for ${g}, which is no case`);
    for (const c of CASES) {
      for (const step of [...(c.before ?? []), c]) assert.ok(fs.existsSync(path.join(c.dir, step.dockerfile ?? 'Dockerfile')), `${c.name}: no ${step.dockerfile ?? 'Dockerfile'}`);
      assert.ok(c.description.length > 0, `${c.name}: no description`);
      if (c.docker === false) assert.ok(c.expect !== undefined && c.why !== undefined, `${c.name}: docker:false needs expect and why`);
      for (const step of c.before ?? []) assert.ok(step.tag?.startsWith('difftest-built/'), `${c.name}: a before step's tag is difftest-built/...`);
    }
  });

  describe('the comparer, end to end on docker alone', () => {
    const byName = (name: string): BuildCase => CASES.find((c) => c.name === name) as BuildCase;
    /** docker's result for a case; a variant (another builder, more flags) gets its own key and tag */
    const docker = async (ctx: Mocha.Context, c: BuildCase, variant = '', options: { env?: NodeJS.ProcessEnv; flags?: string[] } = {}) => {
      if (dockerd === undefined) skipWith(ctx, dockerWhy ?? 'no dockerd');
      const build = { ...c, flags: [...(c.flags ?? []), ...(options.flags ?? [])] };
      const key = `${caseKey(c, dockerVersion)}${variant === '' ? '' : `-${variant}`}`;
      const tag = variant === '' ? {} : { tag: `difftest-check/${c.name}:${variant}` };
      return readImageArchive(await dockerBuildCase(dockerd, build, cacheDir, work, { key, ...tag, ...(options.env ? { env: options.env } : {}) }));
    };

    it('finds no difference between two BuildKit builds of a case (the second with --no-cache)', async function () {
      for (const name of ['run-whiteouts', 'copy-chown-ids']) {
        const c = byName(name);
        const first = await docker(this, c);
        const second = await docker(this, c, 'again', { flags: ['--no-cache'] });
        assert.deepEqual(compareImages(first, second, { names: ['first', 'second'] }), [], name);
      }
    });

    it('finds exactly the known differences between BuildKit and the classic builder', async function () {
      const c = byName('run-whiteouts');
      const buildkit = await docker(this, c);
      const classic = await docker(this, c, 'classic', { env: { DOCKER_BUILDKIT: '0' } });
      const run = 'rm /srv/data/a && rm -r /opt/tree/x && rm /etc/base.conf';
      assert.deepEqual(compareImages(buildkit, classic, { names: ['buildkit', 'classic'] }), [
        // BuildKit's RUN leaves the mount points it made in a base without them; the classic builder does not
        'tree /dev: only in buildkit (dir)',
        'tree /proc: only in buildkit (dir)',
        'tree /sys: only in buildkit (dir)',
        'layer 2 /dev: only in buildkit (dir)',
        'layer 2 /proc: only in buildkit (dir)',
        'layer 2 /sys: only in buildkit (dir)',
        // the classic builder writes empty strings where BuildKit omits the fields
        'config: WorkingDir buildkit=absent classic=""',
        'config: User buildkit=absent classic=""',
        `history[2]: created_by buildkit="RUN /bin/sh -c ${run} # buildkit" classic="/bin/sh -c ${run}"`,
        'history[2]: comment buildkit="buildkit.dockerfile.v0" classic=absent',
      ]);
      const chown = byName('copy-chown-ids');
      const lines = compareImages(await docker(this, chown), await docker(this, chown, 'classic', { env: { DOCKER_BUILDKIT: '0' } }));
      assert.deepEqual(lines.filter((l) => !l.startsWith('history[') && !l.startsWith('config: ')), [], 'both builders chown alike');
      assert.ok(lines.some((l) => /^history\[2\]: created_by docker="COPY f.txt \/both.txt # buildkit" hoist="\/bin\/sh -c #\(nop\) COPY --chown=1234:5678file:[0-9a-f]{64} in \/both.txt "$/.test(l)), lines.join('\n'));
    });
  });

  for (const c of CASES) {
    it(`${c.name}: ${c.description}`, async function () {
      if (c.docker === false) {
        if (hoistWhy !== undefined) skipWith(this, `${hoistWhy} (${c.name} is checked against its expect section: ${c.why})`);
        const missed = await hoistSide(c, (image) => checkExpectation(image, c.expect ?? {}));
        assert.deepEqual(missed, [], reportOf(c, missed));
        return;
      }
      if (dockerd === undefined) skipWith(this, dockerWhy ?? 'no dockerd');
      const dockerImage = await readImageArchive(await dockerBuildCase(dockerd, c, cacheDir, work, { key: caseKey(c, dockerVersion) }));
      if (c.expect !== undefined) {
        const wrong = checkExpectation(dockerImage, c.expect, 'docker');
        assert.deepEqual(wrong, [], `the case's expect section disagrees with docker:\n${reportOf(c, wrong)}`);
      }
      if (hoistWhy !== undefined) skipWith(this, hoistWhy);
      const known = new Set((c.knownDifferences ?? []).map((k) => k.line));
      const diffs = await hoistSide(c, (hoistImage) => {
        const lines = compareImages(dockerImage, hoistImage, {
          ...(c.compare ? { sections: c.compare } : {}),
          ignorePaths: (c.ignorePaths ?? []).map((p) => new RegExp(p)),
        });
        const accepted = lines.filter((l) => known.has(l)).length;
        const stale = [...known].filter((l) => !lines.includes(l)).length;
        if (accepted > 0) process.stdout.write(`      ${c.name}: ${accepted} known difference(s) accepted (case.json knownDifferences)\n`);
        if (stale > 0) process.stdout.write(`      ${c.name}: ${stale} known difference(s) no longer seen: remove them from case.json\n`);
        return lines.filter((l) => !known.has(l));
      });
      assert.deepEqual(diffs, [], reportOf(c, diffs));
    });
  }
});
