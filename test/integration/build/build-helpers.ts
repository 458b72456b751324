import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipWith } from '../../helpers/capabilities';
import { runHoist, type RunResult } from '../../helpers/hoist-cli';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';

/**
 * A fresh store (temp dir named PREFIX…) holding busybox as `tag`, for a build
 * suite's before hook; skips the suite, saying why, without runc or overlay.
 */
export async function busyboxStore(ctx: Mocha.Context, prefix: string, tag = 'base:latest'): Promise<string> {
  const why = await runtimeUnavailable();
  if (why) skipWith(ctx, why);
  const root = tmpDir(prefix);
  await loadBusybox(root, tag);
  return root;
}

/** A context directory with these files (`Dockerfile` among them). */
export function makeContext(files: Record<string, string>): string {
  const dir = tmpDir('hoist-ctx-');
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** `hoist build --progress plain ARGS`, which must succeed. */
export async function buildOk(root: string, args: string[]): Promise<RunResult> {
  const r = await runHoist(['build', '--progress', 'plain', ...args], { root });
  if (r.code !== 0) throw new Error(`hoist build ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

/** The step lines BuildKit's plain progress prints as CACHED (`#N [1/3] RUN ...` whose id later says CACHED). */
export function cachedSteps(stderr: string): string[] {
  const names = new Map<string, string>();
  const cached: string[] = [];
  for (const line of stderr.split('\n')) {
    const start = /^#(\d+) (\[.*)$/.exec(line);
    if (start) names.set(start[1]!, start[2]!);
    const c = /^#(\d+) CACHED$/.exec(line);
    if (c && names.has(c[1]!)) cached.push(names.get(c[1]!)!);
  }
  return cached;
}

/** Active snapshots left in the store (there must be none after any build). */
export function activeSnapshots(root: string): string[] {
  const dir = path.join(root, 'layers', '.snapshots');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/** Mounts of this store's layers that are still there (other processes' builds on the machine do not count). */
export function leftoverMounts(root: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(root))
    .map((l) => l.split(' ')[4] ?? '');
}

export async function imageId(root: string, ref: string): Promise<string> {
  const r = await runHoist(['inspect', ref], { root });
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { Id: string }[])[0]!.Id;
}
