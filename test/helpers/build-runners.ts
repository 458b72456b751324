import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prepareContext } from '../../fixtures/build/generate';
import { stepFlags, type BuildCase, type BuildStep } from './build-cases';
import type { DockerDaemon } from './docker-daemon';
import { runHoist } from './hoist-cli';
import { HOIST_BIN, REPO_ROOT } from './paths';

/** The tag a case's final image gets on either side. */
export function outputTag(c: BuildCase): string {
  return `difftest-out/${c.name}:latest`;
}

/** Why `hoist build` cannot be run yet (its --help fails), or undefined. */
export function hoistBuildUnavailable(): string | undefined {
  const r = spawnSync(process.execPath, [HOIST_BIN, 'build', '--help'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 && r.stdout.startsWith('Usage: hoist build') ? undefined : 'hoist build not available yet';
}

function filesOf(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((d) => (d.isDirectory() ? filesOf(dir, path.join(rel, d.name)) : [path.join(rel, d.name)]));
}

/**
 * What docker's result for a case depends on: the case's files, the context
 * generator, the base images (their maker and busybox) and the docker version.
 */
export function caseKey(c: BuildCase, dockerVersion: string): string {
  const h = createHash('sha256').update(`${dockerVersion}\n`);
  for (const f of filesOf(c.dir)) h.update(`${f}\n`).update(fs.readFileSync(path.join(c.dir, f)));
  for (const f of ['fixtures/build/generate.js', 'fixtures/build/base-images.js', 'fixtures/images/make-busybox-image.js']) {
    h.update(fs.readFileSync(path.join(REPO_ROOT, 'dist', f)));
  }
  h.update(fs.readFileSync('/bin/busybox'));
  return h.digest('hex').slice(0, 24);
}

function contextFor(c: BuildCase, work: string, side: string): string {
  const ctx = path.join(work, `${c.name}-${side}-context`);
  fs.rmSync(ctx, { recursive: true, force: true });
  prepareContext(c.dir, ctx);
  return ctx;
}

/**
 * Build a case with `DOCKER_BUILDKIT=1 docker build` (its `before` steps
 * first) and save it; the saved archive is kept in `cacheDir` under the
 * case's key, so a second call (or run, with a kept cache dir) only reads it.
 * `env` may select the classic builder (DOCKER_BUILDKIT=0).
 */
export async function dockerBuildCase(dockerd: DockerDaemon, c: BuildCase, cacheDir: string, work: string, options: { env?: NodeJS.ProcessEnv; key?: string; tag?: string } = {}): Promise<string> {
  const out = path.join(cacheDir, `${c.name}-${options.key ?? 'buildkit'}.tar`);
  if (fs.existsSync(out)) return out;
  const ctx = contextFor(c, work, 'docker');
  const env = { DOCKER_BUILDKIT: '1', ...options.env };
  const tag = options.tag ?? outputTag(c);
  try {
    const steps: BuildStep[] = [...(c.before ?? []), { ...c, tag }];
    for (const step of steps) {
      const network = (step.flags ?? []).some((f) => f.startsWith('--network')) ? [] : ['--network=host'];
      await dockerd.docker(['build', ...network, '-q', '-t', step.tag ?? tag, ...stepFlags(c, step), ctx], { env });
    }
    await dockerd.docker(['save', '-o', `${out}.part`, tag]);
    fs.renameSync(`${out}.part`, out);
    return out;
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}

/** Build a case with `hoist build` into the store at `root`, then `hoist save` it. */
export async function hoistBuildCase(root: string, c: BuildCase, work: string): Promise<string> {
  const ctx = contextFor(c, work, 'hoist');
  const out = path.join(work, `${c.name}-hoist.tar`);
  try {
    const steps: BuildStep[] = [...(c.before ?? []), { ...c, tag: outputTag(c) }];
    for (const step of steps) {
      const r = await runHoist(['build', '-t', step.tag ?? outputTag(c), ...stepFlags(c, step), ctx], { root });
      if (r.code !== 0) throw new Error(`hoist build ${step.tag ?? ''} failed (exit ${r.code}):\n${(r.stderr || r.stdout).slice(-3000)}`);
    }
    const s = await runHoist(['save', outputTag(c), '-o', out], { root });
    if (s.code !== 0) throw new Error(`hoist save failed: ${s.stderr}`);
    return out;
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
}
